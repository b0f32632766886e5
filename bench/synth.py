"""SYNTHETIC national-scale dataset for the benchmarks: ~2,900 county-level regions, never mixed with real data.

Writes a SEPARATE DuckDB file (default bench/.work/national.duckdb, gitignored) through models.store.database.Database:
the base tables are the real sources as usual (data/), and the synthetic regions live only in the user tables:
- user_regions: 31 provinces 合成省01…, ~330 cities 合成市001…, ~2,900 counties 合成县0001…, level province/city/
  county, created_by 'bench/synth.py'. Codes use province prefixes 66–70, 72–80, 83–99, which GB/T 2260 never
  assigns (real provinces are 11–65, plus 71 Taiwan, 81 Hong Kong, 82 Macau), so they cannot collide.
- user_facts (counties): population, elderly, infants, birth rate, beds, nursing beds, places (observed), the
  plan's 2025 projections, bed standard, nursing-share and places targets, all with source "SYNTHETIC" and
  quote "synthetic (bench/synth.py)".
- user_series: yearly history 2010–2023 of population, elderly and birth rate for every province, and of
  population for one county in ten.
Figures are drawn (fixed seed) around real national ratios (data/reference): aging rate 18.7% (2020 census),
829.4万 beds in 2022 → about 31 beds per 1000 elderly, 2.03 places per 1000 population (2021; target 4.5),
birth rate 6.39‰ (2023). They describe no real place.

In: scale (number of counties; cities and provinces scale with it), seed. Out: `frames(...)` returns the three
user-table frames (pure, no database); `build(path, ...)` writes them into a fresh file and returns timings.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20260601
SOURCE = "SYNTHETIC"
QUOTE = "synthetic (bench/synth.py)"
WHO = "bench/synth.py"
WORK = Path(__file__).resolve().parent / ".work"
DEFAULT_PATH = WORK / "national.duckdb"
# Province prefixes GB/T 2260 does not use (real: 11–65, 71, 81, 82): exactly 31 of them.
PROVINCE_PREFIXES = tuple([66, 67, 68, 69, 70] + list(range(72, 81)) + list(range(83, 100)))
REAL_PREFIXES = frozenset(list(range(11, 66)) + [71, 81, 82])

# Real national ratios (data/reference)
AGING_RATE = 18.7          # % aged 60+, 2020 census
BEDS_PER_1000_ELDERLY = 31.4  # 829.4万 beds (2022) / 2.64亿 elderly
PLACES_PER_1000 = 2.03     # 2021
PLACES_TARGET = 4.5        # 2025 (十四五 纲要)
BIRTH_RATE = 6.39          # ‰, 2023
NURSING_SHARE_TARGET = 55  # % (national 2025 floor)
HISTORY_YEARS = range(2010, 2024)


@dataclass(frozen=True)
class Spec:
    counties: int = 2900
    cities: int = 330
    provinces: int = 31
    seed: int = SEED

    def __post_init__(self):
        if not 1 <= self.provinces <= len(PROVINCE_PREFIXES):
            raise ValueError(f"provinces must lie in 1–{len(PROVINCE_PREFIXES)}")
        if not self.provinces <= self.cities <= self.provinces * 99:
            raise ValueError("cities must lie between provinces and 99 per province")
        if not self.cities <= self.counties <= self.cities * 99:
            raise ValueError("counties must lie between cities and 99 per city")

    @classmethod
    def scaled(cls, counties: int, seed: int = SEED) -> Spec:
        """About the national proportions (≈ 8.8 counties per city, ≈ 10.6 cities per province)."""
        cities = max(1, round(counties * 330 / 2900))
        provinces = min(31, max(1, round(cities * 31 / 330)))
        return cls(counties, max(cities, provinces), provinces, seed)


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def regions_frame(spec: Spec) -> pd.DataFrame:
    """user_regions rows: code, name_zh, name_en, level, parent_code (provinces have no parent)."""
    rows = []
    city_counts = _split(spec.cities, spec.provinces)
    county_counts = iter(_split(spec.counties, spec.cities))
    n_city = n_county = 0
    for p, n_cities in enumerate(city_counts):
        pcode = f"{PROVINCE_PREFIXES[p]:02d}0000"
        rows.append((pcode, f"合成省{p + 1:02d}", f"SYNTHETIC province {p + 1:02d}", "province", ""))
        for c in range(n_cities):
            n_city += 1
            ccode = f"{PROVINCE_PREFIXES[p]:02d}{c + 1:02d}00"
            rows.append((ccode, f"合成市{n_city:03d}", f"SYNTHETIC city {n_city:03d}", "city", pcode))
            for k in range(next(county_counts)):
                n_county += 1
                rows.append((f"{ccode[:4]}{k + 1:02d}", f"合成县{n_county:04d}", f"SYNTHETIC county {n_county:04d}",
                             "county", ccode))
    return pd.DataFrame(rows, columns=["code", "name_zh", "name_en", "level", "parent_code"])


def frames(spec: Spec = Spec()) -> dict[str, pd.DataFrame]:
    """The synthetic user tables {'user_regions', 'user_facts', 'user_series'} (deterministic for a spec)."""
    rng = np.random.default_rng(spec.seed)
    reg = regions_frame(spec)
    counties = reg[reg["level"] == "county"].reset_index(drop=True)
    n = len(counties)
    pop = np.clip(rng.lognormal(np.log(400_000), 0.6, n), 20_000, 3_000_000).round()
    aging = np.clip(rng.normal(AGING_RATE, 3.5, n), 8, 32)
    elderly = (pop * aging / 100).round()
    birth = np.clip(rng.normal(BIRTH_RATE, 1.2, n), 2.5, 14)
    infants = (pop * birth / 1000 * 3 * rng.uniform(0.9, 1.05, n)).round()
    beds = (elderly * BEDS_PER_1000_ELDERLY / 1000 * rng.lognormal(0, 0.25, n)).round()
    nursing = (beds * np.clip(rng.normal(45, 8, n), 20, 80) / 100).round()
    places = (pop * PLACES_PER_1000 / 1000 * rng.lognormal(0, 0.3, n)).round()
    pop_g = rng.normal(-0.3, 0.8, n)          # %/yr to 2025
    eld_g = rng.normal(3.2, 1.0, n)
    bed_std = rng.choice([30.0, 32.0, 35.0, 40.0], n)
    nursing_target = rng.choice([55.0, 60.0, 65.0], n, p=[0.6, 0.3, 0.1])
    beds_target = (elderly * (1 + eld_g / 100) ** 5 * bed_std / 1000 / 10).round() * 10

    cols = {  # indicator, year, kind, unit, basis, values
        "population_resident": [(2020, "observed", pop), (2025, "plan_projection", pop * (1 + pop_g / 100) ** 5)],
        "elderly_60plus": [(2020, "observed", elderly), (2025, "plan_projection", elderly * (1 + eld_g / 100) ** 5)],
        "aging_rate": [(2020, "observed", aging.round(2))],
        "infants_0_3": [(2020, "observed", infants)],
        "birth_rate": [(2023, "observed", birth.round(2))],
        "elderly_beds": [(2022, "observed", beds), (2025, "target", beds_target)],
        "nursing_beds": [(2022, "observed", nursing)],
        "childcare_places": [(2022, "observed", places)],
        "beds_per_1000_elderly": [(2025, "standard", bed_std)],
        "nursing_bed_share": [(2025, "target", nursing_target)],
        "childcare_places_per_1000": [(2025, "target", np.full(n, PLACES_TARGET))],
    }
    from models.core.catalogue import indicator as catalogue_indicator

    parts = []
    for ind, specs in cols.items():
        unit = catalogue_indicator(ind).unit
        basis = "常住" if ind in ("population_resident", "elderly_60plus", "aging_rate") else ""
        for year, kind, values in specs:
            values = np.asarray(values, dtype=float)
            if unit in ("person", "bed", "place"):
                values = values.round()
            parts.append(pd.DataFrame({
                "fact_id": "SYN-" + counties["code"] + f"-{ind}-{year}-{kind}", "region_code": counties["code"],
                "region_name": counties["name_zh"], "indicator": ind, "year": year, "value": values,
                "text_value": "", "unit": unit, "basis": basis, "kind": kind,
                "comparator": "≥" if kind == "target" else "=", "attribute": "", "department": "",
                "source": SOURCE, "quote": QUOTE, "note": "SYNTHETIC benchmark data, not a real figure"}))
    facts = pd.concat(parts, ignore_index=True)

    # yearly history 2010–2023: every province (sums of its counties), one county in ten
    years = np.array(list(HISTORY_YEARS))
    prov_of = counties["code"].str[:2] + "0000"
    series = []
    county_hist = pd.DataFrame({"code": counties["code"], "pop": pop, "elderly": elderly, "birth": birth,
                                "province": prov_of})
    for pcode, g in county_hist.groupby("province"):
        p20, e20 = g["pop"].sum(), g["elderly"].sum()
        b = float(np.average(g["birth"], weights=g["pop"]))
        pg, eg = rng.normal(0.2, 0.4), rng.normal(4.0, 0.8)
        t = years - 2020
        noise = lambda s: np.exp(rng.normal(0, s, len(years)))  # noqa: E731
        series += [(pcode, "population_resident", "常住", p20 * (1 + pg / 100) ** t * noise(0.003)),
                   (pcode, "elderly_60plus", "常住", e20 * (1 + eg / 100) ** t * noise(0.005)),
                   (pcode, "birth_rate", "", b * np.exp(0.06 * (2023 - np.maximum(years, 2016))) * noise(0.03))]
    sampled = county_hist.iloc[::10]
    for r in sampled.itertuples(index=False):
        g = rng.normal(-0.3, 0.8)
        series.append((r.code, "population_resident", "常住",
                       r.pop * (1 + g / 100) ** (years - 2020) * np.exp(rng.normal(0, 0.004, len(years)))))
    ser = pd.concat([pd.DataFrame({"region_code": code, "indicator": ind, "year": years,
                                   "value": v.round(2) if ind == "birth_rate" else v.round(), "basis": basis})
                     for code, ind, basis, v in series], ignore_index=True)
    ser["unit"] = ser["indicator"].map({"population_resident": "person", "elderly_60plus": "person",
                                        "birth_rate": "permille"})
    ser["source"], ser["note"] = SOURCE, QUOTE
    return {"user_regions": reg, "user_facts": facts, "user_series": ser}


def fresh_database(path: Path):
    """A new database at `path` (any old file, WAL and lock removed first), built from data/: (db, start, built)."""
    from models.store.database import Database

    path.parent.mkdir(parents=True, exist_ok=True)
    for p in (path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".lock")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    db = Database(path)
    db.ensure_built()
    return db, t0, time.perf_counter()


def build(path: str | Path = DEFAULT_PATH, spec: Spec = Spec(), *, force: bool = False) -> dict:
    """Write the synthetic dataset into a FRESH database file at `path` (deleted first). Returns timings in
    seconds: base (real sources → tables), synth (generating the frames), write (inserting them), and counts.
    With force False an existing file generated from the same spec is kept (timings then NaN)."""
    from models.store.database import Database

    path = Path(path)
    stamp = f"{spec.counties}/{spec.cities}/{spec.provinces}/{spec.seed}"
    if path.exists() and not force:
        db = Database(path)
        try:
            if db.scalar("SELECT value FROM meta WHERE key = 'synthetic'") == stamp:
                return {"base_s": float("nan"), "synth_s": float("nan"), "write_s": float("nan"), "reused": True}
        except Exception:  # noqa: BLE001 - any unreadable file is rebuilt
            pass
    db, t0, t1 = fresh_database(path)
    data = frames(spec)
    t2 = time.perf_counter()

    def work(con):
        now = pd.Timestamp.now().floor("s")
        for table, frame in data.items():
            f = frame.assign(created_by=WHO, created_at=now)  # noqa: F841 (DuckDB reads the local by name)
            if table != "user_regions":
                f["import_file"] = "bench/synth.py"
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM f")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('synthetic', ?)", [stamp])

    db.write(work)
    t3 = time.perf_counter()
    return {"base_s": t1 - t0, "synth_s": t2 - t1, "write_s": t3 - t2, "reused": False,
            **{table: len(f) for table, f in data.items()}}


if __name__ == "__main__":
    import sys

    out = build(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PATH, force=True)
    print(out)


# -- the REAL census counties with SYNTHETIC supply (issue 20: the bench runs on the real counties) ------------------
REAL_STAMP_KEY = "synthetic_supply"


def real_supply_frame(units: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """user_facts rows of SYNTHETIC supply for real county-tier units: elderly beds, nursing beds and childcare
    places (2022, observed), drawn (fixed seed) around the national ratios above from each unit's REAL census 2020
    population and 60+ (`units`: region_code, region_name, population_2020, elderly_60plus_2020). Source
    "SYNTHETIC", quote "synthetic (bench/synth.py)": supply only, never a real figure; the population, the regions
    and every standard stay the real ones."""
    from models.core.catalogue import indicator as catalogue_indicator

    rng = np.random.default_rng(seed)
    n = len(units)
    pop = units["population_2020"].to_numpy(dtype=float)
    elderly = units["elderly_60plus_2020"].to_numpy(dtype=float)
    beds = (elderly * BEDS_PER_1000_ELDERLY / 1000 * rng.lognormal(0, 0.25, n)).round()
    nursing = (beds * np.clip(rng.normal(45, 8, n), 20, 80) / 100).round()
    places = (pop * PLACES_PER_1000 / 1000 * rng.lognormal(0, 0.3, n)).round()
    parts = []
    for ind, values in (("elderly_beds", beds), ("nursing_beds", nursing), ("childcare_places", places)):
        parts.append(pd.DataFrame({
            "fact_id": "SYN-" + units["region_code"] + f"-{ind}-2022-observed", "region_code": units["region_code"],
            "region_name": units["region_name"], "indicator": ind, "year": 2022, "value": values, "text_value": "",
            "unit": catalogue_indicator(ind).unit, "basis": "", "kind": "observed", "comparator": "=",
            "attribute": "", "department": "", "source": SOURCE, "quote": QUOTE,
            "note": "SYNTHETIC benchmark supply on a real census county, not a real figure"}))
    return pd.concat(parts, ignore_index=True)


def build_real(path: str | Path, *, seed: int = SEED) -> dict:
    """A FRESH real database at `path` (every census unit, built from data/ as the app does) plus SYNTHETIC supply
    (real_supply_frame) for every county-tier unit that has no fact of its own in the real sources (the plan
    regions — 渝中 and the others — keep exactly their real figures). Returns timings (base_s, synth_s, write_s) and
    the number of units and rows written."""
    from forecasting.region_table import region_table
    from models.store.facts import all_facts

    path = Path(path)
    db, t0, t1 = fresh_database(path)
    units = region_table(db, level="county")
    own = set(all_facts(db)["region_code"].astype(str))
    units = units[~units["region_code"].astype(str).isin(own)].reset_index(drop=True)
    supply = real_supply_frame(units, seed)
    t2 = time.perf_counter()

    def work(con):
        f = supply.assign(created_by=WHO, created_at=pd.Timestamp.now().floor("s"),  # noqa: F841 (read by name)
                          import_file="bench/synth.py")
        con.execute("INSERT INTO user_facts BY NAME SELECT * FROM f")
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [REAL_STAMP_KEY, f"{len(units)}/{seed}"])

    db.write(work)
    t3 = time.perf_counter()
    return {"base_s": t1 - t0, "synth_s": t2 - t1, "write_s": t3 - t2, "units": len(units), "user_facts": len(supply)}

"""The `model` method: statsmodels fits, the cohort path of the elderly, shares of the parent, infants.

Many regions are computed in one batch (model_paths_many): each step first gathers what every region needs (its
anchor, its driver path, its share model), then derives all children of one driver in one array operation
(forecasting.demography.share_frames; infants_paths likewise). One region is a batch of one, so there is a single
implementation; tests/test_projection_batch.py checks a batch against each region alone."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from forecasting.cohort import InsufficientObservations
from forecasting.contract import BANDS, INFANT_COHORTS, START_YEAR
from forecasting.inputs import Anchor, Inputs, is_na, population_indicator
from forecasting.projection_models import MIN_POINTS, MODEL_DESCRIPTIONS, InsufficientHistory
from forecasting.results import COLS, IndicatorPath, YearFrame


# -- model method ------------------------------------------------------------------------------------------
def driver_path(inp: Inputs, region: str, indicator: str, to_year: int) -> tuple[YearFrame, str, str]:
    """The fitted path of the nearest region in region's chain whose series has ≥ MIN_POINTS points.

    Returns (YearFrame of the fitted path, driver region code, detail text naming the skipped too-short series).
    Raises InsufficientHistory when no ancestor qualifies.
    """
    skipped = []
    for code in inp.chain(region):
        hist = inp.history(code, indicator)
        if not hist:
            continue
        try:
            key = ("driver_frame", hist, to_year)  # one path per fitted series, shared by its children
            if key not in inp.memo:
                fitted = inp.fitted(hist, to_year)
                inp.memo[key] = (YearFrame.from_df(fitted.set_index("year")), fitted["model"].iat[0])
            frame, model = inp.memo[key]
        except InsufficientHistory:
            skipped.append(f"{code} has {len(hist)} points < {MIN_POINTS}")
            continue
        detail = (f"{MODEL_DESCRIPTIONS[model]} fitted to {code} {indicator} {hist[0][0]}–{hist[-1][0]} "
                  f"({len(hist)} points)")
        if skipped:
            detail += "; fallback: " + ", ".join(skipped)
        return frame, code, detail
    raise InsufficientHistory(f"no series of {indicator} with ≥ {MIN_POINTS} points in {inp.chain(region)}")


def share_of_driver(anchor: Anchor, driver: YearFrame, years: range, *, own: bool = False) -> YearFrame:
    """anchor × driver(t) / driver(anchor year) for each year (bands scaled alike). Plain numpy on the columns:
    this runs once per region and indicator (thousands of times for a national table)."""
    ratio = anchor.value / driver.value(anchor.year)
    d = driver.take(years)
    kind = d.kind
    cols = {c: v * ratio for c, v in d.cols.items()}
    if not own:
        kind = history_kinds(kind)
    if anchor.year in years:
        i = anchor.year - years.start
        cols["value"][i] = anchor.value
        for c in BANDS:
            cols[c][i] = np.nan
        kind[i] = anchor_note(anchor)
    return YearFrame(years.start, cols, kind)


AS_HISTORY = {"observed": "history", "interpolated": "history"}


def anchor_note(anchor: Anchor) -> str:
    return anchor.ref if anchor.ref.startswith("derived") else f"observed ({anchor.ref})"


def observed_anchor(inp: Inputs, region: str, indicator: str, basis: str | None = None) -> Anchor | None:
    f = inp.fact(region, indicator, ("observed",), basis=basis)
    s = inp.series_row(region, indicator)
    if s is not None and basis is not None and s["basis"] != basis:
        s = None
    if f is not None and (s is None or int(f["year"]) >= int(s["year"])):
        return Anchor(int(f["year"]), float(f["value"]), f["basis"] or "", f["fact_id"])
    if s is not None:
        return Anchor(int(s["year"]), float(s["value"]), s["basis"] or "",
                       f"series:{region}/{indicator}/{int(s['year'])}")
    return None


def rate_anchor(inp: Inputs, region: str, indicator: str) -> Anchor | None:
    return observed_anchor(inp, region, indicator)


def own_points(inp: Inputs, region: str, indicator: str, basis: str) -> list[tuple[int, float, str, bool]]:
    """The region's own observed figures of `indicator` in `basis` or with none stated (plan facts and series; a
    series row wins over a fact of the same year), as (year, value, reference, is_census), by year. Memoised per
    run (a national table asks for each region's points several times)."""
    key = ("own_points", region, indicator, basis)
    if key not in inp.memo:
        inp.memo[key] = tuple(read_own_points(inp, region, indicator, basis))
    return list(inp.memo[key])


def read_own_points(inp: Inputs, region: str, indicator: str, basis: str) -> list[tuple[int, float, str, bool]]:
    """own_points without the memo."""
    out = {}
    for r in inp.index()["facts"].get((region, indicator), ()):
        if r["kind"] == "observed" and not is_na(r["year"]) and (r["basis"] or "") in (basis, ""):
            out[int(r["year"])] = (int(r["year"]), float(r["value"]), r["fact_id"], False)
    for r in inp.index()["series"].get((region, indicator), ()):
        if not is_na(r["year"]) and (r["basis"] or "") in (basis, ""):
            census = "census" in str(r.get("note") or "").lower()
            out[int(r["year"])] = (int(r["year"]), float(r["value"]),
                                   f"series:{region}/{indicator}/{int(r['year'])}", census)
    return [out[y] for y in sorted(out)]


@dataclass(frozen=True)
class ShareSpec:
    """What a region's share path rests on (share_spec): its anchor, the driver path it follows, and the share
    model (None where the region follows its own series: the nation, a province)."""

    region: str
    indicator: str
    anchor: Anchor
    driver: YearFrame
    driver_code: str
    driver_indicator: str
    detail: str
    model: object = None  # forecasting.demography.ShareDrift
    points: tuple = ()


def share_spec(inp: Inputs, region: str, indicator: str, anchor: Anchor, driver_indicator: str,
               to_year: int) -> ShareSpec:
    """The driver and share model of a region's path of `indicator` (see share_paths); InsufficientHistory when
    there is no driver or the anchor is not the region's latest figure."""
    from forecasting.demography import fit_share

    start = region if inp.follows_own_series(region) else inp.parent(region)
    if start is None:
        raise InsufficientHistory(f"{region} has no parent to follow")
    driver, code, detail = driver_path(inp, start, driver_indicator, to_year)
    if anchor.year not in driver:
        raise InsufficientHistory(f"{code} {driver_indicator} does not cover {anchor.year}")
    if code == region:
        return ShareSpec(region, indicator, anchor, driver, code, driver_indicator, detail)
    points = [p for p in own_points(inp, region, indicator, anchor.basis) if p[0] in driver and p[0] <= anchor.year]
    if anchor.year not in {p[0] for p in points}:
        points.append((anchor.year, anchor.value, anchor.ref, False))
    shares = [(y, v / driver.value(y)) for y, v, _, _ in points]
    model = fit_share(shares, rw_sigma=inputs_share_sigma(inp))
    if model.anchor_year != anchor.year:  # the anchor is the latest own figure by construction
        raise InsufficientHistory(f"{region}: anchor {anchor.year} is not its latest figure")
    return ShareSpec(region, indicator, anchor, driver, code, driver_indicator, detail, model, tuple(points))


def share_paths(specs: list[ShareSpec], years: range) -> list[IndicatorPath]:
    """Each spec's path over `years`: its own fitted series (the nation, a province), else its share of the nearest
    ancestor with one, anchored at its latest own figure, the share's drift from its own figures (two or more) and
    the share's uncertainty added to the ancestor's band (forecasting/demography.py). The children of one driver
    are derived together, in one array operation (demography.share_frames)."""
    from forecasting.demography import share_frames

    out: list = [None] * len(specs)
    groups: dict[int, list[int]] = {}
    for i, s in enumerate(specs):
        if s.model is None:
            a = s.anchor
            frame = share_of_driver(a, s.driver, years, own=True)
            how = f"own series: {s.detail}" if a.ref.startswith("series:") else (
                f"small-area share: {s.region} {s.indicator} = {a.value:,.6g} ({a.year}, {a.ref}) × "
                f"{s.driver_code}(t) / {s.driver_code}({a.year}); {s.detail}")
            out[i] = IndicatorPath(frame, a.basis, how, f"{a.ref}; series:{s.driver_code}/{s.driver_indicator}")
        else:
            groups.setdefault(id(s.driver), []).append(i)
    for idx in groups.values():
        p, cols = share_frames(specs[idx[0]].driver, [specs[i].model for i in idx], years)
        kind = history_kinds(p.kind)
        for row, i in enumerate(idx):
            s, a = specs[i], specs[i].anchor
            frame = YearFrame(p.start, {c: v[row] for c, v in cols.items()}, kind.copy())
            if a.year in years:
                frame.cols["value"][a.year - years.start] = a.value
                frame.kind[a.year - years.start] = anchor_note(a)
            how = (f"small-area share: {s.region} {s.indicator} = {a.value:,.6g} ({a.year}, {a.ref}) × "
                   f"{s.driver_code}(t) / {s.driver_code}({a.year}) × exp(b·(t − {a.year})); {s.model.how}; "
                   f"{s.detail}")
            refs = "; ".join(ref for _, _, ref, _ in sorted(s.points))
            out[i] = IndicatorPath(frame, a.basis, how, f"{refs}; series:{s.driver_code}/{s.driver_indicator}")
    return out


def history_kinds(kind: np.ndarray) -> np.ndarray:
    """The parent's observed years are history of the child, not observations of it."""
    return np.array([AS_HISTORY.get(k, k) if isinstance(k, str) else k for k in kind], dtype=object)


NATIONAL = "100000"


def elderly_points(inp: Inputs, region: str, indicator: str) -> list[tuple[int, float, str, bool]]:
    """Observed resident counts of `indicator` (elderly_60plus / elderly_65plus) for `region` (own_points)."""
    return own_points(inp, region, indicator, "常住")


def national_elderly(inp: Inputs, indicator: str, to_year: int):
    """(CohortFit, path frame) of the national cohort model of `indicator`, memoised per run."""
    from forecasting.cohort import components, fit_cohort, project_cohort
    from forecasting.wpp import load_wpp

    key = ("cohort", indicator, to_year)
    if key not in inp.memo:
        obs = elderly_points(inp, NATIONAL, indicator)
        if not obs:
            raise InsufficientObservations(f"no national {indicator} observations")
        comp = components(load_wpp(inp.as_of), indicator, range(obs[0][0], to_year + 1))
        # entrants need the cohort's births: WPP starts in 1950, so observations before 1950 + A cannot be used
        first = int(comp.index[np.isfinite(comp["entrants"].to_numpy())].min())
        obs = [o for o in obs if o[0] >= first]
        fit = fit_cohort([(y, v, c) for y, v, _, c in obs], comp, indicator=indicator)
        inp.memo[key] = (fit, project_cohort(fit, comp, to_year), obs)
    return inp.memo[key]


def inputs_share_sigma(inp: Inputs) -> float:
    from forecasting.demography import share_sigma

    if "share_sigma" not in inp.memo:
        s = inp.series[(inp.series["indicator"] == "population_resident")]
        nat = s[s["region_code"] == NATIONAL].set_index("year")["value"]
        prov = s[s["region_code"].str.endswith("0000") & (s["region_code"] != NATIONAL)]
        inp.memo["share_sigma"] = share_sigma(prov[["region_code", "year", "value"]],
                                              nat.groupby(level=0).first())
    return inp.memo["share_sigma"]


def population_share_drift(inp: Inputs, region: str) -> tuple[float, str] | None:
    """A province's drift in its share of the national population (OLS on its last ten years), or None."""
    from forecasting.demography import fit_share

    hist_r, hist_n = dict(inp.history(region, "population_resident")), dict(inp.history(NATIONAL,
                                                                                          "population_resident"))
    years = sorted(set(hist_r) & set(hist_n))[-10:]
    if len(years) < 3:
        return None
    m = fit_share([(y, hist_r[y] / hist_n[y]) for y in years])
    return m.drift, (f"one share: drift of its share of the national population {m.drift * 100:+.2f}%/yr "
                     f"(OLS, own population series {years[0]}–{years[-1]})")


def elderly_frames(inp: Inputs, jobs: list[tuple[str, Anchor | None]], indicator: str, to_year: int) -> list:
    """For each (region, extra observation) the region's own path of `indicator` as (YearFrame: value, bands, kind;
    method detail; inputs), or the InsufficientObservations / InsufficientHistory that prevents it.

    National: the cohort model. Below: share of the nearest ancestor that has a path of its own (see
    forecasting/demography.py); the ancestors' own observations drive them, never the country directly. The
    children of one ancestor are derived together (demography.share_frames). Memoised per region.
    """
    from forecasting.demography import fit_share, share_frames

    out: list = [None] * len(jobs)
    groups: dict[int, list] = {}
    for i, (region, extra) in enumerate(jobs):
        key = ("elderly_frame", region, indicator, to_year, extra)
        if key in inp.memo:
            out[i] = inp.memo[key]
            continue
        if region == NATIONAL:
            fit, path, obs = national_elderly(inp, indicator, to_year)
            out[i] = inp.memo[key] = (YearFrame.from_df(path.set_index("year")), fit.describe("en"),
                                      "; ".join(o[2] for o in obs) + "; WPP 2024 births and death rates")
            continue
        points = [(y, v, ref) for y, v, ref, _ in elderly_points(inp, region, indicator)]
        if extra is not None and extra.year not in {p[0] for p in points}:
            points.append((extra.year, extra.value, extra.ref))
        if not points:
            out[i] = InsufficientObservations(f"{region}: no observed {indicator}")
            continue
        # an ancestor without figures of its own adds nothing: skip to the next; every region is in China, so a
        # region whose chain ends (an imported province without a parent code) follows the nation
        parent = inp.parent(region) or NATIONAL
        while parent != NATIONAL and not elderly_points(inp, parent, indicator):
            parent = inp.parent(parent) or NATIONAL
        try:
            pframe, pdetail, pinputs = elderly_frame(inp, parent, indicator, to_year)
        except (InsufficientObservations, InsufficientHistory) as exc:
            out[i] = exc
            continue
        shares = [(y, v / pframe.value(y)) for y, v, _ in points if y in pframe]
        if not shares:
            out[i] = InsufficientObservations(f"{region}: observations outside {parent}'s path")
            continue
        fallback = population_share_drift(inp, region) if parent == NATIONAL else None
        model = fit_share(shares, fallback_drift=fallback[0] if fallback else None,
                          fallback_how=fallback[1] if fallback else "", rw_sigma=inputs_share_sigma(inp))
        groups.setdefault(id(pframe), []).append((i, key, points, parent, pframe, pdetail, pinputs, model))
    for items in groups.values():
        pframe = items[0][4]
        years = range(pframe.start, to_year + 1)
        p, cols = share_frames(pframe, [it[7] for it in items], years)
        base = history_kinds(p.kind)
        for row, (i, key, points, parent, _, pdetail, pinputs, model) in enumerate(items):
            known = {y: ref for y, _, ref in points}
            kind = base.copy()
            for y in known:
                if y in years:
                    kind[y - years.start] = "observed"
            frame = YearFrame(p.start, {c: v[row] for c, v in cols.items()}, kind)
            frame.cols["value"][model.anchor_year - years.start] = dict((y, v) for y, v, _ in points)[model.anchor_year]
            detail = (f"share of {parent}: {jobs[i][0]}(t) = {parent}(t) × s(t), s({model.anchor_year}) = "
                      f"{model.anchor_share:.5f}; {model.how}; {parent}: {pdetail}")
            out[i] = inp.memo[key] = (frame, detail, "; ".join(known.values()) + f"; {parent}: {pinputs}")
    return out


def elderly_frame(inp: Inputs, region: str, indicator: str, to_year: int,
                  extra: Anchor | None = None) -> tuple[YearFrame, str, str]:
    """One region's own path of `indicator` (elderly_frames); raises what prevents it."""
    got = elderly_frames(inp, [(region, extra)], indicator, to_year)[0]
    if isinstance(got, Exception):
        raise got
    return got


def elderly_paths(inp: Inputs, jobs: list[tuple[str, Anchor | None]], indicator: str, years: range,
                  to_year: int) -> list:
    """The model paths (IndicatorPath) of elderly_60plus / elderly_65plus over `years` for each (region, extra
    observation), or the exception that prevents one (see elderly_frames)."""
    out = []
    for (region, extra), got in zip(jobs, elderly_frames(inp, jobs, indicator, to_year)):
        if isinstance(got, Exception):
            out.append(got)
            continue
        frame, detail, inputs = got
        f = frame.take(years)
        known = {p[0]: p[2] for p in elderly_points(inp, region, indicator)}
        if extra is not None:
            known.setdefault(extra.year, extra.ref)
        for y, ref in known.items():
            if y in f:
                f.kind[y - f.start] = anchor_note(Anchor(y, 0.0, "", ref))
        basis = extra.basis if extra is not None and extra.basis else "常住"
        out.append(IndicatorPath(f, basis, detail, inputs))
    return out


@dataclass
class ModelPaths:
    population: dict = field(default_factory=dict)  # basis → IndicatorPath
    elderly: IndicatorPath | None = None
    elderly65: IndicatorPath | None = None
    birth_rate: IndicatorPath | None = None
    infants: IndicatorPath | None = None
    missing: dict = field(default_factory=dict)  # indicator → reason


def _population_anchors(inp: Inputs, region: str) -> list[Anchor]:
    out = {}
    for ind, basis in (("population_resident", None), ("population_registered", None)):
        a = observed_anchor(inp, region, ind, basis)
        if a is not None:
            b = "户籍" if ind == "population_registered" else (a.basis or "常住")
            out.setdefault(b, Anchor(a.year, a.value, b, a.ref))
    if not out:  # derived: elderly / aging rate of the same year and basis
        e = inp.fact(region, "elderly_60plus", ("observed",))
        if e is not None:
            r = inp.fact(region, "aging_rate", ("observed",), year=int(e["year"]))
            if r is not None and r["value"] > 0:
                out[e["basis"] or ""] = Anchor(int(e["year"]), e["value"] / (r["value"] / 100), e["basis"] or "",
                                                f"derived {e['fact_id']} / {r['fact_id']}")
    return list(out.values())


def cached_model_paths(inp: Inputs, regions, to_year: int) -> list[ModelPaths]:
    """model_paths of `regions`, memoised in the inputs; those not computed yet are computed in one batch."""
    todo = [r for r in dict.fromkeys(regions) if ("model_paths", r, to_year) not in inp.memo]
    if todo:
        for r, mp in model_paths_many(inp, todo, to_year).items():
            inp.memo[("model_paths", r, to_year)] = mp
    return [inp.memo[("model_paths", r, to_year)] for r in regions]


def model_paths_many(inp: Inputs, regions: list[str], to_year: int) -> dict[str, ModelPaths]:
    """model_paths of many regions at once: each step gathers what every region needs (anchors, share models),
    then derives the children of one driver together in one array operation (share_paths, elderly_paths,
    infants_paths). A region's result does not depend on the others in the batch."""
    years = range(START_YEAR - INFANT_COHORTS + 1, to_year + 1)
    out = {r: ModelPaths() for r in regions}

    def share_step(jobs, assign):  # jobs: (region, indicator, anchor, driver indicator)
        specs = []
        for region, ind, anchor, driver_ind in jobs:
            try:
                specs.append((region, anchor, share_spec(inp, region, ind, anchor, driver_ind, to_year)))
            except InsufficientHistory as exc:
                out[region].missing[ind] = str(exc)
        for (region, anchor, _), path in zip(specs, share_paths([s for _, _, s in specs], years)):
            assign(out[region], anchor, path)

    # census units take their resident population, elderly and infants from the census projection (census_step):
    # the share paths below are made only for what it does not give (registered population, other regions)
    rp = census_projection(inp, to_year) if inp.census() is not None else None
    census = {r for r in regions if rp is not None and r in rp}

    # population, each basis the region states
    share_step([(r, population_indicator(a.basis), a, "population_resident") for r in regions
                for a in _population_anchors(inp, r) if r not in census or a.basis == "户籍"],
               lambda mp, a, path: mp.population.__setitem__(a.basis, path))
    for r in regions:
        if not out[r].population and r not in census:
            out[r].missing.setdefault("population_resident", "no observed population (facts or series) to anchor on")

    # elderly 60+ (anchored at the observed count, else at the observed aging rate × the population path) and 65+
    jobs = []
    for r in regions:
        if r in census and r != NATIONAL:
            continue
        mp = out[r]
        anchor = observed_anchor(inp, r, "elderly_60plus")
        if anchor is None:  # derived: observed aging rate × population path of that year
            rate = rate_anchor(inp, r, "aging_rate")
            pop = mp.population.get("常住") or next(iter(mp.population.values()), None)
            if rate is not None and pop is not None and rate.year in pop.data:
                anchor = Anchor(rate.year, pop.data.value(rate.year) * rate.value / 100, pop.basis,
                                f"derived aging_rate {rate.ref} × population {rate.year}")
        if anchor is None:
            mp.missing["elderly_60plus"] = "no observed elderly count or aging rate to anchor on"
        else:
            jobs.append((r, anchor))
    for (r, _), path in zip(jobs, elderly_paths(inp, jobs, "elderly_60plus", years, to_year)):
        if isinstance(path, Exception):
            out[r].missing["elderly_60plus"] = str(path)
        else:
            out[r].elderly = path
    jobs = [(r, None) for r in regions if elderly_points(inp, r, "elderly_65plus") and (r not in census
                                                                                      or r == NATIONAL)]
    for (r, _), path in zip(jobs, elderly_paths(inp, jobs, "elderly_65plus", years, to_year)):
        if not isinstance(path, Exception):  # 65+ is shown where it can be; its absence is not an error
            out[r].elderly65 = path

    # birth rate: the region's own figure as a share of its driver's, else the driver's rate
    jobs = []
    for r in regions:
        br_anchor = rate_anchor(inp, r, "birth_rate")
        if br_anchor is not None:
            jobs.append((r, "birth_rate", br_anchor, "birth_rate"))
            continue
        try:
            frame, code, detail = driver_path(inp, r, "birth_rate", to_year)
        except InsufficientHistory as exc:
            out[r].missing["birth_rate"] = str(exc)
            continue
        out[r].birth_rate = IndicatorPath(frame.take(years), "", f"no birth rate of {r}: {code}'s rate; {detail}",
                                          f"series:{code}/birth_rate")
    share_step(jobs, lambda mp, a, path: setattr(mp, "birth_rate", path))

    # infants: births of the last three years from the population and birth-rate paths
    jobs = []
    for r in regions:
        if r in census:
            continue
        mp = out[r]
        anchor = observed_anchor(inp, r, "infants_0_3")
        pop = (mp.population.get(anchor.basis) if anchor else None) or mp.population.get("常住") \
            or next(iter(mp.population.values()), None)
        if pop is None or mp.birth_rate is None:
            mp.missing["infants_0_3"] = "needs a population and a birth rate path"
        else:
            jobs.append((r, pop, mp.birth_rate, anchor))
    for (r, *_), path in zip(jobs, infants_paths([j[1:] for j in jobs], years, inp.as_of)):
        out[r].infants = path
    census_step(inp, out, years, to_year)
    return out


# -- census regions: the cohort-component projection (forecasting/census/) -----------------------------------
CENSUS_HORIZON = 2035  # the census projection is made once per run to this year (or further when asked)
CENSUS_DETAIL = ("cohort-component from the 2020 census by sex and single age (θ = {theta:.3f}; migration: {mig}); "
                 "anchored, raked to province and nation (测算方法说明; forecasting/census/)")
CENSUS_INPUTS = "census 2020, 2010 (data/reference/census/); WPP 2024 death rates; NBS births"


def census_observed(inp: Inputs, codes) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """(code, indicator) → [(year, value)] of the observed resident (常住 or unstated basis) figures of years ≥ 2020
    that the vintage may read (plan facts, series, imports) for population_resident, elderly_60plus, elderly_65plus."""
    codes = set(codes)
    out: dict = {}
    for (code, ind) in list(inp.index()["facts"]) + list(inp.index()["series"]):
        if code in codes and ind in ("population_resident", "elderly_60plus", "elderly_65plus") \
                and (code, ind) not in out:
            pts = [(y, v) for y, v, _, _ in own_points(inp, code, ind, "常住") if y >= 2020]
            if pts:
                out[(code, ind)] = pts
    return out


def migration_persistence(inp: Inputs) -> tuple[float, int, str]:
    """(β, n, how) of the census model's migration damping (forecasting.census.migration.persistence) from the
    provinces' year-end resident series the vintage may read."""
    from forecasting.census.migration import persistence

    return persistence(province_series(inp))


def province_series(inp: Inputs) -> pd.DataFrame:
    """region_code, year, value: the provinces' resident population series the vintage may read."""
    s = inp.series[inp.series["indicator"] == "population_resident"]
    return s[s["region_code"].str.endswith("0000") & (s["region_code"] != NATIONAL)][["region_code", "year", "value"]]


def band_sigma(inp: Inputs, data, beta: float) -> tuple[dict[str, float], str]:
    """(σ per group, how) of the census projection's bands for this vintage (forecasting.census.bands.sigma_for)."""
    from forecasting.census.bands import pre_vintage_sigma, sigma_for

    provinces = data.registry.loc[data.registry["level"] == "province", "region_code"].astype(str).tolist()
    return sigma_for(inp.as_of, lambda: pre_vintage_sigma(province_series(inp), data.groups2010, data.groups2020,
                                                          provinces, beta, inp.as_of))


def census_projection(inp: Inputs, to_year: int = CENSUS_HORIZON):
    """The census projection of every census unit for this run (forecasting.census.regional.RegionalProjection),
    memoised; None without census tables. National inputs: the 60+/65+ cohort paths (raking targets, θ), NBS births
    of the vintage, and after the last of them the national birth-rate path × the national population path."""
    to_year = max(to_year, CENSUS_HORIZON)
    key = ("census_projection", to_year)
    if key in inp.memo:
        return inp.memo[key]
    data = inp.census()
    if data is None:
        inp.memo[key] = None
        return None
    from forecasting.census.fertility import national_births
    from forecasting.census.regional import project_regions

    years = np.arange(2020, to_year + 1)
    fit60, p60, _ = national_elderly(inp, "elderly_60plus", to_year)
    _, p65, _ = national_elderly(inp, "elderly_65plus", to_year)
    national = {"elderly_60plus": p60.set_index("year").reindex(years)["value"].to_numpy(),
                "elderly_65plus": p65.set_index("year").reindex(years)["value"].to_numpy()}
    births = {y: v for y, (v, _) in national_births(inp.series).items()}
    try:  # after the last published births: the national birth-rate trend × the national population path
        br, _, _ = driver_path(inp, NATIONAL, "birth_rate", to_year)
        pop, _, _ = driver_path(inp, NATIONAL, "population_resident", to_year)
        last = max(births) if births else 2019
        for y in range(last + 1, to_year + 1):
            births[y] = br.value(y) / 1000 * (pop.value(y) + pop.value(y - 1)) / 2
    except InsufficientHistory:
        pass
    observed = census_observed(inp, data.registry["region_code"].astype(str))
    persistence = migration_persistence(inp)
    rp = project_regions(data, to_year=to_year, as_of=inp.as_of, theta=fit60.theta, national=national,
                         national_births=births, observed=observed, persistence=persistence,
                         sigma=band_sigma(inp, data, persistence[0]))
    inp.memo[key] = rp
    return rp


def census_step(inp: Inputs, out: dict, years: range, to_year: int) -> None:
    """Census regions take their resident population, 60+, 65+ and infants from the census projection (the nation
    its population and infants: its 60+/65+ stay the cohort model, to which the provinces are raked); other paths
    (registered population, birth rate) are kept."""
    codes = list(out)
    if not codes:
        return
    rp = census_projection(inp, to_year)
    if rp is None:
        return
    mig = dict(zip(rp.migration["region_code"], rp.migration["migration_source"]))
    province = dict(zip(rp.units["region_code"], rp.units["province_code"]))
    for r in codes:
        if r not in rp:
            continue
        mp = out[r]
        theta = rp.own_theta.get(r, rp.own_theta.get(province.get(r), rp.theta))  # its province's own θ, if any
        d = CENSUS_DETAIL.format(theta=theta, mig={"own": "own 2010 cohorts", "prefecture": "partly its prefecture's",
                                                   "province": "partly its province's"}.get(mig.get(r), "none"))
        for ind in ("population_resident", "elderly_60plus", "elderly_65plus", "infants_0_3"):
            if r == NATIONAL and ind in ("elderly_60plus", "elderly_65plus"):
                continue  # the nation's elderly: the cohort model (the raking targets), with its own bands
            path = census_path(rp, r, ind, years, d, path_anchor(inp, r, ind))
            if ind == "population_resident":  # replaces the resident path of any (or no) stated basis
                mp.population = {b: p for b, p in mp.population.items() if b == "户籍"} | {"常住": path}
            elif ind == "elderly_60plus":
                mp.elderly = path
            elif ind == "elderly_65plus":
                mp.elderly65 = path
            else:
                mp.infants = path
            mp.missing.pop(ind, None)


def path_anchor(inp: Inputs, region: str, indicator: str) -> tuple[str, list[tuple[int, float]]] | None:
    """Observed figures (≥ 2020) a census path is anchored to after the projection (census_path), as the model
    method always has: infants 0–3 of any stated basis, and 60+/65+ where the region states only a registered (户籍)
    count (resident figures are anchored inside the projection, before raking). (basis, [(year, value)]) or None."""
    if indicator not in ("infants_0_3", "elderly_60plus", "elderly_65plus"):
        return None
    if indicator != "infants_0_3" and [p for p in own_points(inp, region, indicator, "常住") if p[0] >= 2020]:
        return None
    for basis in (("常住", "户籍") if indicator == "infants_0_3" else ("户籍",)):
        pts = [(y, v) for y, v, _, _ in own_points(inp, region, indicator, basis) if y >= 2020]
        if pts:
            return basis, pts
    return None


def census_path(rp, region: str, indicator: str, years: range, detail: str,
                anchor: tuple[str, list[tuple[int, float]]] | None = None) -> IndicatorPath:
    """One census unit's path over `years` as an IndicatorPath (kind: 'census 2020 (year end)' in 2020, 'observed
    (…)' where anchored, 'forecast' after); `anchor` (path_anchor) scales it to observed figures of another basis
    (ratio at the observed years, interpolated between them, held before the first and after the last)."""
    from forecasting.census.rake import anchor_ratio

    i = rp.pos[region]
    n = len(years)
    pos = np.arange(years.start, years.stop) - int(rp.years[0])
    ok = (pos >= 0) & (pos < len(rp.years))
    ratio = np.ones(len(rp.years))
    basis = "常住"
    if anchor is not None:
        basis, pts = anchor
        # another basis is another level: the ratio holds before the first figure too (not 1 at the census)
        ratio = anchor_ratio(rp.years, rp.values[indicator][i], pts, min(y for y, _ in pts))
        detail += f"; scaled to the observed {basis} figures {', '.join(f'{v:,.0f} ({y})' for y, v in pts)}"
    cols = {}
    for c in COLS:
        src = (rp.values[indicator][i] if c == "value" else rp.bands[indicator][c][i]) * ratio
        v = np.full(n, np.nan)
        v[ok] = src[pos[ok]]
        cols[c] = v
    kind = np.full(n, np.nan, dtype=object)
    kind[ok] = "forecast"
    h = rp.horizon[i]
    kind[ok & np.isin(pos, np.flatnonzero(~(h > 0)))] = "observed (anchor)"
    if 2020 in years:
        kind[2020 - years.start] = "census 2020 (moved to year end)" if h[0] > 0 else "observed (anchor)"
    for y, val in (anchor[1] if anchor else ()):
        if y in years:
            kind[y - years.start] = "observed (anchor)"
            cols["value"][y - years.start] = val
            for c in BANDS:
                cols[c][y - years.start] = np.nan
    return IndicatorPath(YearFrame(years.start, cols, kind), basis, detail, CENSUS_INPUTS)


def births_path(pop: YearFrame, br: YearFrame) -> YearFrame:
    """Births per year = birth rate ‰ × population / 1000 over the population's years; bands combine both relative
    log-widths (RSS). Kind: NaN (the caller labels the years). Columns may hold several regions' rows (regions ×
    years)."""
    p, b = pop.cols, br.take(pop.years).cols

    def z(x):  # fillna(0)
        return np.where(np.isnan(x), 0.0, x)

    value = p["value"] * b["value"] / 1000
    out = {"value": value}
    with np.errstate(divide="ignore", invalid="ignore"):
        for lo, hi in (("lower_80", "upper_80"), ("lower_95", "upper_95")):
            wl = np.sqrt(z(np.log(p["value"] / p[lo])) ** 2 + z(np.log(b["value"] / b[lo])) ** 2)
            wh = np.sqrt(z(np.log(p[hi] / p["value"])) ** 2 + z(np.log(b[hi] / b["value"])) ** 2)
            has = ~np.isnan(p[lo]) | ~np.isnan(b[lo])
            out[lo] = np.where(has, value * np.exp(-wl), np.nan)
            out[hi] = np.where(has, value * np.exp(wh), np.nan)
    return YearFrame(pop.start, {c: out[c] for c in ["value", *BANDS]},
                     np.full(value.shape, np.nan, dtype=object))


@lru_cache(maxsize=64)
def child_survival(years: range, as_of: int | None = None) -> np.ndarray:
    """WPP survival from birth to the year end of the children aged 0, 1, 2 at the end of each year t: rows are
    years, columns k = 0, 1, 2 (born in t − k; half a year of exposure in the year of birth, a full year after):
    s_k(t) = exp(−Σ m(age, year) over the years lived), m from WPP 2024 (forecasting/wpp.py)."""
    from forecasting.wpp import load_wpp

    wpp = load_wpp(as_of)
    t = np.asarray(list(years))
    m = lambda age, yr: wpp.rate(age, yr)  # noqa: E731
    s0 = np.exp(-0.5 * m(0, t))
    s1 = np.exp(-0.5 * m(0, t - 1) - 0.5 * m(0, t) - 0.5 * m(1, t))
    s2 = np.exp(-0.5 * m(0, t - 2) - 0.5 * m(0, t - 1) - m(1, t - 1) - 0.5 * m(1, t))
    out = np.column_stack([s0, s1, s2])
    out.flags.writeable = False  # shared by every region (memoised)
    return out


def cohort_sums(window: dict, col: str, n: int, survival: np.ndarray | None = None) -> np.ndarray:
    """Σ of births over ages 0..2 for each of n years: s0·b(t) + s1·b(t−1) + s2·b(t−2) (survival: child_survival's
    columns; None = 1), NaN if any is missing. window: births columns (YearFrame.cols, one region's or regions ×
    years) from INFANT_COHORTS − 1 years before the first year. History cohorts have no band, so their value stands
    in for it (adjacent years' forecast errors are treated as perfectly correlated: a conservative band)."""
    vals = window["value"] if col == "value" else np.where(np.isnan(window[col]), window["value"], window[col])
    s = np.ones((n, INFANT_COHORTS)) if survival is None else survival
    out = np.zeros(vals.shape[:-1] + (n,))
    for k in range(INFANT_COHORTS):  # age k at year end: born in t − k, at vals[(INFANT_COHORTS − 1 − k) + i]
        j = INFANT_COHORTS - 1 - k
        out = out + vals[..., j:j + n] * s[:, k]
    return out


def infants_paths(jobs: list[tuple[IndicatorPath, IndicatorPath, Anchor | None]], years: range,
                  as_of: int | None = None) -> list[IndicatorPath]:
    """Infants 0–3 for each (population path, birth-rate path, observed count or None) over `years`: the births
    of the last three years surviving to the year end, scaled to the observed count. All regions whose paths
    cover the same years are computed together (rows of one array)."""
    out: list = [None] * len(jobs)
    groups: dict[tuple, list[int]] = {}
    for i, (pop, _, _) in enumerate(jobs):
        groups.setdefault((pop.data.start, pop.data.kind.shape[-1]), []).append(i)
    surv = child_survival(years, as_of)
    n = len(years)
    for idx in groups.values():
        pops = [jobs[i][0].data for i in idx]
        stack = YearFrame(pops[0].start, {c: np.stack([p.cols[c] for p in pops]) for c in COLS},
                          np.full((len(idx), pops[0].kind.shape[-1]), np.nan, dtype=object))
        rates = YearFrame(pops[0].start, {c: np.stack([jobs[i][1].data.take(pops[0].years).cols[c] for i in idx])
                                          for c in COLS}, stack.kind.copy())
        births = births_path(stack, rates)
        window = births.take(range(years[0] - INFANT_COHORTS + 1, years[-1] + 1)).cols
        est = {c: cohort_sums(window, c, n, surv) for c in COLS}
        for c in BANDS:  # no band where every cohort is history
            na = np.isnan(window[c])
            est[c][na[:, 2:2 + n] & na[:, 1:1 + n] & na[:, 0:n]] = np.nan
        for row, i in enumerate(idx):
            pop, br, anchor = jobs[i]
            e = {c: v[row] for c, v in est.items()}
            at = anchor.year - years.start if anchor is not None and anchor.year in years else None
            if at is not None and np.isfinite(e["value"][at]):
                scale = anchor.value / e["value"][at]
                calib = f"scaled ×{scale:.3f} to the observed {anchor.value:,.0f} ({anchor.year}, {anchor.ref})"
                ref = anchor.ref
            else:
                scale, calib, ref = 1.0, "no observed count: not calibrated", ""
            e = {c: v * scale for c, v in e.items()}
            kind = np.where(~np.isnan(e["lower_80"]), "forecast", "history").astype(object)
            if at is not None:
                e["value"][at] = anchor.value
                for c in BANDS:
                    e[c][at] = np.nan
                kind[at] = anchor_note(anchor)
            detail = (f"births of ages 0,1,2 = Σ_(k=0..2) s_k × birth_rate(t−k)‰ × population(t−k) / 1000, s_k: WPP "
                      f"2024 survival to the year end (s_2 ≈ {surv[0, 2]:.4f}), {calib}; "
                      f"birth rate: {br.detail}; population: {pop.detail}")
            basis = anchor.basis if anchor is not None and anchor.basis else pop.basis
            out[i] = IndicatorPath(YearFrame(years.start, e, kind), basis, detail,
                                   "; ".join(x for x in (ref, br.inputs, pop.inputs) if x))
    return out


def model_path_frames(inp: Inputs, region: str, to_year: int) -> dict[str, pd.DataFrame]:
    """The `model` method's medium paths of one region, indicator → frame by year (value, lower/upper 80/95, kind):
    population_resident, elderly_60plus, elderly_65plus, birth_rate, infants_0_3, where they can be made."""
    if region not in inp.index()["codes"] and not inp.history(region, "population_resident"):
        raise ValueError(f"region: 未知地区代码 {region} / unknown region code")
    mp = cached_model_paths(inp, [region], to_year)[0]
    out = {population_indicator(b): p.frame for b, p in mp.population.items()}
    for ind, p in (("elderly_60plus", mp.elderly), ("elderly_65plus", mp.elderly65), ("birth_rate", mp.birth_rate),
                   ("infants_0_3", mp.infants)):
        if p is not None:
            out[ind] = p.frame
    return out

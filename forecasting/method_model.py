"""The `model` method: statsmodels fits, the cohort path of the elderly, shares of the parent, infants."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from forecasting.cohort import InsufficientObservations
from forecasting.contract import BANDS, INFANT_COHORTS, START_YEAR
from forecasting.inputs import Anchor, Inputs, is_na, population_indicator
from forecasting.projection_models import MIN_POINTS, MODEL_DESCRIPTIONS, InsufficientHistory
from forecasting.results import IndicatorPath, YearFrame


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
    if not own:  # the parent's observed years are history of the child, not observations of it
        kind = np.array([AS_HISTORY.get(k, k) if isinstance(k, str) else k for k in kind], dtype=object)
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
    series row wins over a fact of the same year), as (year, value, reference, is_census), by year."""
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


def share_path(inp: Inputs, region: str, indicator: str, anchor: Anchor, driver_indicator: str,
               years: range, to_year: int) -> IndicatorPath:
    """A region's path of `indicator`: its own fitted series (the nation, a province), else its share of the nearest
    ancestor with one, anchored at its latest own figure, the share's drift from its own figures (two or more) and
    the share's uncertainty added to the ancestor's band (forecasting/demography.py)."""
    from forecasting.demography import fit_share, share_frame

    start = region if inp.follows_own_series(region) else inp.parent(region)
    if start is None:
        raise InsufficientHistory(f"{region} has no parent to follow")
    driver, code, detail = driver_path(inp, start, driver_indicator, to_year)
    if anchor.year not in driver:
        raise InsufficientHistory(f"{code} {driver_indicator} does not cover {anchor.year}")
    if code == region:
        frame = share_of_driver(anchor, driver, years, own=True)
        how = f"own series: {detail}" if anchor.ref.startswith("series:") else (
            f"small-area share: {region} {indicator} = {anchor.value:,.6g} ({anchor.year}, {anchor.ref}) × "
            f"{code}(t) / {code}({anchor.year}); {detail}")
        return IndicatorPath(frame, anchor.basis, how, f"{anchor.ref}; series:{code}/{driver_indicator}")
    points = [p for p in own_points(inp, region, indicator, anchor.basis) if p[0] in driver and p[0] <= anchor.year]
    if anchor.year not in {p[0] for p in points}:
        points.append((anchor.year, anchor.value, anchor.ref, False))
    shares = [(y, v / driver.value(y)) for y, v, _, _ in points]
    model = fit_share(shares, rw_sigma=inputs_share_sigma(inp))
    if model.anchor_year != anchor.year:  # the anchor is the latest own figure by construction
        raise InsufficientHistory(f"{region}: anchor {anchor.year} is not its latest figure")
    frame = share_frame(driver, model, years)
    frame.kind = np.array([AS_HISTORY.get(k, k) if isinstance(k, str) else k for k in frame.kind], dtype=object)
    if anchor.year in years:
        i = anchor.year - years.start
        frame.cols["value"][i] = anchor.value
        frame.kind[i] = anchor_note(anchor)
    how = (f"small-area share: {region} {indicator} = {anchor.value:,.6g} ({anchor.year}, {anchor.ref}) × "
           f"{code}(t) / {code}({anchor.year}) × exp(b·(t − {anchor.year})); {model.how}; {detail}")
    refs = "; ".join(ref for _, _, ref, _ in sorted(points))
    return IndicatorPath(frame, anchor.basis, how, f"{refs}; series:{code}/{driver_indicator}")


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


def elderly_frame(inp: Inputs, region: str, indicator: str, to_year: int,
                   extra: Anchor | None = None) -> tuple[YearFrame, str, str]:
    """The region's own path of `indicator` (YearFrame: value, bands, kind), its method detail and inputs.

    National: the cohort model. Below: share of the nearest ancestor that has a path of its own (see
    forecasting/demography.py); the ancestors' own observations drive them, never the country directly.
    """
    from forecasting.demography import fit_share, share_frame

    key = ("elderly_frame", region, indicator, to_year, extra)
    if key in inp.memo:
        return inp.memo[key]
    if region == NATIONAL:
        fit, path, obs = national_elderly(inp, indicator, to_year)
        frame = YearFrame.from_df(path.set_index("year"))
        out = (frame, fit.describe("en"), "; ".join(o[2] for o in obs) + "; WPP 2024 births and death rates")
        inp.memo[key] = out
        return out
    points = [(y, v, ref) for y, v, ref, _ in elderly_points(inp, region, indicator)]
    if extra is not None and extra.year not in {p[0] for p in points}:
        points.append((extra.year, extra.value, extra.ref))
    if not points:
        raise InsufficientObservations(f"{region}: no observed {indicator}")
    # an ancestor without figures of its own adds nothing: skip to the next; every region is in China, so a
    # region whose chain ends (an imported province without a parent code) follows the nation
    parent = inp.parent(region) or NATIONAL
    while parent != NATIONAL and not elderly_points(inp, parent, indicator):
        parent = inp.parent(parent) or NATIONAL
    pframe, pdetail, pinputs = elderly_frame(inp, parent, indicator, to_year)
    shares = [(y, v / pframe.value(y)) for y, v, _ in points if y in pframe]
    if not shares:
        raise InsufficientObservations(f"{region}: observations outside {parent}'s path")
    fallback = population_share_drift(inp, region) if parent == NATIONAL else None
    model = fit_share(shares, fallback_drift=fallback[0] if fallback else None,
                      fallback_how=fallback[1] if fallback else "", rw_sigma=inputs_share_sigma(inp))
    years = range(pframe.start, to_year + 1)
    frame = share_frame(pframe, model, years)
    known = {y: ref for y, _, ref in points}
    kind = frame.kind.copy()
    for i, y in enumerate(years):
        if y in known:
            kind[i] = "observed"
        elif isinstance(kind[i], str) and kind[i] in AS_HISTORY:
            kind[i] = "history"
    frame.kind = kind
    frame.cols["value"][model.anchor_year - years.start] = dict((y, v) for y, v, _ in points)[model.anchor_year]
    detail = (f"share of {parent}: {region}(t) = {parent}(t) × s(t), s({model.anchor_year}) = "
              f"{model.anchor_share:.5f}; {model.how}; {parent}: {pdetail}")
    out = (frame, detail, "; ".join(known.values()) + f"; {parent}: {pinputs}")
    inp.memo[key] = out
    return out


def elderly_path(inp: Inputs, region: str, indicator: str, years: range, to_year: int,
                 extra: Anchor | None = None) -> IndicatorPath:
    """The model path of elderly_60plus / elderly_65plus for `region` over `years` (see elderly_frame)."""
    frame, detail, inputs = elderly_frame(inp, region, indicator, to_year, extra)
    f = frame.take(years)
    kind = f.kind
    known = {p[0]: p[2] for p in elderly_points(inp, region, indicator)}
    if extra is not None:
        known.setdefault(extra.year, extra.ref)
    for i, y in enumerate(years):
        if y in known:
            kind[i] = anchor_note(Anchor(y, 0.0, "", known[y]))
    basis = extra.basis if extra is not None and extra.basis else "常住"
    return IndicatorPath(f, basis, detail, inputs)


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


def model_paths(inp: Inputs, region: str, to_year: int) -> ModelPaths:
    """Model-method paths (mean and bands) of every indicator the region can support, from START_YEAR - 2."""
    years = range(START_YEAR - INFANT_COHORTS + 1, to_year + 1)
    mp = ModelPaths()
    for anchor in _population_anchors(inp, region):
        try:
            mp.population[anchor.basis] = share_path(inp, region, population_indicator(anchor.basis), anchor,
                                                      "population_resident", years, to_year)
        except InsufficientHistory as exc:
            mp.missing[population_indicator(anchor.basis)] = str(exc)
    if not mp.population:
        mp.missing.setdefault("population_resident", "no observed population (facts or series) to anchor on")

    anchor = observed_anchor(inp, region, "elderly_60plus")
    if anchor is None:  # derived: observed aging rate × population path of that year
        r = rate_anchor(inp, region, "aging_rate")
        pop = mp.population.get("常住") or next(iter(mp.population.values()), None)
        if r is not None and pop is not None and r.year in pop.data:
            anchor = Anchor(r.year, pop.data.value(r.year) * r.value / 100, pop.basis,
                             f"derived aging_rate {r.ref} × population {r.year}")
    if anchor is None:
        mp.missing["elderly_60plus"] = "no observed elderly count or aging rate to anchor on"
    else:
        try:
            mp.elderly = elderly_path(inp, region, "elderly_60plus", years, to_year, extra=anchor)
        except (InsufficientHistory, InsufficientObservations) as exc:
            mp.missing["elderly_60plus"] = str(exc)
    if elderly_points(inp, region, "elderly_65plus"):
        try:
            mp.elderly65 = elderly_path(inp, region, "elderly_65plus", years, to_year)
        except (InsufficientHistory, InsufficientObservations):
            pass  # 65+ is shown where it can be; its absence is not an error

    try:
        br_anchor = rate_anchor(inp, region, "birth_rate")
        if br_anchor is None:
            frame, code, detail = driver_path(inp, region, "birth_rate", to_year)
            mp.birth_rate = IndicatorPath(frame.take(years), "",
                                  f"no birth rate of {region}: {code}'s rate; {detail}", f"series:{code}/birth_rate")
        else:
            mp.birth_rate = share_path(inp, region, "birth_rate", br_anchor, "birth_rate", years, to_year)
    except InsufficientHistory as exc:
        mp.missing["birth_rate"] = str(exc)

    infants_anchor = observed_anchor(inp, region, "infants_0_3")
    pop = (mp.population.get(infants_anchor.basis) if infants_anchor else None) or mp.population.get("常住") \
        or next(iter(mp.population.values()), None)
    if pop is None or mp.birth_rate is None:
        mp.missing["infants_0_3"] = "needs a population and a birth rate path"
    else:
        mp.infants = infants_path(pop, mp.birth_rate, infants_anchor, years, inp.as_of)
    return mp


def births_path(pop: YearFrame, br: YearFrame) -> YearFrame:
    """Births per year = birth rate ‰ × population / 1000 over the population's years; bands combine both relative
    log-widths (RSS). Kind: NaN (the caller labels the years)."""
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
    return YearFrame(pop.start, {c: out[c] for c in ["value", *BANDS]}, np.full(len(value), np.nan, dtype=object))


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
    columns; None = 1), NaN if any is missing. window: births columns (YearFrame.cols) from INFANT_COHORTS − 1 years
    before the first year. History cohorts have no band, so their value stands in for it (adjacent years'
    forecast errors are treated as perfectly correlated: a conservative band)."""
    vals = window["value"] if col == "value" else np.where(np.isnan(window[col]), window["value"], window[col])
    s = np.ones((n, INFANT_COHORTS)) if survival is None else survival
    out = np.zeros(n)
    for k in range(INFANT_COHORTS):  # age k at year end: born in t − k, at vals[(INFANT_COHORTS − 1 − k) + i]
        j = INFANT_COHORTS - 1 - k
        out = out + vals[j:j + n] * s[:, k]
    return out


def infants_path(pop: IndicatorPath, br: IndicatorPath, anchor: Anchor | None, years: range,
                 as_of: int | None = None) -> IndicatorPath:
    births = births_path(pop.data, br.data)
    surv = child_survival(years, as_of)
    n = len(years)
    window = births.take(range(years[0] - INFANT_COHORTS + 1, years[-1] + 1)).cols
    est = {c: cohort_sums(window, c, n, surv) for c in ["value", *BANDS]}
    for c in BANDS:  # no band where every cohort is history
        na = np.isnan(window[c])
        est[c][na[2:2 + n] & na[1:1 + n] & na[0:n]] = np.nan
    i = anchor.year - years.start if anchor is not None and anchor.year in years else None
    if i is not None and np.isfinite(est["value"][i]):
        scale = anchor.value / est["value"][i]
        calib = f"scaled ×{scale:.3f} to the observed {anchor.value:,.0f} ({anchor.year}, {anchor.ref})"
        ref = anchor.ref
    else:
        scale, calib, ref = 1.0, "no observed count: not calibrated", ""
    est = {c: v * scale for c, v in est.items()}
    kind = np.where(~np.isnan(est["lower_80"]), "forecast", "history").astype(object)
    if i is not None:
        est["value"][i] = anchor.value
        for c in BANDS:
            est[c][i] = np.nan
        kind[i] = anchor_note(anchor)
    est = YearFrame(years.start, est, kind)
    detail = (f"births of ages 0,1,2 = Σ_(k=0..2) s_k × birth_rate(t−k)‰ × population(t−k) / 1000, s_k: WPP 2024 "
              f"survival to the year end (s_2 ≈ {surv[0, 2]:.4f}), {calib}; "
              f"birth rate: {br.detail}; population: {pop.detail}")
    basis = anchor.basis if anchor is not None and anchor.basis else pop.basis
    return IndicatorPath(est, basis, detail, "; ".join(x for x in (ref, br.inputs, pop.inputs) if x))


def model_path_frames(inp: Inputs, region: str, to_year: int) -> dict[str, pd.DataFrame]:
    """The `model` method's medium paths of one region, indicator → frame by year (value, lower/upper 80/95, kind):
    population_resident, elderly_60plus, elderly_65plus, birth_rate, infants_0_3, where they can be made."""
    if region not in inp.index()["codes"] and not inp.history(region, "population_resident"):
        raise ValueError(f"region: 未知地区代码 {region} / unknown region code")
    key = ("model_paths", region, to_year)
    if key not in inp.memo:
        inp.memo[key] = model_paths(inp, region, to_year)
    mp = inp.memo[key]
    out = {population_indicator(b): p.frame for b, p in mp.population.items()}
    for ind, p in (("elderly_60plus", mp.elderly), ("elderly_65plus", mp.elderly65), ("birth_rate", mp.birth_rate),
                   ("infants_0_3", mp.infants)):
        if p is not None:
            out[ind] = p.frame
    return out

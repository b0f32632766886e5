"""What the page 方法与检验 shows, computed here (the page only lays it out).

`method_report(db)` → MethodReport: entrants turning 60 per year 2015–2035 (WPP), the vintage-2020 backtest of
China's 60+ (model, naive, ets against the published 2021–2025), and the 60+ paths to 2035 with 80/95 % bands for
China and the provinces that have figures. `method_text(lang)`: the 测算方法说明 for an annex.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from forecasting.wpp import CITATION, CITATION_ZH

PROVINCES = ("120000", "130000", "500000")
LEVELS = ("nation", "province", "county")
METHODS = ("model", "ets", "naive")
LEVEL_COLUMNS = ["level", "method", "n", "mape", "coverage_80", "n_interval", "n_regions"]


@dataclass(frozen=True)
class MethodReport:
    entrants: pd.DataFrame = field(repr=False)  # year, entrants_60, entrants_65, births_cohort_year, births
    backtest: pd.DataFrame = field(repr=False)  # vintage rows of China's 60+ (VINTAGE_COLUMNS)
    summary: pd.DataFrame = field(repr=False)  # method, mape, coverage_80 for China's 60+
    paths: pd.DataFrame = field(repr=False)  # region_code, year, value, lower/upper 80/95, kind
    births: pd.DataFrame = field(repr=False)  # year, observed (NBS), model, lower_80, upper_80, wpp (WPP 2024)
    theta: float = 0.0
    theta_se: float = 0.0
    # the vintage-2020 backtest of every region with published figures, per level × method (LEVEL_COLUMNS)
    levels: pd.DataFrame = field(repr=False, default_factory=lambda: pd.DataFrame(columns=LEVEL_COLUMNS))
    # the census projection's raking factors per province (raking_report)
    raking: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)


def method_report(db=None, *, to_year: int = 2035) -> MethodReport:
    from forecasting.backtest import vintage_backtest, vintage_summary
    from forecasting.cohort import components
    from forecasting.projection import model_path_frames, national_elderly, vintage_inputs
    from forecasting.wpp import load_wpp

    wpp = load_wpp(None)
    c60 = components(wpp, "elderly_60plus", range(2015, to_year + 1))
    c65 = components(wpp, "elderly_65plus", range(2015, to_year + 1))
    entrants = pd.DataFrame({"year": c60.index, "entrants_60": c60["entrants"].to_numpy(),
                             "entrants_65": c65["entrants"].to_numpy(), "cohort": c60["cohort"].to_numpy(),
                             "births": c60["births"].to_numpy()})
    everything = vintage_backtest(2020, db=db)  # every region with a published figure after 2020
    bt = everything[(everything["region_code"] == "100000")
                    & (everything["indicator"] == "elderly_60plus")].reset_index(drop=True)
    summary = vintage_summary(bt)
    summary = summary[summary["level"] == "all"][["method", "n", "mape", "coverage_80", "n_interval"]]
    inp = vintage_inputs(db, None)
    fit, _, _ = national_elderly(inp, "elderly_60plus", to_year)
    frames = []
    for code in ("100000", *PROVINCES):
        f = model_path_frames(inp, code, to_year).get("elderly_60plus")
        if f is not None:
            frames.append(f.reset_index(names="year").assign(region_code=code))
    paths = pd.concat(frames, ignore_index=True)
    return MethodReport(entrants, bt, summary.reset_index(drop=True), paths, births_comparison(inp, wpp, to_year),
                        fit.theta, fit.theta_se, levels=level_summary(everything), raking=raking_report(db))


def level_summary(table: pd.DataFrame) -> pd.DataFrame:
    """MAPE (%) and 80 % coverage of a vintage backtest (forecasting.backtest.vintage_backtest rows) per level
    (nation, province, county) and method (model, ets, naive: the naive baseline holds the last value), every
    indicator together: LEVEL_COLUMNS, one row for each of the 3 × 3 pairs; a pair without published figures has
    n = 0 and mape / coverage_80 NaN (shown as not provided, never as 0). coverage_80 is over the rows with an
    interval (n_interval); naive has none. n_regions: regions with at least one figure."""
    from forecasting.backtest import region_level, vintage_summary

    s = vintage_summary(table)
    s = s[(s["region_code"] == "all") & (s["level"] != "all")]
    regions = (table.assign(level=table["region_code"].map(region_level)).groupby(["level", "method"])["region_code"]
               .nunique() if not table.empty else pd.Series(dtype=int))
    got = {(r["level"], r["method"]): r for r in s.to_dict("records")}
    rows = []
    for level in LEVELS:
        for method in METHODS:
            r = got.get((level, method))
            rows.append({"level": level, "method": method, "n": int(r["n"]) if r else 0,
                         "mape": float(r["mape"]) if r else float("nan"),
                         "coverage_80": float(r["coverage_80"]) if r else float("nan"),
                         "n_interval": int(r["n_interval"]) if r else 0,
                         "n_regions": int(regions.get((level, method), 0))})
    return pd.DataFrame(rows, columns=LEVEL_COLUMNS)


def births_comparison(inp, wpp, to_year: int = 2035) -> pd.DataFrame:
    """China's births by year 2015–to_year: observed (NBS, through 2025: the 2024 rise and the 2025 fall are
    history), the model's (birth rate path × population path / 1000, with its 80 % band, after the last observed
    year) and WPP 2024's (estimates to 2023, medium variant after). Persons."""
    from forecasting.method_model import births_path
    from forecasting.projection import model_path_frames
    from forecasting.results import YearFrame

    years = range(2015, to_year + 1)
    observed = dict(inp.history("100000", "births"))
    paths = model_path_frames(inp, "100000", to_year)
    births = births_path(YearFrame.from_df(paths["population_resident"]),
                         YearFrame.from_df(paths["birth_rate"])).take(years).df
    last = max(observed) if observed else 0
    after = births.index > last
    out = pd.DataFrame({"year": list(years), "observed": [observed.get(y) for y in years],
                        "model": births["value"].where(after).to_numpy(),
                        "lower_80": births["lower_80"].where(after).to_numpy(),
                        "upper_80": births["upper_80"].where(after).to_numpy(),
                        "wpp": wpp.births_of(list(years))})
    out["wpp_variant"] = [wpp.births_variant.get(y, "") for y in years]
    return out


_TEXT = {
    "zh": """**一、老年人口（60岁及以上、65岁及以上）：队列推算**

核算恒等式（逐年，年末人数）：P(t) = P(t−1) − D(t) + E(t)。

- 进入人数 E(t) = B(t−60) × S₆₀(t−60)：60年前出生的人口乘以其活到60岁的存活概率。B 为联合国《世界人口展望2024》中国分年出生人数，S₆₀ 由其分年龄死亡率 m(x) 逐年连乘：S₆₀(c) = exp(−Σₓ₌₀⁵⁹ m(x, c+x))。1959—1961年出生人口少、1962—1963年多，所以2021年60岁及以上人口只增加约300万，2022—2025年每年增加1300万—1700万。
- 死亡人数 D(t) = θ × δ(t) × P(t−1)：δ(t) 为《世界人口展望2024》死亡率按老年人口年龄结构加权得到的老年人口死亡率；θ 由 statsmodels 加权最小二乘（WLS）在历年观测的老年人口上估计（相邻两个观测之间：人数变化 − 进入人数 = −θ × Σ δ × 人数；间隔越长权重越小；普查年相对抽样调查年的口径调整单独估计）。
- 区间（80%、95%）：对 θ 的参数不确定性、逐年残差（累积）、存活概率不确定性（死亡率表提前或推后一个五年期的差异）做4000次模拟，区间随预测年数加宽。
- 65岁及以上用同一结构（进入年龄65岁）。

**二、各省、地市、区县：2020年普查的队列要素法（按性别、单岁年龄）**

数据：第七次人口普查（2020年11月1日）与第六次人口普查（2010年）分县资料，按性别和年龄组（0岁、1—4岁、5—9岁……80—84岁、85岁及以上）（data/reference/census/，Dong、Du、Liu 2022，MIT 许可）；联合国《世界人口展望2024》分性别死亡率与分年出生人数；国家统计局出生人数与出生率。

- 单岁拆分：年龄组内按全国出生队列权重拆分，不按均匀拆分：w(x) = B̄(x) × S(x+½)，B̄(x) = 10/12·B(2020−x) + 2/12·B(2019−x)（11月1日时x岁的人的出生年份），S 为同性别的存活概率；85岁及以上拆到85—99岁和100岁及以上。各组合计保持不变（最大余数取整）。
- 普查日到年末：先推进两个月（φ = 2/12）：存活 exp(−θ·m·φ)，迁移 μ·φ，每个年龄有 φ 的人过生日，并加上当年 φ 的出生。
- 逐年推算（t = 2021…2035，所有单位一次数组运算）：P(x+1, t) = P(x, t−1) × S(x, t) + M(x, t)；S(x, t) = exp(−θₓ·mₛ(x, t))，mₛ 为《世界人口展望2024》单岁死亡率（按性别），60岁及以上 θₓ = 全国队列模型的 θ（某省在普查年以后有3个及以上已公布的60岁及以上人数时，用本省的 θ：按相邻观测之间的变化做最小二乘，不按水平，以免把普查与抽样调查的口径差当作死亡率；其地市、区县随本省），60岁以下为1；100岁及以上为开口组。
- 净迁移（Hamilton–Perry 队列变动比）：μᵣ(g) = (CCRᵣ(g) / CCR_全国(g))^(1/10) − 1，CCR(g) = P₂₀₂₀(g+10) / P₂₀₁₀(g)，85岁及以上用 P₂₀₂₀(85+) / P₂₀₁₀(75+)；2010年与2020年单位按登记表的 code_2010 匹配（先代码后名称）；未匹配或队列过小的单位用所在地市的比率，再不行用本省的；每年上下限 ±5%；随时间衰减：μ(t) = μ × β^((t−2015)/5)（2010—2020年的比率代表2015年前后；β 为各省相对增长在下一个5年中保留的比例：β = Σxᵢyᵢ / Σxᵢ²，x、y 为相邻两个5年期内某省人口占各省合计比重的年均对数变化，用截至推算基准年的各省年末常住人口序列2005—2020年估计，β = 0.485（62个省·期）：2021年保留42%，2025年24%，2030年11%；事后用模型未见过的数据检验：2010—2020年到2020—2024年的同一斜率为0.39）。
- 出生：Bᵣ(t) = fᵣ × g(t) × Wᵣ(t−1)，fᵣ = 本单位普查0—4岁儿童与15—49岁妇女之比 ÷ 全国同一比值（儿童妇女比），g(t) = 全国出生人数 ÷ 全国15—49岁妇女；全国出生人数用国家统计局已公布数（2021—2025年），之后按全国出生率趋势 × 全国人口路径；出生性别比取普查0岁。0—3岁 = 年末0、1、2岁人数（近三年出生的存活者）。
- 锚定观测值：某单位在2020年及以后有观测值（省年末常住人口序列、规划数字、导入数据）时，按观测值/推算值的比率校准（两次观测之间线性插值，最后一次之后保持）；户籍口径的数字按比率换算到路径上并标明口径。
- 一致性（调整系数）：分为0—59岁、60—64岁、65岁及以上三段，各省之和调整到全国路径（60岁及以上、65岁及以上为全国队列模型，总人口为全国自身的队列要素推算），再把各区县（以及各地市）调整到本省；有观测值的单位保持观测值，其余单位分摊差额。每省每段每年的调整系数在表中列出：系数明显偏离1，说明区县模型与本省推算不一致。
- 区间：80%/95% 区间 = 推算值 × exp(∓z × σ × √h)，h 为距最后一个观测年的年数；σ = √(平均(e²/h))，e = ln(实际/推算)，只用推算基准年能读到的回溯检验：当前推算用2020年基准回溯检验中各省2021—2024年已公布数字（人口 0.0059，老年人口 0.0118 每√年，124个人口、9个老年人口数字）；基准年早于2024年的推算（如“截至2020年”的回溯检验）不能读这些结果，改用两个此前的模拟回溯：人口为上述迁移保留模型在2010—2015年→2015—2020年各省序列上的误差（h = 1…5年），老年人口为2010年普查各省50岁及以上（55岁及以上）按全国队列变动推进10年与2020年普查60岁及以上（65岁及以上）之差（截至2020年：人口 0.0114，老年人口 0.0171）。2010年代迁移波动大于2021—2024年，因此截至2020年的区间偏宽，回溯检验照实报告其覆盖率。0—3岁取人口 σ 的3倍（假设，非校准）；区县沿用省级 σ（没有区县数据可供检验）。

**三、出生与0—3岁婴幼儿**

出生率用截至2025年的序列（statsmodels）建模；2024年（954万）回升与2025年（792万，5.63‰）下降均为历史数据。0—3岁 = 最近三年出生人数之和，以观测值校准。

**四、回溯检验（--as-of）**

“截至某年”的测算只使用该年及以前年份、在次年上半年以前公布的数据（次年2—3月的统计公报、次年5月的普查公报），不读取之后公布的任何数字；《世界人口展望2024》的出生人数只用该年以前的，死亡率只用已结束的五年期，之后按前十年各年龄死亡率下降速度外推。严格口径（--strict）只用该年年底前公布的数据。

**五、未纳入模型的因素**

2020年以后的新迁移趋势（迁移率取2010—2020年并逐年衰减）；各省自己的生育趋势与死亡率水平（用全国的）；新一次普查对尚未观测年份的口径调整；户籍与常住口径的差异（本模型为常住口径）；政策变化对生育的影响。""",
    "en": """**1. The elderly (60+ and 65+): cohort accounting**

Identity, year by year (year-end persons): P(t) = P(t−1) − D(t) + E(t).

- Entrants E(t) = B(t−60) × S₆₀(t−60): the births of 60 years earlier times their survival to 60. B: WPP 2024 births of China by year; S₆₀(c) = exp(−Σ_{x=0..59} m(x, c+x)) from WPP's age-specific death rates. The small 1959–61 and large 1962–63 cohorts are why the 60+ grew by about 3 million in 2021 and by 13–17 million a year in 2022–2025.
- Deaths D(t) = θ × δ(t) × P(t−1): δ(t) is the 60+ death rate implied by WPP's mortality weighted by the age structure the cohorts carry; θ is estimated by statsmodels WLS on the observed 60+ (between consecutive observations: change − entrants = −θ × Σ δ × persons; longer gaps weigh less; the census revision after sample-survey years is estimated as its own shift).
- Intervals (80 %, 95 %): 4,000 simulated paths with θ's parameter uncertainty, a yearly residual shock (accumulating) and survival uncertainty (the mortality table one five-year period off); they widen with the horizon.
- 65+ uses the same structure with entry at 65.

**2. Provinces, prefectures, counties: cohort-component from the 2020 census (by sex and single year of age)**

Data: the 2020 (1 November) and 2010 censuses by county, sex and age group (0, 1–4, 5–9, …, 80–84, 85+) (data/reference/census/, Dong, Du & Liu 2022, MIT); WPP 2024 death rates by sex and births by year; NBS births and birth rates.

- Single years: each group is split with national cohort weights, never uniformly: w(x) = B̄(x) × S(x+½), B̄(x) = 10/12·B(2020−x) + 2/12·B(2019−x) (the birth years of those aged x on 1 November), S the survival of the same sex; 85+ into 85–99 and 100+. Group sums are kept exactly (largest remainder).
- Census to year end: two months first (φ = 2/12): survival exp(−θ·m·φ), migration μ·φ, a fraction φ of each age has its birthday, and φ of the year's births are added.
- Each year t = 2021…2035 (all units in one array step): P(x+1, t) = P(x, t−1) × S(x, t) + M(x, t); S(x, t) = exp(−θₓ·mₛ(x, t)), mₛ WPP 2024 single-year death rates by sex, θₓ = the national cohort model's θ for 60+ (a province with three or more published 60+ figures after the census year gets its own θ, least squares on the changes between consecutive figures, not their levels, which carry the census-to-survey basis shift; its prefectures and counties follow it) and 1 below; 100+ is the open age.
- Net migration (Hamilton–Perry cohort change): μᵣ(g) = (CCRᵣ(g) / CCR_nation(g))^(1/10) − 1, CCR(g) = P₂₀₂₀(g+10) / P₂₀₁₀(g), the open group P₂₀₂₀(85+) / P₂₀₁₀(75+); units matched 2010→2020 by the registry's code_2010 (code, then name); unmatched units or too small cohorts take their prefecture's rates, else their province's; clipped to ±5 % a year; damped: μ(t) = μ × β^((t−2015)/5) (the 2010–2020 rates describe about 2015; β, the share of a province's relative growth that persists into the next five years, β = Σxᵢyᵢ / Σxᵢ² with x, y the yearly log change of a province's share of the provinces' total in consecutive five-year windows, estimated on the provinces' year-end resident series 2005–2020 up to the vintage: β = 0.485 from 62 province-windows, so 42 % of the rate in 2021, 24 % in 2025, 11 % in 2030; checked afterwards on data the estimate never saw: the same slope from 2010–2020 to 2020–2024 is 0.39).
- Births: Bᵣ(t) = fᵣ × g(t) × Wᵣ(t−1), fᵣ = the unit's census children 0–4 per woman 15–49 over the nation's (child–woman ratio), g(t) = national births per woman 15–49; national births are NBS's published ones (2021–2025), then the national birth-rate path × the national population path; sex ratio at birth from the census's age 0. Infants 0–3 = ages 0, 1, 2 at the year end (survivors of the last three years' births).
- Observed figures: where a unit has figures of 2020 or later (a province's year-end series, plan figures, imports) the path is scaled by observed/projected (linear between observations, held after the last); registered-population figures are carried onto the path by the same ratio and labelled with their basis.
- Consistency (raking): in three bands (0–59, 60–64, 65+), the provinces are scaled to the national paths (60+ and 65+: the national cohort model; total: the nation's own cohort-component path), then counties (and prefectures) to their province; units with observed figures keep them and the others of their province absorb the difference. The factor of every province, band and year is reported: a factor far from 1 means the county model disagrees with the province's own projection.
- Bands: 80 %/95 % = value × exp(∓z × σ × √h), h years since the last observation; σ = √(mean(e²/h)), e = ln(actual/projected), from backtests the run's vintage can read: the current run uses the provinces' published 2021–2024 figures of the vintage-2020 backtest (population 0.0059, elderly 0.0118 per √year; 124 population and 9 elderly figures); a run as of a year before 2024 (the backtest as of 2020) may not read them and uses two earlier pseudo-backtests instead: population, the migration-persistence model above on the provinces' series 2010–2015 → 2015–2020 (h = 1…5 years); elderly, each province's 50+ (55+) of the 2010 census moved ten years on with the nation's cohort change against its 60+ (65+) of the 2020 census (as of 2020: population 0.0114, elderly 0.0171). The 2010s moved more than 2021–2024, so the bands of a run as of 2020 are wide, and the backtest reports their coverage as it is. Infants 0–3 take three times the population σ (an assumption, not a calibration); counties take the provincial σ (no county figures to check against).

**3. Births and infants 0–3**

The birth rate is modelled on the series through 2025 (statsmodels); the 2024 rise (9.54 million) and the 2025 fall (7.92 million, 5.63 ‰) are history. Infants 0–3 = the births of the last three years, calibrated to observed counts.

**4. Vintage runs (--as-of)**

A run "as of" a year reads only figures about years up to it that were published by the middle of the next year (the February–March communiqué, the May census bulletin), nothing published later; WPP births only before that year, mortality only of five-year periods that had ended, extrapolated afterwards at each age's pace of the previous ten years. `--strict`: only what was published by the end of the year itself.

**5. Not modelled**

Migration trends after 2020 (the 2010–2020 rates, damped); each province's own fertility trend and mortality level (the nation's are used); a future census revision; registered vs resident basis (this model is resident); policy effects on fertility.""",
}


def raking_report(db=None, *, as_of: int | None = None, years=(2025, 2030, 2035)) -> pd.DataFrame:
    """The raking factors of the census projection (forecasting/census/rake.py) per province, for the page and the
    annex: province_code, province_name, band (young 0–59, mid 60–64, old 65+), level (county: Σ counties against
    the province's own projection, `factor_vs_own`; nation: the provinces to the nation, the same for every
    province), and one column per year. Empty without census tables."""
    from forecasting.method_model import census_projection
    from forecasting.projection import vintage_inputs

    inp = vintage_inputs(db, as_of)
    rp = census_projection(inp, max(years))
    if rp is None:
        return pd.DataFrame(columns=["province_code", "province_name", "band", "level", *map(str, years)])
    r = rp.raking[(rp.raking["level"] == "county") & rp.raking["year"].isin(years)]
    wide = r.pivot_table(index=["province_code", "band"], columns="year", values="factor_vs_own").reset_index()
    wide["level"] = "county"
    nf = rp.national_factors[rp.national_factors["year"].isin(years)]
    nat = nf.pivot_table(index="band", columns="year", values="factor").reset_index()
    nat["province_code"], nat["level"] = "100000", "nation"
    out = pd.concat([nat, wide], ignore_index=True)
    out.columns = [str(c) for c in out.columns]
    names = dict(zip(rp.units["region_code"], rp.units.get("region_name", rp.units["region_code"])))
    out.insert(1, "province_name", out["province_code"].map(names))
    return out[["province_code", "province_name", "band", "level", *map(str, years)]]


def method_text(lang: str = "zh") -> str:
    """The 测算方法说明 (method statement) in Chinese or English, with the WPP citation."""
    cite = CITATION_ZH if lang == "zh" else CITATION
    return _TEXT["zh" if lang == "zh" else "en"] + ("\n\n数据来源：" if lang == "zh" else "\n\nSource: ") + cite

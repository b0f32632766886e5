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


@dataclass(frozen=True)
class MethodReport:
    entrants: pd.DataFrame = field(repr=False)  # year, entrants_60, entrants_65, births_cohort_year, births
    backtest: pd.DataFrame = field(repr=False)  # vintage rows of China's 60+ (VINTAGE_COLUMNS)
    summary: pd.DataFrame = field(repr=False)  # method, mape, coverage_80 for China's 60+
    paths: pd.DataFrame = field(repr=False)  # region_code, year, value, lower/upper 80/95, kind
    births: pd.DataFrame = field(repr=False)  # year, observed (NBS), model, lower_80, upper_80, wpp (WPP 2024)
    theta: float = 0.0
    theta_se: float = 0.0


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
    bt = vintage_backtest(2020, regions=["100000"], db=db)
    bt = bt[bt["indicator"] == "elderly_60plus"].reset_index(drop=True)
    summary = vintage_summary(bt)
    summary = summary[summary["region_code"] == "all"][["method", "n", "mape", "coverage_80", "n_interval"]]
    inp = vintage_inputs(db, None)
    fit, _, _ = national_elderly(inp, "elderly_60plus", to_year)
    frames = []
    for code in ("100000", *PROVINCES):
        f = model_path_frames(inp, code, to_year).get("elderly_60plus")
        if f is not None:
            frames.append(f.reset_index(names="year").assign(region_code=code))
    paths = pd.concat(frames, ignore_index=True)
    return MethodReport(entrants, bt, summary.reset_index(drop=True), paths, births_comparison(inp, wpp, to_year),
                        fit.theta, fit.theta_se)


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

**二、省、区县：跟随本省，而非全国**

省级：省人口用本省2005—2024年序列（statsmodels 指数平滑/ARIMA）；省60岁及以上人口 = 全国队列推算 × 本省占全国份额，份额以本省观测点为锚，有两个及以上观测点时用 statsmodels OLS 估计份额漂移，只有一个观测点时沿用本省人口占全国比重的趋势。区县：占本省份额，以区县自身观测值为锚；份额的不确定性叠加到上级区间中。每行的 method_detail 说明由哪一种方法得出。

**三、出生与0—3岁婴幼儿**

出生率用截至2025年的序列（statsmodels）建模；2024年（954万）回升与2025年（792万，5.63‰）下降均为历史数据。0—3岁 = 最近三年出生人数之和，以观测值校准。

**四、回溯检验（--as-of）**

“截至某年”的测算只使用该年及以前年份、在次年上半年以前公布的数据（次年2—3月的统计公报、次年5月的普查公报），不读取之后公布的任何数字；《世界人口展望2024》的出生人数只用该年以前的，死亡率只用已结束的五年期，之后按前十年各年龄死亡率下降速度外推。严格口径（--strict）只用该年年底前公布的数据。

**五、未纳入模型的因素**

老年人口在区县之间、省际的迁移；新一次普查对尚未观测年份的口径调整；户籍与常住口径的差异（本模型为常住口径）；政策变化对生育的影响。""",
    "en": """**1. The elderly (60+ and 65+): cohort accounting**

Identity, year by year (year-end persons): P(t) = P(t−1) − D(t) + E(t).

- Entrants E(t) = B(t−60) × S₆₀(t−60): the births of 60 years earlier times their survival to 60. B: WPP 2024 births of China by year; S₆₀(c) = exp(−Σ_{x=0..59} m(x, c+x)) from WPP's age-specific death rates. The small 1959–61 and large 1962–63 cohorts are why the 60+ grew by about 3 million in 2021 and by 13–17 million a year in 2022–2025.
- Deaths D(t) = θ × δ(t) × P(t−1): δ(t) is the 60+ death rate implied by WPP's mortality weighted by the age structure the cohorts carry; θ is estimated by statsmodels WLS on the observed 60+ (between consecutive observations: change − entrants = −θ × Σ δ × persons; longer gaps weigh less; the census revision after sample-survey years is estimated as its own shift).
- Intervals (80 %, 95 %): 4,000 simulated paths with θ's parameter uncertainty, a yearly residual shock (accumulating) and survival uncertainty (the mortality table one five-year period off); they widen with the horizon.
- 65+ uses the same structure with entry at 65.

**2. Provinces and districts follow their own province, not the country**

Province population: its own 2005–2024 series (statsmodels ETS / ARIMA). Province 60+ = national cohort path × its share, anchored at its own observations; the share's drift is estimated by statsmodels OLS where two or more shares are observed, else it follows the province's share of the national population. Districts: their share of the province, anchored at their own figures; the share's uncertainty is added to the parent's band. Every row's method_detail says which applied.

**3. Births and infants 0–3**

The birth rate is modelled on the series through 2025 (statsmodels); the 2024 rise (9.54 million) and the 2025 fall (7.92 million, 5.63 ‰) are history. Infants 0–3 = the births of the last three years, calibrated to observed counts.

**4. Vintage runs (--as-of)**

A run "as of" a year reads only figures about years up to it that were published by the middle of the next year (the February–March communiqué, the May census bulletin), nothing published later; WPP births only before that year, mortality only of five-year periods that had ended, extrapolated afterwards at each age's pace of the previous ten years. `--strict`: only what was published by the end of the year itself.

**5. Not modelled**

Migration of the elderly between districts and provinces; a future census revision; registered vs resident basis (this model is resident); policy effects on fertility.""",
}


def method_text(lang: str = "zh") -> str:
    """The 测算方法说明 (method statement) in Chinese or English, with the WPP citation."""
    cite = CITATION_ZH if lang == "zh" else CITATION
    return _TEXT["zh" if lang == "zh" else "en"] + ("\n\n数据来源：" if lang == "zh" else "\n\nSource: ") + cite

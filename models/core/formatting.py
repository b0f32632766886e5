"""Numbers as planners write them: 万 for large counts, thousands separators, units from the catalogue.

One formatter (`fmt_number`) for every number a person reads, and one rendering of a missing cell in tables and
exports (`MISSING`, "—"); a card or a sentence names a missing figure in words (未提供 / not provided).
Precision for people: beds, places and persons are whole numbers (the gap model rounds a demand up before it gets
here: models.planning.gaps.whole_counts); percentages have at most one decimal (`digits=0` on the leader's overview);
large counts in Chinese in 万 with at most two decimals (3.41万张).
"""
from __future__ import annotations

import math

from models.core.catalogue import unit_label

MISSING = "—"  # a missing value in a table cell or an exported sheet (never None, never 0)
_COUNT_UNITS = {"person", "bed", "place", "facility", "count", "person_time"}


def _trim(x: float, digits: int) -> str:
    s = f"{x:,.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def is_missing(value) -> bool:
    """None, NaN, pandas NA: a figure nobody gave."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def whole(value: float) -> int:
    """A count as a whole number, rounded half away from zero (2,084.5 → 2,085); float noise ignored."""
    return int(math.copysign(math.floor(abs(float(value)) + 0.5 + 1e-9), float(value)))


def fmt_number(value, unit: str = "", lang: str = "zh", *, with_unit: bool = True, digits: int | None = None) -> str:
    """Format a value in base units for display. None/NaN → 未提供 / not provided (tables use MISSING).

    zh: counts of 100,000 or more in 万 (129600 person → "12.96万人", 34100 bed → "34,100张"), smaller counts as
    whole numbers with separators ("1,915张"); percentages with at most one decimal ("47.9%"; `digits` sets it,
    e.g. 0 → "48%"); per-mille "7‰". en: separators and English unit names.
    """
    if is_missing(value):
        return "未提供" if lang == "zh" else "not provided"
    value = float(value)
    u = unit_label(unit, lang) if (with_unit and unit) else ""
    if unit in ("percent", "permille"):
        return _trim(value, 1 if digits is None else digits) + (u if with_unit else "")
    if unit in _COUNT_UNITS:
        if lang == "zh" and abs(value) >= 100000:
            return _trim(value / 1e4, 2) + "万" + u
        text = f"{whole(value):,d}"
        return f"{text}{u}" if lang == "zh" else (f"{text} {u}" if u else text)
    text = _trim(value, 2 if digits is None else digits)
    if not u:
        return text
    return f"{text}{u}" if lang == "zh" else f"{text} {u}"


def fmt_wan(value, unit: str, lang: str = "zh") -> str:
    """A headline figure: in Chinese 10,000 or more in 万 with two decimals at most (34100 → "3.41万张"), else as
    fmt_number. Missing → 未提供 / not provided."""
    if not is_missing(value) and lang == "zh" and unit in _COUNT_UNITS and abs(float(value)) >= 10000:
        return _trim(float(value) / 1e4, 2) + "万" + unit_label(unit, lang)
    return fmt_number(value, unit, lang)


def cell(value, unit: str = "", lang: str = "zh", **kw) -> str:
    """A table cell: fmt_number, with MISSING ("—") for a missing value."""
    return MISSING if is_missing(value) else fmt_number(value, unit, lang, **kw)


# Words of the gap model's formula text (models.planning.gaps) and of the audit's checks, in the reader's language.
# Indicator ids are named by the catalogue; the standards' parameters, which are not indicators, by i18n keys.
_TERMS = ("nursing_share", "places_per_1000", "institutional_share", "disabled_share", "supported_share",
          "childcare_population_year", "childcare_round_to", "target_gap", "demand", "supply", "gap", "target",
          "pipeline", "population")
_PHRASES = (("elderly-bed demand", "fm_bed_demand"), ("(rounded)", "fm_rounded"), ("(stated)", "fm_stated"),
            ("(rate × base)", "fm_rate_base"), ("plan states demand", "fm_plan_states_demand"),
            ("parts ≤ total", "fm_parts_le_total"), ("no bed standard", "fm_no_bed_standard"))


_WORDS = (("未提供", "fm_not_provided"), ("常住", "fm_basis_resident"), ("户籍", "fm_basis_registered"))
_BASES = {"常住": "fm_basis_resident", "户籍": "fm_basis_registered"}


def basis_text(basis, lang: str = "zh"):
    """A 口径 (常住 / 户籍) in the reader's language; anything else unchanged."""
    from models.core.i18n import t

    return t(_BASES[basis], lang) if isinstance(basis, str) and basis in _BASES else basis


def labelled(text: str, lang: str = "zh") -> str:
    """A formula or check written with ids ("demand = beds_per_1000_elderly × elderly_60plus(2025, 常住) …") in
    the reader's words: every catalogue indicator id by its label, the gap model's terms (demand, supply, gap, …)
    and phrases translated. Numbers and symbols are kept. In: text; out: text in `lang`."""
    import re

    from models.core.catalogue import indicators
    from models.core.i18n import t

    if not text:
        return ""
    out = str(text)
    for phrase, key in _PHRASES:
        out = out.replace(phrase, t(key, lang))
    for word, key in _WORDS:  # the gap model writes these few words in Chinese inside its formulas
        out = out.replace(word, t(key, lang))
    known = indicators()

    def name(m: re.Match) -> str:
        word = m.group(0)
        if word in known:
            return known[word].label(lang)
        if word == "nan":  # a population the plan does not give (the formula names no indicator)
            return t("fm_population", lang)
        if word in _TERMS:
            return t(f"fm_{word}", lang)
        if word.startswith("supply:") and word[7:] in known:
            return t("fm_supply", lang) + ":" + known[word[7:]].label(lang)
        return word

    out = re.sub(r"(?<![A-Za-z0-9_])(?:supply:)?[a-z][a-z0-9_]*[a-z0-9](?![A-Za-z0-9_])", name, out)
    if lang == "zh":
        out = out.replace("; ", "；").replace(", 缺口", "，缺口").replace(" （", "（")
    return out

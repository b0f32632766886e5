"""Numbers as planners write them: 万 for large counts, thousands separators, units from the catalogue."""
from __future__ import annotations

import math

from models.catalogue import unit_label

_COUNT_UNITS = {"person", "bed", "place", "facility", "count", "person_time"}


def _trim(x: float, digits: int) -> str:
    s = f"{x:,.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def fmt_number(value, unit: str = "", lang: str = "zh", *, with_unit: bool = True) -> str:
    """Format a value in base units for display. None/NaN → 未提供 / not provided.

    zh: counts of 100,000 or more in 万 (129600 person → "12.96万人"), smaller counts with separators
    ("1,915张"); percentages "19.76%"; per-mille "7‰". en: separators and English unit names.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "未提供" if lang == "zh" else "not provided"
    try:
        import pandas as pd
        if pd.isna(value):
            return "未提供" if lang == "zh" else "not provided"
    except (TypeError, ValueError):
        pass
    value = float(value)
    u = unit_label(unit, lang) if (with_unit and unit) else ""
    if unit in ("percent", "permille"):
        return _trim(value, 2) + (u if with_unit else "")
    if unit in _COUNT_UNITS:
        if lang == "zh" and abs(value) >= 100000:
            return _trim(value / 1e4, 2) + "万" + u
        digits = 0 if float(value).is_integer() else 1
        text = _trim(value, digits)
        return f"{text}{u}" if lang == "zh" else (f"{text} {u}" if u else text)
    text = _trim(value, 2)
    if not u:
        return text
    return f"{text}{u}" if lang == "zh" else f"{text} {u}"

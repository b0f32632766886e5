"""Planners' own data: templates, and parsing + validation of uploaded CSV/Excel files (pure: no database).

In: the bytes of a file (CSV in UTF-8, UTF-8 with BOM, GBK/GB18030; or .xlsx), its name, and the regions already
known (code → Chinese name). Out: an `ImportPlan` — one `RowReport` per data row with the typed record that would be
written, its interpretation and its problems (errors block the whole import; warnings do not), plus file-level
problems. Writing is models/store/userdata.py's job; nothing here touches DuckDB.

Every parsing rule lives here, in one place:
- numbers as planners type them: `12.96万` → 129600, `0.52万张` → 5200, full-width `１２３`, `1,234`, `不低于60%`
  (comparator ≥, value 60), `>90`, `约5000`, `3000以上`; `—`, `-`, `无`, an empty cell → missing (the row is skipped
  and said so; nothing is invented);
- one table layout (columns below, Chinese or English headers); the kind column routes a row: plan kinds
  (现状值/目标值/规划预测/规划标准/测算假设) → user_facts, 年度序列 → user_series (yearly statistics that the projection
  fits);
- region codes are GB/T 2260 six-digit codes; a code not yet known needs a name and becomes a new region.

Values are returned in base units (persons, beds, places; percent numbers: 19.76 means 19.76%).
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pandas as pd

from models.core.catalogue import indicators, label, unit_label
from models.core.i18n import kind_label, t
from models.core.messages import Message, MessageError, message
from models.core.text import unneutralise_cell
from models.intake import documents

MAX_BYTES = 20 * 1024 * 1024  # upload limit (the page and the CLI refuse bigger files)
MAX_ROWS = 50_000
MAX_CELL = 500  # characters per cell
YEAR_MIN, YEAR_MAX = 1949, 2100
MAX_COUNT = 2e9  # no count of persons, beds or places in China is larger
EXTENSIONS = (".csv", ".xlsx")

# Column id → accepted headers (compared after NFKC, trimming, lower-casing and dropping a trailing '*').
COLUMNS: dict[str, tuple[str, ...]] = {
    "region_code": ("地区代码", "行政区划代码", "区划代码", "region_code", "code"),
    "region_name": ("地区名称", "地区", "region_name", "region"),
    "indicator": ("指标代码", "indicator", "indicator_id"),
    "indicator_name": ("指标名称", "指标", "indicator_name"),
    "year": ("年份", "年度", "year"),
    "value": ("数值", "值", "value"),
    "unit": ("单位", "unit"),
    "basis": ("口径", "basis"),
    "kind": ("类型", "数据类型", "kind"),
    "source": ("来源", "数据来源", "来源说明", "source"),
    "note": ("备注", "note"),
    "quote": ("原文", "quote"),  # the verbatim clause a figure came from (python -m forecasting extract)
}
TEMPLATE_HEADERS = {"region_code": "地区代码", "region_name": "地区名称", "indicator": "指标代码",
                    "indicator_name": "指标名称", "year": "年份", "value": "数值", "unit": "单位", "basis": "口径",
                    "kind": "类型", "source": "来源", "note": "备注"}
REQUIRED = ("region_code", "year", "value", "kind")  # plus indicator or indicator_name

KINDS = {"observed": ("现状值", "现状", "实际值", "observed"), "target": ("目标值", "目标", "target"),
         "plan_projection": ("规划预测", "预测值", "plan_projection"), "standard": ("规划标准", "标准", "standard"),
         "assumption": ("测算假设", "假设", "assumption"),
         "series": ("年度序列", "统计序列", "序列", "年度数据", "series")}
BASES = {"常住": ("常住", "常住人口", "resident"), "户籍": ("户籍", "户籍人口", "registered"), "": ("", "无")}

MISSING = {"", "—", "——", "-", "--", "–", "/", "无", "暂无", "未提供", "不详", "n/a", "na", "null", "none", "nan",
           "…", "...", "……"}
_COMPARATOR_PREFIXES = [  # longest first
    ("大于或等于", "≥"), ("大于等于", "≥"), ("不低于", "≥"), ("不少于", "≥"), ("不小于", "≥"), ("至少", "≥"),
    (">=", "≥"), ("≥", "≥"), ("小于或等于", "≤"), ("小于等于", "≤"), ("不高于", "≤"), ("不超过", "≤"),
    ("不多于", "≤"), ("不大于", "≤"), ("至多", "≤"), ("<=", "≤"), ("≤", "≤"), ("超过", ">"), ("高于", ">"),
    ("大于", ">"), ("多于", ">"), (">", ">"), ("低于", "<"), ("少于", "<"), ("小于", "<"), ("<", "<"),
    ("大约", "≈"), ("约", "≈"), ("近", "≈"), ("≈", "≈"), ("~", "≈"), ("达到", "≥"), ("突破", ">"), ("=", "=")]
_COMPARATOR_SUFFIXES = [("以上", "≥"), ("以下", "≤"), ("以内", "≤"), ("左右", "≈")]
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000)}
# Unit words a planner may write after a number or in the 单位 column: unit id → {word: multiplier}.
_UNIT_WORDS: dict[str, dict[str, Decimal]] = {
    "person": {"人": Decimal(1), "万人": Decimal(10_000), "名": Decimal(1)},
    "bed": {"张": Decimal(1), "万张": Decimal(10_000), "床": Decimal(1), "张床位": Decimal(1)},
    "place": {"个": Decimal(1), "万个": Decimal(10_000), "托位": Decimal(1)},
    "facility": {"个": Decimal(1), "家": Decimal(1), "所": Decimal(1), "处": Decimal(1)},
    "count": {"个": Decimal(1), "项": Decimal(1)},
    "household": {"户": Decimal(1), "万户": Decimal(10_000)},
    "person_time": {"人次": Decimal(1), "万人次": Decimal(10_000)},
    "yuan": {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)},
    "yuan_10k": {"万元": Decimal(1), "亿元": Decimal(10_000)},
    "percent": {"%": Decimal(1), "百分比": Decimal(1)},
    "permille": {"‰": Decimal(1)},
    # per-1000 indicators as planners write their units (张 of 每千名老年人养老床位数, 个 of 每千人口托位数)
    "per_1000": {"‰": Decimal(1), "每千人": Decimal(1), "张": Decimal(1), "个": Decimal(1), "张/千人": Decimal(1),
                 "张/每千人": Decimal(1), "张/千名老年人": Decimal(1), "张/每千名老年人": Decimal(1),
                 "张/每千名老人": Decimal(1), "张/千名老人": Decimal(1), "个/千人": Decimal(1),
                 "个/每千人": Decimal(1), "个/千人口": Decimal(1), "个/每千人口": Decimal(1), "人/千人": Decimal(1)},
    "m2": {"平方米": Decimal(1), "㎡": Decimal(1), "m2": Decimal(1), "平方公里": Decimal(1_000_000)},
}
_COUNT_UNITS = {"person", "bed", "place", "facility", "count", "household", "person_time", "yuan", "yuan_10k", "m2"}
_PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
              "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"}
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NAME_OK = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9·()（） \-]+")
_HTML = re.compile(r"<\s*[A-Za-z/!?]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# -- problems ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem(Message):
    """One finding: a models.core.messages.Message (`code` a key of models.core.i18n.STRINGS, `params` its placeholders)
    with a severity."""
    severity: str = "error"  # error (blocks the import) | warning | info

    def localised(self, lang: str) -> dict:
        params = super().localised(lang)
        if lang != "en" and "column" in params:  # column ids are shown as the template's Chinese headers
            params["column"] = {**TEMPLATE_HEADERS, "who": "操作人", "why": "修改原因"}.get(params["column"],
                                                                                          params["column"])
        return params

    def message(self, lang: str = "zh") -> str:
        """The finding in `lang` (Message.text)."""
        return self.text(lang)


def problem(code: str, severity: str = "error", /, **params) -> Problem:
    """A Problem with its parameters as text (rendered in the user's language at the edge)."""
    m = message(code, **{k: str(v) for k, v in params.items()})
    return Problem(m.code, m.params, severity)


_p = problem  # short name inside this module


class Invalid(MessageError):
    """A value that breaks a parsing rule; carries the Problem (message in zh and en)."""


# -- values -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParsedValue:
    """A number as typed, interpreted: value in base units (None if missing) and its comparator."""
    value: float | None
    comparator: str = "="
    missing: bool = False
    warnings: tuple[Problem, ...] = ()


def normalize(text) -> str:
    """Cell text as compared by every rule: NFKC (full-width → ASCII), unified minus signs, trimmed."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = s.replace("\u2212", "-").replace("\ufeff", "").replace("\u00a0", " ").strip()
    return unneutralise_cell(s)[0].strip()  # a cell our own CSV export neutralised ('-5, '=…) reads as written


def _strip(text) -> str:
    """Free text kept as typed (Chinese punctuation included): only BOM and surrounding blanks removed."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return str(text).replace("\ufeff", "").strip()


def check_cell(raw, column: str) -> None:
    """Rules for any cell: no formulas, no HTML, no control characters, at most MAX_CELL characters."""
    s = "" if raw is None else str(raw)
    s, marked = unneutralise_cell(s.strip())  # our own export's "'=…" is text, marked as such: accepted
    if len(s) > MAX_CELL:
        raise Invalid(_p("imp_too_long", column=column, n=MAX_CELL))
    stripped = s.strip()
    if stripped.startswith("=") and len(stripped) > 1 and not marked:
        raise Invalid(_p("imp_formula", column=column, text=stripped[:30]))
    if _HTML.search(s):
        raise Invalid(_p("imp_html", column=column))
    if _CONTROL.search(s):
        raise Invalid(_p("imp_control_chars", column=column))


def clean_text(raw, column: str) -> str:
    """Free text (source, note, who, why): checked cells, and no leading + - @ that spreadsheets run as formulas."""
    check_cell(raw, column)
    s, marked = unneutralise_cell(_strip(raw))  # "'-…" as our CSV export writes it: the text after the apostrophe
    if normalize(s).lower() in MISSING:
        return ""
    if s[:1] in "+-@=" and not marked:
        raise Invalid(_p("imp_text_injection", column=column, text=s[:20]))
    return s


def _unit_words(unit: str) -> dict[str, Decimal]:
    words = dict(_UNIT_WORDS.get(unit, {}))
    words[unit] = Decimal(1)  # the unit id itself is always accepted
    return words


def accepted_units(unit: str) -> list[str]:
    """The spellings accepted in the 单位 column (or after a number) for an indicator of base unit `unit`."""
    words = [w for w in _unit_words(unit) if w != unit] + [unit]
    if unit in _COUNT_UNITS:
        words += [f"万{w}" for w in _UNIT_WORDS.get(unit, {}) if not w.startswith("万") and f"万{w}" not in words
                  and len(w) == 1][:1]
    return list(dict.fromkeys(words))


def _unit_problem(given: str, unit: str) -> Problem:
    return _p("imp_unit_mismatch", given=given, expected=unit_label(unit, "zh"), expected_en=unit_label(unit, "en"),
              accepted="、".join(accepted_units(unit)))


def unit_multiplier(unit_text: str, unit: str) -> Decimal:
    """Multiplier from a unit written in the 单位 column (e.g. 万人 for a person indicator → 10000)."""
    s = normalize(unit_text)
    if s in ("", "—"):
        return Decimal(1)
    words = _unit_words(unit)
    if s in words:
        return words[s]
    if s.replace(" ", "") in words:
        return words[s.replace(" ", "")]
    raise Invalid(_unit_problem(s, unit))


def parse_value(raw, *, unit: str, indicator_id: str = "", unit_factor: Decimal = Decimal(1),
                allow_comparator: bool = True) -> ParsedValue:
    """Parse a value as typed (see the module docstring) for an indicator whose base unit is `unit`.

    Raises Invalid (with the Problem) when the text is not a number this product can read without guessing,
    or when the number is impossible (negative count, share over 100, not finite, too large).
    """
    check_cell(raw, "value")
    if isinstance(raw, bool):
        raise Invalid(_p("imp_bad_number", text=str(raw)))
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if isinstance(raw, float) and not math.isfinite(raw):
            if math.isnan(raw):
                return ParsedValue(None, missing=True)
            raise Invalid(_p("imp_not_finite", text=str(raw)))
        raw = repr(raw) if isinstance(raw, float) else str(raw)
    s = normalize(raw)
    if s.lower() in MISSING:
        return ParsedValue(None, missing=True)
    comparator = "="
    for word, comp in _COMPARATOR_PREFIXES:
        if s.startswith(word):
            comparator, s = comp, s[len(word):].strip()
            break
    for word, comp in _COMPARATOR_SUFFIXES:
        if s.endswith(word):
            if comparator != "=" and comparator != comp:
                raise Invalid(_p("imp_bad_number", text=normalize(raw)))
            comparator, s = comp, s[:-len(word)].strip()
            break
    if comparator != "=" and not allow_comparator:
        raise Invalid(_p("imp_comparator_series", text=normalize(raw)))
    m = _NUMBER.match(s)
    if not m:
        if s.lower() in ("inf", "+inf", "-inf", "infinity", "nan"):
            raise Invalid(_p("imp_not_finite", text=normalize(raw)))
        raise Invalid(_p("imp_bad_number", text=normalize(raw)))
    number_text, suffix = m.group(0), s[m.end():].strip()
    try:
        number = Decimal(number_text.replace(",", "").replace(" ", ""))
    except InvalidOperation:
        raise Invalid(_p("imp_bad_number", text=normalize(raw))) from None
    factor = Decimal(1)
    if suffix[:1] in _MULTIPLIERS and suffix not in _unit_words(unit):
        if unit not in _COUNT_UNITS:
            raise Invalid(_unit_problem(suffix, unit))
        factor, suffix = _MULTIPLIERS[suffix[0]], suffix[1:].strip()
    if suffix:
        words = _unit_words(unit)
        if suffix not in words:
            if suffix in ("%", "‰"):
                raise Invalid(_unit_problem(suffix, unit))
            raise Invalid(_p("imp_bad_number", text=normalize(raw)))
        factor *= words[suffix]
    if factor != 1 and unit_factor != 1:
        raise Invalid(_p("imp_double_multiplier", text=normalize(raw)))
    number = number * factor * unit_factor
    value = float(number)
    if not math.isfinite(value):
        raise Invalid(_p("imp_not_finite", text=normalize(raw)))
    warnings: list[Problem] = []
    check_range(value, unit, indicator_id, normalize(raw), warnings)
    if unit == "percent" and 0 < value < 1 and "%" not in s and unit_factor == 1:
        warnings.append(_p("imp_w_fraction_percent", "warning", value=normalize(raw), pct=_short(value * 100)))
    if unit in ("person", "bed", "place", "household") and not float(value).is_integer():
        warnings.append(_p("imp_w_non_integer", "warning", value=_short(value)))
    return ParsedValue(value, comparator, False, tuple(warnings))


def _signed_ok(indicator_id: str, unit: str) -> bool:
    """Indicators that may be negative: growth rates and changes."""
    return unit == "percentage_point" or any(w in indicator_id for w in ("growth", "increment", "change"))


def check_range(value: float, unit: str, indicator_id: str, text: str, warnings: list) -> None:
    if value < 0 and not _signed_ok(indicator_id, unit):
        raise Invalid(_p("imp_negative", text=text))
    if unit == "percent" and abs(value) > 100:
        raise Invalid(_p("imp_over_100", text=text))
    if unit in ("permille", "per_1000") and abs(value) > 1000:
        raise Invalid(_p("imp_over_max", text=text, max="1000"))
    if unit in _COUNT_UNITS and value > MAX_COUNT:
        raise Invalid(_p("imp_over_max", text=text, max="2000000000"))


def _short(x: float) -> str:
    return f"{x:.6g}"


def parse_year(raw) -> int:
    """A year as typed (`2023`, `2023年`, `２０２３`, 2023.0 from Excel) → int in YEAR_MIN..YEAR_MAX."""
    check_cell(raw, "year")
    s = normalize(raw)
    if s.endswith("年"):
        s = s[:-1].strip()
    if re.fullmatch(r"\d{4}\.0+", s):
        s = s.split(".")[0]
    if s == "":
        raise Invalid(_p("imp_required", column="year"))
    if not re.fullmatch(r"\d{1,4}", s):
        raise Invalid(_p("imp_bad_year", text=normalize(raw)))
    year = int(s)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Invalid(_p("imp_year_range", year=year, lo=YEAR_MIN, hi=YEAR_MAX))
    return year


def parse_region_code(raw) -> str:
    """A GB/T 2260 six-digit code (100000 = China; `120101.0` from Excel accepted)."""
    check_cell(raw, "region_code")
    s = normalize(raw)
    if re.fullmatch(r"\d{6}\.0+", s):
        s = s.split(".")[0]
    if s == "":
        raise Invalid(_p("imp_required", column="region_code"))
    if not re.fullmatch(r"\d{6}", s):
        raise Invalid(_p("imp_bad_code", text=s[:20]))
    if s != "100000" and (s[:2] not in _PROVINCES or s.endswith("0000") and s[2:] != "0000"):
        raise Invalid(_p("imp_bad_province", text=s))
    return s


def parse_region_name(raw) -> str:
    """A region name: Chinese/Latin letters, digits, spaces, · ( ) - ; at most 40 characters."""
    check_cell(raw, "region_name")
    s = _strip(raw)
    if normalize(s) in MISSING:
        return ""
    if s[:1] in "+-@=":
        raise Invalid(_p("imp_text_injection", column="region_name", text=s[:20]))
    if len(s) > 40:
        raise Invalid(_p("imp_too_long", column="region_name", n=40))
    bad = sorted(set(_NAME_OK.sub("", s)))
    if bad:
        raise Invalid(_p("imp_name_chars", chars=" ".join(bad[:8])))
    return s


def clean_quote(raw) -> str:
    """The 原文 column: the verbatim clause, kept as typed (no HTML; a clause starting with = + - @ only in the
    neutralised form our CSV export writes, "'- 托位…", whose apostrophe is taken off)."""
    s = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw)
    s, marked = unneutralise_cell(s.replace("\ufeff", "").strip(" "))  # a neutralised "'- 托位…" (a bulleted plan)
    if len(s) > MAX_CELL:
        raise Invalid(_p("imp_too_long", column="quote", n=MAX_CELL))
    if _HTML.search(s):
        raise Invalid(_p("imp_html", column="quote"))
    if s.strip()[:1] and s.strip()[:1] in "+-@=" and not marked:
        raise Invalid(_p("imp_text_injection", column="quote", text=s.strip()[:20]))
    return s.replace("\ufeff", "").strip(" ")


def comparator_from_note(note: str) -> str | None:
    """A comparator word written as the first item of 备注 (`不低于；…`), as `python -m forecasting extract` writes
    it; None when the note does not start with one."""
    first = re.split(r"[；;，,\s]", normalize(note), maxsplit=1)[0] if note else ""
    return dict(_COMPARATOR_PREFIXES + _COMPARATOR_SUFFIXES + [("余", ">"), ("多", ">")]).get(first)


def parse_kind(raw) -> str:
    check_cell(raw, "kind")
    s = normalize(raw)
    if s == "":
        raise Invalid(_p("imp_required", column="kind"))
    for kind, words in KINDS.items():
        if s in words or s.lower() in words:
            return kind
    raise Invalid(_p("imp_bad_kind", text=s[:30]))


def parse_basis(raw) -> str:
    check_cell(raw, "basis")
    s = normalize(raw)
    for basis, words in BASES.items():
        if s in words or s.lower() in words or (s in MISSING and basis == ""):
            return basis
    raise Invalid(_p("imp_bad_basis", text=s[:30]))


# Names planners write for catalogue indicators (besides the catalogue's own labels and the label without its
# bracketed explanation, e.g. 老龄化率 for 老龄化率(60岁及以上占比)).
NAME_SPELLINGS: dict[str, tuple[str, ...]] = {
    "beds_per_1000_elderly": ("每千名老人养老床位数", "每千名老年人拥有养老床位数", "千名老人养老床位数"),
    "childcare_places_per_1000": ("每千人口拥有3岁以下婴幼儿托位数", "千人口托位数", "每千人托位数"),
    "elderly_beds": ("养老床位数", "养老服务床位", "养老服务床位总量", "养老机构床位"),
    "nursing_beds": ("护理型养老床位", "护理型床位数"),
    "nursing_bed_share": ("护理型养老床位占比", "养老机构护理型床位占比"),
    "childcare_places": ("托位数", "托育托位数"),
    "elderly_60plus": ("60岁及以上人口", "60岁及以上老年人口", "60周岁以上老年人口", "老年人口"),
    "elderly_65plus": ("65岁及以上人口", "65周岁以上老年人口"),
    "aging_rate": ("人口老龄化率", "60岁及以上人口占比"),
    "aging_rate_65": ("65岁及以上人口占比",),
    "infants_0_3": ("0-3岁婴幼儿数", "3岁以下婴幼儿", "婴幼儿人数"),
    "birth_rate": ("人口出生率",),
}


def _label_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for ind in indicators().values():
        out.setdefault(normalize(ind.label_zh), ind.id)
        out.setdefault(normalize(ind.label_en).lower(), ind.id)
    for ind in indicators().values():  # the label without its bracketed explanation, when that is unambiguous
        short = re.sub(r"\(.*\)$", "", normalize(ind.label_zh)).strip()
        if short and short != normalize(ind.label_zh):
            out.setdefault(short, ind.id)
    for ind_id, names in NAME_SPELLINGS.items():
        if ind_id in indicators():
            for n in names:
                out.setdefault(normalize(n), ind_id)
    return out


def accepted_names(indicator_id: str) -> list[str]:
    """Every spelling of 指标名称 that the importer reads as `indicator_id`."""
    return [name for name, i in _label_index().items() if i == indicator_id]


def suggest_indicator(text: str) -> str | None:
    """The catalogue id whose label or accepted spelling is closest to `text` (difflib), or None."""
    import difflib

    s = normalize(text)
    index = _label_index()
    contains = [i for n, i in index.items() if s and (s in n or n in s) and len(n) >= 2]
    if contains:
        return contains[0]
    best = difflib.get_close_matches(s, list(index), n=1, cutoff=0.5)
    return index[best[0]] if best else None


def _unknown_indicator(text: str) -> Problem:
    hint = suggest_indicator(text)
    if hint:
        ind = indicators()[hint]
        return _p("imp_unknown_indicator", text=text[:40], hint=f"您是否指 {hint}（{ind.label_zh}）？",
                  hint_en=f"Did you mean {hint} ({ind.label_en})?")
    return _p("imp_unknown_indicator", text=text[:40], hint="", hint_en="")


def parse_indicator(raw_id, raw_name) -> str:
    """The catalogue id from the 指标代码 column, or from the 指标名称 column (Chinese or English label)."""
    check_cell(raw_id, "indicator")
    check_cell(raw_name, "indicator_name")
    sid, sname = normalize(raw_id), normalize(raw_name)
    cat = indicators()
    by_name = _label_index().get(sname) or _label_index().get(sname.lower()) if sname else None
    if sid:
        if sid not in cat:
            raise Invalid(_unknown_indicator(sid))
        if sname and by_name != sid and normalize(cat[sid].label_zh) != sname:
            other = by_name or suggest_indicator(sname)
            raise Invalid(_p("imp_indicator_mismatch", id=sid, name=sname[:40], label=cat[sid].label_zh,
                             label_en=cat[sid].label_en,
                             other=f"{other}（{cat[other].label_zh}）" if other else "未知指标 / unknown"))
        return sid
    if not sname:
        raise Invalid(_p("imp_required", column="indicator"))
    if by_name is None:
        raise Invalid(_unknown_indicator(sname))
    return by_name


# -- rows and files ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowReport:
    """One data row: where it is (sheet, row as the spreadsheet numbers it), what it becomes, what is wrong.

    target: 'fact' (→ user_facts), 'series' (→ user_series) or 'skip' (value missing: nothing written).
    record: the typed values to write (region_code, region_name, indicator, year, value, unit, basis, kind,
    comparator, source, note), or None when the row has errors.
    """
    sheet: str
    row: int
    raw: dict
    target: str
    record: dict | None
    problems: tuple[Problem, ...]
    # other values of the same region, indicator, year and 口径 from another document (see mark_conflicts):
    # [{fact_id, value, unit, source, quote}]; the editor chooses (ImportPlan.resolve) before anything is written
    conflicts: tuple[dict, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportPlan:
    """Everything an import would do, before anything is written. `ok` ⇔ no error anywhere and ≥1 row to write."""
    filename: str
    sha256: str
    size: int
    rows: tuple[RowReport, ...]
    file_problems: tuple[Problem, ...]
    new_regions: tuple[dict, ...] = field(default=())

    @property
    def errors(self) -> list[tuple[str, int | None, Problem]]:
        out = [("", None, p) for p in self.file_problems if p.severity == "error"]
        out += [(r.sheet, r.row, p) for r in self.rows for p in r.errors]
        return out

    @property
    def writable(self) -> list[RowReport]:
        return [r for r in self.rows if r.ok and r.target in ("fact", "series")]

    @property
    def conflicts(self) -> list[RowReport]:
        """Rows whose figure contradicts one already known (another document); unresolved until the editor
        chooses."""
        return [r for r in self.rows if r.target == "conflict"]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts and bool(self.writable)

    def resolve(self, choices: dict[tuple[str, int], str]) -> ImportPlan:
        """The plan after the editor's choices for conflicting rows, (sheet, row) → 'import' (the file's figure is
        written and supersedes the other: record['supersedes'] names it) or 'keep' (the known figure stays; the
        row is skipped). Rows without a choice stay in conflict."""
        rows = []
        for r in self.rows:
            choice = choices.get((r.sheet, r.row)) if r.target == "conflict" else None
            if choice == "import":
                rec = {**r.record, "supersedes": tuple(c["fact_id"] for c in r.conflicts)}
                r = dataclasses.replace(r, target="series" if rec["kind"] == "series" else "fact", record=rec,
                                        problems=(*r.problems, _p("imp_conflict_import", "info")))
            elif choice == "keep":
                r = dataclasses.replace(r, target="skip", problems=(*r.problems, _p("imp_conflict_keep", "info")))
            elif choice is not None:
                raise ValueError(f"choice: 应为 import 或 keep / must be import or keep, got {choice!r}")
            rows.append(r)
        return dataclasses.replace(self, rows=tuple(rows))

    def with_english_names(self, names: dict[str, str]) -> ImportPlan:
        """The plan with the English names the editor gave its new regions (code → name; checked like a name)."""
        regions = []
        for reg in self.new_regions:
            en = normalize(names.get(reg["code"], ""))
            if en:
                check_cell(en, "region_name")
                if not re.fullmatch(r"[A-Za-z0-9 ·'()\-]+", en):
                    raise Invalid(_p("imp_bad_english_name", text=en[:40]))
            regions.append({**reg, "name_en": en[:100]})
        return dataclasses.replace(self, new_regions=tuple(regions))

    def summary(self, lang: str = "zh") -> str:
        n_fact = sum(r.target == "fact" for r in self.writable)
        n_series = sum(r.target == "series" for r in self.writable)
        n_skip = sum(r.target == "skip" for r in self.rows)
        return t("imp_summary", lang, rows=len(self.rows), facts=n_fact, series=n_series, skipped=n_skip,
                 regions=len(self.new_regions), errors=len(self.errors))

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """The preview: one row per data row with its interpretation and problems (plain text, never HTML)."""
        rows = []
        for r in self.rows:
            status = ("imp_status_error" if not r.ok else
                      "imp_status_conflict" if r.target == "conflict" else
                      "imp_status_skip" if r.target == "skip" else
                      "imp_status_series" if r.target == "series" else "imp_status_fact")
            rows.append({t("imp_col_sheet", lang): r.sheet, t("imp_col_row", lang): r.row,
                         t("imp_col_input", lang): " | ".join(f"{k}={v}" for k, v in r.raw.items() if v != ""),
                         t("imp_col_interpretation", lang): interpretation(r, lang),
                         t("imp_col_status", lang): t(status, lang),
                         t("imp_col_problems", lang): "；".join(p.message(lang) for p in r.problems)})
        return pd.DataFrame(rows)

    def report_lines(self, lang: str = "zh") -> list[str]:
        """The same report as text lines (the CLI prints them)."""
        lines = [f"{self.filename}  sha256:{self.sha256[:12]}  {self.size} bytes"]
        lines += [f"✗ {p.message(lang)}" for p in self.file_problems if p.severity == "error"]
        lines += [f"! {p.message(lang)}" for p in self.file_problems if p.severity != "error"]
        for r in self.rows:
            mark = "✗" if not r.ok else ("·" if r.target == "skip" else "✓")
            where = f"{r.sheet}:{r.row}" if r.sheet else str(r.row)
            lines.append(f"{mark} {where:>8}  {interpretation(r, lang)}")
            lines += [f"{'':11}{'✗' if p.severity == 'error' else '!'} {p.message(lang)}" for p in r.problems]
        for reg in self.new_regions:
            lines.append(t("imp_new_region_line", lang, code=reg["code"], name=reg["name_zh"]))
        lines.append(self.summary(lang))
        return lines


def interpretation(r: RowReport, lang: str = "zh") -> str:
    """What a row becomes, in words: region · indicator · year · value (comparator, unit) · kind → table."""
    from models.core.formatting import fmt_number
    rec = r.record
    if rec is None:  # an invalid row: show what was typed
        return " | ".join(v for v in r.raw.values() if v) or "—"
    value = "未提供" if rec["value"] is None and lang == "zh" else (
        "not provided" if rec["value"] is None else fmt_number(rec["value"], rec["unit"], lang))
    comp = "" if rec["comparator"] == "=" else rec["comparator"] + " "
    kind = t("imp_kind_series", lang) if rec["kind"] == "series" else kind_label(rec["kind"], lang)
    basis = f" ({rec['basis']})" if rec["basis"] else ""
    return (f"{rec['region_name'] or rec['region_code']} ({rec['region_code']}) · {label(rec['indicator'], lang)}"
            f"{basis} · {rec['year']} · {comp}{value} · {kind}")


def _header_key(h) -> str:
    return normalize(h).lower().rstrip("*").strip()


def _map_headers(headers: list) -> tuple[dict[str, str], list[Problem]]:
    """Column id → header as found; problems for unknown, duplicated and missing columns."""
    lookup = {_header_key(a): col for col, aliases in COLUMNS.items() for a in aliases}
    found: dict[str, str] = {}
    problems, unknown, dup = [], [], []
    names = {str(h) for h in headers}
    for h in headers:
        key = _header_key(h)
        m = re.fullmatch(r"(.*)\.\d+", str(h))
        if m and m.group(1) in names:  # pandas renames a repeated header "数值" to "数值.1"
            dup.append(normalize(m.group(1))[:30])
            continue
        if key == "" or key.startswith("unnamed:"):
            continue  # blank header: checked for data by the caller
        col = lookup.get(key)
        if col is None:
            unknown.append(normalize(h)[:30])
        elif col in found:
            dup.append(normalize(h)[:30])
        else:
            found[col] = h
    if unknown:
        problems.append(_p("imp_unknown_columns", columns="、".join(unknown[:10])))
    if dup:
        problems.append(_p("imp_duplicate_columns", columns="、".join(dup[:10])))
    missing = [TEMPLATE_HEADERS[c] for c in REQUIRED if c not in found]
    if "indicator" not in found and "indicator_name" not in found:
        missing.append(TEMPLATE_HEADERS["indicator"])
    if missing:
        problems.append(_p("imp_missing_columns", columns="、".join(missing)))
    return found, problems


def _decode(data: bytes) -> tuple[str | None, Problem | None]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None, _p("imp_utf16")
    if b"\x00" in data[:4096]:
        head = data[:4096]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > 4 * min(even, odd) + 2:  # NULs on one side only: UTF-16 text (ASCII/CJK) without a BOM
            enc = "utf-16-be" if even > odd else "utf-16-le"
            try:
                head[: len(head) // 2 * 2].decode(enc)
                return None, _p("imp_utf16_no_bom")
            except UnicodeDecodeError:
                pass
        return None, _p("imp_binary")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc), None
        except UnicodeDecodeError:
            continue
    return None, _p("imp_encoding")


_TEMPLATE_INFO_SHEETS = ("指标目录", "说明")


def _sheet_frame(rows: list[list[str]]) -> pd.DataFrame:
    """A streamed sheet (first row the header) as the all-text frame pandas.read_excel(dtype=str) gave: blank
    headers named 'Unnamed: j', repeated ones 'name.1', short rows padded, trailing blank rows dropped."""
    while rows and not any(str(v).strip() for v in rows[-1]):
        rows = rows[:-1]
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    header, seen = [], {}
    for j, h in enumerate(rows[0] + [""] * (width - len(rows[0]))):
        h = h if h.strip() else f"Unnamed: {j}"
        n = seen.get(h, 0)
        seen[h] = n + 1
        header.append(h if n == 0 else f"{h}.{n}")
    body = [r + [""] * (width - len(r)) for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=object)


def _read_frames(data: bytes, filename: str) -> tuple[list[tuple[str, pd.DataFrame]], list[Problem]]:
    """The file's tables as (sheet name, all-text DataFrame); problems if it cannot be read at all."""
    name = filename.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return [], [_p("imp_xls_legacy")]
    if not name.endswith(EXTENSIONS):
        return [], [_p("imp_bad_type", name=filename[-40:])]
    if name.endswith(".xlsx"):
        if not is_zip:
            return [], [_p("imp_type_mismatch", name=filename[-40:])]
        # limits before parsing (models/intake/documents.py): inflated size by the zip directory and by counting,
        # then the sheets streamed in a worker process with memory and time limits, stopping past MAX_ROWS rows;
        # a formula stays "=SUM(…)" text, so it is reported, never silently read as empty
        try:
            sheets = documents.xlsx_rows(data, max_rows=MAX_ROWS, skip_sheets=_TEMPLATE_INFO_SHEETS)
        except documents.UnreadableDocument as exc:
            return [], [_p(exc.code, **exc.params)]
        return [(str(name), _sheet_frame(rows)) for name, rows in sheets], []
    if is_zip:
        return [], [_p("imp_type_mismatch", name=filename[-40:])]
    text, problem = _decode(data)
    if problem:
        return [], [problem]
    first = text.split("\n", 1)[0]
    sep = "\t" if "\t" in first and "," not in first else ","
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep, skip_blank_lines=False,
                         engine="python", nrows=MAX_ROWS + 1)  # parsing stops one row past the limit
    except pd.errors.EmptyDataError:
        return [], [_p("imp_empty_file")]
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        return [], [_p("imp_csv_parse", line=m.group(1) if m else "?")]
    return [("", df)], []




def parse_file(data: bytes, filename: str, *, known_regions: dict[str, str] | None = None) -> ImportPlan:
    """Parse and validate a whole file. `known_regions`: code → Chinese name of regions already in the database.

    Never raises on bad input: every problem is in the returned plan.
    """
    known = dict(known_regions or {})
    sha = hashlib.sha256(data).hexdigest()
    base = dict(filename=filename, sha256=sha, size=len(data))
    if len(data) > MAX_BYTES:
        return ImportPlan(rows=(), file_problems=(_p("imp_too_large", mb=MAX_BYTES // 2**20),), **base)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        return ImportPlan(rows=(), file_problems=(_p("imp_empty_file"),), **base)
    frames, problems = _read_frames(data, filename)
    if problems:
        return ImportPlan(rows=(), file_problems=tuple(problems), **base)
    if not frames:
        return ImportPlan(rows=(), file_problems=(_p("imp_no_rows"),), **base)
    total = sum(len(df) for _, df in frames)
    if total > MAX_ROWS:
        return ImportPlan(rows=(), file_problems=(_p("doc_too_many_rows", max=MAX_ROWS),), **base)
    rows: list[RowReport] = []
    file_problems: list[Problem] = []
    for sheet, df in frames:
        if df.columns.empty and df.empty:
            continue
        cols, head_problems = _map_headers(list(df.columns))
        blank_cols = [c for c in df.columns if _header_key(c) == "" or _header_key(c).startswith("unnamed:")]
        for c in blank_cols:
            if (df[c].map(normalize) != "").any():
                head_problems.append(_p("imp_unnamed_column_data"))
                break
        if head_problems:
            file_problems += [_p("imp_in_sheet", sheet=sheet, message=p.message("zh"), message_en=p.message("en"))
                              if sheet else p for p in head_problems]
            continue
        for i, raw in enumerate(df.to_dict("records")):
            values = {c: raw.get(h, "") for c, h in cols.items()}
            if all(normalize(v) == "" for v in raw.values()):
                continue  # a blank line
            rows.append(_parse_row(sheet, i + 2, values, known))
    rows = _mark_duplicates(rows)
    if not rows and not file_problems:
        file_problems.append(_p("imp_no_rows"))
    new_regions = {}
    for r in rows:
        if r.ok and r.record and r.record["region_code"] not in known:
            new_regions.setdefault(r.record["region_code"], new_region(r.record["region_code"],
                                                                      r.record["region_name"], known))
    return ImportPlan(rows=tuple(rows), file_problems=tuple(file_problems),
                      new_regions=tuple(new_regions.values()), **base)


def new_region(code: str, name: str, known: dict[str, str]) -> dict:
    """A user region: level from the code's shape; parent the nearest known enclosing code (city, else province)."""
    level = "province" if code.endswith("0000") else ("city" if code.endswith("00") else "county")
    if code == "100000":
        parent = ""
    elif level == "county" and code[:4] + "00" in known:
        parent = code[:4] + "00"
    elif level == "province":
        parent = "100000"
    else:
        parent = code[:2] + "0000"
    return {"code": code, "name_zh": name, "name_en": "", "level": level, "parent_code": parent}


def _parse_row(sheet: str, row: int, values: dict, known: dict[str, str]) -> RowReport:
    problems: list[Problem] = []
    raw = {{**TEMPLATE_HEADERS, "quote": "原文"}[c]: normalize(v)[:60] for c, v in values.items()}
    got: dict = {}

    def field_(name, fn, *args):
        try:
            got[name] = fn(*args)
        except Invalid as exc:
            problems.append(exc.problem)

    field_("region_code", parse_region_code, values.get("region_code", ""))
    field_("region_name", parse_region_name, values.get("region_name", ""))
    field_("indicator", parse_indicator, values.get("indicator", ""), values.get("indicator_name", ""))
    field_("year", parse_year, values.get("year", ""))
    field_("kind", parse_kind, values.get("kind", ""))
    field_("basis", parse_basis, values.get("basis", ""))
    field_("source", clean_text, values.get("source", ""), "source")
    field_("note", clean_text, values.get("note", ""), "note")
    field_("quote", clean_quote, values.get("quote", ""))
    unit = indicators()[got["indicator"]].unit if "indicator" in got else ""
    if "indicator" in got:
        field_("unit_factor", unit_multiplier, values.get("unit", ""), unit)
        try:
            check_cell(values.get("unit", ""), "unit")
        except Invalid as exc:
            problems.append(exc.problem)
    if "indicator" in got and "unit_factor" in got:
        field_("parsed", lambda: parse_value(values.get("value", ""), unit=unit, indicator_id=got["indicator"],
                                             unit_factor=got["unit_factor"],
                                             allow_comparator=got.get("kind") != "series"))
        note_comp = comparator_from_note(got.get("note", ""))
        if got.get("parsed") and got["parsed"].comparator == "=" and note_comp and got.get("kind") != "series":
            got["parsed"] = ParsedValue(got["parsed"].value, note_comp, got["parsed"].missing, got["parsed"].warnings)
    else:
        try:
            check_cell(values.get("value", ""), "value")
        except Invalid as exc:
            problems.append(exc.problem)
    code, name = got.get("region_code"), got.get("region_name", "")
    if code:
        if code not in known and not name and "region_name" in got:
            problems.append(_p("imp_new_region_name", code=code))
        elif code in known and name and name != known[code]:
            problems.append(_p("imp_w_name_differs", "warning", code=code, name=name, known=known[code]))
    fixed = indicators()[got["indicator"]].fixed_basis if "indicator" in got else ""
    if fixed and "basis" in got:
        if got["basis"] not in ("", fixed):  # 常住人口 is 常住 by definition: 户籍 contradicts it
            problems.append(_p("imp_basis_fixed", indicator=label(got["indicator"], "zh"),
                               indicator_en=label(got["indicator"], "en"), fixed=fixed, given=got["basis"]))
        else:
            got["basis"] = fixed
    parsed: ParsedValue | None = got.get("parsed")
    if parsed:
        problems += list(parsed.warnings)
    if got.get("kind") == "series" and unit == "person" and got.get("basis") == "" and not problems:
        got["basis"] = "常住"
        problems.append(_p("imp_w_basis_default", "warning"))
    if any(p.severity == "error" for p in problems) or parsed is None:
        return RowReport(sheet, row, raw, "error", None, tuple(problems))
    record = {"region_code": code, "region_name": known.get(code) or name, "indicator": got["indicator"],
              "year": got["year"], "value": parsed.value, "unit": unit, "basis": got["basis"], "kind": got["kind"],
              "comparator": parsed.comparator, "source": got["source"], "note": got["note"],
              "quote": got.get("quote", "")}
    if parsed.missing:
        return RowReport(sheet, row, raw, "skip", record, (*problems, _p("imp_skip_missing", "info")))
    return RowReport(sheet, row, raw, "series" if got["kind"] == "series" else "fact", record, tuple(problems))


def row_key(rec: dict) -> tuple:
    """Identity of a figure: a series point by (region, indicator, year, basis); a fact adds kind."""
    key = (rec["region_code"], rec["indicator"], rec["year"], rec["basis"])
    return key if rec["kind"] == "series" else (*key, rec["kind"])


def _mark_duplicates(rows: list[RowReport]) -> list[RowReport]:
    first: dict[tuple, RowReport] = {}
    out = []
    for r in rows:
        if r.record is None or r.target == "skip":
            out.append(r)
            continue
        key = row_key(r.record)
        if key in first:
            f = first[key]
            where = f"{f.sheet}:{f.row}" if f.sheet else str(f.row)
            r = RowReport(r.sheet, r.row, r.raw, "error", None, (*r.problems, _p("imp_duplicate_row", first=where)))
        else:
            first[key] = r
        out.append(r)
    return out


def _actual(kind: str) -> str:
    """Observed figures and yearly series state the same thing (what was); targets and projections do not."""
    return "observed" if kind in ("observed", "series") else kind


def _same_value(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))


def mark_conflicts(plan: ImportPlan, known: pd.DataFrame | None = None) -> ImportPlan:
    """The plan with every row whose figure contradicts another of the same region, indicator, year, 口径 and kind
    (an observed figure and a series point count as one kind) from a different document marked as a conflict:
    target 'conflict', the other figures in `conflicts` with their quotes, a problem naming both values. Rows of
    the file are compared with each other and with `known` (fact_id, region_code, indicator, year, basis, kind,
    value, unit, source, quote: the figures already in the database). The editor then chooses (resolve)."""
    seen: dict[tuple, list[dict]] = {}
    if known is not None and len(known):
        for k in known.to_dict("records"):
            if k.get("value") is None or pd.isna(k.get("value")) or pd.isna(k.get("year")):
                continue
            key = (str(k["region_code"]), k["indicator"], int(k["year"]), k.get("basis") or "", _actual(k["kind"]))
            seen.setdefault(key, []).append({"fact_id": str(k.get("fact_id") or ""), "value": float(k["value"]),
                                             "unit": k.get("unit") or "", "source": str(k.get("source") or ""),
                                             "quote": str(k.get("quote") or "")})
    rows = []
    for r in plan.rows:
        if r.target not in ("fact", "series") or r.record is None:
            rows.append(r)
            continue
        rec = r.record
        key = (rec["region_code"], rec["indicator"], rec["year"], rec["basis"], _actual(rec["kind"]))
        source = rec["source"] or plan.filename
        other = [o for o in seen.get(key, ()) if not _same_value(o["value"], rec["value"]) and o["source"] != source]
        here = {"fact_id": f"{r.sheet}:{r.row}" if r.sheet else str(r.row), "value": float(rec["value"]),
                "unit": rec["unit"], "source": source, "quote": rec.get("quote", "")}
        seen.setdefault(key, []).append(here)
        if not other:
            rows.append(r)
            continue
        o = other[0]
        rows.append(dataclasses.replace(r, target="conflict", conflicts=tuple(other), problems=(*r.problems, _p(
            "imp_conflict", "warning", old=_short(o["value"]), old_source=o["source"][:60],
            old_quote=o["quote"][:80] or "—", new=_short(rec["value"]), new_quote=rec.get("quote", "")[:80] or "—"))))
    return dataclasses.replace(plan, rows=tuple(rows))


# -- templates --------------------------------------------------------------------------------------------
_EXAMPLES = {
    "facts": [{"region_code": "370102", "region_name": "历下区", "indicator": "elderly_beds", "year": "2023",
               "value": "0.52万", "unit": "", "basis": "", "kind": "现状值", "source": "2023年民政统计",
               "note": "示例行，导入前请删除"}],
    "series": [{"region_code": "370102", "region_name": "历下区", "indicator": "elderly_60plus", "year": "2022",
                "value": "12.96", "unit": "万人", "basis": "常住", "kind": "年度序列", "source": "2023年统计年鉴",
                "note": "示例行，导入前请删除"}],
}


def template_frame(kind: str = "facts") -> pd.DataFrame:
    """The import table with Chinese headers and one example row (kind: 'facts' or 'series')."""
    if kind not in _EXAMPLES:
        raise ValueError(f"模板类型只能是 facts 或 series / template kind must be facts or series: {kind!r}")
    rows = [{**r, "indicator_name": label(r["indicator"], "zh")} for r in _EXAMPLES[kind]]
    return pd.DataFrame(rows)[list(TEMPLATE_HEADERS)].rename(columns=TEMPLATE_HEADERS)


def catalogue_frame() -> pd.DataFrame:
    """The indicator catalogue as planners read it: code, Chinese and English label, unit."""
    return pd.DataFrame([{"指标代码": i.id, "指标名称": i.label_zh, "英文名称": i.label_en,
                          "单位": unit_label(i.unit, "zh"), "单位代码": i.unit,
                          "可用名称写法": "、".join(n for n in accepted_names(i.id) if n != normalize(i.label_zh)),
                          "可用单位写法": "、".join(accepted_units(i.unit))}
                         for i in sorted(indicators().values(), key=lambda i: (i.group, i.id))])


_INSTRUCTIONS = [
    "每行一个数字。必填：地区代码（6位行政区划代码）、指标代码或指标名称、年份、数值、类型。",
    "类型：现状值、目标值、规划预测、规划标准、测算假设（写入规划数据）；年度序列（逐年统计，用于人口预测）。",
    "数值可写 12.96万、0.52万张、1,234、不低于60%、>90；缺失写 —（该行跳过，不会写入 0）。",
    "单位列可留空（按指标目录的单位）；填 万人 等时数值按万计。口径：常住、户籍或留空。",
    "新地区：填写尚未收录的地区代码和地区名称，即成为新地区。请勿使用公式。",
    "“数据”与“年度序列”两张表都会导入；“指标目录”和“说明”不导入。示例行导入前请删除。",
]


def template_bytes(fmt: str = "xlsx", kind: str = "facts") -> bytes:
    """A downloadable template: 'csv' (UTF-8 with BOM; one table of `kind`) or 'xlsx' (sheets 数据, 年度序列,
    指标目录, 说明). Generated from the indicator catalogue."""
    if fmt == "csv":
        from models.core.export import csv_bytes

        return csv_bytes(template_frame(kind))
    if fmt != "xlsx":
        raise ValueError(f"模板格式只能是 csv 或 xlsx / template format must be csv or xlsx: {fmt!r}")
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        template_frame("facts").to_excel(xw, sheet_name="数据", index=False)
        template_frame("series").to_excel(xw, sheet_name="年度序列", index=False)
        catalogue_frame().to_excel(xw, sheet_name="指标目录", index=False)
        pd.DataFrame({"说明": _INSTRUCTIONS}).to_excel(xw, sheet_name="说明", index=False)
        for ws in xw.book.worksheets:
            for col in ws.columns:  # text cells: Excel must not turn codes or 12.96万 into something else
                for cell in col:
                    cell.number_format = "@"
                ws.column_dimensions[col[0].column_letter].width = 16
    return buf.getvalue()

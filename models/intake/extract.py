"""Propose a plan's figures from its text: every rule in one place (pure: no database, no streamlit).

In: the document text as read (`read_document(data, filename)` for .txt in UTF-8/GBK, .docx, .pdf with a text
layer). Out: `extract(text, ...) -> Extraction` whose rows are laid out like the import template (Chinese headers,
models.intake.importer.TEMPLATE_HEADERS) plus `原文`, the verbatim clause the figure came from (an exact substring of the
text as read, traditional characters kept).

Rules (each has a test in tests/test_extract.py):
- R1 normalise for matching only: traditional → simplified (OpenCC t2s) and full-width → half-width (NFKC), one
  character for one character, so a match position is a position in the original text and the quote is original;
- R2 numbers: `1,915`, `58.87万` (万/萬/亿/千 multiply), Chinese numerals (`两万`, `三千余`, cn2an), `6000余`/`近`/`约`;
  a figure is a number followed by a unit this product counts in (张 个 人 名 % ‰; 人次, 岁, 年 … are not figures);
- R3 ranges `25万—30万`, `3-5个` → two rows (lower and upper bound, said so in 备注);
- R4 the indicator from the words just before the number in the same clause (养老床位, 护理型床位, 托位, 每千…,
  60岁及以上, 常住人口, 出生率, 缺口 of the figure before it, 占比 of the subject before it, `65岁以上 > 14 %`, …);
  a sub-total is its own indicator (普惠/公办/兜底/家庭养老床位, 公办托位) or refused with a reason (社区…, 民办…:
  `Extraction.refused`), never folded into the total; the 口径 is fixed by the indicator (常住人口 → 常住) or read
  from the nearest 常住/户籍 before the figure;
- R5 the year: the last time marker before the figure in its sentence (`到2025年` → 2025, `截至2020年底` → 2020,
  `十四五末` / `到“十四五”期末` → 2025, `十四五期间` → 2025, `现有`/`目前` → the document's base year); the base year
  only from the text (a 十四五 plan of its own → 2020, 截至…年, else the year before the issue date); no year the
  text does not give (None: the editor fills it in); every row's 备注 says 年份依据 (the words, or the derivation);
- R6 the kind: 预计/预测/需求/缺口/需配置 → 预测值; a year after the base year (到…/力争/新增) → 目标值; 十四五末 → 目标值
  or 预测值 (a population share a report expects); else 现状值;
- R7 comparators (不低于 不少于 超过 突破 达到 约 近 以上 余 左右) → 备注, read back by the importer;
- R8 tables flattened into text (`养老床位(张) |\\n1915 |\\n4000 |`): label with its unit, then 现状值 and 目标值;
- R9 one row per (indicator, year, basis, kind): the first wins; other values for the same key are kept as
  `alternatives` (for the editor), so the CSV passes `python -m forecasting import --dry-run`.

Values are in base units: persons, beds, places, percent numbers (19.76), per-mille numbers (7.00). Time is
linear in the text's length (sentence ends found once; a figure reads at most _REACH characters around it).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

import pandas as pd

from models.core.catalogue import indicators, unit_label
from models.intake.importer import TEMPLATE_HEADERS

QUOTE_HEADER = "原文"
HEADERS = [*TEMPLATE_HEADERS.values(), QUOTE_HEADER]
KIND_LABELS = {"observed": "现状值", "target": "目标值", "plan_projection": "预测值"}

# Figure types the extraction is scored on (issue 14, part 2), as catalogue ids.
SCORED_INDICATORS = (
    "elderly_beds", "nursing_beds", "nursing_bed_share", "beds_per_1000_elderly", "childcare_places",
    "childcare_places_per_1000", "public_childcare_places", "affordable_childcare_share", "elderly_60plus",
    "elderly_65plus", "aging_rate", "aging_rate_65", "population_resident", "population_registered", "births",
    "birth_rate", "infants_0_3", "elderly_beds_gap", "nursing_beds_gap", "childcare_places_gap",
    "new_public_childcare_places", "new_private_childcare_places")

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
# A number as written: Arabic (with thousands commas) or Chinese numerals; then an optional multiplier.
_NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{_CN_DIGITS}]{{1,8}})"
# Units that make a number a figure (longest first); 人次/岁/年 etc. are left out on purpose.
_UNITS = r"(?:万张|万人|万个|张|个|托位|人(?!次)|名|%|‰)"
_FIGURE = re.compile(
    rf"(?P<pre>不低于|不少于|不超过|超过|突破|达到|约|近|[>≥<≤])?\s*"
    rf"(?P<a>{_NUM})(?P<ma>\s*[万亿千](?![米元]))?"
    rf"(?:\s*(?P<dash>[-—–~～至])\s*(?P<b>{_NUM})(?P<mb>\s*[万亿千](?![米元]))?)?"
    rf"(?P<suf>余|多)?\s*(?P<unit>{_UNITS})?(?P<post>以上|左右|以下)?")
_YEAR = re.compile(r"(20\d\d)\s*年")
_SENTENCE_END = "。；;\n！？!?"
COMPARATOR_WORDS = {"不低于": "≥", "不少于": "≥", "达到": "≥", "突破": ">", "超过": ">", "以上": "≥", "余": ">",
                    "多": ">", "约": "≈", "近": "≈", "左右": "≈", "不超过": "≤", "以下": "≤", ">": ">", "≥": "≥",
                    "<": "<", "≤": "≤"}


# -- R1 normalisation -------------------------------------------------------------------------------------
@cache
def _t2s():
    import opencc  # kept library (pinned in requirements.txt); loaded on first use, not at import time

    return opencc.OpenCC("t2s")


def normalize_for_matching(text: str) -> str:
    """Simplified, half-width text of exactly the same length as `text` (position i ↔ position i).

    Traditional → simplified with OpenCC; full-width digits and punctuation → ASCII with NFKC where NFKC keeps
    one character (others are left as they are, so positions never shift).
    """
    conv = _t2s().convert(text)
    if len(conv) != len(text):  # a phrase conversion changed the length: convert character by character
        conv = "".join(c2 if len(c2 := _t2s().convert(ch)) == 1 else ch for ch in text)
    out = []
    for ch in conv:
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out).replace("\u3000", " ")


# -- R2 numbers -------------------------------------------------------------------------------------------
def parse_number(token: str) -> Decimal | None:
    """`1,915` → 1915; `58.87` → 58.87; `两万` → 20000; `三千` → 3000; None if it is not a number."""
    s = token.replace(",", "").strip()
    if not s:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return Decimal(s)
    import cn2an  # kept library for Chinese numerals (pinned); loaded on first use

    try:
        return Decimal(str(cn2an.cn2an(s, "smart")))
    except (ValueError, KeyError, InvalidOperation):
        return None


_MULTIPLIER = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000)}


def _scaled(token: str, mult: str | None) -> Decimal | None:
    n = parse_number(token)
    if n is None:
        return None
    return n * _MULTIPLIER.get((mult or "").strip(), Decimal(1))


def figures_in(text: str) -> list[dict]:
    """Every figure in (normalised) text: start, end, value(s) in base units, unit class, comparator word.

    Unit classes: bed (张), place (个), person (人/名, or a bare 万 count), percent, permille.
    """
    out = []
    for m in _FIGURE.finditer(text):
        unit = m.group("unit") or ""
        a = m.group("a")
        if not a or (not unit and not (m.group("ma") or "").strip()):
            continue  # a bare number (row number, age, year) is not a figure; 58.87万 alone is
        if re.fullmatch(rf"[{_CN_DIGITS}]+", a) and not unit:
            continue
        start, end = m.start("a"), m.end()
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] in ".-" or
                          (re.fullmatch(rf"[{_CN_DIGITS}]", a[0]) and text[start - 1] in _CN_DIGITS)):
            continue
        after = text[end:end + 2]
        if (after[:1] and after[:1] in "年岁月日号周次") or after[:2] in ("分钟", "小时", "公里", "平方", "万元"):
            continue
        if re.fullmatch(rf"[{_CN_DIGITS}]+", a) and (len(a) == 1 and a in "一两" and unit in ("个", "名")):
            continue  # 一个/两个/一名 are words, not figures
        mult = (m.group("ma") or "").strip()
        if unit.startswith("万") and len(unit) > 1:
            mult, unit = "万", unit[1:]
        cls = {"张": "bed", "个": "place", "托位": "place", "人": "person", "名": "person", "%": "percent", "‰": "permille",
               "": "person"}[unit]
        if cls in ("percent", "permille") and mult:
            continue
        va = _scaled(a, mult)
        if va is None:
            continue
        values = [va]
        if m.group("b"):
            mb = (m.group("mb") or "").strip() or mult
            vb = _scaled(m.group("b"), mb)
            if vb is None or vb < va:
                continue
            values.append(vb)
        comp = m.group("pre") or m.group("suf") or m.group("post") or ""
        fig_start = m.start("pre") if m.group("pre") else start
        out.append({"start": fig_start, "num_start": start, "end": end, "values": values, "unit_class": cls,
                    "unit_word": unit, "multiplier": mult, "comparator_word": comp,
                    "number_text": text[start:m.end("a")]})
    return out


# -- R4 indicators ----------------------------------------------------------------------------------------
_SHARE_SUBJECTS = [("护理型", "nursing_bed_share"), ("65岁", "aging_rate_65"), ("65周岁", "aging_rate_65"),
                   ("60岁", "aging_rate"), ("60周岁", "aging_rate"), ("老年人口", "aging_rate")]
_SHARE_OF = {"nursing_beds": "nursing_bed_share", "elderly_60plus": "aging_rate", "elderly_65plus": "aging_rate_65",
             "infants_0_3": "infants_0_3_share"}
_NOT_A_SHARE_OF_PEOPLE = ("参与", "教育", "服务", "覆盖", "签约", "活动", "健康", "管理", "接种", "体检", "满意",
                          "失能", "补贴", "照护", "入住")
# Sub-totals of beds and places: their own indicator, or refused with a reason (SUB_REFUSED), never the total.
_SUB_BEDS = (("家庭养老床位", "family_beds"), ("公办养老床位", "public_elderly_beds"), ("公办", "public_elderly_beds"),
             ("兜底", "safety_net_elderly_beds"), ("普惠", "affordable_elderly_beds"), ("社区", None), ("民办", None),
             ("社会办", None), ("农村", None), ("医养", None), ("认知", None))
_SUB_PLACES = (("新增公办托位", "new_public_childcare_places"), ("新增社会办托位", "new_private_childcare_places"),
               ("公办", "public_childcare_places"), ("普惠", None), ("社区", None), ("社会办", None),
               ("民办", None))
SUB_REFUSED = "sub_indicator"  # a refused figure's reason code (models.core.i18n ext_refused_sub_indicator)
_GAP_OF = {"nursing_beds": "nursing_beds_gap", "elderly_beds": "elderly_beds_gap",
           "childcare_places": "childcare_places_gap"}


def classify(window: str, after: str, unit_class: str, previous: str | None) -> str | None:
    """The catalogue id of a figure from the words just before it (`window`, same clause) and just after it
    (`after`, for `32张床位`), its unit class and the indicator of the figure before it in the sentence."""
    w = window
    if unit_class == "percent" and previous and re.fullmatch(r"[\s\d年到达至底末为，,]*", w) and \
            indicators()[previous].unit == "percent":
        return previous  # `10%以上，2025年达到20%`: the same share at another year
    if unit_class == "permille":
        return "birth_rate" if "出生率" in w else None
    if unit_class == "percent":
        if any(x in w for x in ("增长", "增幅", "提高", "下降")):
            return None  # a rate of change, not the level
        if "老龄化率" in w:
            return "aging_rate"
        if "护理型" in w and "占比" in w:
            return "nursing_bed_share"
        if "普惠" in w and "托位" in w and ("占比" in w or "比例" in w):
            return "affordable_childcare_share"
        if "占" in w or "比例" in w:
            if previous in _SHARE_OF:
                return _SHARE_OF[previous]
            for word, ind in _SHARE_SUBJECTS:
                if word in w and not any(x in w for x in _NOT_A_SHARE_OF_PEOPLE):
                    return ind
        # `65岁以上 > 14 %`, `60岁及以上人口比重达到20%`: the share of the population at that age (a report's words)
        if re.search(r"6[05]周?岁(?:及)?以上(?:人口|老年人口|老人)?(?:比重|比例|占比)?\s*(?:将|预计)?\s*(?:达到|超过|为)?\s*$",
                     w) and not any(x in w for x in _NOT_A_SHARE_OF_PEOPLE):
            return "aging_rate_65" if "65" in w else "aging_rate"
        return None
    if unit_class == "bed":
        if "缺口" in w:
            return _GAP_OF.get(previous or "", "elderly_beds_gap") if previous != "nursing_beds" else "nursing_beds_gap"
        if "每千" in w and "老" in w:
            return "beds_per_1000_elderly"
        if "新增" in w or "预留" in w:
            return None  # planned additions of beds have no catalogue id; the audit reads them (planned_additions)
        if "护理型" in w:
            return "nursing_beds"
        bed_words = "床位" in w or after.startswith(("床位", "养老床位"))
        for word, ind in _SUB_BEDS:
            if word in w and bed_words:
                return ind or SUB_REFUSED
        if bed_words:
            return "elderly_beds"
        return None
    if unit_class == "place":
        if "缺口" in w and ("托" in w or previous == "childcare_places"):
            return "childcare_places_gap"
        if ("每千" in w or "千人" in w) and ("托位" in w or after.startswith("托位")
                                           or previous == "childcare_places_per_1000"):
            return "childcare_places_per_1000"
        place_words = "托位" in w or after.startswith("托位")
        for word, ind in _SUB_PLACES:
            if word in w and place_words:
                return ind or SUB_REFUSED
        if "托位" in w and "新增" not in w:
            return "childcare_places"
        return None
    if unit_class == "person":
        if "出生人口" in w:
            return "births"
        if "婴幼儿" in w or "3岁以下" in w:
            return "infants_0_3"
        if "失能" in w or "从业" in w or "护理员" in w or "需求" in w:
            return None
        if "65岁" in w or "65周岁" in w:
            return "elderly_65plus"
        if "60岁" in w or "60周岁" in w or "老年人口" in w:
            return "elderly_60plus"
        if "户籍人口" in w:
            return "population_registered"
        if "常住人口" in w or "总人口" in w:
            return "population_resident"
        return None
    return None


# -- R5/R6 years and kinds ----------------------------------------------------------------------------------
_TITLE = re.compile(r"《[^》\n]{0,200}》")
_ISSUED = re.compile(r"^\s*(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$", re.M)
# Period ends: 十四五末, 到“十四五”期末, “十四五”时期末 → the plan period's last year (a target or projection).
_PERIOD_END = re.compile(r"(?:到|至)?[“\"]?(十[四五])五\W{0,2}(?:时期|期)?末")
_PERIOD_DURING = re.compile(r"[“\"]?(十[四五])五\W{0,2}(?:时期|期间)")
_PERIOD_LAST = {"十四": 2025, "十五": 2030}


@dataclass(frozen=True)
class BaseYear:
    """The document's base year (its 现状 year) with the evidence: the words it was read from."""
    year: int | None
    evidence: str


def document_base(text: str, norm: str | None = None) -> BaseYear:
    """The year an undated current figure (现有/目前, or no time word) of the document refers to, read from the text:
    a 十四五/十五五 plan of its own → 2020/2025 (a plan period named only in a cited title 《…》 does not count);
    else the latest 截至…年/…年底; else the year before the issue date (一 line holding only a date: the latest
    statistics then are those of the year before). None when the text gives nothing: no year is invented."""
    norm = norm if norm is not None else normalize_for_matching(text)
    own = _TITLE.sub(lambda m: " " * len(m.group(0)), norm)
    if "十五五" in own:
        return BaseYear(2025, "十五五规划基期（2025年）")
    if "十四五" in own:
        return BaseYear(2020, "十四五规划基期（2020年）")
    years = [int(m.group(1)) for m in re.finditer(r"截至\s*(20\d\d)\s*年", norm)]
    years += [int(m.group(1)) for m in re.finditer(r"(?<!\d)(20\d\d)\s*年底", norm)
              if not re.search(r"[到至]\s*$", norm[max(0, m.start() - 3):m.start()])]  # 到2023年底 is a target
    if years:
        return BaseYear(max(years), f"文中截至{max(years)}年")
    issued = _ISSUED.findall(norm[:3000])
    if issued:
        y, m, d = issued[0]
        return BaseYear(int(y) - 1, f"文件印发于{y}年{m}月{d}日，未写年份的现状数按上年末（{int(y) - 1}年）")
    return BaseYear(None, "")


def base_year(text: str) -> tuple[int, str]:
    """The document's base year and why: 十四五 plans → 2020, 十五五 → 2025; else the latest 截至/底 year; else the
    year before the issue date; else the earliest year in the text, or five years before the only target year."""
    norm = normalize_for_matching(text)
    b = document_base(text, norm)
    if b.year is not None:
        return b.year, b.evidence
    targets = [int(y) for y in re.findall(r"到\s*(20\d\d)\s*年", norm)]
    others = [int(m.group(1)) for m in _YEAR.finditer(norm) if not re.search(r"到\s*$", norm[max(0, m.start() - 3):m.start()])]
    if others:
        return min(others), "文中最早年份"
    if targets:  # only targets (到2025年…): a five-year plan's base is five years before
        return min(targets) - 5, "目标年份前五年"
    return 2020, "未写明，默认2020年"


class _Bounds:
    """Sentence ends and line starts of a text, found once: a figure's sentence is two bisections away (the
    extraction stays linear in the text's length)."""

    def __init__(self, norm: str):
        import bisect

        self._bisect = bisect
        self.n = len(norm)
        ends = "".join(re.escape(c) for c in _SENTENCE_END)
        self.ends = [m.start() for m in re.finditer(f"[{ends}]", norm)]
        self.lines = [m.start() for m in re.finditer("\n", norm)]
        # the list heading that governs each line: the last line ending with ：or : since the last blank line
        # ("到2025年：" followed by "- 托位数达到1000个" …); None where there is none
        self.starts = [0] + [p + 1 for p in self.lines]
        self.heads: list[str | None] = []
        current = None
        for i, start in enumerate(self.starts):
            line = norm[start:self.lines[i] if i < len(self.lines) else self.n].strip()
            self.heads.append(current)
            if not line:
                current = None
            elif line.endswith(("：", ":")):
                current = line[-_REACH:]

    def sentence(self, pos: int) -> tuple[int, int]:
        i = self._bisect.bisect_left(self.ends, pos)
        start = self.ends[i - 1] + 1 if i > 0 else 0
        end = self.ends[i] if i < len(self.ends) else self.n
        return start, end

    def heading(self, pos: int) -> str:
        """The list heading governing the line of `pos` ("" if none)."""
        return self.heads[self._bisect.bisect_right(self.starts, pos) - 1] or ""

    def line_start(self, pos: int) -> int:
        i = self._bisect.bisect_left(self.lines, pos)
        return self.lines[i - 1] + 1 if i > 0 else 0


def _without_asides(text: str) -> str:
    """`text` with closed bracketed asides blanked out (same length): `（2020 年每千人 0.2 个）` sets no year for
    what follows it."""
    out, depth = list(text), 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] in ")）":
            depth += 1
        if depth:
            out[i] = " "
        if text[i] in "(（" and depth:
            depth -= 1
    return "".join(out)


def _time_marker(prefix: str) -> tuple[str, int | None, str]:
    """The last time marker in `prefix`: ('year', 2025, '到2025年') | ('now', None, '现有') | ('period', 2025,
    '十四五期间') | ('end', 2025, '十四五末') | ('', None, ''); the third item is the words (the year's evidence)."""
    prefix = _without_asides(prefix)
    best = ("", None, -1, "")
    for m in _YEAR.finditer(prefix):
        if m.start() > best[2]:
            best = ("year", int(m.group(1)), m.start(), prefix[max(0, m.start() - 2):m.end()].lstrip("，,。 "))
    for word in ("现有", "目前", "已有", "当前"):
        i = prefix.rfind(word)
        if i > best[2]:
            best = ("now", None, i, word)
    for rx, marker in ((_PERIOD_DURING, "period"), (_PERIOD_END, "end")):
        for m in rx.finditer(prefix):
            if m.start() > best[2]:
                best = (marker, _PERIOD_LAST[m.group(1)], m.start(), m.group(0))
    return best[0], best[1], best[3]


def year_and_kind(prefix: str, window: str, base: int | None, target: int | None, indicator: str, *,
                  paragraph: str = "", after: str = "", base_evidence: str = "",
                  heading: str = "") -> tuple[int | None, str, str]:
    """(year, kind, note) of a figure from its sentence up to the figure (`prefix`), its clause (`window`), the
    paragraph before the sentence (`paragraph`, when the sentence has no time marker) and the words after it.
    Without a marker in either, the heading of the list the line belongs to (`heading`: "到2025年：" above
    "- 托位数达到1000个") gives it. The note ends with the year's evidence (年份依据：the words it was read from, or
    how it was derived); the year is None when the text gives none (base or target unknown): no year is invented."""
    marker, year, words = _time_marker(prefix)
    if not marker and paragraph:
        marker, year, words = _time_marker(paragraph)
        prefix = paragraph + prefix
    if not marker and heading:  # an item of a list under "到2025年：": the heading's year
        marker, year, words = _time_marker(heading)
        prefix = heading + prefix
        words = f"{words}（列表标题）" if marker else words
    since = prefix[max(prefix.rfind(str(year)) - 8 if year else -1, 0):] if marker == "year" else window
    norm_applied = (window.lstrip("“\"").startswith(("按", "根据")) and "每千" in window) or \
        after.startswith(("床位标准", "托位进行", "标准")) or "标准" in after[:6]
    if norm_applied:  # a planning norm the plan applies to its projection (按每千名…): a figure of the target year
        later = _YEAR.search(after)
        if later:
            return int(later.group(1)), "plan_projection", f"测算所用标准；年份依据：{later.group(0)}"
        return target, "plan_projection", "测算所用标准" + (f"；年份依据：规划期末{target}年" if target else "")
    predicted = any(w in since for w in ("预计", "预测", "需求", "需配置", "测算")) or indicator.endswith("_gap")
    if marker in ("year", "end"):
        note = f"年份依据：{words}" + ("（规划期末）" if marker == "end" else "")
    elif marker == "period":
        note = f"年份按规划期末；年份依据：{words}"
    elif marker == "now":
        year = base
        note = f"年份按文件基期{base}年（原文“{words}”）；年份依据：{base_evidence}" if base else \
            f"原文“{words}”未写年份，文件也未写基期：请填写年份"
    elif predicted or any(w in window for w in ("力争", "目标", "新增", "规划")):
        year = target
        note = f"年份未写明，按规划期末{target}年；年份依据：{base_evidence}" if target else "年份未写明：请填写年份"
    else:
        year = base
        note = f"年份未写明，按文件基期{base}年；年份依据：{base_evidence}" if base else "年份未写明：请填写年份"
    ahead = marker == "year" and bool(re.match(r"(?:到|至|力争)", words))  # 到2025年: a year ahead
    later = (year > base) if year is not None and base is not None else ahead
    if marker == "end":  # 十四五末 …: the period's end, a target or a projection, never a current figure
        kind = "plan_projection" if predicted or not any(w in window for w in ("目标", "力争", "达到")) and \
            indicator in _PROJECTED else "target"
    elif indicator.startswith("new_"):
        kind = "target"
    elif predicted and later:
        kind = "plan_projection"
    elif later:
        kind = "target"
    else:
        kind = "observed"
    return year, kind, note


# population-like indicators a report projects (a 十四五末 share of the elderly is a projection, not a target)
_PROJECTED = {"aging_rate", "aging_rate_65", "elderly_60plus", "elderly_65plus", "population_resident",
              "population_registered", "births", "birth_rate", "infants_0_3"}


# -- rows -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Proposal:
    """One proposed figure: what the import template needs plus where it came from (start/end in the text)."""
    indicator: str
    year: int | None  # None: the text gives no year (the editor fills it in)
    value: float
    kind: str
    basis: str
    comparator_word: str
    note: str
    quote: str
    start: int
    end: int
    number_text: str

    def key(self) -> tuple:
        return (self.indicator, self.year, self.basis, self.kind)


@dataclass(frozen=True)
class Refused:
    """A figure not proposed, with why: `reason` a code (models.core.i18n ext_refused_<reason>), `words` the words
    that made it so (普惠, 社区 …), the quote and where it is."""
    reason: str
    words: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class Extraction:
    """Proposed rows (unique per indicator, year, basis, kind), the other values found for a taken key, and the
    figures refused with a reason (a sub-total with no indicator of its own is never folded into the total)."""
    rows: tuple[Proposal, ...]
    alternatives: tuple[Proposal, ...] = field(default=())
    base_year: int | None = 2020
    refused: tuple[Refused, ...] = field(default=())

    def frame(self, *, region_code: str = "", region_name: str = "", source: str = "",
              include_alternatives: bool = False) -> pd.DataFrame:
        """The rows in the import template's layout (Chinese headers) plus 原文."""
        rows = list(self.rows) + (list(self.alternatives) if include_alternatives else [])
        return pd.DataFrame([to_template_row(p, region_code=region_code, region_name=region_name, source=source)
                             for p in rows], columns=HEADERS)


def _plain(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def to_template_row(p: Proposal, *, region_code: str = "", region_name: str = "", source: str = "") -> dict:
    """One proposal as a row of the import template (values as text, 数值 a plain number in base units)."""
    ind = indicators()[p.indicator]
    note = "；".join(x for x in (p.comparator_word, p.note) if x)
    return {"地区代码": region_code, "地区名称": region_name, "指标代码": p.indicator, "指标名称": ind.label_zh,
            "年份": "" if p.year is None else str(p.year), "数值": _plain(p.value), "单位": unit_label(ind.unit, "zh"), "口径": p.basis,
            "类型": KIND_LABELS[p.kind], "来源": source, "备注": note, QUOTE_HEADER: p.quote}


def clause_start(norm: str, pos: int, floor: int) -> int:
    """Start of the clause that ends at `pos`: after the last ，,、:：; or an unclosed ( before it; a bracketed
    aside inside the clause (`新增社会办托位(含幼儿园)1839个`) belongs to it."""
    depth = 0
    i = pos - 1
    while i >= floor:
        ch = norm[i]
        if ch in ")）":
            depth += 1
        elif ch in "(（":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and ch in "，,、:：;；“":
            break
        i -= 1
    s = max(i + 1, floor)
    while s < pos and norm[s] in " \t|":
        s += 1
    return s


def _quote_bounds(norm: str, start: int, end: int, sent: tuple[int, int]) -> tuple[int, int]:
    """The clause around a figure: from the start of its clause to the end of the figure."""
    return clause_start(norm, start, sent[0]), end


def _basis(text: str, indicator: str = "") -> str:
    """The 口径 of a figure: fixed by the indicator's definition (常住人口 → 常住), else the nearest of the words
    常住/户籍 before the figure in `text` (its sentence up to the figure), else ''."""
    fixed = indicators()[indicator].fixed_basis if indicator in indicators() else ""
    if fixed:
        return fixed
    i, j = text.rfind("户籍"), text.rfind("常住")
    return "" if i == j == -1 else ("户籍" if i > j else "常住")


def _table_rows(text: str, norm: str, base: int | None, target: int | None, evidence: str = "") -> list[Proposal]:
    """R8: an indicator table flattened into lines: a label with its unit in brackets, then cells, of which the
    first number is the 现状值 (base year) and the second the 目标值 (target year)."""
    out = []
    lines = []
    pos = 0
    for line in norm.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    label_re = re.compile(r"^[\s|]*(?:★)?(?P<label>[^\d|]{2,40}?)[(（](?P<unit>万张|张|个|%|万人|人|‰)[)）][\s|]*$")
    number_re = re.compile(r"^[\s|]*(?P<cmp>[>≥<≤])?(?P<num>\d+(?:\.\d+)?|—|-)[\s|]*$")
    for i, (lpos, line) in enumerate(lines):
        m = label_re.match(line)
        if not m:
            continue
        unit_word = m.group("unit")
        mult = Decimal(10_000) if unit_word.startswith("万") else Decimal(1)
        cls = {"张": "bed", "万张": "bed", "个": "place", "%": "percent", "万人": "person", "人": "person",
               "‰": "permille"}[unit_word]
        label = m.group("label")
        ind = classify(label, "", cls, None)
        if ind is None and cls == "place" and "托位" in label:
            ind = "childcare_places"
        if ind is None:
            continue
        cells, seen_number = [], False
        for lpos2, cell in lines[i + 1:i + 7]:
            if cell.strip(" \t|") == "" and seen_number:
                break
            if cell.strip(" \t|") == "":
                continue
            n = number_re.match(cell)
            if n:
                seen_number = True
                cells.append((lpos2, cell, n))
                if len(cells) == 2:
                    break
            elif seen_number or label_re.match(cell):
                break
        qstart = lpos + len(line) - len(line.lstrip(" \t|"))
        for k, (cpos, cell, n) in enumerate(cells):
            if n.group("num") in ("—", "-"):
                continue
            value = Decimal(n.group("num")) * mult
            qend = cpos + len(cell.rstrip())
            year, kind = (base, "observed") if k == 0 else (target, "target")
            cmp_word = {">": "超过", "≥": "不低于", "<": "低于", "≤": "不超过"}.get(n.group("cmp") or "", "")
            out.append(Proposal(ind, year, float(value), kind, "", cmp_word,
                                f"指标表{'现状值' if k == 0 else '目标值'}，年份按{'基期' if k == 0 else '规划期末'}"
                                + (f"；年份依据：{evidence}" if evidence and year is not None else
                                   "" if year is not None else "；年份未写明：请填写年份"),
                                text[qstart:qend], qstart, qend, n.group("num")))
    return out


_REACH = 400  # characters: how far back a figure's clause, sentence and paragraph are read (keeps extraction linear)


def extract(text: str, *, base: int | None = None, target: int | None = None) -> Extraction:
    """Propose the figures of a plan text (see the module docstring for the rules).

    In: the text as read; optionally the base year (现有/目前) and the target year (plan end) if known.
    Out: Extraction with rows unique per (indicator, year, basis, kind), document order; a year the text does not
    give is None (never invented), and every row's note says where its year comes from. Time linear in the
    text's length (sentence ends found once; each figure reads at most _REACH characters around it).
    """
    norm = normalize_for_matching(text)
    doc = document_base(text, norm)
    evidence = "调用方给定基期" if base else doc.evidence
    base = base or doc.year
    target = target or (base + 5 if base is not None else None)
    bounds = _Bounds(norm)
    found: list[Proposal] = []
    refused: list[Refused] = []
    prev_by_sentence: dict[int, tuple[str, int]] = {}
    for fig in figures_in(norm):
        sent = bounds.sentence(fig["num_start"])
        floor = max(sent[0], fig["start"] - _REACH)
        window = norm[clause_start(norm, fig["start"], floor):fig["start"]]
        after = (fig["unit_word"] if fig["unit_word"] == "托位" else "") + norm[fig["end"]:min(sent[1], fig["end"] + 30)]
        previous, prev_quote_start = prev_by_sentence.get(sent[0], (None, 0))
        ind = classify(window, after, fig["unit_class"], previous)
        qs, qe = _quote_bounds(norm, fig["start"], fig["end"], (floor, sent[1]))
        if ind == SUB_REFUSED:  # 普惠养老床位2.1万张 is not the bed total: refused, said why
            words = next(w for w, _ in (*_SUB_BEDS, *_SUB_PLACES) if w in window)
            refused.append(Refused(SUB_REFUSED, words, text[qs:qe], qs, qe))
            continue
        if ind is None or ind not in indicators():
            continue
        if ind in _SHARE_OF.values() and previous in _SHARE_OF and not any(k in window for k in ("老龄化率", "护理型")):
            qs = prev_quote_start  # 占比37.4% is read with its subject: 护理型床位716张,占比37.4%
        prev_by_sentence[sent[0]] = (ind if not ind.endswith("_gap") else previous, qs)
        prefix = norm[floor:fig["start"]]
        line_start = max(bounds.line_start(sent[0]), sent[0] - _REACH)
        year, kind, note = year_and_kind(prefix, window, base, target, ind, paragraph=norm[line_start:sent[0]],
                                         after=after, base_evidence=evidence, heading=bounds.heading(sent[0]))
        if ind in ("population_resident", "population_registered", "elderly_60plus", "elderly_65plus", "aging_rate",
                   "aging_rate_65"):
            basis = _basis(norm[max(floor, fig["end"] - 60):fig["end"]], ind)
        else:
            basis = ""
        values = fig["values"]
        for j, v in enumerate(values):
            extra = ("区间下限" if j == 0 else "区间上限") if len(values) == 2 else ""
            found.append(Proposal(ind, year, float(v), kind, basis, fig["comparator_word"],
                                  "；".join(x for x in (extra, note) if x), text[qs:qe], qs, qe, fig["number_text"]))
    found += _table_rows(text, norm, base, target, evidence)
    found.sort(key=lambda p: p.start)
    rows, alternatives, seen = [], [], {}
    for p in found:
        if p.key() in seen:
            if seen[p.key()].value != p.value:
                alternatives.append(p)
            continue
        seen[p.key()] = p
        rows.append(p)
    return Extraction(tuple(rows), tuple(alternatives), base, tuple(refused))


def value_in_quote(quote: str, value: float) -> bool:
    """True if a figure read from `quote` by the same number rules equals `value` (range bounds included)."""
    norm = normalize_for_matching(quote)
    for fig in figures_in(norm):
        if any(abs(float(v) - value) <= 1e-9 * max(1.0, abs(value)) for v in fig["values"]):
            return True
    for m in re.finditer(r"\d+(?:\.\d+)?", norm):  # table cells: a bare number, with a unit from the label
        n = Decimal(m.group(0))
        if any(abs(float(n * k) - value) <= 1e-9 * max(1.0, abs(value)) for k in (1, 10_000)):
            return True
    return False


# -- reading documents: models/intake/documents.py (limits before parsing, a worker process) ------------------
from models.intake.documents import DOCUMENT_EXTENSIONS, UnreadableDocument, read_document  # noqa: E402, F401


# -- GB/T 2260 region codes ---------------------------------------------------------------------------------
@cache
def gbt2260() -> pd.DataFrame:
    """The complete GB/T 2260 list (data/reference/gbt2260_regions.csv): code, name, level, province, city."""
    from models.core.paths import REFERENCE

    return pd.read_csv(REFERENCE / "gbt2260_regions.csv", dtype=str, keep_default_na=False)


def full_name(code: str) -> str:
    """`500103` → 重庆市渝中区 (province, city and county names joined; the city of a municipality left out)."""
    df = gbt2260().set_index("code")
    if code not in df.index:
        return ""
    r = df.loc[code]
    parts = [r["province"], r["city"], r["name"]]
    return "".join(dict.fromkeys(p for p in parts if p))


def propose_region(name_or_text: str, *, limit: int = 5) -> list[dict]:
    """Regions whose name appears in `name_or_text` (a name typed by the editor, or a document's title/text):
    [{code, name, full_name, level}], best first (longer names and lower levels first, then fewer hits elsewhere).
    The editor confirms the code; nothing is assumed when the list is empty."""
    text = normalize_for_matching(name_or_text)
    df = gbt2260()
    hits = []
    for r in df.itertuples():
        name = r.name
        short = re.sub(r"(自治县|自治旗|自治州|新区|区|县|市|旗|省|自治区)$", "", name)
        if name in text:
            score = (3, len(name), -text.find(name))
        elif len(short) >= 2 and short in text and r.level != "province":
            score = (1, len(short), -text.find(short))
        else:
            continue
        level_rank = {"county": 2, "city": 1, "province": 0}[r.level]
        # a 和平区 in a text that also names 天津 is Tianjin's, not Shenyang's
        parents = [re.sub(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$", "", x) for x in (r.province, r.city) if x]
        in_context = sum(1 for x in parents if len(x) >= 2 and x in text)
        hits.append(((score[0], in_context, level_rank, score[1], score[2]), r))
    hits.sort(key=lambda h: h[0], reverse=True)
    out = []
    for _, r in hits[:limit]:
        out.append({"code": r.code, "name": r.name, "full_name": full_name(r.code), "level": r.level})
    return out

"""The one-page leadership brief (领导简报): content from the gap table, rendered as PNG or PDF bytes.

`build_brief(gaps, regions=[...], year=2025, lang="zh")` → `Brief` (headline, KPI table, chart data, assumptions,
sources, generation date: plain data, testable without a browser); `brief_figure(brief)` → one A4 plotly figure
(title, headline, KPI table, the gap chart with the target line, assumptions, sources, date);
`render_brief(brief, fmt="pdf"|"png")` → bytes via plotly.io.to_image (kaleido drives Debian's chromium; the CJK
font is Noto Sans CJK SC from fonts-noto-cjk). The gap numbers are the gap model's (models/planning/gaps.py); this module
only lays them out. Pure: no streamlit, no database.
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from models.core.catalogue import SERVICES, indicator, label
from models.core.formatting import fmt_number, fmt_wan, labelled
from models.core.i18n import t
from models.intake.sources import DOCUMENT_REGIONS
from models.planning.gaps import method_text, reason_text, whole_counts
from models.report.charts_map import row_sources

CJK_FONT = "Noto Sans CJK SC"
# Latin text and digits in a Latin face, Chinese in Noto Sans CJK SC: with the CJK face alone, chromium's PDF
# loses the text of digits next to Latin letters or alone (axis ticks, "2,085 beds" extract as NUL characters).
# Missing faces fall through to the next, so the page still renders with only fonts-noto-cjk installed.
FONT = f"Liberation Sans, DejaVu Sans, {CJK_FONT}"
FORMATS = ("png", "pdf")
# A4 portrait at 96 px per inch (the PDF page is exactly A4); PNG at twice that resolution.
PAGE_WIDTH, PAGE_HEIGHT, PNG_SCALE = 794, 1123, 2
KPI_COLUMNS = ["region", "service", "demand", "supply", "gap", "target", "target_gap", "method"]
COLOURS = {"supply": "#5b7fa6", "gap": "#d6604d", "target": "#1a1a1a"}


@dataclass(frozen=True)
class Brief:
    """What the one-page brief says. `kpis` has KPI_COLUMNS (numbers in base units, NaN = 未提供);
    `chart` one row per region × service with region, service, supply, gap, demand, target (base units)."""
    title: str
    headline: str
    kpis: pd.DataFrame
    chart: pd.DataFrame
    assumptions: tuple[str, ...]
    sources: tuple[str, ...]
    generated: dt.date
    year: int
    lang: str
    regions: tuple[str, ...]
    region_names: dict = field(default_factory=dict)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def _num(x) -> float:
    return math.nan if _missing(x) else float(x)


def _plain(value: float, unit: str, lang: str) -> str:
    """Headline numbers as the plans write them: 2085张 (zh, whole, no separator below 1万), 3.41万张 from 1万 on,
    2,085 beds (en)."""
    if math.isnan(value):
        return t("no_data", lang)
    if lang == "zh" and abs(value) < 10000:
        return f"{math.floor(abs(value) + 0.5) * (1 if value >= 0 else -1):d}{t(f'unit_short_{unit}', lang)}"
    return fmt_wan(value, unit, lang)


def _gap_phrase(service: str, gap: float, lang: str) -> str:
    unit = indicator(service).unit
    if math.isnan(gap):
        return t("brief_gap_missing", lang, service=label(service, lang))
    if gap < 0:
        return t("brief_surplus", lang, service=label(service, lang), value=_plain(-gap, unit, lang))
    return t("brief_gap", lang, service=label(service, lang), value=_plain(gap, unit, lang))


DERIVED_LABEL = "全国（推算）"  # models.planning.targets.national_bed_standard's label


def derived_notes(row: dict, lang: str = "zh") -> list[str]:
    """The notes of a gap row's derived inputs (the national beds per 1,000 elderly 全国（推算）: its label and
    formula, e.g. 1,000万张 ÷ 32,338万人 × 1000 = 30.9), in `lang` (the note's Chinese or English half)."""
    out = []
    for i in row.get("inputs") or []:
        note = i.get("note") if isinstance(i, dict) else None
        if isinstance(note, str) and note.startswith(DERIVED_LABEL):
            zh, _, en = note.partition(" / ")
            out.append(en if lang == "en" and en else zh)
    return out


def source_title(name: str, lang: str = "zh") -> str:
    """A source as people name it: a plan file by its title (《渝中区“一老一小”整体解决方案》), never its file name;
    other sources (an import's note, a statistical yearbook) as given; '' stays ''."""
    name = (name or "").strip()
    if name in DOCUMENT_REGIONS:
        return f"《{DOCUMENT_REGIONS[name][1]}》"
    return name


def browser_available() -> bool:
    """True when a Chromium for the PNG/PDF brief is on this machine (kaleido drives it; `make browser` installs
    Debian's). The dashboard itself does not need it."""
    import os
    import shutil

    return any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")) or \
        os.path.exists("/usr/bin/chromium") or bool(os.environ.get("BROWSER_PATH"))


def build_brief(gaps: pd.DataFrame, *, regions: Sequence[str], year: int = 2025, lang: str = "zh",
                title: str | None = None, generated: dt.date | None = None,
                names: dict[str, str] | None = None) -> Brief:
    """The brief's content for one region (a region page) or several (a page for the chosen set).

    In: the gap model's table (region_code, region_name, service, year, demand, supply, gap, target, target_gap,
    method_code; optional formula, reason_codes, inputs, source/sources: models.planning.gaps), base units (beds, places); `regions` GB/T 2260 codes in
    the order wanted; `year` the planning year; `names` region code → display name (default: the table's
    region_name, e.g. English names for lang="en"). Regions or services without a row are kept with NaN (未提供).
    Out: a Brief. Raises ValueError when none of `regions` has a row for `year`.
    """
    regions = tuple(str(r) for r in regions)
    gaps = whole_counts(gaps)  # whole beds and places, a demand rounded up (idempotent)
    if not regions:
        raise ValueError("至少选择一个地区 / choose at least one region")
    rows = gaps[(gaps["region_code"].astype(str).isin(regions)) & (gaps["year"].astype("Int64") == int(year))]
    if rows.empty:
        raise ValueError(f"{'、'.join(regions)} 在{year}年没有缺口数据 / no gap rows for {', '.join(regions)} in {year}")
    given = {str(c): n for c, n in zip(gaps["region_code"], gaps["region_name"]) if isinstance(n, str) and n}
    given.update({str(c): n for c, n in (names or {}).items() if n})
    names = {r: given.get(r, r) for r in regions}
    by_key = {(str(r["region_code"]), r["service"]): r for r in rows.to_dict("records")}

    kpis, assumptions, sources = [], [], []
    methods: dict[str, list[str]] = {}
    for region in regions:
        for service in SERVICES:
            r = by_key.get((region, service), {})
            kpis.append({"region": region, "service": service,
                         **{c: _num(r.get(c)) for c in ("demand", "supply", "gap", "target", "target_gap")},
                         "method": method_text(r.get("method_code"), lang)})
            if len(regions) == 1:  # a region page explains every number; a set page names the methods
                prefix = label(service, lang)
                if not r:
                    assumptions.append(f"{prefix}: {t('no_data', lang)}")
                elif r.get("formula"):
                    assumptions.append(f"{prefix}: {labelled(r['formula'], lang)}")
                    assumptions += derived_notes(r, lang)  # a derived national figure keeps its label and formula
                elif method_text(r.get("method_code"), lang):
                    assumptions.append(f"{prefix}: {method_text(r.get('method_code'), lang)}")
                if r and _missing(r.get("gap")) and reason_text(r.get("reason_codes"), lang):
                    assumptions.append(f"{prefix}: {reason_text(r.get('reason_codes'), lang)}")
            elif r and method_text(r.get("method_code"), lang):
                methods.setdefault(region, []).append(
                    f"{label(service, lang)} {method_text(r.get('method_code'), lang)}")
            for s in row_sources(r):
                titled = source_title(s, lang)
                if titled not in sources:
                    sources.append(titled)
    sep = "；" if lang == "zh" else "; "
    assumptions += [f"{names[region]}: {sep.join(m)}" for region, m in methods.items()]
    if len(regions) > 1:
        assumptions.append(t("brief_set_note", lang))
    kpi_frame = pd.DataFrame(kpis, columns=KPI_COLUMNS)
    chart = kpi_frame[["region", "service", "demand", "supply", "gap", "target"]].copy()

    if len(regions) == 1:
        region = regions[0]
        parts = [_gap_phrase(s, k["gap"], lang) for s, k in zip(SERVICES, kpis)]
        sep = "，" if lang == "zh" else "; "
        headline = t("brief_headline", lang, region=names[region], year=year, parts=sep.join(parts))
        title = title or t("brief_title", lang, region=names[region], year=year)
    else:
        parts = []
        for service in SERVICES:
            known = kpi_frame[(kpi_frame["service"] == service) & kpi_frame["gap"].notna()]
            if known.empty:
                parts.append(t("brief_gap_missing", lang, service=label(service, lang)))
                continue
            top = known.loc[known["gap"].idxmax()]
            parts.append(t("brief_largest_gap", lang, service=label(service, lang), region=names[top["region"]],
                           value=_plain(top["gap"], indicator(service).unit, lang)))
        sep = "；" if lang == "zh" else "; "
        headline = t("brief_headline_set", lang, n=len(regions), year=year, parts=sep.join(parts))
        title = title or t("brief_title_set", lang, n=len(regions), year=year)
    return Brief(title=title, headline=headline, kpis=kpi_frame, chart=chart,
                 assumptions=tuple(dict.fromkeys(assumptions)), sources=tuple(sources),
                 generated=generated or dt.date.today(), year=int(year), lang=lang, regions=regions,
                 region_names=names)


# -- drawing -------------------------------------------------------------------------------------------------

def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap(text: str, units: int) -> list[str]:
    """Cut text into lines of at most `units` half-width cells (a CJK character counts 2); breaks at spaces
    when the line is Latin text, anywhere in Chinese."""
    lines, line, used = [], "", 0
    for word in _tokens(text):
        w = sum(_width(c) for c in word)
        if used + w > units and line and word not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0
            word = word.lstrip()
            w = sum(_width(c) for c in word)
        while w > units:  # a single token longer than the line (a long file name): hard cut
            cut, cw = 0, 0
            while cut < len(word) and cw + _width(word[cut]) <= units:
                cw += _width(word[cut])
                cut += 1
            lines.append(word[:cut])
            word, w = word[cut:], w - cw
        line, used = line + word, used + w
    if line.strip():
        lines.append(line.rstrip())
    return lines


_NO_LINE_START = set("，。；：、）》”！？,.;:)")


def _tokens(text: str) -> list[str]:
    """Latin words (with their trailing space) stay whole; every CJK character is its own token."""
    out, buf = [], ""
    for ch in text:
        if _width(ch) == 2:
            if buf:
                out.append(buf)
                buf = ""
            out.append(ch)
        else:
            buf += ch
            if ch == " ":
                out.append(buf)
                buf = ""
    if buf:
        out.append(buf)
    return out


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _block(items: Sequence[str], *, units: int, max_lines: int, lang: str) -> str:
    lines: list[str] = []
    for item in items:
        lines += wrap("· " + item, units)
    if not lines:
        lines = [t("no_data", lang)]
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [t("brief_more", lang, n=len(lines) - max_lines + 1)]
    return "<br>".join(_esc(x) for x in lines)


def brief_figure(brief: Brief) -> go.Figure:
    """One A4 portrait page: title, headline, KPI table, gap chart (supply + gap stacked = demand, target as a
    black line), assumptions, sources, generation date. Font Noto Sans CJK SC. Pure: returns the figure."""
    lang = brief.lang
    multi = len(brief.regions) > 1
    k = brief.kpis

    def f(v, service):
        return fmt_number(v, indicator(service).unit, lang)

    header = ([t("region", lang)] if multi else []) + [
        t("brief_col_service", lang), t("map_demand", lang), t("map_supply", lang), t("map_gap", lang),
        t("map_target", lang), t("brief_col_target_gap", lang), t("map_method", lang)]
    cells = ([[brief.region_names[r] for r in k["region"]]] if multi else []) + [
        [label(s, lang) for s in k["service"]],
        *[[f(v, s) for v, s in zip(k[c], k["service"])] for c in ("demand", "supply", "gap", "target", "target_gap")],
        [m or "—" for m in k["method"]]]
    n_rows = len(k)
    widths = ([0.9] if multi else []) + [1.1, 1, 1, 1, 1, 1, 1.9]
    font_size = 10 if n_rows > 9 else 11
    # plotly tables do not grow their box when a cell wraps: estimate the lines of each row from the text width
    # (a half-width cell ≈ 0.53 × font size px) so that no row is cut off.
    col_units = [(PAGE_WIDTH - 80) * w / sum(widths) / (0.53 * font_size) - 2 for w in widths]

    def lines(row):
        return max(math.ceil(sum(_width(ch) for ch in str(v)) / u) if str(v) else 1 for v, u in zip(row, col_units))

    line_h = font_size + 5
    header_h = 6 + line_h * lines(header)
    rows_h = sum(6 + line_h * lines(r) for r in zip(*cells))
    row_h = 6 + line_h
    fig = go.Figure()
    table_top = 0.84
    plot_h = PAGE_HEIGHT - 70  # paper coordinates are fractions of the plot area (page minus margins)
    table_h = min(0.36, (header_h + rows_h + 16) / plot_h)
    fig.add_trace(go.Table(
        domain=dict(x=[0, 1], y=[table_top - table_h, table_top]),
        columnwidth=widths,
        header=dict(values=[f"<b>{_esc(h)}</b>" for h in header], fill_color="#eef2f7", align="center",
                    font=dict(size=font_size), height=row_h),
        cells=dict(values=cells, align=["left"] * (2 if multi else 1) + ["right"] * 5 + ["left"],
                   font=dict(size=font_size), height=row_h, fill_color="white",
                   line_color="#d0d7e1")))

    # The gap chart: supply and gap stacked (their sum is the demand), the plan's target as a line. A region page
    # has one panel (x = services); a set page one panel per service (x = regions), each with its own scale.
    c = brief.chart
    panels = [(s, c[c["service"] == s]) for s in SERVICES] if multi else [(None, c)]
    y_top, y_bottom = table_top - table_h - 0.06, 0.36
    gap_x = 0.04
    width = (0.94 - gap_x * (len(panels) - 1)) / len(panels)
    for i, (service, part) in enumerate(panels):
        ax = "" if i == 0 else str(i + 1)
        x = [brief.region_names[r] for r in part["region"]] if multi else [label(s, lang) for s in part["service"]]
        units = [indicator(s).unit for s in part["service"]]
        fig.add_trace(go.Bar(
            x=x, y=part["supply"], name=t("map_supply", lang), marker_color=COLOURS["supply"], xaxis="x" + ax,
            yaxis="y" + ax, showlegend=i == 0, legendgroup="supply", textposition="inside", textangle=0,
            insidetextanchor="middle",
            text=[fmt_number(v, u, lang) if not _missing(v) else "" for v, u in zip(part["supply"], units)]))
        gap_drawn = [g if (not _missing(g) and g > 0) else 0 for g in part["gap"]]  # a surplus draws no gap bar
        fig.add_trace(go.Bar(
            x=x, y=gap_drawn, name=t("map_gap", lang), marker_color=COLOURS["gap"], xaxis="x" + ax, yaxis="y" + ax,
            showlegend=i == 0, legendgroup="gap", textposition="inside", textangle=0, insidetextanchor="middle",
            text=([fmt_number(g, u, lang) if not _missing(g) else "" for g, u in zip(part["gap"], units)] if multi
                  else [_gap_phrase(s, g, lang) for s, g in zip(part["service"], part["gap"])])))
        fig.add_trace(go.Scatter(
            x=x, y=part["target"], name=t("map_target", lang), mode="markers", xaxis="x" + ax, yaxis="y" + ax,
            showlegend=i == 0, legendgroup="target",
            marker=dict(symbol="line-ew", size=60 if not multi else 22, line=dict(width=3, color=COLOURS["target"]))))
        x0 = 0.06 + i * (width + gap_x)
        fig.update_layout({
            f"xaxis{ax}": dict(domain=[x0, x0 + width], anchor="y" + ax, tickangle=0 if not multi else -45,
                               title=dict(text=label(service, lang) if service else "", font=dict(size=11))),
            f"yaxis{ax}": dict(domain=[y_bottom, y_top], anchor="x" + ax, rangemode="tozero", gridcolor="#e5e5e5",
                               title=dict(text=t("brief_chart_unit", lang) if i == 0 else "")),
        })
    fig.update_layout(barmode="stack")

    W = 118  # half-width cells per text line across the page at 11 px
    annotations = [
        dict(x=0, y=1.0, yanchor="top", text=f"<b>{_esc(brief.title)}</b>", font=dict(size=20)),
        dict(x=0, y=0.96, yanchor="top", text="<br>".join(_esc(x) for x in wrap(brief.headline, 84)),
             font=dict(size=15, color="#b2182b")),
        dict(x=0, y=table_top + 0.03, yanchor="top", text=f"<b>{t('brief_kpis', lang)}</b>", font=dict(size=13)),
        dict(x=0, y=table_top - table_h - 0.015, yanchor="top",
             text=f"<b>{t('brief_chart_title', lang, year=brief.year)}</b>", font=dict(size=13)),
        dict(x=0, y=0.30, yanchor="top", text=f"<b>{t('brief_assumptions', lang)}</b>", font=dict(size=13)),
        dict(x=0, y=0.277, yanchor="top", text=_block(brief.assumptions, units=W, max_lines=11, lang=lang),
             font=dict(size=10)),
        dict(x=0, y=0.13, yanchor="top", text=f"<b>{t('brief_sources', lang)}</b>", font=dict(size=13)),
        dict(x=0, y=0.107, yanchor="top", text=_block(brief.sources, units=W, max_lines=6, lang=lang),
             font=dict(size=10)),
        dict(x=0, y=0.0, yanchor="bottom", font=dict(size=9, color="#666"),
             text=_esc(t("brief_footer", lang, date=brief.generated.isoformat()))),
    ]
    for a in annotations:
        a.update(xref="paper", yref="paper", xanchor="left", align="left", showarrow=False)
    fig.update_layout(
        width=PAGE_WIDTH, height=PAGE_HEIGHT, font=dict(family=FONT, size=11, color="#222"),
        margin=dict(l=40, r=40, t=40, b=30), paper_bgcolor="white", plot_bgcolor="white",
        annotations=annotations, showlegend=True,
        legend=dict(orientation="h", x=1, xanchor="right", y=table_top - table_h - 0.012, yanchor="top",
                    font=dict(size=10)),
    )
    return fig


def render_brief(brief: Brief, *, fmt: str = "pdf") -> bytes:
    """The brief as PDF (one A4 page) or PNG (1588 × 2246 px) bytes. Needs chromium (kaleido finds it)."""
    if fmt not in FORMATS:
        raise ValueError(f"不支持的格式 {fmt!r} / unsupported format (png or pdf)")
    fig = brief_figure(brief)
    return pio.to_image(fig, format=fmt, width=PAGE_WIDTH, height=PAGE_HEIGHT,
                        scale=PNG_SCALE if fmt == "png" else 1)


def brief_bytes(gaps: pd.DataFrame, *, regions: Sequence[str], year: int = 2025, lang: str = "zh",
                fmt: str = "pdf", generated: dt.date | None = None, names: dict[str, str] | None = None) -> bytes:
    """build_brief + render_brief in one call (what the map page, the overview page and the CLI use).
    In: the gap table (models.planning.gaps.plan_gaps), region codes, year, language, "pdf" or "png". Out: file bytes."""
    brief = build_brief(gaps, regions=regions, year=year, lang=lang, generated=generated, names=names)
    return render_brief(brief, fmt=fmt)

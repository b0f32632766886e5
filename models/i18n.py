"""Interface strings in Simplified Chinese (default) and English. Indicator labels come from the catalogue."""
from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("一老一小规划测算", "Elderly & childcare planning"),
    "language": ("语言 / Language", "语言 / Language"),
    "page_overview": ("总览", "Overview"),
    "page_workbench": ("规划测算", "Planner workbench"),
    "page_export": ("预测导出", "Analyst export"),
    "page_audit": ("规划核对", "Plan audit"),
    "page_data": ("数据与来源", "Data & sources"),
    "page_map": ("一张图", "Map"),
    "page_import": ("数据导入", "Import data"),
    "region": ("地区", "Region"),
    "indicator": ("指标", "Indicator"),
    "kind": ("类型", "Kind"),
    "year": ("年份", "Year"),
    "value": ("数值", "Value"),
    "unit": ("单位", "Unit"),
    "basis": ("口径", "Basis"),
    "source": ("来源文件", "Source document"),
    "quote": ("原文", "Quote"),
    "note": ("说明", "Note"),
    "all": ("全部", "All"),
    "kind_observed": ("现状值", "Observed"),
    "kind_plan_projection": ("规划预测", "Plan projection"),
    "kind_target": ("目标值", "Target"),
    "kind_standard": ("规划标准", "Standard"),
    "kind_assumption": ("测算假设", "Assumption"),
    "facts_count": ("共 {n} 条数据", "{n} figures"),
    "select_row_hint": ("选中表格中的一行，查看该数字在原文中的位置。", "Select a row to read the figure in its document."),
    "context_title": ("原文上下文", "In context"),
    "quote_not_found": ("引用未在原文中找到。", "The quote was not found in the document."),
    "artefact_note": ("注：原网页抓取残留字符串“{a}”代表“天津市”，此处已按“天津市”显示。",
                      "Note: the scraping artefact “{a}” stands for 天津市 and is shown as such."),
    "documents": ("规划文件", "Plan documents"),
    "reference_series": ("参考统计序列", "Reference statistics"),
    "no_data": ("未提供", "not provided"),
    "search": ("搜索原文", "Search quotes"),
}


def t(key: str, lang: str = "zh", **kw) -> str:
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**kw) if kw else text


def kind_label(kind: str, lang: str = "zh") -> str:
    key = f"kind_{kind}"
    return t(key, lang) if key in STRINGS else kind

"""When an input is missing, the page names it and offers to enter it (issue 20): one quiet line naming each missing
input (models.report.overview.missing_inputs), the region's prefilled import template
(models.planning.review.review_template: beds, nursing beds and share, places, places per 1,000, 普惠托位, 60+,
population) and a link to 数据导入. Used by the overview and the workbench."""
from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from models.core.i18n import t
from models.report.overview import REVIEW_YEAR, missing_inputs, review_template

IMPORT_PAGE = "pages/import_data.py"


def missing_input_line(rows, *, code: str, name: str, lang: str, key: str, container=None) -> bool:
    """Draw the line, the template download and the import link when `rows` (gap rows as dicts) lack an input;
    nothing otherwise. Returns whether anything was missing."""
    text = missing_inputs(rows, lang)
    if not text:
        return False
    box = container if container is not None else st
    box.caption(text)  # plain text: reasons carry region names and figures, never markdown
    row = box.container(horizontal=True)
    row.download_button(t("mi_template", lang, region=name), key=f"{key}_tpl",
                        data=lambda: review_template(code, name, year=REVIEW_YEAR),
                        file_name=f"import_template_{code}_{REVIEW_YEAR}.csv", mime="text/csv", on_click="ignore",
                        icon=":material/download:")
    try:
        row.page_link(IMPORT_PAGE, label=t("mi_import_link", lang), icon=":material/upload_file:",
                      query_params={"lang": lang})
    except StreamlitAPIException:  # the page is not registered (a page run on its own in a test)
        pass
    return True

"""Every page in English (?lang=en): no Chinese text outside data values (region names without an English name,
plan quotes, document titles, curators' notes and departments, the draft's Chinese 测算说明). The language switch's own name 中文 is allowed."""
import re
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import ARTIFACTS, wait_idle

pytestmark = pytest.mark.browser

PAGES = ["/", "/workbench", "/draft", "/export", "/audit", "/map", "/method", "/data", "/import"]
# a document text written in Chinese on purpose (the draft's 测算说明, pasted into the Chinese plan): a data value
CHINESE_DOCUMENTS = ".st-key-dr_notes_zh"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
ALLOWED = {"中文"}
SEGMENT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff0-9.,%()（）、，。：；“”\- ]+")  # the language switch names each language in itself


def data_values(db) -> tuple[set, str]:
    """The data values a page may show in Chinese: whole short values (region names without an English name,
    departments) and long texts (plan quotes, document titles, curators' notes) that a run of 4+ characters may
    come from."""
    from models.report.brief import source_title
    from models.store.facts import all_facts, regions

    f = all_facts(db)
    r = regions(db)
    whole = {*f["region_name"].dropna(), *r.loc[r["name_en"].fillna("") == "", "name_zh"], *f["department"].dropna()}
    from models.planning.audit import relations

    texts = [*f["quote"].dropna(), *f["note"].dropna(), *f["text_value"].dropna(),
             *relations(db)["description"].dropna()]
    texts += [source_title(x, lang) for x in f["source"].dropna().unique() for lang in ("zh", "en")]
    return {str(x) for x in whole if x}, "\n".join(map(str, texts))


def chinese_outside_data(text: str, allowed: tuple[set, str]) -> list[str]:
    """Each run of Chinese characters that is not a data value, with its context: a run is a data value when it
    is a whole short value (a region name), sits inside quotation marks or 《》, or has 4+ characters found in a
    quote or title. Short common words (常住, 未提供) are not excused by appearing in some quote."""
    whole, texts = allowed
    out = []
    for m in CJK.finditer(text):
        run = m.group(0)
        before, after = text[:m.start()], text[m.end():]
        quoted = (before.rfind("“") > before.rfind("”") and "”" in after) or \
            (before.rfind("《") > before.rfind("》") and "》" in after)
        # the run with the digits, brackets and punctuation around it (托位数(个), 兜底型500、普惠型2500)
        seg = SEGMENT.search(text, max(0, m.start() - 40))
        while seg is not None and seg.end() < m.end():
            seg = SEGMENT.search(text, seg.end())
        segment = seg.group(0).strip() if seg is not None and seg.start() <= m.start() else run
        if run in ALLOWED or run in whole or quoted or (len(run) >= 4 and run in texts) or \
                (len(segment) >= 4 and segment in texts):
            continue
        out.append(text[max(0, m.start() - 30):m.end() + 30].replace("\n", " "))
    return out


def read_main(page) -> str:
    """The main area's text with every visible expander opened."""
    summaries = page.locator('[data-testid="stExpander"] summary >> visible=true')
    for i in range(summaries.count()):
        try:
            if summaries.nth(i).get_attribute("aria-expanded") != "true":
                summaries.nth(i).click(timeout=5000)
        except Exception:  # an expander that moved or closed while reading: its text is read when visible
            pass
    page.wait_for_timeout(300)
    return page.locator('[data-testid="stMain"]').inner_text()


def test_every_page_in_english_has_no_chinese_outside_data_values(server, browser, db):
    allowed = data_values(db)
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    page = ctx.new_page()
    page.set_default_timeout(180000)
    found = {}
    try:
        page.goto(server + "/?lang=en")
        wait_idle(page, timeout=180000)
        links = page.locator('[data-testid="stSidebarNav"] a').evaluate_all("els => els.map(e => e.href)")
        paths = list(dict.fromkeys(PAGES + [urlparse(h).path or "/" for h in links]))
        for path in paths:
            page.goto(server + path + "?lang=en")
            wait_idle(page, timeout=180000)
            page.wait_for_timeout(1500)  # charts draw after the script run
            page.add_style_tag(content=CHINESE_DOCUMENTS + " { display: none !important; }")  # not read below
            main = read_main(page)
            tabs = page.get_by_role("tab")
            for i in range(tabs.count()):  # the text of every tab, not only the first one shown
                if tabs.nth(i).is_visible():
                    tabs.nth(i).click()
                    page.wait_for_timeout(400)
                    main += "\n" + read_main(page)
            side = page.locator('[data-testid="stSidebar"]').inner_text()
            # widget placeholders and tooltips are text a reader sees too
            extra = page.evaluate("""() => [...document.querySelectorAll('[placeholder],[aria-label],[title]')]
                .map(e => [e.getAttribute('placeholder'), e.getAttribute('aria-label'), e.getAttribute('title')]
                .filter(Boolean).join(' ')).join('\\n')""")
            bad = chinese_outside_data("\n".join([main, side, extra]), allowed)
            if bad:
                found[path] = bad
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"english_walk_{path.strip('/') or 'overview'}.png"))
    finally:
        ctx.close()
    report = "\n".join(f"{p}: {x}" for p, b in found.items() for x in dict.fromkeys(b))
    (ARTIFACTS / "english_walk.txt").write_text(report, encoding="utf-8")
    assert not found, report[:3000]

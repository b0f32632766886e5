"""Overview chart labels at 1440×900 and 1280×800, in Chinese and English: no two texts of a chart overlap, and
no bar's value label leaves its panel (clipped, or written into the next panel)."""
import pytest

from tests.browser.conftest import ARTIFACTS, wait_idle

pytestmark = pytest.mark.browser

# Every text of every plotly chart on the page, with its box, its kind and the plot area (x) of its panel.
TEXTS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd.offsetParent !== null)
  .map((gd, chart) => {
    const fl = gd._fullLayout, svg = gd.querySelector('svg.main-svg').getBoundingClientRect();
    const panels = Object.keys(fl).filter(k => /^xaxis\\d*$/.test(k)).map(k => ({
        axis: k.replace('axis', ''), left: svg.left + fl[k]._offset, right: svg.left + fl[k]._offset + fl[k]._length}));
    const out = [];
    gd.querySelectorAll('text').forEach(el => {
      const s = (el.textContent || '').trim();
      if (!s) return;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return;
      const point = el.closest('.point, .textpoint');
      const plot = el.closest('.subplot');
      const xa = plot ? [...plot.classList].find(c => /^x\\d*y\\d*$/.test(c)) : null;
      out.push({chart, text: s, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                kind: point ? 'value' : (el.closest('.legend') ? 'legend' : (el.closest('.infolayer') ? 'info' : 'axis')),
                panel: xa ? xa.replace(/y\\d*$/, '') : null,
                svg: {left: svg.left, right: svg.right, top: svg.top, bottom: svg.bottom}, panels});
    });
    return out;
  }).flat()"""


def overlaps(a, b, slack=1.0) -> bool:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack)


def problems(texts: list[dict]) -> list[str]:
    out = []
    for i, a in enumerate(texts):
        s = a["svg"]
        if a["left"] < s["left"] - 1 or a["right"] > s["right"] + 1 or a["top"] < s["top"] - 1 or \
                a["bottom"] > s["bottom"] + 1:
            out.append(f"clipped by the chart: {a['text']!r}")
        if a["kind"] == "value" and a["panel"]:
            p = next((p for p in a["panels"] if p["axis"] == a["panel"]), None)
            if p and (a["right"] > p["right"] + 2 or a["left"] < p["left"] - 2):
                out.append(f"outside its panel {a['panel']}: {a['text']!r}")
        for b in texts[i + 1:]:
            if b["chart"] == a["chart"] and overlaps(a, b):
                out.append(f"overlap: {a['text']!r} / {b['text']!r}")
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [(1440, 900), (1280, 800)])
def test_overview_chart_labels_neither_overlap_nor_clip(server, browser, lang, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]},
                              locale="zh-CN" if lang == "zh" else "en-US")
    page = ctx.new_page()
    page.set_default_timeout(180000)
    try:
        page.goto(f"{server}/?lang={lang}")
        wait_idle(page, timeout=180000)
        page.locator(".js-plotly-plot").first.wait_for()
        page.wait_for_timeout(1500)
        found, charts = [], 0
        tabs = page.locator('[data-testid="stMain"] [role="tab"]')
        for i in range(max(tabs.count(), 1)):  # every region's card chart, one tab at a time
            if tabs.count():
                tabs.nth(i).click()
                page.wait_for_timeout(500)
            texts = page.evaluate(TEXTS)
            charts = max(charts, len({x["chart"] for x in texts}))
            found += problems(texts)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"chart_labels_{lang}_{size[0]}.png"))
    finally:
        ctx.close()
    assert charts >= 2
    assert not found, sorted(set(found))[:20]

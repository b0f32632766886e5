"""规划核对 page through AppTest: inconsistencies first, a toggle for the consistent checks, quotes linked to /data."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_audit(lang="zh"):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception, at.exception
    return at


def links(at) -> list[str]:
    return [m.value for m in at.markdown if 'data-testid="audit-quotes"' in m.value]


@pytest.mark.parametrize("lang, title", [("zh", "规划核对"), ("en", "Plan audit")])
def test_renders_in_both_languages(db, lang, title):
    at = open_audit(lang)
    assert at.title[0].value == title


def test_inconsistent_first_then_toggle(db):
    from models.planning.audit import audit_checks, relations
    from models.store.facts import all_facts

    checks = audit_checks(all_facts(db), relations(db))
    bad = int((checks.status == "inconsistent").sum())
    at = open_audit()
    assert len(links(at)) == bad
    assert all(m.label in ("规划所述", "复算", "差值") for m in at.metric)
    assert f"不一致 {bad} 项" in at.markdown[0].value or any(f"不一致 {bad} 项" in m.value for m in at.markdown)
    at.toggle(key="au_show_ok").set_value(True).run()
    assert len(links(at)) == len(checks)


def test_yuzhong_quotes_link_to_the_data_page(db):
    at = open_audit()
    at.selectbox(key="au_region").set_value("500103").run()
    html = links(at)
    assert html and all('href="/data?fact=YZ-' in h for h in html)
    # 渝中区: 181 + 830 = 1,011 托位 (a stated total against its parts)
    assert any("181 + 830 = 1,011" in c.value for c in at.caption)

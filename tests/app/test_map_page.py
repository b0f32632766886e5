"""一张图 page through AppTest: the map colours every region with a gap by the gap model's value; the others grey."""
import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from models.report.charts_map import NO_DATA_COLOUR
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_map(lang="zh"):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    return at


def _array(v):
    """Plotly 7 stores arrays as base64 typed arrays ({'dtype', 'bdata'}) in the chart spec."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    return list(v)


def traces(at):
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return spec["data"]


def data_values(at) -> dict:
    """Region code (customdata[0]) → value (marker colour) on the "data" marker traces."""
    out = {}
    for tr in traces(at):
        if tr["name"] == "data":
            out.update({c[0]: v for c, v in zip(tr["customdata"], _array(tr["marker"]["color"]))})
    return out


def grey_codes(at) -> set:
    return {c[0] for tr in traces(at) if tr["name"] == "no data" for c in tr["customdata"]}


def shapes(at) -> dict:
    """Region code → its filled polygon trace (plain SVG scatter, no WebGL)."""
    return {tr["meta"]: tr for tr in traces(at) if tr.get("fill") == "toself"}


@pytest.mark.parametrize("lang, title", [("zh", "一张图"), ("en", "Map")])
def test_renders_in_both_languages(db, lang, title):
    at = open_map(lang)
    assert at.title[0].value == title


def test_regions_coloured_by_the_gap_model(db):
    from models.planning.gaps import plan_gaps

    at = open_map()
    gaps = plan_gaps(db, years=[2025])
    want = gaps[(gaps.service == "elderly_beds") & gaps.gap.notna()].set_index("region_code")["gap"]
    values = data_values(at)
    # 渝中区：缺口2085张 (“预计2025年养老床位需求达4000张…缺口2085张”)
    assert values["500103"] == 2085
    drawn = {c for c in want.index if c in values or c in grey_codes(at)}
    assert drawn, "no seed region with a gap is drawn"
    for code in drawn:
        assert values[code] == pytest.approx(want[code])
    # Regions without a gap are in the grey trace, never coloured as 0.
    grey = grey_codes(at)
    assert not grey & set(values)
    assert {"120102", "500101", "130902"} <= grey
    for code in set(gaps.region_code) - set(want.index):
        assert code not in values
    assert len(values) + len(grey) == 16 + 38 + 16
    polygons = shapes(at)
    assert set(polygons) == set(values) | grey and {tr["type"] for tr in traces(at)} == {"scatter"}
    assert all(polygons[c]["fillcolor"] == NO_DATA_COLOUR for c in grey)


def test_grey_trace_says_not_provided(db):
    at = open_map()
    grey = [tr for tr in traces(at) if tr["name"] == "no data"]
    assert grey and all("未提供" in tr["hovertemplate"] for tr in grey)


def test_nursing_beds_and_achievement(db):
    at = open_map()
    at.selectbox(key="map_service").set_value("nursing_beds").run()
    assert data_values(at)["500103"] == 2084
    at.selectbox(key="map_service").set_value("childcare_places").run()
    assert data_values(at)["500103"] == 1639
    at.selectbox(key="map_measure").set_value("achievement").run()
    # 托位 1011 of 2650 planned → 38.15 %
    assert data_values(at)["500103"] == pytest.approx(1011 / 2650 * 100)


def test_brief_download_buttons(db):
    at = open_map()
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载简报 PNG", "下载简报 PDF"]
    assert at.multiselect(key="brief_regions").value == ["500103"]

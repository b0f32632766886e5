"""The one-page leadership brief: content from the gap table, and the rendered PDF/PNG (text read back with pypdf)."""
import datetime as dt
import io
import unicodedata

import pytest
from pypdf import PdfReader

from models.report.brief import PAGE_HEIGHT, PAGE_WIDTH, build_brief, render_brief, wrap
from tests.test_geo import gaps_frame

DAY = dt.date(2026, 11, 23)


def pdf_text(data: bytes) -> str:
    """Text of a one-page PDF, without spaces (pypdf puts one where the font changes, "2085 张"). NFKC: the CJK
    font maps some glyphs to Kangxi radicals (⽼ for 老, ⼝ for 口)."""
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return "".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())


@pytest.fixture(scope="module")
def plan_gaps_2025(db):
    from models.planning.gaps import plan_gaps

    return plan_gaps(db, years=[2025])


def test_yuzhong_headline_from_literal_contract():
    b = build_brief(gaps_frame(), regions=["500103"], year=2025, generated=DAY)
    assert b.headline == "渝中区2025年养老床位缺口2085张，护理型床位缺口2084张，托位缺口1639个"
    assert b.title == "渝中区2025年“一老一小”服务缺口简报"
    assert b.kpis.set_index("service").loc["nursing_beds", ["demand", "supply", "gap"]].tolist() == [2800, 716, 2084]
    assert b.sources == ("《渝中区“一老一小”整体解决方案》",)  # the title, not the file name


def test_surplus_and_missing_are_said_not_zeroed():
    b = build_brief(gaps_frame(), regions=["120110"], generated=DAY)
    assert b.headline == "东丽区2025年养老床位富余400张，护理型床位缺口未提供，托位缺口未提供"
    b = build_brief(gaps_frame(), regions=["120101"], generated=DAY, lang="en")
    assert "gap not provided" in b.headline
    assert any("the plan states no bed standard" in a for a in b.assumptions)


def test_set_page_names_the_largest_gap():
    b = build_brief(gaps_frame(), regions=["500103", "120110"], generated=DAY)
    assert b.headline.startswith("所选2个地区2025年：养老床位缺口最大为渝中区2085张")
    assert len(b.kpis) == 6


def test_unknown_region_or_year_is_an_error():
    with pytest.raises(ValueError, match="2030"):
        build_brief(gaps_frame(), regions=["500103"], year=2030)
    with pytest.raises(ValueError):
        build_brief(gaps_frame(), regions=[])


def test_wrap_counts_cjk_double_and_keeps_punctuation_off_line_starts():
    lines = wrap("养老床位缺口最大为渝中区，护理型床位", 20)
    assert all(sum(2 if ord(c) > 0x2E80 else 1 for c in x) <= 22 for x in lines)
    assert not any(x.startswith("，") for x in lines)
    assert wrap("demand = beds per 1000", 10) == ["demand =", "beds per", "1000"]


def test_yuzhong_pdf_from_the_gap_model_has_the_headline_numbers(plan_gaps_2025):
    # 渝中区 plan: 养老床位需求4000张、现有1915张、缺口2085张；护理型床位2800/716/2084；托位2650/1011/1639
    b = build_brief(plan_gaps_2025, regions=["500103"], year=2025, generated=DAY)
    assert b.headline == "渝中区2025年养老床位缺口2085张，护理型床位缺口2084张，托位缺口1639个"
    text = pdf_text(render_brief(b, fmt="pdf"))
    assert "渝中区2025年养老床位缺口2085张,护理型床位缺口2084张,托位缺口1639个" in text
    for figure in ("4,000张", "1,915张", "2,085张", "2,800张", "716张", "2,650个", "1,011个", "1,639个"):
        assert figure in text
    assert "渝中区“一老一小”整体解决方案" in text and "2026-11-23" in text
    assert "测算假设与方法" in text and "数据来源" in text


def test_png_is_an_a4_image_and_english_pdf(plan_gaps_2025):
    b = build_brief(plan_gaps_2025, regions=["500103"], year=2025, lang="en", generated=DAY)
    png = render_brief(b, fmt="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (PAGE_WIDTH * 2, PAGE_HEIGHT * 2)
    text = pdf_text(render_brief(b, fmt="pdf"))
    assert "Elderly-carebedsgap2,085beds;Nursingbedsgap2,084beds;Childcareplacesgap1,639places" in text
    with pytest.raises(ValueError, match="svg"):
        render_brief(b, fmt="svg")


def test_cli_writes_pdf_and_png(db, tmp_path, capsys):
    from forecasting.cli import main

    out = tmp_path / "yuzhong.pdf"
    assert main(["brief", "--region", "500103", "--out", str(out)]) == 0
    assert "托位缺口1639个" in pdf_text(out.read_bytes())
    png = tmp_path / "set.png"
    assert main(["brief", "--region", "500103,130981", "--year", "2025", "--lang", "en", "--out", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["brief", "--region", "500103", "--out", str(tmp_path / "x.svg")]) == 2
    assert main(["brief", "--region", "999999", "--out", str(out)]) == 2
    assert "未知地区代码" in capsys.readouterr().err


def test_assumptions_in_chinese_words_and_wan_headline(plan_gaps_2025):
    b = build_brief(plan_gaps_2025, regions=["500103"], year=2025, generated=DAY)
    beds = next(a for a in b.assumptions if a.startswith("养老床位"))
    assert "需求 = 每千名老年人养老床位数 × 60岁及以上老年人口" in beds and "= 4,000" in beds
    assert not any(w in " ".join(b.assumptions) for w in ("beds_per_1000_elderly", "elderly_60plus", "demand ="))
    assert all(".txt" not in s for s in b.sources)
    tj = build_brief(plan_gaps_2025, regions=["120000"], year=2025, generated=DAY)
    # 天津: 3% × 367万 − 7.6万 = 34,100 beds
    assert tj.headline.startswith("天津市2025年养老床位缺口3.41万张")


def test_half_a_bed_is_a_bed():
    import pandas as pd

    g = pd.DataFrame({"region_code": "500103", "region_name": "渝中区", "service": ["nursing_beds"], "year": 2025,
                      "demand": [2346.5], "supply": [0.0], "gap": [2346.5], "target": [float("nan")],
                      "target_gap": [float("nan")], "method": [""]})
    b = build_brief(g, regions=["500103"], year=2025, generated=DAY)
    assert "护理型床位缺口2347张" in b.headline

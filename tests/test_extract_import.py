"""From pasted plan text to imported figures with their quotes kept in context (models/store/user_documents.py)."""
from models.intake import extract as ex
from models.store import user_documents as ud
from models.store.facts import all_facts, regions

PARAGRAPH = ("截至2020年底，武汉市60岁及以上老年人口达到187.48万，养老床位7.5万张。到2025年，全市养老床位达到9万张，"
             "养老机构护理型床位占比不低于55%，每千人口拥有3岁以下婴幼儿托位数达到4.5个。")


def test_pasted_paragraph_imports_with_quotes_in_context(fresh_db):
    e = ex.extract(PARAGRAPH)
    rows = e.frame()
    assert set(rows["指标代码"]) == {"elderly_60plus", "elderly_beds", "nursing_bed_share", "childcare_places_per_1000"}
    region = ex.propose_region("武汉市")[0]
    out = ud.import_extracted(rows, text=PARAGRAPH, title="武汉市一老一小方案（节选）", filename="", who="王科长",
                              region_code=region["code"], region_name=region["name"], db=fresh_db)
    assert out.result is not None, out.plan.report_lines()
    assert out.result.regions_added == 1 and out.quotes == len(rows) == 5
    facts = all_facts(fresh_db, region="420100")
    beds = facts[(facts["indicator"] == "elderly_beds") & (facts["year"] == 2025)].iloc[0]
    assert beds["value"] == 90000 and beds["comparator"] == "≥"  # 达到 → ≥ (read back from 备注)
    ctx = ud.quote_in_context(beds["fact_id"], db=fresh_db)
    assert ctx["quote"] == "全市养老床位达到9万张" and PARAGRAPH[ctx["start"]:].startswith(ctx["quote"])
    assert ctx["before"].endswith("到2025年，")
    shown = ud.with_user_quotes(facts, db=fresh_db)
    assert (shown.set_index("fact_id").loc[beds["fact_id"], "quote"]) == "全市养老床位达到9万张"
    assert "420100" in set(regions(fresh_db)["code"])
    log = fresh_db.query("SELECT action, table_name, who FROM change_log WHERE table_name = 'user_documents'")
    assert list(log.itertuples(index=False)) == [("insert", "user_documents", "王科长")]


def test_invalid_rows_write_nothing(fresh_db):
    rows = ex.extract(PARAGRAPH).frame()
    rows.loc[0, "数值"] = "很多"
    out = ud.import_extracted(rows, text=PARAGRAPH, title="t", filename="", who="王科长", region_code="420100",
                              region_name="武汉市", db=fresh_db)
    assert out.result is None and out.doc_id is None and not out.plan.ok
    assert all_facts(fresh_db, region="420100").empty



def test_imported_quote_is_in_the_fact_row(fresh_db):
    """The 原文 column travels with the figure into user_facts, so `forecasting facts` exports it too."""
    rows = ex.extract(PARAGRAPH).frame()
    region = ex.propose_region("武汉市")[0]
    ud.import_extracted(rows, text=PARAGRAPH, title="t", filename="", who="王科长", region_code=region["code"],
                        region_name=region["name"], db=fresh_db)
    f = all_facts(fresh_db, region="420100")
    beds = f[(f["indicator"] == "elderly_beds") & (f["year"] == 2025)]
    assert beds["quote"].tolist() == ["全市养老床位达到9万张"]
    assert (f["quote"] != "").all()

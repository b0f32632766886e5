"""Bad input never hurts: every malformed file or value gets a clear message (zh and en), the import is refused
(page/API and CLI), and the DuckDB file stays byte-for-byte the same (sha256)."""
import csv
import hashlib
from pathlib import Path

import pytest

from forecasting import cli
from models.intake import importer
from models.intake.importer import Invalid, parse_value
from models.store import userdata
from models.store.database import Database

CORPUS = Path(__file__).parent / "malformed"
CASES = list(csv.DictReader(open(CORPUS / "expected.csv", encoding="utf-8")))
# Also run through the CLI (slower: one per kind of problem is enough to show it reports and refuses the same way).
CLI_CASES = {"utf16.csv", "ragged_row.csv", "extra_column.csv", "negative_count.csv", "year_2200.csv",
             "name_sql_injection.csv", "formula_value.xlsx", "duplicate_keys.csv", "legacy.xls", "empty.csv"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def frozen(tmp_path_factory):
    """A built database whose base tables are not rebuilt during the test (curators edit data/ meanwhile):
    so only the code under test could change its bytes."""
    path = tmp_path_factory.mktemp("frozen") / "planning.duckdb"
    db = Database(path)
    db.ensure_built()
    userdata.import_file(importer.template_bytes("xlsx"), "seed.xlsx", who="seed", db=db)  # some user data too
    mp = pytest.MonkeyPatch()
    mp.setattr(Database, "ensure_built", lambda self: False)
    mp.setenv("YLYX_DB", str(path))
    yield db
    mp.undo()


def refuse_everywhere(db: Database, data: bytes, name: str, tmp_path: Path, capsys,
                      *, via_cli: bool = True) -> importer.ImportPlan:
    plan = userdata.preview(data, name, db=db)
    assert not plan.ok
    with pytest.raises(userdata.Rejected):
        userdata.apply_import(plan, who="tester", db=db)
    if not via_cli:
        return plan
    f = tmp_path / name
    f.write_bytes(data)
    assert cli.main(["import", str(f)]) == 1
    out = capsys.readouterr()
    assert "✗" in out.out and "未写入" in out.err
    return plan


def test_corpus_has_at_least_50_files():
    assert len(CASES) >= 50
    assert all((CORPUS / c["file"]).exists() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_malformed_file_is_refused_with_a_clear_message(frozen, case, tmp_path, capsys):
    before = sha256(frozen.path)
    data = (CORPUS / case["file"]).read_bytes()
    plan = refuse_everywhere(frozen, data, case["file"], tmp_path, capsys, via_cli=case["file"] in CLI_CASES)
    codes = [p.code for _, _, p in plan.errors]
    assert case["expected"] in codes, (codes, plan.report_lines())
    for _, _, p in plan.errors:
        zh, en = p.message("zh"), p.message("en")
        assert zh and en and zh != en and "{" not in zh + en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert sha256(frozen.path) == before


def test_a_file_of_many_megabytes_is_refused_before_parsing(frozen, tmp_path, capsys):
    before = sha256(frozen.path)
    row = "370102,历下区,elderly_beds,2023,5200,现状值\n".encode()
    data = "地区代码,地区名称,指标代码,年份,数值,类型\n".encode() + row * (importer.MAX_BYTES // len(row) + 10)
    assert len(data) > 20 * 2**20
    plan = refuse_everywhere(frozen, data, "huge.csv", tmp_path, capsys)
    assert [p.code for p in plan.file_problems] == ["imp_too_large"]
    assert sha256(frozen.path) == before


def test_too_many_rows_is_refused(frozen, tmp_path, capsys):
    before = sha256(frozen.path)
    lines = [f"370102,历下区,elderly_beds,{1950 + i % 150},{i},现状值" for i in range(importer.MAX_ROWS + 1)]
    data = ("地区代码,地区名称,指标代码,年份,数值,类型\n" + "\n".join(lines)).encode()
    plan = refuse_everywhere(frozen, data, "rows.csv", tmp_path, capsys)
    assert [p.code for p in plan.file_problems] == ["doc_too_many_rows"]  # counted while reading (issue 22)
    assert sha256(frozen.path) == before


def test_one_bad_row_among_thousands_blocks_the_whole_file(frozen, tmp_path, capsys):
    before = sha256(frozen.path)
    rows = [f"370102,历下区,elderly_beds,{1950 + i},{i}万,现状值" for i in range(140)]
    rows.insert(77, "370102,历下区,nursing_beds,2023,一百,现状值")
    data = ("地区代码,地区名称,指标代码,年份,数值,类型\n" + "\n".join(rows)).encode("gbk")
    plan = refuse_everywhere(frozen, data, "one_bad.csv", tmp_path, capsys)
    assert [(r, p.code) for _, r, p in plan.errors] == [(79, "imp_bad_number")]  # header is line 1
    assert sha256(frozen.path) == before


BAD_VALUES = [  # (text, unit, indicator, expected code)
    ("abc", "bed", "elderly_beds", "imp_bad_number"), ("12..5", "bed", "elderly_beds", "imp_bad_number"),
    ("1,2,3", "bed", "elderly_beds", "imp_bad_number"), ("5 200 0", "bed", "elderly_beds", "imp_bad_number"),
    ("-1", "place", "childcare_places", "imp_negative"), ("－3万", "person", "elderly_60plus", "imp_negative"),
    ("100.01%", "percent", "aging_rate", "imp_over_100"), ("不低于120%", "percent", "nursing_bed_share", "imp_over_100"),
    ("NaN", "bed", "elderly_beds", "imp_missing"), ("Infinity", "bed", "elderly_beds", "imp_not_finite"),
    ("1e400", "bed", "elderly_beds", "imp_not_finite"), ("3e9", "person", "population_resident", "imp_over_max"),
    ("5%", "bed", "elderly_beds", "imp_unit_mismatch"), ("5万%", "percent", "aging_rate", "imp_unit_mismatch"),
    ("5张", "person", "elderly_60plus", "imp_bad_number"), ("=SUM(A1:A9)", "bed", "elderly_beds", "imp_formula"),
    ("<script>", "bed", "elderly_beds", "imp_html"), ("1\x00", "bed", "elderly_beds", "imp_control_chars"),
    ("1" * 600, "bed", "elderly_beds", "imp_too_long"), ("约>5", "bed", "elderly_beds", "imp_bad_number"),
    ("不低于5以下", "bed", "elderly_beds", "imp_bad_number"), (True, "bed", "elderly_beds", "imp_bad_number"),
    ("1'; DROP TABLE facts;--", "bed", "elderly_beds", "imp_bad_number"),
]


@pytest.mark.parametrize("text, unit, indicator, code", BAD_VALUES)
def test_malformed_values(text, unit, indicator, code):
    if code == "imp_missing":  # the text "NaN" is a missing marker: never a number, never 0
        assert parse_value(text, unit=unit).missing
        return
    with pytest.raises(Invalid) as exc:
        parse_value(text, unit=unit, indicator_id=indicator)
    assert exc.value.problem.code == code
    assert exc.value.problem.message("zh") != exc.value.problem.message("en")


def test_bad_backups_are_refused_and_change_nothing(frozen):
    before = sha256(frozen.path)
    good = userdata.export_userdata(db=frozen)
    assert sha256(frozen.path) == before  # export reads only
    import json
    doc = json.loads(good)
    broken = [b"", b"not json", b"[]", json.dumps({**doc, "format": "other"}).encode(),
              json.dumps({**doc, "tables": {"facts": []}}).encode(),
              json.dumps({**doc, "tables": {"user_regions": [{"code": "370102"}]}}).encode()]
    region = doc["tables"]["user_regions"][0]
    for bad in ({**region, "name_zh": "<script>x</script>"}, {**region, "code": "99'; DROP"}):
        broken.append(json.dumps({**doc, "tables": {**doc["tables"], "user_regions": [bad]}}).encode())
    fact = doc["tables"]["user_facts"][0]
    for bad in ({**fact, "value": -5}, {**fact, "year": 2200}, {**fact, "value": "many"}):
        broken.append(json.dumps({**doc, "tables": {**doc["tables"], "user_facts": [bad]}}).encode())
    broken.append(json.dumps({**doc, "tables": {**doc["tables"], "user_facts": [fact, fact]}}).encode())
    for data in broken:
        with pytest.raises(userdata.Rejected) as exc:  # the validation restore runs first (restore needs an admin)
            userdata.parse_backup(data)
        assert exc.value.message("zh").startswith("备份文件无效")
        with pytest.raises(userdata.Rejected):
            userdata.restore_userdata(data, who="tester", db=frozen)
    assert sha256(frozen.path) == before


def test_the_corpus_stays_reproducible():
    """generate.py writes exactly the committed corpus (so the corpus can be extended in one place)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("gen", CORPUS / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert set(gen.CASES) == {c["file"] for c in CASES}

"""Regenerate the malformed-input corpus: `.venv/bin/python tests/malformed/generate.py`.

Each file breaks one rule; expected.csv names the problem code (models/core/i18n.py key) the importer must report.
Files of many MB are generated inside the tests, not committed.
"""
import csv
import io
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
H = "地区代码,地区名称,指标代码,年份,数值,类型"
OK = "370102,历下区,elderly_beds,2023,5200,现状值"


def csv_file(*lines, enc="utf-8"):
    return ("\n".join(lines) + "\n").encode(enc)


def xlsx(rows, *, sheet="数据"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEAD = H.split(",")
CASES = {
    # file-level
    "empty.csv": (b"", "imp_empty_file"),
    "only_header.csv": (csv_file(H), "imp_no_rows"),
    "blank_lines.csv": (b"\n\n  \n\r\n", "imp_empty_file"),
    "utf16.csv": (("\ufeff" + H + "\n" + OK + "\n").encode("utf-16-le"), "imp_utf16"),
    "undecodable.csv": (csv_file(H).rstrip(b"\n") + b"\n370102,\x80\xff\xfe,elderly_beds,2023,1,\xff\n",
                        "imp_encoding"),
    "binary.csv": (bytes(range(256)) * 4, "imp_binary"),
    "png_named_csv.csv": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40, "imp_binary"),
    "zip_named_csv.csv": (None, "imp_type_mismatch"),  # filled below
    "csv_named_xlsx.xlsx": (csv_file(H, OK), "imp_type_mismatch"),
    "legacy.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "imp_xls_legacy"),
    "data.txt": (csv_file(H, OK), "imp_bad_type"),
    "script.html": (b"<html><script>alert(1)</script></html>", "imp_bad_type"),
    "corrupt.xlsx": (b"PK\x03\x04" + b"garbage" * 50, "imp_xlsx_corrupt"),
    "missing_value_column.csv": (csv_file("地区代码,地区名称,指标代码,年份,类型", "370102,历下区,elderly_beds,2023,现状值"),
                                 "imp_missing_columns"),
    "missing_kind_column.csv": (csv_file("地区代码,地区名称,指标代码,年份,数值", "370102,历下区,elderly_beds,2023,5200"),
                                "imp_missing_columns"),
    "missing_indicator_column.csv": (csv_file("地区代码,地区名称,年份,数值,类型", "370102,历下区,2023,5200,现状值"),
                                     "imp_missing_columns"),
    "extra_column.csv": (csv_file(H + ",人口密度", OK + ",1234"), "imp_unknown_columns"),
    "duplicate_column.csv": (csv_file(H + ",数值", OK + ",5300"), "imp_duplicate_columns"),
    "ragged_row.csv": (csv_file(H, OK, "370102,历下区,elderly_beds,2024,5,300,现状值,多余"), "imp_csv_parse"),
    "unnamed_column_with_data.csv": (csv_file(H + ",", OK + ",秘密"), "imp_unnamed_column_data"),
    "gbk_wrong_headers.csv": (csv_file("区划,名字,指标,年,值,种类", "370102,历下区,elderly_beds,2023,5200,现状值",
                                       enc="gbk"), "imp_missing_columns"),
    # values
    "text_in_number.csv": (csv_file(H, "370102,历下区,elderly_beds,2023,很多,现状值"), "imp_bad_number"),
    "gbk_text_in_number.csv": (csv_file(H, "370102,历下区,elderly_beds,2023,约几千张床,现状值", enc="gbk"),
                               "imp_bad_number"),
    "gb18030_negative.csv": (csv_file(H, "370102,历下区,elderly_beds,2023,-5200,现状值", enc="gb18030"),
                             "imp_negative"),
    "negative_count.csv": (csv_file(H, "370102,历下区,childcare_places,2023,-12,现状值"), "imp_negative"),
    "negative_wan.csv": (csv_file(H, "370102,历下区,elderly_60plus,2023,-1.2万,现状值"), "imp_negative"),
    "share_over_100.csv": (csv_file(H, "370102,历下区,nursing_bed_share,2025,120%,目标值"), "imp_over_100"),
    "share_over_100_words.csv": (csv_file(H, "370102,历下区,aging_rate,2023,不低于101,现状值"), "imp_over_100"),
    "permille_over.csv": (csv_file(H, "370102,历下区,birth_rate,2023,1500‰,年度序列"), "imp_over_max"),
    "huge_number.csv": (csv_file(H, "370102,历下区,population_resident,2023,1e30,现状值"), "imp_over_max"),
    "infinite.csv": (csv_file(H, "370102,历下区,elderly_beds,2023,inf,现状值"), "imp_not_finite"),
    "thousands_misplaced.csv": (csv_file(H, '370102,历下区,elderly_beds,2023,"12,96",现状值'), "imp_bad_number"),
    "fullwidth_garbage.csv": (csv_file(H, "370102,历下区,elderly_beds,2023,１２ａｂ,现状值"), "imp_bad_number"),
    "two_numbers.csv": (csv_file(H, "370102,历下区,elderly_beds,2023,5200 5300,现状值"), "imp_bad_number"),
    "year_1850.csv": (csv_file(H, "370102,历下区,elderly_beds,1850,5200,现状值"), "imp_year_range"),
    "year_2200.csv": (csv_file(H, "370102,历下区,elderly_beds,2200,5200,现状值"), "imp_year_range"),
    "year_chinese.csv": (csv_file(H, "370102,历下区,elderly_beds,二〇二三,5200,现状值"), "imp_bad_year"),
    "year_range_text.csv": (csv_file(H, "370102,历下区,elderly_beds,2021-2025,5200,目标值"), "imp_bad_year"),
    "year_empty.csv": (csv_file(H, "370102,历下区,elderly_beds,,5200,现状值"), "imp_required"),
    "duplicate_keys.csv": (csv_file(H, OK, "370102,历下区,elderly_beds,2023,5300,现状值"), "imp_duplicate_row"),
    "duplicate_series.csv": (csv_file(H, "370102,历下区,births,2022,3000,年度序列",
                                      "370102,历下区,births,2022,3100,年度序列"), "imp_duplicate_row"),
    "code_letters.csv": (csv_file(H, "12O101,和平区,elderly_beds,2023,5200,现状值"), "imp_bad_code"),
    "code_short.csv": (csv_file(H, "1201,和平区,elderly_beds,2023,5200,现状值"), "imp_bad_code"),
    "code_province.csv": (csv_file(H, "990101,某区,elderly_beds,2023,5200,现状值"), "imp_bad_province"),
    "code_sql_injection.csv": (csv_file(H, "370102' OR '1'='1,历下区,elderly_beds,2023,5200,现状值"), "imp_bad_code"),
    "new_region_no_name.csv": (csv_file(H, "370103,,elderly_beds,2023,5200,现状值"), "imp_new_region_name"),
    "name_sql_injection.csv": (csv_file(H, "370102,历下区'; DROP TABLE user_facts; --,elderly_beds,2023,5200,现状值"),
                               "imp_name_chars"),
    "name_sql_comment.csv": (csv_file(H, "370102,历下区/**/UNION SELECT,elderly_beds,2023,5200,现状值"),
                             "imp_name_chars"),
    "name_script.csv": (csv_file(H, "370102,<script>alert(1)</script>,elderly_beds,2023,5200,现状值"), "imp_html"),
    "name_img_onerror.csv": (csv_file(H, '370102,"<img src=x onerror=alert(1)>",elderly_beds,2023,5200,现状值'),
                             "imp_html"),
    "name_emoji.csv": (csv_file(H, "370102,😀区,elderly_beds,2023,5200,现状值"), "imp_name_chars"),
    "name_control_chars.csv": (csv_file(H, "370102,历下\x07区,elderly_beds,2023,5200,现状值"), "imp_control_chars"),
    "note_html.csv": (csv_file(H + ",备注", OK + ",<b onmouseover=alert(1)>看</b>"), "imp_html"),
    "note_csv_injection.csv": (csv_file(H + ",备注", OK + ",+cmd|' /C calc'!A0"), "imp_text_injection"),
    "source_at_injection.csv": (csv_file(H + ",来源", OK + ",@SUM(1+1)*cmd|' /C calc'!A0"), "imp_text_injection"),
    "note_too_long.csv": (csv_file(H + ",备注", OK + "," + "很" * 600), "imp_too_long"),
    "formula_in_csv_value.csv": (csv_file(H, "370102,历下区,elderly_beds,2023,=1+1,现状值"), "imp_formula"),
    "unknown_indicator.csv": (csv_file(H, "370102,历下区,elderly_robots,2023,5,现状值"), "imp_unknown_indicator"),
    "indicator_mismatch.csv": (csv_file("地区代码,地区名称,指标代码,指标名称,年份,数值,类型",
                                        "370102,历下区,elderly_beds,托位,2023,5200,现状值"), "imp_indicator_mismatch"),
    "bad_kind.csv": (csv_file(H, "370102,历下区,elderly_beds,2023,5200,随便"), "imp_bad_kind"),
    "kind_empty.csv": (csv_file(H, "370102,历下区,elderly_beds,2023,5200,"), "imp_required"),
    "bad_basis.csv": (csv_file(H + ",口径", OK + ",流动"), "imp_bad_basis"),
    "unit_mismatch.csv": (csv_file(H + ",单位", OK + ",万人"), "imp_unit_mismatch"),
    "percent_for_count.csv": (csv_file(H, "370102,历下区,elderly_beds,2023,60%,现状值"), "imp_unit_mismatch"),
    "wan_for_percent.csv": (csv_file(H, "370102,历下区,aging_rate,2023,2万,现状值"), "imp_unit_mismatch"),
    "double_multiplier.csv": (csv_file(H + ",单位", "370102,历下区,elderly_60plus,2023,12万,现状值,万人"),
                              "imp_double_multiplier"),
    "series_comparator.csv": (csv_file(H, "370102,历下区,births,2022,>3000,年度序列"), "imp_comparator_series"),
    "mixed_valid_invalid.csv": (csv_file(H, OK, "370102,历下区,nursing_beds,2023,-1,现状值"), "imp_negative"),
    # Excel
    "formula_value.xlsx": (xlsx([HEAD, [370102, "历下区", "elderly_beds", 2023, "=SUM(2000,3200)", "现状值"]]),
                           "imp_formula"),
    "formula_name.xlsx": (xlsx([HEAD, [370102, '=HYPERLINK("http://x","历下区")', "elderly_beds", 2023, 5200,
                                       "现状值"]]), "imp_formula"),
    "missing_columns.xlsx": (xlsx([["地区代码", "数值"], [370102, 5200]]), "imp_in_sheet"),
    "empty_sheet.xlsx": (xlsx([]), "imp_no_rows"),
    "text_number.xlsx": (xlsx([HEAD, [370102, "历下区", "elderly_beds", 2023, "五千二", "现状值"]]), "imp_bad_number"),
    "share_over_100.xlsx": (xlsx([HEAD, [370102, "历下区", "nursing_bed_share", 2025, 1.5e2, "目标值"]]),
                            "imp_over_100"),
    "year_as_date.xlsx": (None, "imp_bad_year"),  # filled below
}


def _zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.csv", H + "\n" + OK)
    return buf.getvalue()


def _date_year():
    import datetime
    return xlsx([HEAD, [370102, "历下区", "elderly_beds", datetime.datetime(2023, 1, 1), 5200, "现状值"]])


def main():
    CASES["zip_named_csv.csv"] = (_zip(), "imp_type_mismatch")
    CASES["year_as_date.xlsx"] = (_date_year(), "imp_bad_year")
    for old in HERE.iterdir():
        if old.name not in ("generate.py", "README.md", "__init__.py"):
            old.unlink()
    rows = []
    for name, (data, code) in sorted(CASES.items()):
        (HERE / name).write_bytes(data)
        rows.append({"file": name, "expected": code})
    with open(HERE / "expected.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["file", "expected"])
        w.writeheader()
        w.writerows(rows)
    print(len(rows), "files")


if __name__ == "__main__":
    main()

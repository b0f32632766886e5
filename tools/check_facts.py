"""Check a curated facts CSV: quote is a verbatim substring of its document, value appears in the quote.

Usage: python tools/check_facts.py data/facts/FILE.csv [...]
"""
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "data" / "documents"
COLUMNS = ["fact_id", "region_code", "region_name", "indicator", "year", "value", "text_value", "unit",
           "basis", "kind", "comparator", "attribute", "department", "source", "quote", "note"]
FULLWIDTH = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")
NUM = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万|亿)?")


def numbers_in(text: str) -> set[float]:
    out = set()
    for m in NUM.finditer(text.translate(FULLWIDTH)):
        x = float(m.group(1).replace(",", ""))
        mult = {"万": 1e4, "亿": 1e8}.get(m.group(2) or "", 1)
        out.add(round(x, 6))
        out.add(round(x * mult, 6))
    return out


def main(paths):
    indicators = {r["id"] for r in csv.DictReader(open(ROOT / "data" / "indicators.csv", encoding="utf-8"))}
    units = {r["id"] for r in csv.DictReader(open(ROOT / "data" / "units.csv", encoding="utf-8"))}
    for p in Path(ROOT / "data" / "facts").glob("new_indicators*.csv"):
        indicators |= {r["id"] for r in csv.DictReader(open(p, encoding="utf-8"))}
    bad = 0
    for path in paths:
        rows = list(csv.DictReader(open(path, encoding="utf-8")))
        seen = set()
        for r in rows:
            probs = []
            if list(r.keys()) != COLUMNS:
                probs.append(f"columns {list(r.keys())}")
            if r["fact_id"] in seen:
                probs.append("duplicate fact_id")
            seen.add(r["fact_id"])
            doc = (DOCS / r["source"]).read_text(encoding="utf-8") if (DOCS / r["source"]).exists() else None
            if doc is None:
                probs.append("source file missing")
            elif r["quote"] not in doc:
                probs.append("quote not verbatim")
            if r["indicator"] not in indicators:
                probs.append(f"unknown indicator {r['indicator']}")
            if r["unit"] not in units:
                probs.append(f"unknown unit {r['unit']}")
            if r["kind"] not in {"observed", "plan_projection", "target", "standard", "assumption"}:
                probs.append(f"bad kind {r['kind']}")
            if r["value"]:
                v = round(float(r["value"]), 6)
                if v not in numbers_in(r["quote"]) and not r["note"].startswith("DERIVED"):
                    probs.append(f"value {v} not in quote")
            elif not r["text_value"]:
                probs.append("neither value nor text_value")
            if probs:
                bad += 1
                print(f"{path}:{r['fact_id']}: " + "; ".join(probs))
        print(f"{path}: {len(rows)} rows, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

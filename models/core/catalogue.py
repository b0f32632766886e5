"""The one indicator catalogue: id, Chinese and English label, unit. Everything else refers to indicators by id.

Source: data/indicators.csv (core) and data/facts/new_indicators_*.csv (ids the curators added while reading
the plans); units from data/units.csv.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from models.core.paths import DATA, FACTS

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Unit:
    id: str
    label_zh: str
    label_en: str

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Indicator:
    id: str
    label_zh: str
    label_en: str
    unit: str
    group: str
    description: str

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    @property
    def fixed_basis(self) -> str:
        """The 口径 the indicator's definition fixes ('常住' for 常住人口, '户籍' for 户籍人口), else ''."""
        return next((b for b in ("常住", "户籍") if self.label_zh.startswith(b)), "")


def _read(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def units() -> dict[str, Unit]:
    return {r["id"]: Unit(r["id"], r["label_zh"], r["label_en"]) for r in _read(DATA / "units.csv")}


@cache
def indicators() -> dict[str, Indicator]:
    """All indicators by id; the core file wins over curators' additions with the same id."""
    out: dict[str, Indicator] = {}
    files = sorted(FACTS.glob("new_indicators_*.csv")) + [DATA / "indicators.csv"]
    for path in files:
        for r in _read(path):
            out[r["id"]] = Indicator(r["id"], r["label_zh"], r["label_en"], r["unit"], r["group"], r["description"])
    return out


def indicator(indicator_id: str) -> Indicator:
    try:
        return indicators()[indicator_id]
    except KeyError:
        raise KeyError(f"unknown indicator id {indicator_id!r} (not in data/indicators.csv)") from None


def label(indicator_id: str, lang: str = "zh") -> str:
    """The indicator's label in `lang`; unknown ids are returned as they are (user data may carry new ids)."""
    ind = indicators().get(indicator_id)
    return ind.label(lang) if ind else indicator_id


def unit_label(unit_id: str, lang: str = "zh") -> str:
    u = units().get(unit_id)
    return u.label(lang) if u else unit_id


# The three services whose demand, supply and gap the product models.
SERVICES = ("elderly_beds", "nursing_beds", "childcare_places")

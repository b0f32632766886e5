"""Messages to people as codes with parameters, rendered in the reader's language at the edge.

The domain (models/, forecasting/) never builds a sentence: it returns a `Message(code, params)` — `code` a key of
models.core.i18n.STRINGS, `params` the values that fill its placeholders — and the page, CLI, export or brief renders it
with `Message.text(lang)`. models.intake.importer.Problem is a Message with a severity.

Parameters with these names are localised when rendered (everything else is shown as given):
  indicator  an indicator id of data/indicators.csv → its catalogue label in the language;
  basis      a population basis as the plans write it (常住 | 户籍 | '' = not stated) → resident / registered /
             unstated in English; Chinese keeps the plans' own word;
  bases      several bases joined with '、' (as the Chinese sentence lists them) → 'resident and registered'.
A parameter that is itself a Message is rendered in the same language.

In:  code (str), params (name → value; any value, kept as given). Out: text (str) in 'zh' or 'en'; `bilingual(...)`
     gives '中文 / English' for the bilingual CSV of the command line (its help and headers are bilingual too).
"""
from __future__ import annotations

from dataclasses import dataclass

from models.core.catalogue import label
from models.core.i18n import t

LANGS = ("zh", "en")
BILINGUAL = "zh/en"  # the command line's CSV: Chinese, then ' / ', then English
BASIS_UNSTATED = "口径未注明"  # how the Chinese sentence names a figure without a stated basis
_BASIS_EN = {"常住": "resident", "户籍": "registered", "": "unstated", BASIS_UNSTATED: "unstated"}


def basis_text(basis, lang: str = "zh") -> str:
    """A population basis (常住 | 户籍 | '' | 口径未注明) in `lang`: Chinese as the plans write it, English resident /
    registered / unstated (an unknown basis is shown as given)."""
    basis = "" if basis is None else str(basis)
    return _BASIS_EN.get(basis, basis) if lang == "en" else basis


@dataclass(frozen=True)
class Message:
    """One message: `code` (key of models.core.i18n.STRINGS) and `params`, sorted (name, value) pairs (hashable, so equal
    messages compare and group equal). Build it with `message(code, **params)`."""
    code: str
    params: tuple = ()

    def localised(self, lang: str) -> dict:
        """The parameters as they appear in the `lang` sentence (see the module docstring)."""
        out = {}
        for name, value in self.params:
            if isinstance(value, Message):
                value = value.text(lang)
            elif name == "indicator":
                value = label(str(value), lang)
            elif name == "basis":
                value = basis_text(value, lang)
            elif name == "bases":
                parts = [basis_text(b, lang) for b in str(value).split("、")]
                value = " and ".join(parts) if lang == "en" else "、".join(parts)
            out[name] = value
        return out

    def text(self, lang: str = "zh") -> str:
        """The message in `lang` ('zh' | 'en'); BILINGUAL gives '中文 / English'."""
        if lang == BILINGUAL:
            return bilingual(self.text("zh"), self.text("en"))
        return t(self.code, lang, **self.localised(lang))

    def as_dict(self) -> dict:
        """{'code', 'params'} with plain values (JSON-ready; a Message parameter as its own dict)."""
        return {"code": self.code, "params": {k: v.as_dict() if isinstance(v, Message) else v
                                              for k, v in self.params}}

    @classmethod
    def from_dict(cls, d: dict) -> Message:
        """The inverse of as_dict."""
        params = {k: cls.from_dict(v) if isinstance(v, dict) and "code" in v else v
                  for k, v in (d.get("params") or {}).items()}
        return message(d["code"], **params)


def message(code: str, /, **params) -> Message:
    """A Message with its parameters (sorted by name, values kept as given)."""
    return Message(code, tuple(sorted(params.items())))


def bilingual(zh: str, en: str) -> str:
    """'中文 / English'. After a closing full-width bracket the Chinese side needs no space ('（…）/ English'), as the
    command line has always written it."""
    return f"{zh}{'/ ' if zh.endswith('）') else ' / '}{en}"


class MessageError(ValueError):
    """A refusal whose text is a Message: `problem` is rendered in the reader's language at the edge
    (`message(lang)`); str() is '中文 / English' for logs and the command line. The importer's, the accounts' and
    the user-data writes' refusals are these."""

    def __init__(self, problem: Message):
        super().__init__(f"{problem.text('zh')} / {problem.text('en')}")
        self.problem = problem

    def message(self, lang: str = "zh") -> str:
        return self.problem.text(lang)

"""Text from users, files and links shown safely: as text in markdown-rendering widgets, and as cells that a
spreadsheet never runs.

- `md(text)`: for st.markdown, st.caption, st.subheader, st.info/warning/error/success, titles and any message
  whose parameters came from outside (a URL's ?region=, an account's display name, a document's title, a scenario
  name). Every ASCII punctuation character that Markdown, GFM or Streamlit's extensions give a meaning to is
  backslash-escaped (CommonMark: "any ASCII punctuation character may be backslash-escaped"), so `[x](http://…)`
  is no link, `![](http://…)` fetches nothing, `<b>` is no tag, `**` is no bold, `$x$` no formula, `:red[x]` no
  colour and `http://…`/`www.…` are not auto-linked. Line breaks become spaces (one line of text cannot start a
  heading, a list or a quote block).
- `neutralise_cell(value)`: a CSV/xlsx text cell that starts with = + - @, tab or carriage return gets a leading
  apostrophe (OWASP, "CSV Injection"), so Excel or LibreOffice shows the text instead of evaluating it.
  `unneutralise_cell(text)` takes it off again (the importer reads our own exports back).
"""
from __future__ import annotations

import re

# Every ASCII punctuation character (CommonMark escapes exactly these); "/" and ":" included so no autolink or
# Streamlit directive/emoji short code (:material/…:, :red[…]) survives.
_MD_SPECIAL = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c]+")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def md(text) -> str:
    """`text` (any value; None → "") as Markdown that renders as exactly that text, on one line."""
    s = "" if text is None else str(text)
    return _MD_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", s))


def neutralise_cell(value):
    """A text cell that a spreadsheet would run as a formula (starts with = + - @, tab or CR) → "'" + text;
    anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unneutralise_cell(text: str) -> tuple[str, bool]:
    """(text without the apostrophe neutralise_cell added, True) for a cell that starts with "'" followed by
    = + - @, tab or CR; (text, False) for anything else."""
    if isinstance(text, str) and len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:], True
    return text, False

"""Text from users, files and links shown safely: as text in markdown-rendering widgets, and as cells that a
spreadsheet never runs.

- `md(text)`: for st.markdown, st.caption, st.subheader, st.info/warning/error/success, titles and any message
  whose parameters came from outside (a URL's ?region=, an account's display name, a document's title, a scenario
  name). The characters that open an inline construct of Markdown, GFM or Streamlit's extensions are
  backslash-escaped (CommonMark: "any ASCII punctuation character may be backslash-escaped"): `[` `]` (links),
  `!` (images), `<` `>` `&` (HTML, autolinks, entities), `*` `_` `~` `` ` `` (emphasis, code), `$` (formulas),
  `:` (Streamlit's :red[…] and :material/…: short codes), `@`, `|` and the backslash. GFM's bare-address
  autolinks (`http://…`, `www.…`, `a@b.c`) are found by a text search after escapes are resolved, so an escape does
  not stop them: an invisible WORD JOINER (U+2060) after every `:` and `@` and inside `www.` does (measured in
  tests/browser/test_link_injection.py). Line breaks become spaces and a leading `# + - =` or `1.` is escaped, so
  the text cannot start a heading, list or quote block. Parentheses, dots and Chinese punctuation stay as they
  are (nothing opens with them alone), so ordinary names read unchanged.
- `neutralise_cell(value)`: a CSV/xlsx text cell that starts with = + - @, tab or carriage return gets a leading
  apostrophe (OWASP, "CSV Injection"), so Excel or LibreOffice shows the text instead of evaluating it.
  `unneutralise_cell(text)` takes it off again (the importer reads our own exports back).
"""
from __future__ import annotations

import re

_MD_INLINE = re.compile(r"([\\`*_\[\]<>!|~$&:@])")
_WWW = re.compile(r"(?i)\b(www)\.")
_JOINER = "\u2060"  # WORD JOINER: zero width, breaks the autolink searches
_BLOCK_START = re.compile(r"^(\s*)(\d*)([#+\-=.)])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c]+")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def md(text) -> str:
    """`text` (any value; None → "") as Markdown that renders as exactly that text, on one line."""
    s = _LINE_BREAKS.sub(" ", "" if text is None else str(text))
    s = _WWW.sub(r"\1" + _JOINER + ".", _MD_INLINE.sub(r"\\\1", s))
    s = s.replace("\\:", "\\:" + _JOINER).replace("\\@", "\\@" + _JOINER)
    return _BLOCK_START.sub(lambda m: m.group(1) + m.group(2) + "\\" + m.group(3), s, count=1)


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

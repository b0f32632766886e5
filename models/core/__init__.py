"""The shared vocabulary every other part speaks: where files are (paths), the one indicator catalogue (catalogue),
translations (i18n), messages as codes rendered at the edge (messages), number formats and "missing" (formatting),
and the CSV/xlsx writers (export).

May import: nothing else from models/ (it is the bottom layer)."""

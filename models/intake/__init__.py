"""Text and files from outside, read into validated rows: the versioned source files under data/ (sources), a
planner's CSV/xlsx import with its checks (importer), and figures proposed from a plan's own text (extract).

May import: models.core."""

"""What a person reads: chart builders as pure functions (charts, charts_map, charts_method, charts_workbench),
the overview's view model (overview), export tables (tables) and the one-page brief (brief). No Streamlit here:
pages lay these out.

May import: every other part of models/."""

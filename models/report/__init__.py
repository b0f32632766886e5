"""What a person reads: chart builders as pure functions (charts, charts_map, charts_method, charts_workbench),
the overview's view model (overview), export tables (tables), the one-page brief (brief) and the 十五五 draft's table, 测算说明 and files (draft). No Streamlit here:
pages lay these out.

May import: every other part of models/."""

"""Language and shared view state, mirrored in the URL (st.query_params) so that a copied link reopens the view."""
from __future__ import annotations

import streamlit as st

from forecasting.assumptions import ASSUMPTION_RANGES
from models.core.i18n import t


def lang() -> str:
    """Current interface language ('zh' default, 'en'), from the URL or the sidebar switch."""
    if "lang" not in st.session_state:
        q = st.query_params.get("lang", "zh")
        st.session_state["lang"] = q if q in ("zh", "en") else "zh"
    return st.session_state["lang"]


def language_switch() -> str:
    current = lang()
    choice = st.sidebar.radio(t("language"), ["中文", "English"], index=0 if current == "zh" else 1,
                              horizontal=True, key="lang_switch")
    new = "zh" if choice == "中文" else "en"
    if new != current:
        st.session_state["lang"] = new
    st.query_params["lang"] = new
    return new


# -- the planner workbench's view state (pages/workbench.py) ------------------------------------------------------
# The page itself is the URL path (/workbench); everything else on the page is a query parameter, so a copied link
# reopens the same view. Read once when the page opens (or when the URL changes from outside: a map click, an edited
# link), then the widgets own the state and every run writes it back. A bad value falls back to its default with a
# visible warning. `saved` names a saved scenario: its payload is loaded first, explicit parameters override it.
WB_PREFIX = "wb_"
WB_NUMERIC = tuple(ASSUMPTION_RANGES)  # every numeric assumption, projection rates then standards
WB_KEYS = ("region", "year", "method", "scenario", "bed_method") + WB_NUMERIC + ("saved",)
WB_DEFAULT_REGION = "500103"


def _wb_text(value) -> str:
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    return str(value)


def parse_workbench(params: dict, *, regions: list[str], load_saved=None):
    """URL parameters → (PlannerScenario, warnings, saved name or None). Pure: no Streamlit.

    params: {key: str}; regions: the valid region codes; load_saved(name) → payload dict (KeyError if unknown).
    Each value is checked in the context of those accepted before it (so 'elderly_growth' with 'aging_rate_increment'
    keeps the first); a bad one is dropped with a warning (key, value, why) and its default is used.
    """
    from forecasting.workbench import PlannerScenario

    warnings, accepted = [], {}
    region = params.get("region")
    if region is not None and region not in regions:
        warnings.append(("region", region, "未知地区 / unknown region"))
        region = None
    region = region or (WB_DEFAULT_REGION if WB_DEFAULT_REGION in regions else regions[0])
    saved = params.get("saved") or None
    base = {}
    if saved is not None and load_saved is not None:
        try:
            payload = load_saved(saved)
            base = PlannerScenario.from_dict(payload).to_dict()
            if "region" not in params:
                region = base["region"]
        except (KeyError, ValueError, TypeError) as exc:
            warnings.append(("saved", saved, str(exc).strip("'\"")))
            saved = None
    accepted = {k: v for k, v in base.items() if v is not None and k != "region"}
    for key in WB_KEYS:
        if key in ("region", "saved") or key not in params:
            continue
        raw = params[key]
        try:
            value = raw
            if key == "year":
                value = int(raw)
            elif key in WB_NUMERIC:
                value = float(raw)
            trial = {**accepted, key: value}
            PlannerScenario(region, **trial)
            accepted = trial
        except (ValueError, TypeError) as exc:
            warnings.append((key, raw, str(exc)))
    return PlannerScenario(region, **accepted), warnings, saved


def workbench_params(ps, *, saved: str | None = None) -> dict:
    """PlannerScenario → URL parameters: region and year always, the rest only where not the default."""
    from forecasting.workbench import PlannerScenario

    default = PlannerScenario(ps.region)
    out = {"region": ps.region, "year": str(ps.year)}
    for key in WB_KEYS[2:-1]:
        v = getattr(ps, key)
        if v is not None and v != getattr(default, key):
            out[key] = _wb_text(v)
    if saved:
        out["saved"] = saved
    return out


def write_workbench(ps, *, saved: str | None = None) -> None:
    """Write the view into st.query_params (other keys, e.g. lang, are kept); remember what was written."""
    want = workbench_params(ps, saved=saved)
    for key in WB_KEYS:
        if key in want:
            if st.query_params.get(key) != want[key]:
                st.query_params[key] = want[key]
        elif key in st.query_params:
            del st.query_params[key]
    st.session_state["_wb_url"] = want
    st.session_state["_wb_last"] = ps.to_dict()


def workbench_url_changed() -> bool:
    """True when the URL's workbench parameters are not those this session wrote last (a new link was opened)."""
    current = {k: st.query_params.get(k) for k in WB_KEYS if k in st.query_params}
    return current != st.session_state.get("_wb_url")


def url_workbench_params() -> dict:
    """The URL's workbench parameters, or, when it has none (back from another page), the last view's."""
    current = {k: st.query_params.get(k) for k in WB_KEYS if k in st.query_params}
    if not current and "_wb_last" in st.session_state:
        from forecasting.workbench import PlannerScenario

        return workbench_params(PlannerScenario.from_dict(st.session_state["_wb_last"]))
    return current


# -- the region a page's chooser holds (ui/region_picker.py; the map) ---------------------------------------------
def url_region(param: str = "region") -> str | None:
    """The region code in the URL (`?region=500103`), or None."""
    value = st.query_params.get(param)
    return str(value) if value else None


def mirror_region(code: str | None, param: str = "region") -> None:
    """Keep the chosen region in the URL, so that a copied link reopens it (none chosen: the parameter goes)."""
    if code:
        st.query_params[param] = code
    elif param in st.query_params:
        del st.query_params[param]

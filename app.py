"""siteselect: the Streamlit entry. Page config, navigation, the shared sidebar.

Each view is a page script in ``ui/pages/``; all logic lives in ``siteselect/``.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import streamlit as st

from siteselect import views
from siteselect.errors import SiteSelectError
from siteselect.methods import METHODS
from siteselect.table import POLICIES
from ui import auth, context, data, header, link, model_controls, user_sites
from ui.state import model_changed, session

st.set_page_config(
    page_title="siteselect · overseas park site selection", page_icon="🏭", layout="wide"
)
auth.gate()
data.static_assets(str(Path(__file__).parent / "static"))
cset = data.criteria_set()
PAGES = [
    st.Page("ui/pages/map_ranking.py", title="Map & ranking", url_path="map", default=True),
    st.Page("ui/pages/why.py", title="Why this rank", url_path="why"),
    st.Page("ui/pages/compare.py", title="Compare sites", url_path="compare"),
    st.Page("ui/pages/cost.py", title="Cost of operation", url_path="cost"),
    st.Page("ui/pages/robustness.py", title="Robustness", url_path="robustness"),
    st.Page("ui/pages/stakeholders.py", title="Stakeholders", url_path="stakeholders"),
    st.Page("ui/pages/scenarios.py", title="Scenarios", url_path="scenarios"),
    st.Page("ui/pages/workspace.py", title="Workspace", url_path="workspace"),
    st.Page("ui/pages/sources.py", title="Data & sources", url_path="sources"),
    st.Page("ui/pages/region.py", title="Screen a region", url_path="region"),
]
page = st.navigation(PAGES, position="top")

# --- state from the shared link, once per session ----------------------------------------
link.open_shared_link(cset)

# --- sidebar: the controls ---------------------------------------------------------------
with st.sidebar:
    st.title("siteselect")
    st.caption(
        "Overseas high-tech park site selection · MCDA on proximity to Taiwan, market "
        "access, cost of operation, business climate and sector fit"
    )
    st.selectbox(
        "Target sector",
        [s.id for s in cset.sectors],
        key="sector",
        format_func=lambda s: cset.sector(s).label,
        on_change=model_changed,
        args=(cset, "sector"),
    )
    st.selectbox(
        "Stakeholder profile",
        [p.id for p in cset.profiles],
        key="profile",
        format_func=lambda p: cset.profile(p).label,
        on_change=model_changed,
        args=(cset, "profile"),
        help="Presets of group and criterion weights; adjust them below.",
    )
    model_controls.pending_change(cset)
    st.selectbox(
        "MCDA method", list(METHODS), key="method", format_func=lambda m: METHODS[m].label
    )
    st.selectbox(
        "Missing values",
        list(POLICIES),
        key="missing",
        format_func=lambda p: p.replace("_", " "),
        help="\n\n".join(f"**{k}**: {v}" for k, v in POLICIES.items()),
    )
    market_shares, headcount = model_controls.market_controls()
    exclusion_rules = model_controls.exclusion_controls(cset, session.sector)
    weight_slots = model_controls.weight_controls(cset)

    widget_file, upload_caption = user_sites.upload_widget()

# --- evaluation ----------------------------------------------------------------------------
mine = user_sites.user_sites(widget_file, upload_caption)
catalog, user_ids = mine.catalog, mine.ids
overrides = views.weight_overrides(cset, session.profile, session.sector, session.sliders(cset))
state = views.ViewState(
    session.sector,
    session.profile,
    session.method,
    session.missing,
    overrides,
    markets=market_shares,
    headcount=headcount,
    exclusion_rules=exclusion_rules,
)
state_key = json.dumps([catalog.version, views.encode_view(state)], sort_keys=True)
try:
    table = data.table_for(
        catalog.version,
        state.sector,
        catalog,
        tuple(sorted(state.markets.items())),
        state.headcount,
    )
    result = context.evaluate_view(catalog, cset, table, state)
except SiteSelectError as exc:
    st.error(views.md_text(exc))
    st.stop()
ranking = result.ranking
shown_ids = [*map(str, ranking.index), *map(str, result.excluded.index)]
link.settle_sites(state, shown_ids, mine.ref)
stability = partial(data.stability_for, state_key, result)  # computed where shown
model_controls.weight_captions(weight_slots, views.weights_in_use(result), stability)
last = session.robustness
summary = last[1] if last and last[0] == state_key else None
run = context.Run(
    cset, catalog, table, state, state_key, result, stability, user_ids, mine.file, summary
)

# --- header, then the chosen page ----------------------------------------------------------
header.header(run)
context.use(run)
page.run()

"""siteselect: the Streamlit entry. Page config, navigation, the shared sidebar.

Each view is a page script in ``ui/pages/``; all logic lives in ``siteselect/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import partial
from pathlib import Path

import streamlit as st

from siteselect import maps, views
from siteselect.errors import SiteSelectError
from siteselect.methods import METHODS
from siteselect.table import POLICIES
from ui import auth, context, data, model_controls
from ui.state import apply_overrides, model_changed, session

st.set_page_config(
    page_title="siteselect · overseas park site selection", page_icon="🏭", layout="wide"
)
auth.gate()
maps.install_static_assets(Path(__file__).parent / "static")
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
# Static CSS (no user text): metric values wrap instead of being cut ("Houston (Fo…");
# on a phone the page title shrinks and the map block (key "mapblock") comes right after it.
LAYOUT_CSS = (
    "<style>[data-testid='stMetricValue'] div,[data-testid='stMetricValue'] p"
    "{white-space:normal!important;overflow:visible!important;text-overflow:clip!important}"
    "[data-testid='stMetricValue']{font-size:1.75rem;line-height:1.2}"
    "@media (max-width:640px){.st-key-page_title h2{font-size:1.3rem;padding-top:0}"
    "[data-testid='stLayoutWrapper']:has(>.st-key-page_title){order:-2}"
    "[data-testid='stLayoutWrapper']:has(>.st-key-mapblock){order:-1}"
    "[data-testid='stMainBlockContainer']{padding-top:4.5rem}}</style>"
)

# --- state from the shared link, once per session ---------------------------------------
if not session.initialised:
    shared, session.link_warnings = views.decode_link(dict(st.query_params), cset)
    link = shared.state
    session.sector, session.profile = link.sector, link.profile
    session.method, session.missing = link.method, link.missing
    apply_overrides(cset, dict(link.weights), None)
    model_controls.init_from_link(link)
    session.selected = shared.site  # checked against the ranking below
    session.compare = list(shared.compare)
    session.link_sites = (shared.site, list(shared.compare))
    session.initialised = True

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

    st.subheader("Your own sites")
    upload = st.file_uploader(
        "Add candidate sites (CSV, GeoJSON or GeoPackage, ≤ 20 MB)",
        type=["csv", "geojson", "json", "gpkg"],
        help="CSV columns: name, lat, lon, country (ISO3); optional site_id, region, "
        "region_code, gateway_port (UN/LOCODE), airport (IATA) and any criterion id. "
        "The region is found from the coordinates when not given.",
    )
    st.caption(
        "Uploaded sites stay in this session: a shared link does not carry them. Save a "
        "scenario (Scenarios page) to keep or share them."
    )

# --- evaluation ----------------------------------------------------------------------------
catalog = data.bundled_catalog()
user_ids: list[str] = []
upload_file = (upload.name, upload.getvalue()) if upload is not None else session.scenario_upload
if upload_file is not None:
    try:
        name, body = upload_file
        catalog = data.catalog_with_upload(name, hashlib.sha256(body).hexdigest(), body)
        user_ids = [s for s in catalog.sites.index if s not in data.bundled_catalog().sites.index]
    except SiteSelectError as exc:
        st.error(views.md_text(f"Your file was not added. {exc}"))
        upload_file = None

if user_ids and session.assumptions:
    try:
        entries = tuple(
            (sid, crit, *entry)
            for sid, values in sorted(session.assumptions.items())
            if sid in user_ids
            for crit, entry in sorted(values.items())
        )
        if entries:
            catalog = data.catalog_with_assumptions(catalog, entries, catalog.version)
    except SiteSelectError as exc:
        st.error(views.md_text(f"Your values were not applied. {exc}"))

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
if session.link_sites is not None:  # the link's sites, checked once against the ranking
    asked = views.SharedView(state, *session.link_sites[:1], tuple(session.link_sites[1]))
    checked, more = views.check_link_sites(asked, shown_ids)
    session.selected, session.compare = checked.site, list(checked.compare)
    session.link_warnings = [*session.link_warnings, *more]
    del session.link_sites
if session.selected not in shown_ids:
    session.selected = str(ranking.index[0])
shared = views.SharedView(state, session.selected, tuple(session.compare))
st.query_params.from_dict(views.encode_link(shared))
for message in session.link_warnings:
    st.warning(views.md_text(message))
stability = partial(data.stability_for, state_key, result)  # computed where shown
model_controls.weight_captions(weight_slots, views.weights_in_use(result), stability)
last = session.robustness
summary = last[1] if last and last[0] == state_key else None
run = context.Run(
    cset, catalog, table, state, state_key, result, stability, user_ids, upload_file, summary
)

# --- header, then the chosen page ----------------------------------------------------------
top = ranking.iloc[0]
with st.container(key="page_title"):
    st.header(
        f"{cset.sector(result.sector).label}: sites ranked for the "
        f"{cset.profile(result.profile).label.lower()}"
    )
st.html(LAYOUT_CSS)
c1, c2 = st.columns([1, 4])
c1.metric("Sites ranked", len(ranking))
c2.metric(
    "First",
    str(top["name"]),
    help=f"score {top['score']:.3f} {views.score_scale(result.method).suffix}",
)
st.caption(
    f"Method: **{views.md_escape(METHODS[result.method].label)}** · missing values: "
    f"**{views.md_escape(result.policy.policy.replace('_', ' '))}** — "
    f"{views.md_escape(POLICIES[result.policy.policy])}"
    + (
        f" · {len(result.excluded)} site(s) excluded by the sector's rules"
        if len(result.excluded)
        else ""
    )
)
stale = data.data_notice(catalog.version, tuple(sorted(ranking.index)), dt.date.today(), catalog)
if stale:
    st.warning(views.md_text(stale), icon="🗓️")
with st.expander(f"ℹ️ Notes on this ranking ({len(result.notes)})"):
    for note in result.notes:
        st.caption(f"ℹ️ {views.md_escape(note)}")
context.use(run)
page.run()

"""siteselect: the Streamlit entry. Page config, navigation, the shared sidebar.

Each view is a page script in ``ui/pages/``; all logic lives in ``siteselect/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import streamlit as st

from siteselect import maps, release, views
from siteselect.errors import SiteSelectError
from siteselect.methods import METHODS
from siteselect.table import POLICIES
from ui import auth, context, data, model_controls
from ui.state import apply_overrides, reset_weights, session

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
    st.Page("ui/pages/sources.py", title="Data & sources", url_path="sources"),
    st.Page("ui/pages/region.py", title="Screen a region", url_path="region"),
]
page = st.navigation(PAGES, position="top")

# --- state from the shared link, once per session ---------------------------------------
if not session.initialised:
    link, session.link_warnings = views.decode_view(dict(st.query_params), cset)
    session.sector, session.profile = link.sector, link.profile
    session.method, session.missing = link.method, link.missing
    apply_overrides(cset, dict(link.weights), None)
    model_controls.init_from_link(link)
    session.selected = st.query_params.get("site")  # checked against the ranking by the map
    session.initialised = True

# --- sidebar: the controls ---------------------------------------------------------------
stability_slots: dict[str, Any] = {}
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
        on_change=reset_weights,
        args=(cset,),
    )
    st.selectbox(
        "Stakeholder profile",
        [p.id for p in cset.profiles],
        key="profile",
        format_func=lambda p: cset.profile(p).label,
        on_change=reset_weights,
        args=(cset,),
        help="Presets of group and criterion weights; adjust them below.",
    )
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

    st.subheader("Weights")
    st.caption(
        "Group weights, then criteria within each group. Effective weight = group "
        "share × criterion share. Under each criterion: the range of its effective "
        "weight within which the first site stays first."
    )
    for group in cset.groups:
        st.slider(group.label, 0.0, 1.0, step=0.01, key=f"wg_{group.id}")
    for group in cset.groups:
        with st.expander(f"Criteria: {group.label}"):
            for crit in (c for c in cset.criteria if c.group == group.id):
                st.slider(
                    crit.label,
                    0.0,
                    10.0,
                    step=0.05,
                    key=f"wc_{crit.id}",
                    help=f"{crit.description} ({views.better_text(crit)}; {crit.unit})",
                )
                stability_slots[crit.id] = st.empty()
    st.button("Reset weights to the profile", on_click=reset_weights, args=(cset,))

    st.subheader("Your own sites")
    upload = st.file_uploader(
        "Add candidate sites (CSV, GeoJSON or GeoPackage, ≤ 20 MB)",
        type=["csv", "geojson", "json", "gpkg"],
        help="CSV columns: name, lat, lon, country (ISO3); optional site_id, region, "
        "region_code, gateway_port (UN/LOCODE), airport (IATA) and any criterion id.",
    )

# --- evaluation ----------------------------------------------------------------------------
for message in session.link_warnings:
    st.warning(views.md_text(message))

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

overrides = views.weight_overrides(cset, session.profile, session.sector, session.sliders(cset))
state = views.ViewState(
    session.sector,
    session.profile,
    session.method,
    session.missing,
    overrides,
    markets=market_shares,
    headcount=headcount,
)
link_params = views.encode_view(state)
if session.selected:
    link_params["site"] = session.selected
st.query_params.from_dict(link_params)
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
stability = data.stability_for(state_key, result)
for crit_id, slot in stability_slots.items():
    if crit_id in stability.index:
        row = stability.loc[crit_id]
        approx = "" if row["exact"] else "≈"
        slot.caption(
            f"first place holds at {approx}{row['low']:.1%}–{row['high']:.1%} "
            f"(now {row['current']:.1%})"
        )
    else:
        slot.caption("not used in this ranking")
last = session.robustness
summary = last[1] if last and last[0] == state_key else None
run = context.Run(
    cset, catalog, table, state, state_key, result, stability, user_ids, upload_file, summary
)

# --- header, then the chosen page ----------------------------------------------------------
top = ranking.iloc[0]
st.header(
    f"{cset.sector(result.sector).label}: sites ranked for the "
    f"{cset.profile(result.profile).label.lower()}"
)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Sites ranked", len(ranking))
c2.metric("First", str(top["name"]), help=f"score {top['score']:.3f}")
c3.metric("Method", METHODS[result.method].label)
c4.metric("Missing-value policy", result.policy.policy.replace("_", " "))
stale, _ = release.data_notice(catalog, ranking.index, on=dt.date.today())
if stale:
    st.warning(views.md_text(stale), icon="🗓️")
for note in result.notes:
    st.caption(f"ℹ️ {views.md_escape(note)}")
context.use(run)
page.run()

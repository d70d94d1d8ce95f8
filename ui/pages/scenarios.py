"""Scenarios: save, open, compare, import and export; the decision record."""

from __future__ import annotations

import base64
import hashlib

import streamlit as st

from siteselect import views
from siteselect.errors import SiteSelectError
from siteselect.ranking import Evaluation, evaluate
from siteselect.store import Scenario, compare, scenario_evaluate_kwargs
from ui import auth, context, data
from ui.actions import open_scenario
from ui.record_controls import record_downloads
from ui.state import session

run = context.current()
cset = run.cset
catalog = run.catalog
state = run.state
result = run.result
upload_file = run.upload_file
overrides = run.overrides
ROLES = ["Industry association", "Government evaluator", "Investor", "Other"]

store = auth.scoped(data.scenario_store())
message = session.scenario_message
del session.scenario_message
if message:
    getattr(st, message[0])(views.md_text(message[1]))
st.subheader("Save this view as a scenario")
with st.form("save"):
    s_name = st.text_input("Name", max_chars=120)
    s_role = st.selectbox("Your role", ROLES)
    s_comment = st.text_area("Comment", max_chars=2000)
    s_overwrite = st.checkbox(
        "Replace a scenario of the same name (the old version is kept in the history)"
    )
    if st.form_submit_button("Save scenario", type="primary"):
        uploads = (
            ()
            if upload_file is None
            else ((upload_file[0], base64.b64encode(upload_file[1]).decode("ascii")),)
        )
        try:
            saved = store.save(
                Scenario(
                    name=s_name,
                    sector=state.sector,
                    profile=state.profile,
                    weights=overrides,
                    method=state.method,
                    params=dict(result.params),
                    missing=state.missing,
                    uploaded_sites=uploads,
                    data_version=catalog.version,
                    author_role=s_role,
                    comment=s_comment,
                    elicitation=session.elicitation or {},
                    markets=dict(state.markets),
                ),
                overwrite=s_overwrite,
            )
            st.success(views.md_text(f"Saved “{saved.name}” at {saved.created_at}."))
        except SiteSelectError as exc:
            st.error(views.md_text(exc))
listing = store.list()
st.subheader("Saved scenarios")
if listing.empty:
    st.info("No scenario saved yet.")
else:
    st.dataframe(listing, width="stretch", hide_index=True)
    names = list(listing.loc[listing["problem"] == "", "name"])  # records that open
    for bad in listing.loc[listing["problem"] != ""].itertuples():
        st.warning(views.md_text(f"“{bad.name}” cannot be opened: {bad.problem}"))
    o1, o2 = st.columns(2)
    pick = o1.selectbox("Scenario", names, key="scenario_pick")
    if pick is not None:
        o1.button("Open", on_click=open_scenario, args=(cset, store, pick))
        o1.download_button(
            "Export as JSON",
            lambda: store.export_json(pick),
            f"{pick}.siteselect.json",
            "application/json",
        )
    with o2.expander("Delete"):
        doomed = st.selectbox("Scenario to delete", list(listing["name"]), key="delete_pick")
        confirm = st.text_input("Type the scenario's name to confirm", key="confirm")
        if st.button("Delete scenario"):
            try:
                store.delete(doomed, confirm=confirm)
                st.success(views.md_text(f"Deleted “{doomed}” (kept in the audit trail)."))
            except SiteSelectError as exc:
                st.error(views.md_text(exc))
    if len(names) >= 2:
        st.subheader("Compare two scenarios")
        c_a, c_b = st.columns(2)
        name_a = c_a.selectbox("A", names, index=0, key="cmp_a")
        name_b = c_b.selectbox("B", names, index=1, key="cmp_b")

        def evaluated(s: Scenario) -> Evaluation:
            cat = data.bundled_catalog()
            for fname, fdata in s.uploads():
                cat = data.catalog_with_upload(fname, hashlib.sha256(fdata).hexdigest(), fdata)
            return evaluate(cat, cset, **scenario_evaluate_kwargs(s))

        try:
            sa, sb = store.load(name_a), store.load(name_b)
            for line in compare(sa, sb).lines():
                st.caption(views.md_escape(line))
            st.dataframe(views.rank_changes(evaluated(sa), evaluated(sb)), width="stretch")
        except SiteSelectError as exc:
            st.error(views.md_text(exc))
    with st.expander("Audit trail"):
        st.dataframe(store.audit_trail(), width="stretch", hide_index=True)
imported = st.file_uploader("Import a scenario (JSON)", type=["json"], key="import")
if imported is not None and st.button("Import"):
    try:
        got = store.import_json(imported.getvalue())
        st.success(views.md_text(f"Imported “{got.name}”."))
    except SiteSelectError as exc:
        st.error(views.md_text(exc))
record_downloads(run, store, [] if listing.empty else names)

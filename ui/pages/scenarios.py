"""Scenarios: save, open, compare, import and export; the decision record."""

from __future__ import annotations

import base64
import hashlib

import streamlit as st

from siteselect import views
from siteselect.errors import SiteSelectError
from siteselect.jobs import heavy_job
from siteselect.ranking import Evaluation, evaluate
from siteselect.store import Scenario, compare, scenario_evaluate_kwargs, scenario_to_json
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
LINKED = "share_link_opened"

store = auth.scoped(data.scenario_store())
can_save, can_delete = store.allows("evaluator"), store.allows("admin")
message = session.scenario_message
del session.scenario_message
if message:
    getattr(st, message[0])(views.md_text(message[1]))
token = st.session_state.get(auth.SHARE_KEY)
if token:
    st.subheader("Shared with you by link (read-only)")
    opened = st.session_state.get(LINKED)
    if opened is None or opened[0] != token:
        try:
            opened = (token, store.open_link(token))  # audited once per session and link
        except SiteSelectError as exc:
            st.error(views.md_text(exc))
            opened = None
        st.session_state[LINKED] = opened
    if opened is not None:
        linked = opened[1]
        st.caption(views.md_escape(f"“{linked.name}” · {linked.sector} · {linked.method}"))
        l1, l2, l3 = st.columns(3)
        l1.button(
            "Open the shared scenario", on_click=open_scenario, args=(cset, store, "", None, token)
        )
        l2.download_button(
            "Export the shared scenario (JSON)",
            scenario_to_json(linked),
            "shared.siteselect.json",
            "application/json",
        )
        if l3.button("Close the shared link"):
            st.session_state.pop(auth.SHARE_KEY, None)
            st.session_state.pop(LINKED, None)
            st.rerun()
if can_save:
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
                        headcount=state.headcount,
                        exclusion_rules=dict(state.exclusion_rules),
                    ),
                    overwrite=s_overwrite,
                )
                st.success(views.md_text(f"Saved “{saved.name}” at {saved.created_at}."))
            except SiteSelectError as exc:
                st.error(views.md_text(exc))
elif auth.signed_in():
    st.info(
        views.md_text(
            f"You are a viewer in workspace “{store.workspace}”: you can open, compare and "
            "export its scenarios; saving, sharing and deleting need another role."
        )
    )
listing = store.list()
st.subheader("Saved scenarios")
if listing.empty:
    st.info("No scenario saved yet.")
else:
    st.dataframe(listing, width="stretch", hide_index=True)
    valid = listing.loc[listing["problem"] == ""]
    picks = list(zip(valid["workspace"], valid["name"], strict=True))  # records that open
    own = list(listing.loc[listing["access"] == "owner", "name"])
    for bad in listing.loc[listing["problem"] != ""].itertuples():
        st.warning(views.md_text(f"“{bad.name}” cannot be opened: {bad.problem}"))

    def label(pick: tuple[str, str]) -> str:
        owner, name = pick
        return name if owner == store.workspace else f"{name} (shared by {owner}, read-only)"

    def other(owner: str) -> str | None:
        return None if owner == store.workspace else owner

    o1, o2 = st.columns(2)
    pick = o1.selectbox("Scenario", picks, key="scenario_pick", format_func=label)
    if pick is not None:
        o1.button("Open", on_click=open_scenario, args=(cset, store, pick[1], other(pick[0])))
        o1.download_button(
            "Export as JSON",
            lambda: store.export_json(pick[1], workspace=other(pick[0])),
            f"{pick[1]}.siteselect.json",
            "application/json",
        )
    if can_delete and own:
        with o2.expander("Delete"):
            doomed = st.selectbox("Scenario to delete", own, key="delete_pick")
            confirm = st.text_input("Type the scenario's name to confirm", key="confirm")
            if st.button("Delete scenario"):
                try:
                    store.delete(doomed, confirm=confirm)
                    st.success(views.md_text(f"Deleted “{doomed}” (kept in the audit trail)."))
                except SiteSelectError as exc:
                    st.error(views.md_text(exc))
    if can_save and own and auth.signed_in():
        with o2.expander("Share read-only"):
            shared = st.selectbox("Scenario to share", own, key="share_pick")
            target = st.text_input("With the workspace (its name)", key="share_with")
            b1, b2, b3 = st.columns(3)
            try:
                if b1.button("Share with this workspace"):
                    store.share(shared, with_workspace=target)
                    st.success(views.md_text(f"Shared “{shared}” with “{target}” (read-only)."))
                if b2.button("Create a read-only link"):
                    new_token = store.share(shared)
                    st.success("Link created; it is shown once. Anyone signed in can open it:")
                    here = (st.context.url or "").split("?")[0]  # None outside a browser
                    st.code(f"{here}?share={new_token}", language=None)
                if b3.button("End every share of it"):
                    ended = store.unshare(shared)
                    st.success(views.md_text(f"Ended {ended} share(s) of “{shared}”."))
            except SiteSelectError as exc:
                st.error(views.md_text(exc))
            st.dataframe(store.shares(), width="stretch", hide_index=True)
    if len(picks) >= 2:
        st.subheader("Compare two scenarios")
        c_a, c_b = st.columns(2)
        pick_a = c_a.selectbox("A", picks, index=0, key="cmp_a", format_func=label)
        pick_b = c_b.selectbox("B", picks, index=1, key="cmp_b", format_func=label)

        def evaluated(s: Scenario) -> Evaluation:
            cat = data.bundled_catalog()
            for fname, fdata in s.uploads():
                cat = data.catalog_with_upload(fname, hashlib.sha256(fdata).hexdigest(), fdata)
            return evaluate(cat, cset, **scenario_evaluate_kwargs(s))

        try:
            sa = store.load(pick_a[1], workspace=other(pick_a[0]))
            sb = store.load(pick_b[1], workspace=other(pick_b[0]))
            for line in compare(sa, sb).lines():
                st.caption(views.md_escape(line))
            if st.toggle("Show how the ranks move (ranks both scenarios)", key="cmp_ranks"):
                with heavy_job("scenario comparison"):
                    moved = views.rank_changes(evaluated(sa), evaluated(sb))
                st.dataframe(moved, width="stretch")
        except SiteSelectError as exc:
            st.error(views.md_text(exc))
    with st.expander("Audit trail"):
        st.dataframe(store.audit_trail(), width="stretch", hide_index=True)
if can_save:
    imported = st.file_uploader("Import a scenario (JSON)", type=["json"], key="import")
    if imported is not None and st.button("Import"):
        try:
            got = store.import_json(imported.getvalue())
            st.success(views.md_text(f"Imported “{got.name}”."))
        except SiteSelectError as exc:
            st.error(views.md_text(exc))
record_downloads(
    run, store, [] if listing.empty else [n for w, n in picks if w == store.workspace]
)

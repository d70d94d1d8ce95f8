"""Workspace: who belongs to the organisation you act for, with which role; admins manage them."""

from __future__ import annotations

import streamlit as st

from siteselect import views
from siteselect.errors import SiteSelectError
from siteselect.schema import ROLES
from ui import auth, data

st.subheader("Workspace")
if not auth.signed_in():
    st.info(
        "Sign-in is off (one user, the embedded store): there are no workspaces to manage. "
        "A shared deployment sets SITESELECT_AUTH=local or oidc; see the README."
    )
    st.stop()
store = auth.scoped(data.scenario_store())
st.markdown(
    views.md_text(f"You act in workspace “{store.workspace}” as {store.role}.")
    + "  \nViewers read; evaluators also save, import and share; admins also delete "
    "scenarios and manage members."
)
MESSAGE = "workspace_message"
done = st.session_state.pop(MESSAGE, None)
if done:
    st.success(views.md_text(done))
st.dataframe(store.members(), width="stretch", hide_index=True)
if store.allows("admin"):
    st.subheader("Add a member or change a role")
    with st.form("member"):
        who = st.text_input("User name (their sign-in name or e-mail)", max_chars=100)
        role = st.selectbox("Role", ROLES)
        if st.form_submit_button("Add or change", type="primary"):
            try:
                store.set_member(who, role)
            except SiteSelectError as exc:
                st.error(views.md_text(exc))
            else:
                st.session_state[MESSAGE] = f"“{who}” is now {role} in “{store.workspace}”."
                st.rerun()
    st.subheader("Remove a member")
    members = list(store.members()["user"])
    gone = st.selectbox("Member", members, key="member_remove")
    if st.button("Remove from the workspace") and gone is not None:
        try:
            store.set_member(gone, None)
        except SiteSelectError as exc:
            st.error(views.md_text(exc))
        else:
            st.session_state[MESSAGE] = f"Removed “{gone}” from “{store.workspace}”."
            st.rerun()
else:
    st.caption("Only the workspace's admins add or remove members.")

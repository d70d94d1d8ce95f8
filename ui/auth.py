"""Sign-in gate, called by the entry before anything else is drawn.

``SITESELECT_AUTH`` chooses how visitors sign in:

- ``off`` (default; the README's run command): one user, no sign-in, the store as is;
- ``local``: local accounts (``siteselect.accounts``: Argon2 hashes, rate-limited);
- ``oidc``: Streamlit's OpenID Connect sign-in (``st.login``), configured in the
  deployment's ``.streamlit/secrets.toml`` ``[auth]`` section.

With sign-in on, every store call of the pages goes through :func:`scoped`, which binds
the store to the signed-in user's workspace and role (enforced in ``siteselect.store``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import streamlit as st

from siteselect import views
from siteselect.errors import SiteSelectError
from ui import data

if TYPE_CHECKING:  # the store and accounts (SQLAlchemy, Argon2) load when sign-in is on
    from siteselect.store import ScenarioStore

AUTH_ENV = "SITESELECT_AUTH"
MODES = ("off", "local", "oidc")
_USER = "auth_user"
WORKSPACE_KEY = "workspace"
SHARE_KEY = "share_token"
"""Session key of the share-link token the visitor arrived with (``?share=...``)."""


def mode() -> str:
    value = os.environ.get(AUTH_ENV, "off").strip().lower() or "off"
    if value not in MODES:
        st.error(f"{AUTH_ENV} must be one of {', '.join(MODES)}; got {value!r}")
        st.stop()
    return value


def gate() -> str | None:
    """The signed-in user (``None`` with sign-in off); otherwise draw the sign-in and stop.

    A share link's token (``?share=...``) is kept for the Scenarios page, through the
    sign-in; with several workspaces, the sidebar asks which one to act in.
    """
    token = st.query_params.get("share")
    if token:
        st.session_state[SHARE_KEY] = token
    how = mode()
    if how == "off":
        return None
    if how == "oidc":
        if not st.user.is_logged_in:
            st.title("siteselect")
            st.button("Sign in with your organisation", on_click=st.login, type="primary")
            st.stop()
        user = str(st.user.get("email") or st.user.get("sub"))
        st.sidebar.button("Sign out", on_click=st.logout)
        workspace_picker(user)
        return user
    from siteselect import accounts

    signed = st.session_state.get(_USER)
    if signed is None:
        st.title("siteselect · sign in")
        with st.form("sign_in"):
            name = st.text_input("User name", key="sign_in_user", max_chars=100)
            password = st.text_input("Password", type="password", key="sign_in_password")
            if st.form_submit_button("Sign in", type="primary"):
                try:
                    st.session_state[_USER] = accounts.sign_in(
                        data.scenario_store(), name, password
                    )
                except SiteSelectError as exc:
                    st.error(views.md_text(exc))
                else:
                    st.rerun()
        st.stop()
    if st.sidebar.button("Sign out"):
        st.session_state.pop(_USER, None)
        st.session_state.pop(WORKSPACE_KEY, None)
        st.rerun()
    workspace_picker(str(signed))
    return str(signed)


def workspace_picker(user: str) -> None:
    """A sidebar choice of workspace for a user who belongs to several."""
    roles = data.scenario_store().workspaces_of(user)
    if len(roles) > 1:
        st.sidebar.selectbox(
            "Workspace",
            list(roles),
            key=WORKSPACE_KEY,
            format_func=lambda w: f"{w} ({roles[w]})",
            help="The organisation you act for: you see its scenarios and those shared with it.",
        )


def signed_in() -> bool:
    """Whether sign-in is on (workspaces and roles apply)."""
    return mode() != "off"


def scoped(store: ScenarioStore) -> ScenarioStore:
    """``store`` bound to the signed-in user's workspace and role (as is with sign-in off)."""
    user = st.session_state.get(_USER) if mode() == "local" else None
    if mode() == "oidc" and st.user.is_logged_in:
        user = str(st.user.get("email") or st.user.get("sub"))
    if user is None:
        return store
    try:
        bound = store.for_user(user, st.session_state.get(WORKSPACE_KEY))
    except SiteSelectError as exc:
        st.error(views.md_text(exc))
        st.stop()
    st.sidebar.caption(views.md_escape(f"{user} · {bound.role} in {bound.workspace}"))
    return bound

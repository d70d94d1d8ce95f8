"""The shared link: read once when a session starts, written back on every run."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from siteselect import views
from siteselect.criteria import CriteriaSet
from ui import model_controls, user_sites
from ui.state import apply_overrides, session


def open_shared_link(cset: CriteriaSet) -> None:
    """Set the session from the link it was opened with (once per session)."""
    if session.initialised:
        return
    shared, session.link_warnings = views.decode_link(dict(st.query_params), cset)
    link = shared.state
    session.sector, session.profile = link.sector, link.profile
    session.method, session.missing = link.method, link.missing
    apply_overrides(cset, dict(link.weights), None)
    model_controls.init_from_link(link)
    session.selected = shared.site  # checked against the ranking by settle_sites
    session.compare = list(shared.compare)
    session.link_sites = (shared.site, list(shared.compare))
    user_sites.open_link_upload(shared.uploads)
    session.initialised = True


def settle_sites(state: views.ViewState, shown: Sequence[str], uploads: str | None) -> None:
    """Check the link's site and comparison against the sites shown (once), keep the
    selection on a shown site, write the whole view back to the link, show its warnings."""
    if session.link_sites is not None:
        asked = views.SharedView(state, *session.link_sites[:1], tuple(session.link_sites[1]))
        checked, more = views.check_link_sites(asked, shown)
        session.selected, session.compare = checked.site, list(checked.compare)
        session.link_warnings = [*session.link_warnings, *more]
        del session.link_sites
    if session.selected not in shown:
        session.selected = str(shown[0])
    shared = views.SharedView(state, session.selected, tuple(session.compare), uploads)
    st.query_params.from_dict(views.encode_link(shared))
    for message in session.link_warnings:
        st.warning(views.md_text(message))

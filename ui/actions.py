"""Callbacks that put a saved scenario back into the UI state."""

from __future__ import annotations

from typing import Any

import streamlit as st

from siteselect import panel
from siteselect.criteria import CriteriaSet
from siteselect.errors import SiteSelectError
from siteselect.store import ScenarioStore, scenario_evaluate_kwargs
from ui import model_controls
from ui.state import apply_overrides, session, store_judgements


def open_scenario(
    cset: CriteriaSet,
    store: ScenarioStore,
    name: str,
    workspace: str | None = None,
    token: str | None = None,
) -> None:
    """Load scenario ``name`` (shared by ``workspace``, or the one a share link's ``token``
    opens) into the sidebar, the upload and the Stakeholders page."""
    try:
        scenario = store.open_link(token) if token else store.load(name, workspace=workspace)
    except SiteSelectError as exc:
        session.scenario_message = ("error", str(exc))
        return
    kwargs = scenario_evaluate_kwargs(scenario)
    del session.pending  # a sector/profile question of the previous view is moot
    session.sector, session.profile = kwargs["sector"], kwargs["profile"]
    session.method, session.missing = kwargs["method"], kwargs["missing"]
    elicitation = scenario.to_dict()["elicitation"]  # plain JSON data
    apply_overrides(cset, dict(kwargs["weights"]), elicitation or None)
    model_controls.set_markets(scenario.markets)
    st.session_state[model_controls.HEADCOUNT_KEY] = int(scenario.headcount or 0)
    for rule in cset.sector(scenario.sector).exclusions:
        key = model_controls.rule_key(scenario.sector, rule.rule_id)
        st.session_state[key] = scenario.exclusion_rules.get(rule.rule_id, rule.default)
    uploads = scenario.uploads()
    session.scenario_upload = uploads[0] if uploads else None
    session.scenario_message = ("success", f"Opened scenario “{scenario.name}”.")
    restore_panel(cset, elicitation)


def restore_panel(cset: CriteriaSet, elicitation: Any) -> None:
    """Put a saved panel's stakeholders and judgements back into the Stakeholders page."""
    if not elicitation or elicitation.get("method") != "ahp_panel":
        return
    try:
        people = panel.stakeholders_from_record(elicitation)
    except SiteSelectError as exc:
        session.scenario_message = ("warning", f"Judgements not restored: {exc}")
        return
    store_judgements(cset, people)

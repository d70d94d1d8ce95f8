"""The decision-record downloads (PDF and HTML): of the current view or of a saved scenario."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import streamlit as st

from siteselect import record
from siteselect.errors import SiteSelectError
from siteselect.jobs import DOWNLOAD_WAIT_S, heavy
from siteselect.store import ScenarioStore
from ui import context, data
from ui.state import session

CURRENT = "(the current view)"


def _file_stem(name: str, sector: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")[:60]
    return f"siteselect_record_{slug or sector}"


def record_downloads(run: context.Run, store: ScenarioStore, names: Sequence[str]) -> None:
    """Widgets: which view to record, its name, author and comment; the two downloads."""
    st.subheader("Decision record")
    which = st.selectbox("Record of", [CURRENT, *names], key="record_of")
    options: dict[str, Any]
    if which == CURRENT:
        c1, c2 = st.columns(2)
        name = c1.text_input("Scenario name (for the record)", max_chars=120, key="record_name")
        author = c2.text_input("Author", max_chars=120, key="record_author")
        comment = st.text_area("Comment (for the record)", max_chars=2000, key="record_comment")
        evaluation, catalog, user_ids = run.result, run.catalog, run.user_ids
        summary = run.summary
        options = {
            "scenario_name": name,
            "author": author,
            "comment": comment,
            "elicitation": session.elicitation or None,
            "overrides": run.overrides,
            "stability": run.stability(),
            "acceptability": summary.smaa.acceptability if summary else None,
            "robustness_notes": summary.notes if summary else (),
        }
    else:
        try:
            scenario = store.load(which)
            evaluation, catalog, user_ids = record.evaluate_scenario(
                scenario, data.bundled_catalog()
            )
        except SiteSelectError as exc:
            st.error(str(exc).replace("\n", "  \n"))
            return
        options = record.scenario_options(scenario)
        name = scenario.name
    options |= record.catalog_options(catalog, evaluation.ranking.index, on=dt.date.today())
    stem = _file_stem(name, evaluation.sector)

    def render(fmt: str) -> bytes:
        return heavy("decision record", record.render_record, wait=DOWNLOAD_WAIT_S)(
            evaluation, catalog.sites, fmt=fmt, user_sites=user_ids, **options
        )

    b1, b2 = st.columns(2)
    b1.download_button(
        "Decision record (PDF)",
        lambda: render("pdf"),
        f"{stem}.pdf",
        "application/pdf",
        key="record_pdf",
        type="primary",
    )
    b2.download_button(
        "Decision record (HTML)",
        lambda: render("html"),
        f"{stem}.html",
        "text/html",
        key="record_html",
    )
    st.caption(
        "Page 1: the question, weights and how they were elicited, top sites, robustness, "
        "stale-data notice and caveats; then the map, full ranking, the method's "
        "explanation, cost breakdown and the source of every value. Run the Robustness "
        "view first to include SMAA."
    )

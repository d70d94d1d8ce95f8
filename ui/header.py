"""The header every page shares: title, leading site, method, data notice, notes."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from siteselect import views
from siteselect.methods import METHODS
from siteselect.table import POLICIES
from ui import data
from ui.context import Run

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
DATA_NOTICE_ICON = ":material/event_busy:"  # Streamlit ships the font; an emoji may not render


def header(run: Run) -> None:
    result, ranking, cset = run.result, run.ranking, run.cset
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
    catalog = run.catalog
    stale = data.data_notice(
        catalog.version, tuple(sorted(ranking.index)), dt.date.today(), catalog
    )
    if stale:
        st.warning(views.md_text(stale), icon=DATA_NOTICE_ICON)
    with st.expander(f"Notes on this ranking ({len(result.notes)})", icon=":material/info:"):
        for note in result.notes:
            st.caption(views.md_escape(note))

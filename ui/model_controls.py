"""Sidebar controls of the decision model: target markets with shares, plant headcount."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from siteselect import views
from siteselect.markets import default_markets, describe_shares, parse_market_shares

MARKETS_KEY = "markets"
HEADCOUNT_KEY = "headcount"


def share_key(market_id: str) -> str:
    return f"share_{market_id}"


def init_from_link(link: views.ViewState) -> None:
    """Set the widgets to the markets and headcount a shared link carries."""
    set_markets(link.markets)
    st.session_state[HEADCOUNT_KEY] = int(link.headcount or 0)


def set_markets(markets: Mapping[str, float]) -> None:
    """Set the market picker and shares (empty = the US only)."""
    shares = dict(markets) or {"US": 1.0}
    st.session_state[MARKETS_KEY] = list(shares)
    for market_id, share in shares.items():
        st.session_state[share_key(market_id)] = round(100 * share, 1)


def market_controls() -> tuple[dict[str, float], float | None]:
    """The market picker and headcount input; returns normalised shares and headcount."""
    mset = default_markets()
    labels = {m.id: m.label for m in mset.markets}
    st.subheader("Target markets")
    chosen = st.multiselect(
        "Where your customers are",
        mset.ids,
        key=MARKETS_KEY,
        format_func=lambda m: labels[m],
        help="Market access is the duty and transit time into these markets, weighted by "
        "their share of sales. None chosen = the US only.",
    )
    raw = {}
    for market_id in chosen:
        st.session_state.setdefault(share_key(market_id), 100.0 / len(chosen))
        raw[market_id] = st.number_input(
            f"Share of sales: {labels[market_id]} (%)",
            min_value=0.1,
            max_value=100.0,
            step=5.0,
            key=share_key(market_id),
        )
    shares = parse_market_shares(raw, mset) if raw else {}
    if shares:
        st.caption(f"Shares used (normalised): {describe_shares(shares)}")
    headcount = st.number_input(
        "Plant headcount (0 = the sector's reference project)",
        min_value=0,
        max_value=1_000_000,
        step=50,
        key=HEADCOUNT_KEY,
        help="Scales every staff category of the reference project in criteria/projects.yaml.",
    )
    return shares, (float(headcount) if headcount else None)

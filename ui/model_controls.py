"""Sidebar controls of the decision model: target markets with shares, plant headcount,
weights as shares, and the question asked before custom weights are discarded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from siteselect import views
from siteselect.criteria import CriteriaSet
from siteselect.markets import default_markets, describe_shares, parse_market_shares
from ui.state import rebalance, reset_weights, resolve_pending, session

MARKETS_KEY = "markets"
HEADCOUNT_KEY = "headcount"


def share_key(market_id: str) -> str:
    return f"share_{market_id}"


def init_from_link(link: views.ViewState) -> None:
    """Set the widgets to the markets and headcount a shared link carries."""
    set_markets(link.markets)
    st.session_state[HEADCOUNT_KEY] = int(link.headcount or 0)
    for rule_id, on in link.exclusion_rules.items():
        st.session_state[rule_key(link.sector, rule_id)] = on


def rule_key(sector: str, rule_id: str) -> str:
    return f"exclusion_{sector}_{rule_id}"


def exclusion_controls(cset: CriteriaSet, sector: str) -> dict[str, bool]:
    """A switch per exclusion rule of ``sector`` (each at its default until changed);
    returns the rules switched away from their default."""
    rules = cset.sector(sector).exclusions
    if not rules:
        return {}
    st.subheader("Exclusion rules")
    chosen = {}
    for rule in rules:
        label = cset.criterion(rule.criterion).label
        bound = f"above {rule.max:g}" if rule.max != float("inf") else f"below {rule.min:g}"
        default = "on" if rule.default else "off"
        key = rule_key(sector, rule.rule_id)
        st.session_state.setdefault(key, rule.default)
        chosen[rule.rule_id] = st.toggle(
            f"Rule out sites with {label.lower()} {bound}",
            key=key,
            help=f"{rule.why} (Default: {default}.)",
        )
    return views.rule_overrides(cset, sector, chosen)


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


def pending_change(cset: CriteriaSet) -> None:
    """Ask whether to keep custom weights when the sector or profile is being changed."""
    pending = session.pending
    if pending is None:
        return
    key, new = pending
    label = cset.sector(new).label if key == "sector" else cset.profile(new).label
    what = "sector" if key == "sector" else "profile"
    st.warning(
        f"You have set your own weights. Switch the {what} to “{views.md_escape(label)}” "
        "and keep your weights, or use its preset weights?",
        icon="⚖️",
    )
    k1, k2, k3 = st.columns(3)
    k1.button("Keep my weights", on_click=resolve_pending, args=(cset, True), key="keep_w")
    k2.button("Use the preset", on_click=resolve_pending, args=(cset, False), key="drop_w")
    k3.button("Cancel", on_click=resolve_pending, args=(cset, None), key="cancel_w")


def weight_controls(cset: CriteriaSet) -> dict[str, Any]:
    """Group and criterion weights as shares (%); returns a caption slot per criterion id
    of the groups whose criteria are shown (their expander open)."""
    st.subheader("Weights")
    st.caption(
        "Shares that sum to 100 %: first each group's share of the score, then each "
        "criterion's share of its group (its share of the score is the product). Moving "
        "one slider rescales the others of its level in proportion, so the total stays "
        "100 %. Under each criterion: its share of the score as used, and the range of "
        "that share within which the first site stays first."
    )
    slots: dict[str, Any] = {}
    for group in cset.groups:
        st.slider(
            f"{group.label} (% of the score)",
            0.0,
            100.0,
            step=0.5,
            format="%.1f %%",
            key=f"wg_{group.id}",
            on_change=rebalance,
            args=(cset, group.id),
        )
    total = sum(session.weight(cset, g.id) for g in cset.groups)
    st.caption(f"Groups: total {total:.1f} %")
    for group in cset.groups:
        members = [c for c in cset.criteria if c.group == group.id]
        box = st.expander(
            f"Criteria: {group.label}", key=criteria_key(group.id), on_change="rerun"
        )
        with box:
            for crit in members:
                about = f"{crit.description} ({views.better_text(crit)}; {crit.unit})"
                if len(members) == 1:
                    st.markdown(f"**{views.md_escape(crit.label)}**: the group's only criterion")
                    st.caption(views.md_escape(about))
                else:
                    st.slider(
                        f"{crit.label} (% of the group)",
                        0.0,
                        100.0,
                        step=0.5,
                        format="%.1f %%",
                        key=f"wc_{crit.id}",
                        on_change=rebalance,
                        args=(cset, crit.id),
                        help=about,
                    )
                slot = st.empty()
                if box.open:  # captions only where they can be seen
                    slots[crit.id] = slot
    st.button("Reset weights to the profile", on_click=reset_weights, args=(cset,))
    return slots


def criteria_key(group_id: str) -> str:
    """The key of the expander of ``group_id``'s criteria (its state: open or not)."""
    return f"criteria_open_{group_id}"


def weight_captions(slots: Mapping[str, Any], in_use: Any, stability: Callable[[], Any]) -> None:
    """Under each criterion in ``slots``: its share of the score as used, and its
    stability interval (both in % of the score); ``stability`` is called only when there
    is a slot to fill (the intervals cost a search for some methods)."""
    if not slots:
        return
    stab = views.stability_shares(stability())
    for crit_id, slot in slots.items():
        row = in_use.loc[crit_id]
        if row["status"] != "used":
            slot.caption(f"not used in this ranking ({row['status']})")
            continue
        text = f"{views.pct(row['used'])} of the score"
        if abs(row["used"] - row["set"]) > 0.05:
            text += f" (set {views.pct(row['set'])}; renormalised over the criteria used)"
        if crit_id in stab.index:
            s = stab.loc[crit_id]
            approx = "" if s["exact"] else "≈"
            text += (
                f" · first place holds from {approx}{views.pct(s['low'])} "
                f"to {approx}{views.pct(s['high'])}"
            )
        slot.caption(text)

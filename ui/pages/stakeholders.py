"""Stakeholders: weights elicited from a panel (AHP), or quickly (SWING, ROC)."""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from siteselect import elicit, maps, panel, views
from siteselect.errors import SiteSelectError
from ui import context
from ui.state import apply_overrides, judgement_key

run = context.current()
cset = run.cset
catalog = run.catalog
table = run.table
state = run.state
user_ids = run.user_ids
GROUP_LABELS = run.group_labels
LABELS = run.labels
evaluate_with = run.evaluate_with
STAKEHOLDER_DEFAULTS = [
    ("Industry association", "industry_association"),
    ("Government evaluator", "government_evaluator"),
    ("Investor", "investor"),
]


def pairwise_input(a_label: str, b_label: str, key: str) -> float:
    """One AHP judgement on Saaty's scale as a 17-step slider; returns a_ij."""
    options = panel.judgement_options(a_label, b_label)
    st.session_state.setdefault(key, 8)
    position = st.select_slider(
        f"{a_label} vs {b_label}",
        options=list(range(17)),
        key=key,
        format_func=options.__getitem__,
    )
    return panel.judgement_value(position)


st.subheader("Weights from several stakeholders")
st.caption(
    "Each stakeholder compares the groups pairwise on Saaty's 1–9 scale (AHP). "
    "The panel weighting aggregates the judgements by their geometric mean (AIJ)."
)
st.session_state.setdefault("n_stakeholders", 3)
count = int(
    st.number_input("Stakeholders", min_value=2, max_value=5, step=1, key="n_stakeholders")
)
group_ids = [g.id for g in cset.groups]
group_pairs = [(a, b) for i, a in enumerate(group_ids) for b in group_ids[i + 1 :]]
stakeholders = []
for i, tab in enumerate(st.tabs([f"Stakeholder {i + 1}" for i in range(count)])):
    with tab:
        name_default, profile_default = (
            STAKEHOLDER_DEFAULTS[i]
            if i < len(STAKEHOLDER_DEFAULTS)
            else (f"Stakeholder {i + 1}", "industry_association")
        )
        st.session_state.setdefault(f"sh_name_{i}", name_default)
        st.session_state.setdefault(f"sh_profile_{i}", profile_default)
        name = st.text_input("Name", key=f"sh_name_{i}", max_chars=80)
        prof = st.selectbox(
            "Criterion weights inside groups from",
            [p.id for p in cset.profiles],
            key=f"sh_profile_{i}",
            format_func=lambda p: cset.profile(p).label,
        )
        judgements = {
            (a, b): pairwise_input(GROUP_LABELS[a], GROUP_LABELS[b], judgement_key(i, a, b))
            for a, b in group_pairs
        }
        inside = st.multiselect(
            "Also compare the criteria inside",
            group_ids,
            key=f"sh_inside_{i}",
            format_func=GROUP_LABELS.__getitem__,
            help="Otherwise the criterion weights inside a group come from the profile.",
        )
        within = {}
        for gid in inside:
            members = [c.id for c in cset.criteria if c.group == gid]
            with st.expander(f"Criteria inside {GROUP_LABELS[gid]}", expanded=True):
                within[gid] = {
                    (a, b): pairwise_input(LABELS[a], LABELS[b], judgement_key(i, a, b))
                    for j, a in enumerate(members)
                    for b in members[j + 1 :]
                }
        stakeholders.append(
            panel.Stakeholder(
                name=name,
                role=prof,
                group_judgements=judgements,
                criterion_judgements=within,
                profile=prof,
            )
        )
try:
    pw = panel.panel_weights(cset, stakeholders, state.sector)
except SiteSelectError as exc:
    st.error(views.md_text(exc))
    st.stop()
for sw_name, sw in pw.per_stakeholder.items():
    for warning in sw.warnings:
        st.warning(views.md_text(f"{sw_name}: {warning}"))
g1, g2 = st.columns(2)
with g1:
    st.markdown("**Group weights per stakeholder and for the panel**")
    gw = pd.DataFrame({n: sw.group.weights for n, sw in pw.per_stakeholder.items()})
    gw["panel"] = pw.group.weights
    st.dataframe(
        gw.rename(index=GROUP_LABELS),
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.3f") for c in gw.columns},
    )
    crs = {n: sw.group.cr for n, sw in pw.per_stakeholder.items()}
    st.caption(
        "Consistency ratio: "
        + ", ".join(f"{views.md_escape(n)} {cr:.3f}" for n, cr in crs.items())
        + " (warning above 0.10)"
    )
with g2:
    st.metric("Consensus", f"{pw.consensus.consensus:.0%}", help=pw.consensus.measure)
    st.caption(views.md_escape(pw.method_note))
rankings = panel.panel_rankings(
    catalog,
    cset,
    stakeholders,
    sector=state.sector,
    method=state.method,
    missing=state.missing,
    table=table,
    panel=pw,
)
st.markdown("**Rankings side by side**")
st.dataframe(rankings, width="stretch")
who = st.selectbox("Show on the map", ["panel", *pw.per_stakeholder])
chosen_overrides = pw.overrides if who == "panel" else pw.per_stakeholder[who].overrides
shown_eval = evaluate_with(chosen_overrides)
st_folium(
    maps.ranking_map(shown_eval.ranking, catalog.sites, user_sites=user_ids, assets="static"),
    key="panel_map",
    height=420,
    use_container_width=True,
    returned_objects=[],
)
st.button(
    "Use the panel weighting",
    type="primary",
    on_click=apply_overrides,
    args=(cset, dict(pw.overrides), panel.elicitation_record(stakeholders, pw)),
    help="Sets the sidebar weights to the panel's and records how they were "
    "elicited, for saving as a scenario.",
)

with st.expander("One evaluator, quick weights: SWING or rank order (ROC)"):
    how = st.radio("Method", ["SWING points", "Rank order (ROC)"], horizontal=True)
    try:
        if how == "SWING points":
            st.caption(
                "Give 100 to the group whose swing from worst to best matters most, "
                "and 0–100 to the others relative to it."
            )
            points: dict[Hashable, float] = {
                g: st.number_input(GROUP_LABELS[g], 0.0, 100.0, 100.0, 5.0, key=f"swing_{g}")
                for g in group_ids
            }
            quick = elicit.swing_weights(points)
        else:
            ranked = st.multiselect(
                "Groups from most to least important",
                group_ids,
                default=group_ids,
                format_func=GROUP_LABELS.__getitem__,
            )
            quick = elicit.roc_weights(ranked)
        st.dataframe(quick.rename(index=GROUP_LABELS).rename("weight").round(3))
        st.button(
            "Use these group weights",
            on_click=apply_overrides,
            args=(cset, quick.to_dict(), {"method": how, "group_weights": quick.to_dict()}),
        )
    except SiteSelectError as exc:
        st.error(views.md_text(exc))

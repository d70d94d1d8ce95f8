"""Robustness: SMAA acceptabilities, what would make a site win, stability, sweeps."""

from __future__ import annotations

import json

import streamlit as st

from siteselect import robustness, views
from siteselect.errors import SiteSelectError
from siteselect.jobs import heavy
from ui import context
from ui.state import apply_effective, session

run = context.current()
cset = run.cset
state_key = run.state_key
result = run.result
ranking = run.ranking
site_label = run.site_label
GROUP_LABELS = run.group_labels
LABELS = run.labels

st.subheader("How sure is this ranking?")
r1, r2, r3, r4 = st.columns(4)
samples = r1.select_slider(
    "SMAA weight samples", [1_000, 2_000, 5_000, 10_000, 20_000, 50_000], value=10_000
)
seed = int(r2.number_input("Seed", min_value=0, value=0, step=1))
pairs = [(a.id, b.id) for a in cset.groups for b in cset.groups if a.id != b.id]
order = r3.multiselect(
    "Constrain sampled weights",
    pairs,
    format_func=lambda p: f"{GROUP_LABELS[p[0]]} ≥ {GROUP_LABELS[p[1]]}",
)
spread = r4.selectbox(
    "Uncertainty on values",
    ["provenance", "exact", 0.05, 0.1, 0.2, 0.3],
    format_func=lambda v: (
        {"provenance": "from provenance", "exact": "none"}[v]
        if isinstance(v, str)
        else f"±{v:.0%} on sourced values"
    ),
    help="From provenance: older, estimated or imputed figures get wider ranges (the rule is "
    "stated below the results); computed distances stay exact.",
)
sampling = st.radio(
    "Sample weights",
    ["around", "uniform"],
    horizontal=True,
    format_func=lambda v: {
        "around": "around the current weights (how sure is the ranking for us?)",
        "uniform": "uniformly (no preference information)",
    }[v],
)
others = [s for s in ranking.index if s != ranking.index[0]]
default_target = session.selected
target = st.selectbox(
    "What would make this site win?",
    others,
    index=others.index(default_target) if default_target in others else 0,
    format_func=site_label.__getitem__,
)
run_key = json.dumps([state_key, samples, seed, order, target, spread, sampling])
cached = session.robustness_run
if cached is None or cached[0] != run_key:
    bar = st.progress(0.0, "Robustness analysis…")

    def show_progress(fraction: float, text: str) -> None:
        bar.progress(fraction, text=text)

    try:
        summary = heavy("robustness summary", robustness.robustness_summary)(
            result,
            samples=samples,
            seed=seed,
            target=target,
            order=order or None,
            value_spread=spread if isinstance(spread, float) else 0.0,
            values="exact" if spread == "exact" else "provenance",
            weight_sampling=sampling,
            progress=show_progress,
        )
    except SiteSelectError as exc:
        bar.empty()
        st.error(views.md_text(exc))
        st.stop()
    bar.empty()
    session.robustness_run = (run_key, summary)
    session.robustness = (state_key, summary)
else:
    summary = cached[1]
plain_names = {**LABELS, **{str(k): str(v) for k, v in ranking["name"].items()}}
acc = summary.smaa.acceptability
first = summary.first_rank_acceptability()
leader = ranking.index[0]
st.metric(
    f"{views.md_escape(ranking.at[leader, 'name'])} ranks first in",
    f"{first[leader]:.0%}",
    help=f"of {samples:,} sampled weightings (SMAA-2, seed {seed}); "
    + views.md_escape("; ".join(summary.notes)),
)
st.caption("What was sampled: " + views.md_escape("; ".join(summary.notes)))
best_other = first.drop(leader).idxmax()
st.caption(
    f"Most often first otherwise: {views.md_escape(ranking.at[best_other, 'name'])} "
    f"({first[best_other]:.0%})."
)
st.markdown(
    "**Rank acceptability** — the share of weightings in which each site takes each of "
    "the first five ranks, and a lower one"
)
named = views.acceptability_top(acc, [str(s) for s in ranking.index], site_label, k=5)
st.dataframe(
    named,
    width="stretch",
    height=35 * (len(named) + 1) + 3,  # every site
    column_config={
        "site": st.column_config.TextColumn(width=330),
        **{
            c: st.column_config.ProgressColumn(c, min_value=0, max_value=1, format="%.2f")
            for c in named.columns[1:]
        },
    },
    hide_index=True,
)
st.markdown(f"**What would make {views.md_escape(ranking.at[target, 'name'])} win**")
win = summary.win
if win is None:
    st.info("This site already ranks first.")
elif not win.feasible:
    st.warning(views.md_escape(views.with_labels(win.message, plain_names)))
else:
    st.markdown(views.md_escape(views.with_labels(win.message, plain_names)))
    assert win.weights is not None
    change = views.win_changes(win.weights, views.weights_in_use(result), LABELS)
    st.dataframe(
        change,
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(f"{c} (% of the score)", format="%.2f %%")
            for c in ("current", "needed", "change")
        },
    )
    precision = "exact (linear programme)" if win.exact else "found by search (upper bound)"
    st.caption(f"Distance: L1 between weight vectors = {win.distance:.3f}, {precision}.")
    st.button("Apply these weights", on_click=apply_effective, args=(cset, win.weights.to_dict()))
lever = summary.lever
if lever is not None:
    st.markdown(
        f"**What change of values would make {views.md_escape(ranking.at[target, 'name'])} "
        "win** — the cheapest improvement of the values a government or park can move "
        "(power price, tax, wages, tariff)"
    )
    st.caption(
        "Values that may change (flagged `lever` in criteria.yaml): "
        + "; ".join(
            f"{views.md_escape(LABELS.get(c, c))}: {views.md_escape(cset.criterion(c).lever_note)}"
            for c in cset.levers
            if c in result.policy.matrix.columns
        )
    )
    text = views.md_escape(views.with_labels(lever.message, plain_names))
    if lever.feasible:
        st.markdown(text)
        if len(lever.changes):
            st.dataframe(views.lever_table(lever, LABELS), hide_index=True, width="stretch")
    else:
        st.warning(text)
gaia_data = views.gaia_frames(result, {str(k): str(v) for k, v in ranking["name"].items()}, LABELS)
if gaia_data is None:
    st.caption("The GAIA plane and PROMETHEE I are shown when the method is PROMETHEE II.")
else:
    long, relation, delta = gaia_data
    st.markdown("**GAIA plane** — sites, criteria axes and the decision stick (the weights)")
    st.altair_chart(views.gaia_chart(long, delta), width="stretch")
    st.markdown(
        "**PROMETHEE I** — P: the row site is preferred; P-: the column site is; "
        "I: indifferent; R: incomparable (the two flows disagree)"
    )
    st.dataframe(relation, width="stretch")
st.markdown(
    "**Stability intervals** — each criterion's share of the score (%) within which the "
    "first site stays first (the others rescaled proportionally); the same scale as the "
    "weights in the sidebar"
)
stab = views.stability_shares(summary.stability).rename(index=LABELS)
st.dataframe(
    stab,
    width="stretch",
    column_config={
        c: st.column_config.NumberColumn(format="%.2f %%") for c in ("low", "high", "current")
    },
)
st.markdown(
    "**Weight sensitivity** — how ranks move as one criterion's or group's share of the "
    "score goes from 0 to 100 %"
)
vary_options = [*GROUP_LABELS, *result.policy.matrix.columns]
vary = st.selectbox(
    "Weight to sweep",
    vary_options,
    format_func=lambda v: GROUP_LABELS.get(v) or LABELS.get(v, v),
)
matrix, objectives, eff = robustness.evaluation_problem(result)
members = [c for c in matrix.columns if cset.criterion(c).group == vary] or vary
sweep = robustness.weight_sweep(
    matrix, objectives, eff, vary=members, method=result.method, steps=41, **result.params
)
sweep["site"] = sweep["alternative"].map(site_label)
sweep = sweep.sort_values(["weight"], kind="stable").sort_values(
    "alternative", key=lambda a: a.map(ranking["rank"]), kind="stable"
)
current = float(sum(eff[c] for c in ([members] if isinstance(members, str) else members)))
st.altair_chart(views.sweep_chart(sweep, current), width="stretch", height=480)
st.markdown("**Rank reversal**")
for note in summary.reversal.notes:
    st.caption(views.md_escape(views.with_labels(note, plain_names)))

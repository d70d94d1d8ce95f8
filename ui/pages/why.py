"""Why this rank: each criterion's contribution to the score, and the weights in use."""

from __future__ import annotations

import streamlit as st

from siteselect import views
from ui import context

run = context.current()
cset = run.cset
result = run.result
GROUP_LABELS = run.group_labels

st.subheader("Contribution of each criterion, as the method in use computes it")
explanation = result.explanation
st.caption(
    f"Each bar is {explanation.contribution_meaning}. The score is recomputed from these "
    f"terms: {explanation.formula}. Group subscores: {explanation.group_rule}."
)
st.altair_chart(views.contribution_chart(views.contribution_frame(result), cset), width="stretch")
st.subheader("Weights, as shares of the score")
in_use = views.weights_in_use(result)
st.caption(
    "Group share × share in group = the share set for the criterion. “Used” is the weight "
    "the method ranked with: the shares of the criteria in use, renormalised to 100 % "
    "when a criterion is left out. All in %."
)
st.dataframe(
    in_use,
    width="stretch",
    hide_index=True,
    height=36 * (len(in_use) + 1) + 2,
    column_config={
        "criterion": st.column_config.TextColumn(width=250),
        "group": st.column_config.TextColumn(width=160),
        "status": st.column_config.TextColumn(width=120),
        "group share": st.column_config.NumberColumn(format="%.1f %%"),
        "share in group": st.column_config.NumberColumn(format="%.1f %%"),
        "set": st.column_config.NumberColumn("set (% of the score)", format="%.1f %%"),
        "used": st.column_config.ProgressColumn(
            "used (% of the score)",
            min_value=0,
            max_value=float(max(in_use["used"].max(), 1.0)),
            format="%.1f %%",
        ),
    },
)

"""Why this rank: each criterion's contribution to the score, and the weights in use."""

from __future__ import annotations

import pandas as pd
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
st.subheader("Effective weights")
weights = pd.DataFrame(
    {
        "criterion": [c.label for c in cset.criteria],
        "group": [GROUP_LABELS[c.group] for c in cset.criteria],
        "effective weight": result.weights.effective.to_numpy(),
        "within group": result.weights.within.to_numpy(),
    }
)
st.dataframe(
    weights,
    width="stretch",
    hide_index=True,
    column_config={
        "effective weight": st.column_config.ProgressColumn(
            min_value=0, max_value=float(weights["effective weight"].max()), format="%.3f"
        ),
        "within group": st.column_config.NumberColumn(format="%.3f"),
    },
)

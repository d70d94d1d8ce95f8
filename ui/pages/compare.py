"""Compare sites: two or three sites side by side, criterion by criterion."""

from __future__ import annotations

import streamlit as st

from siteselect import views
from siteselect.table import POLICIES
from ui import context

run = context.current()
result = run.result
ranking = run.ranking
site_label = run.site_label

chosen = st.multiselect(
    "Compare two or three sites",
    list(ranking.index),
    default=list(ranking.index[:2]),
    max_selections=3,
    format_func=site_label.__getitem__,
)
if len(chosen) >= 2:
    table_cmp = views.comparison_table(result, chosen)
    st.dataframe(
        table_cmp,
        width="stretch",
        hide_index=True,
        height=36 * (len(table_cmp) + 1) + 2,
        column_config={"weight": st.column_config.NumberColumn(format="%.3f")},
    )
    st.caption(
        f"Missing values are marked; the policy in use is “{result.policy.policy}”: "
        f"{POLICIES[result.policy.policy]}."
    )
else:
    st.info("Choose at least two sites.")

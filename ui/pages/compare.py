"""Compare sites: two or three sites side by side, criterion by criterion."""

from __future__ import annotations

import streamlit as st

from siteselect import views
from siteselect.table import POLICIES
from ui import context
from ui.state import session

run = context.current()
result = run.result
ranking = run.ranking
site_label = run.site_label

ids = [str(i) for i in ranking.index]
if not session.compare:
    session.compare = ids[:2]
st.session_state.compare_pick = [s for s in session.compare if s in ids]


def pick() -> None:
    session.compare = list(st.session_state.compare_pick)


chosen = st.multiselect(
    "Compare two or three sites",
    ids,
    key="compare_pick",
    max_selections=3,
    format_func=site_label.__getitem__,
    on_change=pick,
)
if len(chosen) >= 2:
    values, sources = views.comparison_parts(views.comparison_table(result, chosen))
    st.caption(
        "Columns by rank: "
        + " · ".join(views.md_escape(site_label[sid]) for sid in chosen)
        + ". Values in each criterion's unit; “weight used” is its share of the score."
    )
    st.dataframe(
        values.drop(columns=["group", "used"]),
        width="stretch",
        hide_index=True,
        height=35 * (len(values) + 1) + 18,
        column_config={
            "criterion": st.column_config.TextColumn(width=280, pinned=True),
            "unit": st.column_config.TextColumn(width=150),
            "better": st.column_config.TextColumn(width=55),
            "share used (%)": st.column_config.NumberColumn(
                "weight used", format="%.1f %%", width=85
            ),
            **{
                name: st.column_config.TextColumn(f"#{ranking.at[sid, 'rank']}", help=name)
                for sid, name in zip(chosen, values.columns[6:], strict=True)
            },
        },
    )
    st.markdown("**Where each value comes from**")
    st.dataframe(
        sources,
        width="stretch",
        hide_index=True,
        height=35 * (len(sources) + 1) + 18,
        column_config={
            "source": st.column_config.TextColumn(width="large"),
            "how": st.column_config.TextColumn(width="large"),
        },
    )
    st.caption(
        f"Missing values are marked; the policy in use is “{result.policy.policy}”: "
        f"{POLICIES[result.policy.policy]}."
    )
else:
    st.info("Choose at least two sites.")

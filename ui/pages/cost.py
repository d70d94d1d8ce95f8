"""Cost of operation: the annual cost per site with its breakdown, cost versus quality."""

from __future__ import annotations

import streamlit as st

from siteselect import attribution, views
from siteselect.markets import describe_shares
from ui import context
from ui.state import session

run = context.current()
result = run.result
cost = result.cost

if cost is None:
    st.info("The criteria in use have no cost of operation.")
    st.stop()

st.subheader("Annual cost of operation")
st.caption(
    views.md_escape(
        f"{cost.project.label}, {cost.project.headcount_total:,.0f} staff; target markets "
        f"{describe_shares(cost.markets)}. USD million per year. The scored cost leaves out "
        "the duties on output, which are scored once, as the market-access duty. An empty "
        "cell is an input the data does not hold: the site's total is then unknown."
    )
)
costs = views.cost_table(result)
st.dataframe(
    costs,
    width="stretch",
    hide_index=True,
    height=35 * (len(costs) + 1) + 18,  # every site
    column_config={"name": st.column_config.TextColumn(width=300, pinned=True)},
)

quality = attribution.cost_quality(result)
if quality["cost_usd"].notna().sum() >= 2:
    st.subheader("Cost versus quality")
    event = st.altair_chart(
        views.cost_quality_chart(quality), width="stretch", on_select="rerun", key="cq_chart"
    )
    picked = (event.selection.get("site") or [{}])[0].get("site_id") if event else None
    if picked in result.ranking.index:
        session.selected = picked
else:
    st.info("Cost versus quality needs a known cost for at least two sites.")

names = run.site_label
default = session.selected if session.selected in result.ranking.index else None
site = st.selectbox(
    "Breakdown for",
    list(result.ranking.index),
    index=list(result.ranking.index).index(default) if default else 0,
    format_func=lambda s: names[s],
)
rows = cost.breakdown[cost.breakdown["site_id"] == site]
st.dataframe(
    rows.drop(columns=["site_id"]).assign(amount_usd=rows["amount_usd"].round(0)),
    width="stretch",
    hide_index=True,
    column_config={
        "amount_usd": st.column_config.NumberColumn("USD per year", format="localized"),
        "inputs": st.column_config.TextColumn(width="large"),
    },
)
with st.expander("Assumptions of the reference project"):
    for line in cost.project.assumptions():
        st.markdown(f"- {views.md_escape(line)}")

st.subheader("Country versus site")
split = attribution.country_vs_site(result)
st.caption(
    views.md_escape(f"Share of each score from country-level facts ({split['basis'].iloc[0]}).")
)
split_shown = split.drop(columns=["basis"]).round(3)
st.dataframe(
    split_shown,
    width="stretch",
    hide_index=True,
    height=35 * (len(split_shown) + 1) + 18,
    column_config={"name": st.column_config.TextColumn(width=300, pinned=True)},
)
if len(result.excluded):
    st.subheader("Excluded by the sector's rules")
    st.dataframe(result.excluded, width="stretch")

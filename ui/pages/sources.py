"""Data & sources: every value of the decision table with its source."""

from __future__ import annotations

import streamlit as st

from ui import context

run = context.current()
catalog = run.catalog
result = run.result

st.subheader("Every value, with its source")
st.dataframe(result.table.cells, width="stretch", hide_index=True)
st.caption(
    f"Data version {catalog.version}. Sources, refresh instructions and gaps: data/SOURCES.md."
)

"""Data & sources: every sourced figure, searchable, with its link and stale flag; the
release's SOURCES.md texts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from siteselect import sources_view
from siteselect.catalog import Catalog
from ui import context

run = context.current()
catalog = run.catalog
result = run.result


@st.cache_data(show_spinner=False, max_entries=8)
def _frame(version: str, on: dt.date, _catalog: Catalog) -> pd.DataFrame:
    return sources_view.sources_frame(_catalog, on=on)


today = dt.date.today()
frame = _frame(catalog.version, today, catalog)
st.subheader("Every sourced figure")
release = catalog.release
st.caption(
    f"Data release {release.version or '(unversioned)'} of {release.date or '—'}, data "
    f"version {catalog.version}. Stale flags as of {today}: past valid_until, from a "
    "superseded edition, older than the indicator's maximum age, or a newer edition due."
)
f1, f2, f3 = st.columns([1, 2, 2])
countries = f1.multiselect(
    "Country",
    sorted(c for c in frame["country"].unique() if c),
    format_func=lambda c: sources_view.country_name(c),
    key="src_country",
)
indicators = f2.multiselect("Indicator", sorted(frame["indicator"].unique()), key="src_ind")
text = f3.text_input("Search (source, scope, value…)", key="src_text")
stale_only = st.checkbox("Only stale figures", key="src_stale")
shown = sources_view.filter_sources(
    frame, countries=countries, indicators=indicators, text=text, stale_only=stale_only
)
st.caption(f"{len(shown)} of {len(frame)} figures; {int(frame['stale'].sum())} stale.")
st.dataframe(
    shown,
    width="stretch",
    hide_index=True,
    height=520,
    column_order=sources_view.SHOWN_COLUMNS,
    column_config={
        "indicator": st.column_config.TextColumn("indicator", width=300),
        "scope": st.column_config.TextColumn("scope", width=210),
        "value": st.column_config.TextColumn("value", width=150),
        "link": st.column_config.LinkColumn("link", display_text="open source", width=95),
        "source": st.column_config.TextColumn("source", width="large"),
        "stale": st.column_config.CheckboxColumn("stale"),
        "as_of": st.column_config.TextColumn("as of"),
        "valid_until": st.column_config.TextColumn("valid until"),
    },
)

with st.expander("Values of the current ranking, with their provenance"):
    st.dataframe(sources_view.cells_frame(result), width="stretch", hide_index=True, height=420)

st.subheader("Sources, refresh steps and gaps")
texts = sources_view.sources_texts()
for tab, doc in zip(st.tabs([t.title for t in texts]), texts, strict=True):
    with tab:
        st.markdown(doc.markdown)

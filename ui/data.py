"""Cached data shared by every session: bundled catalog, uploads, tables, the store.

Nothing returned from here may be mutated: the caches are shared between user sessions.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from siteselect import maps, release, robustness, uploads
from siteselect.catalog import Catalog, sites_from_file
from siteselect.criteria import CriteriaSet
from siteselect.ranking import Evaluation, default_catalog, default_criteria
from siteselect.table import DecisionTable, decision_table, default_context

if TYPE_CHECKING:  # the store (SQLAlchemy) loads when a page first uses it
    from siteselect.store import ScenarioStore


@st.cache_resource
def static_assets(folder: str) -> str:
    """The map's files in the app's static folder: installed once per process."""
    return str(maps.install_static_assets(folder))


@st.cache_resource
def criteria_set() -> CriteriaSet:
    return default_criteria()


@st.cache_resource(show_spinner="Loading the bundled data and computing geography…")
def bundled_catalog() -> Catalog:
    catalog = default_catalog()
    _ = catalog.geography  # sea routes, distances, time zones: computed once per process
    return catalog


@st.cache_resource(max_entries=16, show_spinner="Reading your sites…")
def catalog_with_upload(name: str, digest: str, _data: bytes) -> Catalog:
    user = sites_from_file(name, data=_data, criteria=criteria_set().ids)
    return bundled_catalog().with_sites(user)


@st.cache_resource(max_entries=16, show_spinner="Applying your values…")
def catalog_with_assumptions(
    _catalog: Catalog, entries: tuple[uploads.Entry, ...], version: str
) -> Catalog:
    """``_catalog`` (of version ``version``) with the user's entered values."""
    user_sites = [s for s in _catalog.sites.index if s not in bundled_catalog().sites.index]
    return uploads.with_user_assumptions(
        _catalog, entries, user_sites=user_sites, criteria=criteria_set().ids
    )


@st.cache_resource(max_entries=64)
def table_for(
    version: str,
    sector: str,
    _catalog: Catalog,
    markets: tuple[tuple[str, float], ...] = (),
    headcount: float | None = None,
) -> DecisionTable:
    ctx = default_context(
        sector, dict(markets) or None, on=_catalog.release.date, headcount=headcount
    )
    return decision_table(_catalog, criteria_set(), sector, ctx)


@st.cache_resource(max_entries=64)
def stability_for(key: str, _result: Evaluation) -> pd.DataFrame:
    matrix, objectives, weights = robustness.evaluation_problem(_result)
    return robustness.stability_intervals(
        matrix, objectives, weights, _result.method, **_result.params
    )


@st.cache_data(max_entries=64, show_spinner=False)
def data_notice(version: str, site_ids: tuple[str, ...], on: dt.date, _catalog: Catalog) -> str:
    """:func:`release.data_notice` for ``site_ids`` of ``_catalog`` (of version ``version``:
    a digest of its content, uploads and entered values included) on day ``on``."""
    text, _ = release.data_notice(_catalog, site_ids, on=on)
    return text


@st.cache_resource
def scenario_store() -> ScenarioStore:
    from siteselect.store import ScenarioStore

    return ScenarioStore()

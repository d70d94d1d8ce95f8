"""The current script run: what the entry evaluated, handed to the page it runs.

The entry builds one :class:`Run` per script run and calls :func:`use` before running the
page; a page reads it with :func:`current`. The value lives in a context variable of the
script-run thread, so sessions never see each other's run.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from siteselect import views
from siteselect.catalog import Catalog
from siteselect.criteria import CriteriaSet
from siteselect.ranking import Evaluation, evaluate
from siteselect.table import DecisionTable

_CURRENT: ContextVar[Run] = ContextVar("siteselect_run")


@dataclass(frozen=True)
class Run:
    """One evaluation of the current view, and what the pages need around it."""

    cset: CriteriaSet
    catalog: Catalog
    table: DecisionTable
    state: views.ViewState
    state_key: str
    result: Evaluation
    stability: Callable[[], pd.DataFrame]  # the stability intervals, computed when asked
    user_ids: list[str]
    upload_file: tuple[str, bytes] | None
    summary: Any | None  # the last robustness summary of this view, if any

    @property
    def ranking(self) -> pd.DataFrame:
        return self.result.ranking

    @property
    def overrides(self) -> dict[str, float]:
        return dict(self.state.weights)

    @cached_property
    def group_labels(self) -> dict[str, str]:
        return {g.id: g.label for g in self.cset.groups}

    @cached_property
    def labels(self) -> dict[str, str]:
        return {c.id: c.label for c in self.cset.criteria}

    @cached_property
    def site_label(self) -> dict[str, str]:
        r = self.ranking
        return {sid: f"#{r.at[sid, 'rank']} {r.at[sid, 'name']}" for sid in r.index}

    def evaluate_with(self, weights: dict[str, float]) -> Evaluation:
        """The current view (sector, profile, method, policy, data) under ``weights``."""
        return evaluate_view(self.catalog, self.cset, self.table, self.state, weights)


def evaluate_view(
    catalog: Catalog,
    cset: CriteriaSet,
    table: DecisionTable,
    state: views.ViewState,
    weights: dict[str, float] | None = None,
) -> Evaluation:
    """Evaluate the view ``state`` (under ``weights`` instead of its own, if given)."""
    return evaluate(
        catalog,
        cset,
        sector=state.sector,
        profile=state.profile,
        weights=dict(state.weights) if weights is None else weights,
        method=state.method,
        missing=state.missing,
        table=table,
        markets=dict(state.markets) or None,
        headcount=state.headcount,
        exclusion_rules=dict(state.exclusion_rules) or None,
    )


def use(run: Run) -> None:
    """Make ``run`` the current run for the page about to be executed."""
    _CURRENT.set(run)


def current() -> Run:
    """The run the entry evaluated for this script run."""
    return _CURRENT.get()

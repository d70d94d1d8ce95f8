"""One robustness summary for an evaluation: SMAA, stability, what-if, reversal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.robustness.levers import LeverResult, policy_levers, value_levers
from siteselect.robustness.model import one_blas_thread
from siteselect.robustness.provenance import RULE, provenance_ranges
from siteselect.robustness.reversal import RankReversalReport, rank_reversal
from siteselect.robustness.smaa import SMAAResult, smaa_full
from siteselect.robustness.stability import stability_intervals
from siteselect.robustness.whatif import WinResult, weights_to_win

MAX_SITES = 500
"""Largest number of sites the robustness summary runs on; more are refused up front.
Measured in benchmarks/methods.py (500 sites × 13 criteria, TOPSIS, 10,000 samples with
value ranges, on a shared two-core machine under load: under 30 s, SMAA about half)."""
DEFAULT_CONCENTRATION = 100.0
"""Dirichlet concentration κ of the default weight sampling around the user's weights: a
weight of 0.10 varies by about ±0.03 (one standard deviation)."""
WEIGHT_SAMPLING = ("around", "uniform")
VALUES = ("provenance", "exact")


@dataclass(frozen=True)
class RobustnessSummary:
    """Everything the robustness views show for one :class:`~siteselect.ranking.Evaluation`."""

    method: str
    leader: Any
    smaa: SMAAResult
    stability: pd.DataFrame
    win: WinResult | None
    reversal: RankReversalReport
    notes: tuple[str, ...] = ()
    """What was sampled and by which rule, to show beside the results."""
    lever: LeverResult | None = None
    """The cheapest change of the target's policy-movable values that makes it first."""

    def first_rank_acceptability(self) -> pd.Series:
        """Share of sampled weightings in which each site ranks first."""
        return self.smaa.acceptability.iloc[:, 0]


def check_summary_size(m: int) -> None:
    """Refuse, before any work, a summary of more than :data:`MAX_SITES` sites."""
    if m > MAX_SITES:
        raise SiteSelectError(
            f"the robustness summary is limited to {MAX_SITES:,} sites ({m:,} given): rank "
            "acceptability is a sites × sites table, and the search for the weights that make "
            "a site win and the rank-reversal checks re-rank every site many times. Shortlist "
            "the sites first (e.g. the top of the ranking) and run it there."
        )


def evaluation_problem(evaluation: Any) -> tuple[pd.DataFrame, dict[str, str], dict[str, float]]:
    """The matrix, objectives and effective weights an evaluation ranked with."""
    matrix = evaluation.policy.matrix
    objectives = {c: evaluation.table.objectives[c] for c in matrix.columns}
    weights = evaluation.weights.effective[matrix.columns].to_dict()
    return matrix, objectives, weights


@one_blas_thread()
def robustness_summary(
    evaluation: Any,
    *,
    samples: int = 10_000,
    seed: int = 0,
    target: Any | None = None,
    order: Sequence[tuple[str, str]] | None = None,
    value_spread: float = 0.0,
    progress: Callable[[float, str], None] | None = None,
    weight_sampling: str = "around",
    concentration: float = DEFAULT_CONCENTRATION,
    values: str = "provenance",
) -> RobustnessSummary:
    """SMAA, stability intervals, what would make ``target`` win, and rank reversal.

        Uses the evaluation's own matrix (after its missing-value policy), method and
        parameters. ``target`` defaults to the runner-up. ``order`` constrains the SMAA
        weights, e.g. ``[("investment_climate", "proximity")]`` (group ids or criterion ids).
        ``value_spread`` (e.g. 0.1) makes SMAA also draw every sourced criterion value
        uniformly within ±that share of itself (computed geography stays exact), for figures
        that are estimates. ``progress(fraction, text)`` is called before each step and after
    every chunk of SMAA samples.

        By default SMAA answers "given *our* weights, roughly, how sure is the ranking?":
        ``weight_sampling="around"`` draws group weights and each group's split around the
        evaluation's own weights (hierarchical Dirichlet, ``concentration`` κ; see
        :class:`~siteselect.robustness.sampling.WeightPrior`); ``"uniform"`` draws them
        uniformly (hierarchically), the classic SMAA question with no preference information.
        ``values="provenance"`` draws every value within a range set by its provenance
        (:data:`~siteselect.robustness.provenance.RULE`), ``"exact"`` keeps them fixed; a
        positive ``value_spread`` replaces that rule by the uniform ± share. ``notes`` says
        what was sampled.

        Refused up front for more than ``MAX_SITES`` sites (rank acceptability is a sites ×
        sites table and rank reversal re-ranks once per site).
    """
    if not 0 <= value_spread < 1:
        raise SiteSelectError(f"value_spread must be in [0, 1); got {value_spread!r}")
    if weight_sampling not in WEIGHT_SAMPLING:
        raise SiteSelectError(
            f"weight_sampling must be one of {', '.join(WEIGHT_SAMPLING)}; got {weight_sampling!r}"
        )
    if values not in VALUES:
        raise SiteSelectError(f"values must be one of {', '.join(VALUES)}; got {values!r}")
    check_summary_size(len(evaluation.ranking))

    def step(fraction: float, text: str) -> None:
        if progress is not None:
            progress(fraction, text)

    matrix, objectives, weights = evaluation_problem(evaluation)
    method, params = evaluation.method, dict(evaluation.params)
    ranking = evaluation.ranking
    groups = evaluation.criteria.group_of()
    ranges = None
    notes: list[str] = []
    if value_spread > 0:
        notes.append(
            f"values of sourced criteria drawn uniformly within ±{value_spread:.0%} of "
            "themselves; computed geography exact"
        )
        computed = {
            c.id for c in evaluation.criteria.criteria if c.derive.get("kind") == "computed"
        }
        ranges = {
            c: (
                matrix[c] - value_spread * matrix[c].abs(),
                matrix[c] + value_spread * matrix[c].abs(),
            )
            for c in matrix.columns
            if c not in computed
        }
    elif values == "provenance":
        ranges = provenance_ranges(evaluation) or None
        notes.append(RULE)
    around = weight_sampling == "around"
    smaa_text = f"SMAA: ranking {samples:,} sampled weightings"
    step(0.0, smaa_text)
    result = smaa_full(
        matrix,
        objectives,
        weights=weights if around else None,
        concentration=concentration if around else None,
        hierarchical=True,
        samples=samples,
        method=method,
        seed=seed,
        order=order,
        groups=groups,
        value_ranges=ranges,
        progress=lambda done: step(0.4 * done, smaa_text),
        **params,
    )
    notes.insert(0, f"SMAA sampled: {result.sampled}")
    step(0.4, "stability intervals")
    stability = stability_intervals(matrix, objectives, weights, method, **params)
    step(0.6, "what would make another site win")
    if target is None and len(ranking) > 1:
        target = ranking.index[1]
    if target is not None and target not in ranking.index:
        raise UnknownNameError("site", target, map(str, ranking.index))
    sole_leader = (
        target is not None
        and (ranking["rank"] == 1).sum() == 1
        and (ranking.at[target, "rank"] == 1)
    )
    win = None
    if target is not None and not sole_leader:
        win_text = "what would make another site win"
        win = weights_to_win(
            matrix,
            objectives,
            weights,
            target,
            method,
            seed=seed,
            progress=lambda done: step(0.6 + 0.2 * done, win_text),
            **params,
        )
    lever = None
    movable = policy_levers(evaluation.criteria)
    levers = [c for c in movable if c in matrix.columns and weights.get(c, 0) > 0]
    if target is not None and not sole_leader and levers:
        step(0.8, "what change of values would make that site win")
        lever = value_levers(
            matrix,
            objectives,
            weights,
            target,
            method,
            levers=levers,
            units=dict(evaluation.table.units),
            **params,
        )
    step(0.9, "rank reversal checks")
    reversal = rank_reversal(matrix, objectives, weights, method, seed=seed, **params)
    step(1.0, "done")
    return RobustnessSummary(
        method, ranking.index[0], result, stability, win, reversal, tuple(notes), lever
    )

"""One robustness summary for an evaluation: SMAA, stability, what-if, reversal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.robustness.reversal import RankReversalReport, rank_reversal
from siteselect.robustness.smaa import SMAAResult, smaa_full
from siteselect.robustness.stability import stability_intervals
from siteselect.robustness.whatif import WinResult, weights_to_win


@dataclass(frozen=True)
class RobustnessSummary:
    """Everything the robustness views show for one :class:`~siteselect.ranking.Evaluation`."""

    method: str
    leader: Any
    smaa: SMAAResult
    stability: pd.DataFrame
    win: WinResult | None
    reversal: RankReversalReport

    def first_rank_acceptability(self) -> pd.Series:
        """Share of sampled weightings in which each site ranks first."""
        return self.smaa.acceptability.iloc[:, 0]


def evaluation_problem(evaluation: Any) -> tuple[pd.DataFrame, dict[str, str], dict[str, float]]:
    """The matrix, objectives and effective weights an evaluation ranked with."""
    matrix = evaluation.policy.matrix
    objectives = {c: evaluation.table.objectives[c] for c in matrix.columns}
    weights = evaluation.weights.effective[matrix.columns].to_dict()
    return matrix, objectives, weights


def robustness_summary(
    evaluation: Any,
    *,
    samples: int = 10_000,
    seed: int = 0,
    target: Any | None = None,
    order: Sequence[tuple[str, str]] | None = None,
    value_spread: float = 0.0,
    progress: Callable[[float, str], None] | None = None,
) -> RobustnessSummary:
    """SMAA, stability intervals, what would make ``target`` win, and rank reversal.

    Uses the evaluation's own matrix (after its missing-value policy), method and
    parameters. ``target`` defaults to the runner-up. ``order`` constrains the SMAA
    weights, e.g. ``[("investment_climate", "proximity")]`` (group ids or criterion ids).
    ``value_spread`` (e.g. 0.1) makes SMAA also draw every sourced criterion value
    uniformly within ±that share of itself (computed geography stays exact), for figures
    that are estimates. ``progress(fraction, text)`` is called before each step.
    """
    if not 0 <= value_spread < 1:
        raise SiteSelectError(f"value_spread must be in [0, 1); got {value_spread!r}")

    def step(fraction: float, text: str) -> None:
        if progress is not None:
            progress(fraction, text)

    matrix, objectives, weights = evaluation_problem(evaluation)
    method, params = evaluation.method, dict(evaluation.params)
    ranking = evaluation.ranking
    groups = evaluation.criteria.group_of()
    step(0.0, f"SMAA: ranking {samples:,} sampled weightings")
    ranges = None
    if value_spread > 0:
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
    result = smaa_full(
        matrix,
        objectives,
        samples=samples,
        method=method,
        seed=seed,
        order=order,
        groups=groups,
        value_ranges=ranges,
        **params,
    )
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
        win = weights_to_win(matrix, objectives, weights, target, method, seed=seed, **params)
    step(0.9, "rank reversal checks")
    reversal = rank_reversal(matrix, objectives, weights, method, **params)
    step(1.0, "done")
    return RobustnessSummary(method, ranking.index[0], result, stability, win, reversal)

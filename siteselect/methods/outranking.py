"""PROMETHEE I (the partial ranking) and the GAIA plane, from PROMETHEE's flows.

Both take the inputs of :func:`~siteselect.methods.rank_matrix` with PROMETHEE's
parameters (``preference``, ``q``, ``p``, ``s``, ``thresholds``; see
:mod:`siteselect.methods.promethee`).

PROMETHEE I (Brans & Vincke 1985)
    ``a`` outranks ``b`` (``P``) when ``φ+(a) >= φ+(b)`` and ``φ-(a) <= φ-(b)`` with at
    least one strict; indifferent (``I``) when both are equal; incomparable (``R``) when
    the two flows disagree (``a`` better on one, worse on the other). Flows equal to
    ``TOLERANCE`` count as equal.
GAIA (Mareschal & Brans 1988)
    The principal components of the matrix ``Φ`` (m × n) of unicriterion net flows
    (columns already centred: each sums to 0), from its singular value decomposition
    ``Φ = U Σ Vᵀ``. Alternatives are the rows of ``Φ`` projected on the first two
    components (``U Σ``), criteria axes the projections of the unit vectors (rows of
    ``V``), the decision stick the projection of the weight vector, and ``delta`` the share
    of the total variance (``Σσ²``) the plane keeps. Signs of the components are chosen
    so that the decision stick points into the positive quadrant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from siteselect.methods.api import check_params, get_method, prepare_state
from siteselect.methods.problem import validate_problem
from siteselect.methods.promethee import PrometheeState

TOLERANCE = 1e-9
RELATIONS = {
    "P": "preferred to",
    "P-": "preferred by",
    "I": "indifferent to",
    "R": "incomparable with",
}


def _flows(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    params: Mapping[str, Any],
) -> tuple[Any, PrometheeState]:
    problem = validate_problem(matrix, objectives, weights)
    spec = get_method("promethee2")
    state = prepare_state(problem, spec, check_params(spec, params, problem.criteria))
    return problem, state


@dataclass(frozen=True)
class PrometheeI:
    """PROMETHEE I: flows per alternative and the pairwise relation of the partial order."""

    flows: pd.DataFrame
    relation: pd.DataFrame

    def incomparable(self) -> list[tuple[Any, Any]]:
        """Pairs ``(a, b)`` (each once, in matrix order) that PROMETHEE I leaves incomparable."""
        labels = list(self.relation.index)
        R = self.relation.to_numpy()
        return [
            (labels[i], labels[j])
            for i in range(len(labels))
            for j in range(i + 1, len(labels))
            if R[i, j] == "R"
        ]

    def outranked_by_none(self) -> list[Any]:
        """The alternatives no other alternative is preferred to (PROMETHEE I's best set)."""
        R = self.relation.to_numpy()
        return [a for k, a in enumerate(self.relation.index) if not (R[:, k] == "P").any()]


def promethee1(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    **params: Any,
) -> PrometheeI:
    """PROMETHEE I's partial ranking: ``φ+``, ``φ-``, ``φ`` and the relation of every pair.

    Returns
    -------
    PrometheeI
        ``flows``: columns ``phi_plus``, ``phi_minus``, ``phi`` (the PROMETHEE II net flow).
        ``relation``: alternative × alternative, ``"P"`` (row preferred to column),
        ``"P-"`` (column preferred to row), ``"I"`` (indifferent) or ``"R"``
        (incomparable); the diagonal is ``"I"``.

    Examples
    --------
    >>> m = pd.DataFrame({"x": [9.0, 1, 2], "y": [1.0, 3, 2]}, index=list("abc"))
    >>> res = promethee1(m, {"x": "max", "y": "max"}, {"x": 1, "y": 1},
    ...                  preference="v-shape", p=1.0)
    >>> res.incomparable()
    [('a', 'b'), ('a', 'c')]
    >>> res.relation.loc["b", "c"]
    'P'
    """
    problem, state = _flows(matrix, objectives, weights, params)
    w = problem.w
    plus = state.plus @ w
    minus = state.minus @ w
    dp = plus[:, None] - plus[None, :]
    dm = minus[None, :] - minus[:, None]  # > 0: the row has the lower (better) φ-
    better_p, worse_p = dp > TOLERANCE, dp < -TOLERANCE
    better_m, worse_m = dm > TOLERANCE, dm < -TOLERANCE
    prefers = (better_p & ~worse_m) | (better_m & ~worse_p)
    preferred_by = (worse_p & ~better_m) | (worse_m & ~better_p)
    rel = np.full(dp.shape, "I", dtype=object)
    rel[prefers] = "P"
    rel[preferred_by] = "P-"
    rel[(better_p & worse_m) | (worse_p & better_m)] = "R"
    labels = matrix.index.copy()
    flows = pd.DataFrame({"phi_plus": plus, "phi_minus": minus, "phi": plus - minus}, index=labels)
    return PrometheeI(flows, pd.DataFrame(rel, index=labels, columns=labels.copy()))


@dataclass(frozen=True)
class GaiaPlane:
    """The GAIA plane: coordinates of alternatives, criteria axes and the decision stick."""

    alternatives: pd.DataFrame
    criteria: pd.DataFrame
    stick: pd.Series
    delta: float
    variance_share: pd.Series


def gaia(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    **params: Any,
) -> GaiaPlane:
    """The GAIA plane of the PROMETHEE model (see the module notes).

    Returns
    -------
    GaiaPlane
        ``alternatives`` (columns ``x``, ``y``), ``criteria`` (``x``, ``y``: the axis of
        each criterion, a unit vector projected on the plane), ``stick`` (``x``, ``y``: the
        weight vector projected), ``delta`` (share of the information kept, in [0, 1]) and
        ``variance_share`` (the share of every component).
    """
    problem, state = _flows(matrix, objectives, weights, params)
    phi = state.net
    _, sigma, vt = np.linalg.svd(phi, full_matrices=False)
    V = vt.T  # n × r
    r = V.shape[1]
    if r < 2:  # one criterion (or one alternative): a degenerate second axis
        V = np.hstack([V, np.zeros((V.shape[0], 2 - r))])
        sigma = np.concatenate([sigma, np.zeros(2 - r)])
    plane = V[:, :2].copy()
    stick = problem.w @ plane
    for k in range(2):
        ref = stick[k] if abs(stick[k]) > TOLERANCE else plane[np.argmax(np.abs(plane[:, k])), k]
        if ref < 0:
            plane[:, k] *= -1
            stick[k] *= -1
    total = float(np.square(sigma).sum())
    share = np.square(sigma) / total if total > 0 else np.zeros_like(sigma)
    xy = ["x", "y"]
    return GaiaPlane(
        alternatives=pd.DataFrame(phi @ plane, index=matrix.index.copy(), columns=xy),
        criteria=pd.DataFrame(plane, index=matrix.columns.copy(), columns=xy),
        stick=pd.Series(stick, index=xy, name="decision stick"),
        delta=float(share[:2].sum()) if total > 0 else 0.0,
        variance_share=pd.Series(share, index=pd.RangeIndex(1, len(share) + 1, name="component")),
    )

"""PROMETHEE II (Brans & Vincke 1985) with per-criterion preference functions, PROMETHEE I
and the GAIA plane (Mareschal & Brans 1988).

For every ordered pair ``(a, b)`` and criterion ``j`` the difference ``d = x_aj - x_bj``
(sign flipped for cost criteria) goes through criterion ``j``'s preference function, one
of Brans' six types (``preference``, per criterion or one for all):

``usual``     ``P = 1`` if ``d > 0``
``u-shape``   ``P = 1`` if ``d > q``, else 0 (indifference threshold ``q``)
``v-shape``   ``P = d / p`` for ``0 < d <= p``, 1 above (preference threshold ``p``)
``level``     ``P = 1/2`` for ``q < d <= p``, 1 above ``p``, 0 up to ``q``
``linear``    ``P = (d - q) / (p - q)`` for ``q < d <= p``, 1 above, 0 up to ``q``
              (the "V-shape with indifference criterion"; default, with ``q = 0``)
``gaussian``  ``P = 1 - exp(-d² / 2s²)`` for ``d > 0``

``q``, ``p`` and ``s`` are given per criterion (a mapping criterion → value, or one value
per criterion) or one for all. With ``thresholds="relative"`` (default) they are fractions
of the criterion's range over the alternatives (``q=0, p=1``: the linear function across
the whole range); with ``thresholds="absolute"`` they are in the criterion's own units, as
in Visual PROMETHEE and the published models.

Unicriterion flows: ``φ+_j(a) = Σ_b P_j(a, b) / (m - 1)``, ``φ-_j(a) = Σ_b P_j(b, a) /
(m - 1)``, ``φ_j = φ+_j - φ-_j``. PROMETHEE II's score is the net flow ``φ = Σ_j w_j φ_j``
in [-1, 1], linear in the weights, so the pairwise work is done once in ``prepare``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from siteselect.errors import SiteSelectError
from siteselect.methods.base import (
    BoolArray,
    Explanation,
    FloatArray,
    Method,
    Param,
    Terms,
    explanation,
    per_criterion,
)

PREFERENCE_FUNCTIONS = ("usual", "u-shape", "v-shape", "level", "linear", "gaussian")
THRESHOLDS = ("relative", "absolute")
#: which thresholds each preference function uses
USES = {
    "usual": (),
    "u-shape": ("q",),
    "v-shape": ("p",),
    "level": ("q", "p"),
    "linear": ("q", "p"),
    "gaussian": ("s",),
}


def preference(d: FloatArray, kind: str, q: float, p: float, s: float) -> FloatArray:
    """Brans' preference function ``kind`` applied to differences ``d`` (any shape)."""
    if kind == "usual":
        return (d > 0).astype(float)
    if kind == "u-shape":
        return (d > q).astype(float)
    if kind == "v-shape":
        return np.clip(d / p, 0.0, 1.0)
    if kind == "level":
        return np.where(d > p, 1.0, np.where(d > q, 0.5, 0.0))
    if kind == "gaussian":
        return np.where(d > 0, 1.0 - np.exp(-np.square(d) / (2.0 * s * s)), 0.0)
    return np.clip((d - q) / (p - q), 0.0, 1.0)


def check_thresholds(params: Mapping[str, Any], criteria: Sequence[str]) -> None:
    """Refuse thresholds a criterion's preference function cannot use, naming them."""
    n = len(criteria)
    kinds = per_criterion(params["preference"], n)
    q, p, s = (per_criterion(params[k], n) for k in ("q", "p", "s"))
    problems = []
    for j, c in enumerate(criteria):
        kind = str(kinds[j])
        if kind in ("level", "linear") and not q[j] < p[j]:
            problems.append(f"criterion {c!r} ({kind}) needs q < p; got q={q[j]:g}, p={p[j]:g}")
        if kind == "v-shape" and not p[j] > 0:
            problems.append(f"criterion {c!r} (v-shape) needs p > 0; got p={p[j]:g}")
        if kind == "gaussian" and not s[j] > 0:
            problems.append(f"criterion {c!r} (gaussian) needs s > 0; got s={s[j]:g}")
    if problems:
        raise SiteSelectError("promethee2 thresholds: " + "; ".join(problems))


@dataclass(frozen=True)
class PrometheeState:
    """Unicriterion flows (each m × n): positive ``plus``, negative ``minus``, net ``net``."""

    plus: FloatArray
    minus: FloatArray

    @property
    def net(self) -> FloatArray:
        out: FloatArray = self.plus - self.minus
        return out


def promethee_prepare(
    X: FloatArray,
    sense: FloatArray,
    *,
    preference: Any = "linear",
    q: Any = 0.0,
    p: Any = 1.0,
    s: Any = 0.5,
    thresholds: str = "relative",
) -> PrometheeState:
    m, n = X.shape
    plus = np.zeros((m, n))
    minus = np.zeros((m, n))
    if m < 2:
        return PrometheeState(plus, minus)
    kinds = per_criterion(preference, n)
    qs, ps, ss = (per_criterion(v, n).astype(float) for v in (q, p, s))
    span = X.max(axis=0) - X.min(axis=0)
    for j in range(n):
        if span[j] == 0:
            continue
        unit = span[j] if thresholds == "relative" else 1.0
        col = sense[j] * X[:, j] / unit
        d = col[:, None] - col[None, :]
        P = _preference_fn(d, str(kinds[j]), qs[j], ps[j], ss[j])
        plus[:, j] = P.sum(axis=1) / (m - 1)
        minus[:, j] = P.sum(axis=0) / (m - 1)
    return PrometheeState(plus, minus)


_preference_fn = preference


def promethee_scores(state: PrometheeState, W: FloatArray) -> FloatArray:
    out: FloatArray = W @ state.net.T
    return out


def net_flows(state: PrometheeState) -> FloatArray:
    """The unicriterion net flows (m × n): the matrix of PROMETHEE II's linear score."""
    return state.net


def _promethee_explain(state: PrometheeState, w: FloatArray) -> Explanation:
    def combine(terms: Terms) -> dict[str, FloatArray]:
        return {
            "phi_plus": terms["positive_flow"].sum(axis=1),
            "phi_minus": terms["negative_flow"].sum(axis=1),
            "score": terms["contribution"].sum(axis=1),
        }

    def group(terms: Terms, mask: BoolArray, weights: FloatArray) -> FloatArray:
        out: FloatArray = terms["contribution"][:, mask].sum(axis=1) / weights[mask].sum()
        return out

    return explanation(
        {
            "contribution": state.net * w,
            "positive_flow": state.plus * w,
            "negative_flow": state.minus * w,
            "unicriterion_net_flow": state.net,
        },
        "score = φ = Σ_j contribution_j (= φ+ - φ-, φ+ = Σ_j positive_flow_j, "
        "φ- = Σ_j negative_flow_j)",
        "w_j φ_j(a), the weighted unicriterion net flow; they sum to the net flow",
        "the group's weighted unicriterion net flows divided by the group's weight (the net "
        "flow on the group's criteria), in [-1, 1]",
        combine,
        group,
    )


PROMETHEE2 = Method(
    "promethee2",
    "PROMETHEE II",
    promethee_prepare,
    promethee_scores,
    _promethee_explain,
    params=(
        Param(
            "preference",
            "linear",
            "choice",
            "preference function type",
            choices=PREFERENCE_FUNCTIONS,
            per_criterion=True,
        ),
        Param("q", 0.0, "number", "indifference threshold", low=0.0, per_criterion=True),
        Param("p", 1.0, "number", "preference threshold", low=0.0, per_criterion=True),
        Param(
            "s", 0.5, "number", "Gaussian threshold", low=0.0, open_low=True, per_criterion=True
        ),
        Param("thresholds", "relative", "choice", "units of q, p, s", choices=THRESHOLDS),
    ),
    linear=True,
    linear_matrix=net_flows,
    max_alternatives=20_000,
    cross_check=check_thresholds,
)

"""VIKOR (Opricovic & Tzeng 2004).

Each criterion is scaled by its distance to the ideal, ``F_ij = (f*_j - f_ij) / (f*_j -
f⁻_j)`` (cost criteria reversed; a constant criterion 0), so 0 = best. Group utility
``S_i = Σ_j w_j F_ij``, individual regret ``R_i = max_j w_j F_ij``; both min–max scaled
over the alternatives to ``S'``, ``R'`` and combined as ``Q = v S' + (1 - v) R'``. The
score is ``1 - Q`` (higher is better). With ``use_compromise_set=True`` (default, as in
scikit-criteria) the compromise set shares rank 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siteselect.methods.base import (
    BoolArray,
    Explanation,
    FloatArray,
    IntArray,
    Method,
    Param,
    Terms,
    benefit_scaled,
    dense_rank,
    explanation,
    scale_to_unit,
)


@dataclass(frozen=True)
class VikorState:
    """``F``: distance of every value to the ideal in [0, 1], 0 = best."""

    F: FloatArray
    v: float
    use_compromise_set: bool


def vikor_prepare(
    X: FloatArray, sense: FloatArray, *, v: float = 0.5, use_compromise_set: bool = True
) -> VikorState:
    F = 1.0 - benefit_scaled(X, sense)
    span = X.max(axis=0) - X.min(axis=0)
    F[:, span == 0] = 0.0
    return VikorState(F, float(v), bool(use_compromise_set))


def vikor_q(state: VikorState, W: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``Q`` and the scaled ``S'`` and ``R'`` (each k × m) for a batch of weights."""
    S, R = vikor_s_r(state, W)
    S, R = scale_to_unit(S), scale_to_unit(R)
    return state.v * S + (1 - state.v) * R, S, R


def vikor_s_r(state: VikorState, W: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Unscaled group utility ``S`` and regret ``R`` (each k × m), 0 = best."""
    S = W @ state.F.T
    if W.shape[0] == 1:
        R = (state.F * W[0]).max(axis=-1)[None, :]
    else:
        R = (W[:, None, :] * state.F[None, :, :]).max(axis=-1)
    return S, R


def vikor_scores(state: VikorState, W: FloatArray) -> FloatArray:
    return 1.0 - vikor_q(state, W)[0]


def compromise_ranks(
    Q: FloatArray, S: FloatArray, R: FloatArray, use_compromise_set: bool
) -> IntArray:
    """VIKOR ranks for a batch (k × m) of ``Q``, ``S'``, ``R'``: dense ranks of ``Q``, the
    compromise set (Opricovic & Tzeng 2004, conditions C1 and C2) sharing rank 1."""
    Q, S, R = np.atleast_2d(Q), np.atleast_2d(S), np.atleast_2d(R)
    ranks = dense_rank(-Q)
    m = Q.shape[-1]
    if not use_compromise_set or m < 2:
        return ranks
    rows = np.arange(Q.shape[0])
    chosen = ranks == 1
    first = np.argmax(chosen, axis=1)
    advantage = (Q - Q[rows, first][:, None]) < 1.0 / (m - 1)
    acceptable_advantage = advantage.sum(axis=1) == chosen.sum(axis=1)
    bests = (S == 0) | (R == 0)
    acceptable_stability = ~(chosen & ~bests).any(axis=1)
    compromise = np.where(
        (acceptable_advantage & acceptable_stability)[:, None],
        chosen,
        np.where(acceptable_advantage[:, None], ranks <= 2, advantage),
    )
    top = np.where(compromise, ranks, 0).max(axis=1, keepdims=True)
    return np.where(ranks <= top, 1, ranks - top + 1).astype(np.int64)


def vikor_batch_ranks(state: VikorState, W: FloatArray) -> IntArray:
    """Ranks (k × m) under the compromise-set rule, for a batch of weights."""
    Q, S, R = vikor_q(state, W)
    return compromise_ranks(Q, S, R, state.use_compromise_set)


def vikor_ranks(state: VikorState, w: FloatArray) -> IntArray:
    """VIKOR ranks for one weight vector, with the compromise set sharing rank 1."""
    return vikor_batch_ranks(state, w[None, :])[0]


def _vikor_explain(state: VikorState, w: FloatArray) -> Explanation:
    v = state.v

    def combine(terms: Terms) -> dict[str, FloatArray]:
        regret = terms["weighted_distance"]
        S = regret.sum(axis=1)
        R = regret.max(axis=1) if regret.shape[1] else np.zeros(regret.shape[0])
        Q = v * scale_to_unit(S) + (1 - v) * scale_to_unit(R)
        return {"S": S, "R": R, "Q": Q, "score": 1.0 - Q}

    def group(terms: Terms, mask: BoolArray, weights: FloatArray) -> FloatArray:
        out: FloatArray = 1.0 - terms["weighted_distance"][:, mask].sum(axis=1) / (
            weights[mask].sum()
        )
        return out

    weighted = state.F * w
    return explanation(
        {"weighted_distance": weighted, "contribution": -weighted},
        "S = Σ_j weighted_distance_j, R = max_j weighted_distance_j, Q = v·S' + (1-v)·R' "
        f"(S', R' min–max scaled over the sites, v = {v:g}), score = 1 - Q",
        "-w_j F_ij: minus the criterion's weighted distance to the best value (0 = best); "
        "they sum to -S",
        "1 - S over the group's criteria divided by the group's weight (1 = best on all of "
        "them), in [0, 1]",
        combine,
        group,
    )


VIKOR = Method(
    "vikor",
    "VIKOR",
    vikor_prepare,
    vikor_scores,
    _vikor_explain,
    params=(
        Param("v", 0.5, "number", "weight of the group utility S against the regret R", 0, 1),
        Param("use_compromise_set", True, "flag", "the compromise set shares rank 1"),
    ),
    batch_ranks=vikor_batch_ranks,
)

"""TOPSIS (Hwang & Yoon 1981).

Each criterion is normalised (``normalise``): ``"vector"`` (default, ``x / ||x_j||``, as
Hwang & Yoon), ``"minmax"`` (``(x - min) / (max - min)``, a constant criterion 0),
``"sum"`` (``x / Σ|x_j|``) or ``"max"`` (``x / max|x_j|``); then weighted. The ideal takes
the max of benefit and the min of cost criteria, the anti-ideal the opposite; the score is
the relative closeness ``d- / (d+ + d-)`` with Euclidean distances (0 when both are 0).

The explanation gives each criterion's term of the squared distances,
``w_j² (v_ij - v*_j)²`` and ``w_j² (v_ij - v⁻_j)²``, whose sums are ``d+²`` and ``d-²``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siteselect.methods.base import (
    BoolArray,
    Explanation,
    FloatArray,
    Method,
    Param,
    Terms,
    explanation,
)

NORMALISATIONS = ("vector", "minmax", "sum", "max")


@dataclass(frozen=True)
class TopsisState:
    """Squared (unweighted) distances of every normalised value to the ideal/anti-ideal."""

    sq_to_ideal: FloatArray
    sq_to_anti: FloatArray


def normalised(X: FloatArray, normalise: str = "vector") -> FloatArray:
    """The normalised matrix (order within each criterion kept)."""
    if normalise == "minmax":
        lo = X.min(axis=0)
        span = X.max(axis=0) - lo
        return np.where(span > 0, (X - lo) / np.where(span > 0, span, 1.0), 0.0)
    if normalise == "sum":
        denom = np.abs(X).sum(axis=0)
    elif normalise == "max":
        denom = np.abs(X).max(axis=0)
    else:
        denom = np.sqrt(np.einsum("ij,ij->j", X, X))
    out: FloatArray = X / np.where(denom > 0, denom, 1.0)
    return out


def topsis_prepare(X: FloatArray, sense: FloatArray, *, normalise: str = "vector") -> TopsisState:
    V = normalised(X, normalise)
    vmax = V.max(axis=0)
    vmin = V.min(axis=0)
    ideal = np.where(sense > 0, vmax, vmin)
    anti = np.where(sense > 0, vmin, vmax)
    return TopsisState(np.square(V - ideal), np.square(V - anti))


def closeness(d_best: FloatArray, d_worst: FloatArray) -> FloatArray:
    """``d- / (d+ + d-)``, 0 where both distances are 0."""
    total = d_best + d_worst
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(total > 0, d_worst / total, 0.0)
    return out


def topsis_scores(state: TopsisState, W: FloatArray) -> FloatArray:
    W2 = np.square(W)
    return closeness(np.sqrt(W2 @ state.sq_to_ideal.T), np.sqrt(W2 @ state.sq_to_anti.T))


def _topsis_explain(state: TopsisState, w: FloatArray) -> Explanation:
    w2 = np.square(w)
    ideal = state.sq_to_ideal * w2
    anti = state.sq_to_anti * w2

    def shares(A: FloatArray) -> FloatArray:
        total = A.sum(axis=1, keepdims=True)
        out: FloatArray = np.where(total > 0, A / np.where(total > 0, total, 1.0), 0.0)
        return out

    def combine(terms: Terms) -> dict[str, FloatArray]:
        d_best = np.sqrt(terms["sq_dist_ideal"].sum(axis=1))
        d_worst = np.sqrt(terms["sq_dist_anti_ideal"].sum(axis=1))
        return {
            "dist_ideal": d_best,
            "dist_anti_ideal": d_worst,
            "score": closeness(d_best, d_worst),
        }

    def group(terms: Terms, mask: BoolArray, weights: FloatArray) -> FloatArray:
        return closeness(
            np.sqrt(terms["sq_dist_ideal"][:, mask].sum(axis=1)),
            np.sqrt(terms["sq_dist_anti_ideal"][:, mask].sum(axis=1)),
        )

    return explanation(
        {
            "sq_dist_ideal": ideal,
            "sq_dist_anti_ideal": anti,
            "share_dist_ideal": shares(ideal),
            "share_dist_anti_ideal": shares(anti),
            "contribution": anti - ideal,
        },
        "d+ = √Σ_j sq_dist_ideal_j, d- = √Σ_j sq_dist_anti_ideal_j, score = d- / (d+ + d-)",
        "w_j²(v_ij - v⁻_j)² - w_j²(v_ij - v*_j)²: how much farther the site is from the "
        "anti-ideal than from the ideal on the criterion; they sum to d-² - d+², positive "
        "exactly when the closeness exceeds 0.5",
        "the closeness computed from the group's criteria only (their terms of d+² and d-²), "
        "in [0, 1]",
        combine,
        group,
    )


TOPSIS = Method(
    "topsis",
    "TOPSIS",
    topsis_prepare,
    topsis_scores,
    _topsis_explain,
    params=(
        Param(
            "normalise",
            "vector",
            "choice",
            "normalisation of each criterion",
            choices=NORMALISATIONS,
        ),
    ),
)

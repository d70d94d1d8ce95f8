"""Weighted sum (WSM) and weighted product (WPM) models.

WSM ``normalise``
    ``"minmax"`` (default): each criterion min–max scaled to [0, 1], best 1 (cost criteria
    reversed, ``(max - x) / (max - min)``), a constant criterion 0; ``"max"``: linear
    scaling ``x / max`` (cost ``min / x``; needs positive values), best 1; ``"none"``: the
    raw values, for criteria already on one commensurate scale (a cost criterion enters
    with a minus sign). Score ``Σ w_j r_ij``.
WPM ``form``
    ``"scaled"`` (default): the min–max scaling above mapped to ``[floor, 1]`` so that the
    worst value of one criterion is no veto, score ``Π r_ij ** w_j`` in [floor, 1];
    ``"ratio"``: the scale-free textbook model (Bridgman 1922, Miller & Starr 1969;
    Triantaphyllou 2000), ``r_ij = x_ij / best_j`` (cost: ``best_j / x_ij``; needs positive
    values), so that ``score_a / score_b = Π (x_aj / x_bj) ** w_j`` — the ratio of the
    textbook — and a change of unit of any criterion leaves the ranking unchanged.

Both are linear: WSM in its scores, WPM in the log of its scores (``log score = Σ w_j
log r_ij``), which the explanation decomposes.
"""

from __future__ import annotations

import numpy as np

from siteselect.errors import SiteSelectError
from siteselect.methods.base import (
    BoolArray,
    Explanation,
    FloatArray,
    Method,
    Param,
    Terms,
    benefit_scaled,
    explanation,
)


def _positive(X: FloatArray, sense: FloatArray, what: str) -> None:
    bad = np.flatnonzero((X <= 0).any(axis=0))
    if bad.size:
        raise SiteSelectError(
            f"{what} needs positive values; criterion column(s) "
            f"{', '.join(map(str, bad.tolist()))} have values <= 0"
        )


def ratio_scaled(X: FloatArray, sense: FloatArray) -> FloatArray:
    """``x / max`` for benefit and ``min / x`` for cost criteria (positive values)."""
    _positive(X, sense, "ratio scaling")
    best = np.where(sense > 0, X.max(axis=0), X.min(axis=0))
    out: FloatArray = np.where(sense > 0, X / best, best / X)
    return out


WSM_NORMALISATIONS = ("minmax", "max", "none")


def wsm_prepare(X: FloatArray, sense: FloatArray, *, normalise: str = "minmax") -> FloatArray:
    """The normalised matrix ``R`` whose weighted row sums are the scores."""
    if normalise == "none":
        return np.asarray(X * sense, dtype=float)
    if normalise == "max":
        return ratio_scaled(X, sense)
    return benefit_scaled(X, sense)


def wsm_scores(R: FloatArray, W: FloatArray) -> FloatArray:
    out: FloatArray = W @ R.T
    return out


def _wsm_explain(R: FloatArray, w: FloatArray) -> Explanation:
    def combine(terms: Terms) -> dict[str, FloatArray]:
        return {"score": terms["contribution"].sum(axis=1)}

    def group(terms: Terms, mask: BoolArray, weights: FloatArray) -> FloatArray:
        out: FloatArray = terms["contribution"][:, mask].sum(axis=1) / weights[mask].sum()
        return out

    return explanation(
        {"contribution": R * w},
        "score = Σ_j contribution_j",
        "w_j · r_ij, the weighted normalised value; the contributions sum to the score",
        "the weighted sum over the group's criteria divided by the group's weight (the "
        "group's own WSM score, same scale as the score)",
        combine,
        group,
    )


WPM_FORMS = ("scaled", "ratio")


def wpm_prepare(
    X: FloatArray, sense: FloatArray, *, floor: float = 0.1, form: str = "scaled"
) -> FloatArray:
    """``log r_ij``: the scores are ``exp(W @ log R.T)``."""
    if form == "ratio":
        return np.log(ratio_scaled(X, sense))
    if not 0 < floor < 1:
        raise SiteSelectError(f"wpm parameter 'floor' must be in (0, 1); got {floor!r}")
    return np.log(floor + (1.0 - floor) * benefit_scaled(X, sense))


def wpm_scores(logR: FloatArray, W: FloatArray) -> FloatArray:
    out: FloatArray = np.exp(W @ logR.T)
    return out


def _wpm_explain(logR: FloatArray, w: FloatArray) -> Explanation:
    def combine(terms: Terms) -> dict[str, FloatArray]:
        log_score = terms["contribution"].sum(axis=1)
        return {"log_score": log_score, "score": np.exp(log_score)}

    def group(terms: Terms, mask: BoolArray, weights: FloatArray) -> FloatArray:
        out: FloatArray = np.exp(terms["contribution"][:, mask].sum(axis=1) / weights[mask].sum())
        return out

    return explanation(
        {"contribution": logR * w},
        "score = exp(Σ_j contribution_j)",
        "w_j · ln r_ij (<= 0), the criterion's term of the log score; they sum to ln(score)",
        "exp of the group's log terms divided by the group's weight (the weighted geometric "
        "mean over the group's criteria, same scale as the score)",
        combine,
        group,
    )


def identity_matrix(state: FloatArray) -> FloatArray:
    """The state itself: for WSM and WPM it is the matrix of the linear (log) score."""
    return state


WSM = Method(
    "wsm",
    "Weighted sum (WSM)",
    wsm_prepare,
    wsm_scores,
    _wsm_explain,
    params=(
        Param(
            "normalise",
            "minmax",
            "choice",
            "how values are made commensurate",
            choices=WSM_NORMALISATIONS,
        ),
    ),
    linear=True,
    linear_matrix=identity_matrix,
    positive_values=lambda params: params["normalise"] == "max",
)

WPM = Method(
    "wpm",
    "Weighted product (WPM)",
    wpm_prepare,
    wpm_scores,
    _wpm_explain,
    params=(
        Param(
            "floor",
            0.1,
            "number",
            "lowest scaled value (scaled form)",
            low=0.0,
            high=1.0,
            open_low=True,
            open_high=True,
        ),
        Param("form", "scaled", "choice", "scaled or scale-free ratio form", choices=WPM_FORMS),
    ),
    linear=True,
    linear_matrix=identity_matrix,
    positive_values=lambda params: params["form"] == "ratio",
)

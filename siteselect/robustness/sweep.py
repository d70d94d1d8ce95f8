"""Scores and ranks along a weight path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from siteselect.errors import SiteSelectError
from siteselect.methods import validate_problem
from siteselect.robustness.model import criterion_index, on_path, path_ends, prepare_model


def weight_sweep(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    *,
    vary: str | Sequence[str],
    method: str = "wsm",
    steps: int = 21,
    **params: Any,
) -> pd.DataFrame:
    """Scores and ranks as the weight of one criterion, or of a set, goes from 0 to 1.

    Parameters
    ----------
    matrix, objectives, weights, method, **params
        As for :func:`~siteselect.methods.rank_matrix`.
    vary
        A criterion, or a list of criteria swept jointly: their total weight ``t`` goes
        from 0 to 1, split among them in proportion to their current weights (equally if
        those are all zero); the other weights are rescaled proportionally to ``1 - t``.
    steps
        Number of evenly spaced values of ``t`` (both ends included).

    Returns
    -------
    DataFrame
        Long format, ``steps × alternatives`` rows: ``weight`` (``t``), ``alternative``,
        ``score``, ``rank``; alternatives in the order of ``matrix`` within each ``t``.

    Examples
    --------
    >>> m = pd.DataFrame({"cost": [10, 20], "quality": [3, 9]}, index=["a", "b"])
    >>> sweep = weight_sweep(m, {"cost": "min", "quality": "max"},
    ...                      {"cost": 1, "quality": 1}, vary="cost", steps=3)
    >>> sweep
       weight alternative  score  rank
    0     0.0           a    0.0     2
    1     0.0           b    1.0     1
    2     0.5           a    0.5     1
    3     0.5           b    0.5     1
    4     1.0           a    1.0     1
    5     1.0           b    0.0     2
    """
    problem = validate_problem(matrix, objectives, weights)
    model = prepare_model(problem, method, params)
    names = [vary] if isinstance(vary, str) else list(vary)
    if not names:
        raise SiteSelectError("vary must name at least one criterion; got an empty list")
    idx = [criterion_index(problem, name) for name in names]
    if len(set(idx)) != len(idx):
        raise SiteSelectError(f"vary names a criterion more than once: {names!r}")
    if len(idx) == len(problem.criteria):
        raise SiteSelectError(
            f"vary covers every criterion ({', '.join(map(str, names))}); there is nothing "
            "left to trade its weight against"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise SiteSelectError(f"steps must be an integer >= 2; got {steps!r}")
    t = np.linspace(0.0, 1.0, steps)
    W = on_path(t, *path_ends(problem.w, idx))
    scores = model.scores(W)
    ranks = model.ranks(W)
    m = len(problem.alternatives)
    return pd.DataFrame(
        {
            "weight": np.repeat(t, m),
            "alternative": np.tile(problem.alternatives.to_numpy(), steps),
            "score": scores.ravel(),
            "rank": ranks.ravel(),
        }
    )

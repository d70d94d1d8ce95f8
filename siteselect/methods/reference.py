"""scikit-criteria pipelines: the reference implementation of the methods it has.

Each function takes ``(X, sense, w, **params)`` (validated parameters, weights summing to
1) and returns scores on the same scale as the numpy path, and scikit-criteria's ranks.
scikit-criteria is imported lazily (it costs over a second to import).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from siteselect.errors import SiteSelectError
from siteselect.methods.base import FloatArray

Reference = Callable[..., tuple[FloatArray, Any]]


def _dm(X: FloatArray, sense: FloatArray, w: FloatArray) -> Any:
    import skcriteria as skc

    return skc.mkdm(X, [max if s > 0 else min for s in sense], weights=w)


def _run(pipe: Any, dm: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipe.evaluate(dm)


def _unsupported(method: str, param: str, value: Any) -> SiteSelectError:
    return SiteSelectError(
        f"method {method!r} with {param}={value!r} has no scikit-criteria pipeline; use "
        "engine='numpy'"
    )


def ref_wsm(
    X: FloatArray, sense: FloatArray, w: FloatArray, *, normalise: str = "minmax"
) -> tuple[FloatArray, Any]:
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.invert_objectives import InvertMinimize, MinMaxInverter
    from skcriteria.preprocessing.scalers import MaxAbsScaler, SumScaler

    if normalise == "minmax":
        steps: list[Any] = [MinMaxInverter()]
    elif normalise == "max":
        # 1/x for cost criteria, then x / max: min / x, the ratio scaling
        steps = [InvertMinimize(), MaxAbsScaler(target="matrix")]
    else:
        raise _unsupported("wsm", "normalise", normalise)
    pipe = mkpipe(*steps, SumScaler(target="weights"), WeightedSumModel())
    res = _run(pipe, _dm(X, sense, w))
    return np.asarray(res.e_.score, dtype=float), res.rank_


def ref_wpm(
    X: FloatArray, sense: FloatArray, w: FloatArray, *, floor: float = 0.1, form: str = "scaled"
) -> tuple[FloatArray, Any]:
    from skcriteria.agg.simple import WeightedProductModel
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.invert_objectives import InvertMinimize, MinMaxInverter
    from skcriteria.preprocessing.scalers import MinMaxScaler, SumScaler

    if form == "ratio":
        pipe = mkpipe(InvertMinimize(), SumScaler(target="weights"), WeightedProductModel())
        res = _run(pipe, _dm(X, sense, w))
        # scikit-criteria scores Σ w log10 x' (x' = 1/x for cost); ours divides every
        # x' by its best value, a constant factor Π best'^w
        best = np.where(sense > 0, X.max(axis=0), 1.0 / X.min(axis=0))
        log_best = float(np.sum(w / w.sum() * np.log10(best)))
        return np.power(10.0, np.asarray(res.e_.score, dtype=float) - log_best), res.rank_
    # MinMaxInverter leaves every non-constant column spanning exactly [0, 1], so the
    # affine map onto [floor, 1] below equals MinMaxScaler(criteria_range=(floor, 1)).
    pipe = mkpipe(
        MinMaxInverter(),
        MinMaxScaler(target="matrix", criteria_range=(floor, 1.0)),
        SumScaler(target="weights"),
        WeightedProductModel(),
    )
    res = _run(pipe, _dm(X, sense, w))
    return np.power(10.0, np.asarray(res.e_.score, dtype=float)), res.rank_


def ref_topsis(
    X: FloatArray, sense: FloatArray, w: FloatArray, *, normalise: str = "vector"
) -> tuple[FloatArray, Any]:
    from skcriteria.agg.topsis import TOPSIS
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.scalers import (
        MaxAbsScaler,
        MinMaxScaler,
        SumScaler,
        VectorScaler,
    )

    scalers = {
        "vector": VectorScaler,
        "sum": SumScaler,
        "max": MaxAbsScaler,
        "minmax": MinMaxScaler,
    }
    pipe = mkpipe(scalers[normalise](target="matrix"), SumScaler(target="weights"), TOPSIS())
    res = _run(pipe, _dm(X, sense, w))
    return np.asarray(res.e_.similarity, dtype=float), res.rank_


def ref_vikor(
    X: FloatArray,
    sense: FloatArray,
    w: FloatArray,
    *,
    v: float = 0.5,
    use_compromise_set: bool = True,
) -> tuple[FloatArray, Any]:
    from skcriteria.agg.vikor import VIKOR
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.scalers import SumScaler

    pipe = mkpipe(SumScaler(target="weights"), VIKOR(v=v, use_compromise_set=use_compromise_set))
    res = _run(pipe, _dm(X, sense, w))
    return 1.0 - np.asarray(res.e_.q_k, dtype=float), res.rank_


REFERENCES: dict[str, Reference] = {
    "wsm": ref_wsm,
    "wpm": ref_wpm,
    "topsis": ref_topsis,
    "vikor": ref_vikor,
}

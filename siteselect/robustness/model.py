"""A decision problem prepared for many weight vectors, and weight paths.

Weight paths
    Changing the weight of criterion ``j`` (or of a set of criteria) to ``t`` rescales the
    other weights proportionally so that all weights still sum to 1:
    ``w(t) = t · w_S / Σw_S + (1 - t) · w_rest / Σw_rest``. When the weights inside the
    set (or outside it) are all zero they are split equally instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from siteselect.errors import UnknownNameError
from siteselect.methods import METHODS, Method, Problem, check_params, get_method, prepare_state

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: methods whose ranking is the order of ``W @ M.T`` for a fixed matrix ``M``
#: (``Method.linear_matrix`` of their state): WSM, WPM (log-score) and PROMETHEE II. For
#: them stability intervals and ``weights_to_win`` are solved exactly.
LINEAR_METHODS = frozenset(name for name, m in METHODS.items() if m.linear)


@dataclass(frozen=True)
class Model:
    """A validated problem with ``method``'s weight-independent work done."""

    problem: Problem
    spec: Method
    params: Mapping[str, Any]
    state: Any

    @property
    def linear(self) -> bool:
        """True when the ranking is the order of ``W @ matrix.T`` (see :attr:`matrix`)."""
        return self.spec.linear

    @property
    def matrix(self) -> FloatArray:
        """The matrix of the linear score (linear methods only)."""
        if self.spec.linear_matrix is None:
            raise TypeError(f"{self.spec.name} is not a linear method")
        return self.spec.linear_matrix(self.state)

    def scores(self, W: FloatArray) -> FloatArray:
        """Scores (k × m) for a batch of weight vectors."""
        return np.asarray(self.spec.scores(self.state, W), dtype=float)

    def ranks(self, W: FloatArray) -> IntArray:
        """Ranks (k × m) for a batch of weight vectors (VIKOR: compromise-set rule)."""
        return self.spec.ranks(self.state, W)


def prepare_model(problem: Problem, method: str, params: Mapping[str, Any]) -> Model:
    """Validate ``method`` and ``params`` for ``problem`` and prepare its state."""
    spec = get_method(method)
    merged = check_params(spec, params, problem.criteria)
    return Model(problem, spec, merged, prepare_state(problem, spec, merged))


def criterion_index(problem: Problem, name: object) -> int:
    """Position of criterion ``name``; the error lists the valid names."""
    key = str(name)
    if key not in problem.criteria:
        raise UnknownNameError("criterion", name, problem.criteria)
    return int(problem.criteria.get_loc(key))


def path_ends(w: FloatArray, inside: Sequence[int]) -> tuple[FloatArray, FloatArray]:
    """The two ends of the proportional-rescaling path: all weight inside / outside a set."""
    n = len(w)
    mask = np.zeros(n, dtype=bool)
    mask[list(inside)] = True
    top = np.where(mask, w, 0.0)
    top = top / top.sum() if top.sum() > 0 else mask / mask.sum()
    rest = np.where(mask, 0.0, w)
    rest = rest / rest.sum() if rest.sum() > 0 else ~mask / (~mask).sum()
    return top, rest


def on_path(t: FloatArray, top: FloatArray, rest: FloatArray) -> FloatArray:
    """Weight vectors ``t · top + (1 - t) · rest`` (k × n) for a vector of ``t``."""
    t = np.asarray(t, dtype=float)[..., None]
    out: FloatArray = t * top + (1.0 - t) * rest
    return out


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS held to one thread while the block runs.

    The products of the robustness analyses are skinny (a dozen criteria): BLAS threads
    gain nothing on them and, on a busy server, fight over the cores; ``weights_to_win``
    on 500 sites (TOPSIS) took 106 s with OpenBLAS's threads and 9 s with one, on the same
    loaded machine (benchmarks/run.py measures the summary)."""
    with _blas_controller().limit(limits=1, user_api="blas"):
        yield


@cache
def _blas_controller() -> Any:
    """threadpoolctl's controller, made once: finding the loaded libraries takes ~10 ms.
    It holds the BLAS libraries loaded by then (numpy's, which the products here use);
    one loaded later (scipy's own) is not held."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()

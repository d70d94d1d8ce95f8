"""Random decision problems shared by the method, explanation and robustness tests: seeded
ones (:func:`random_problem`) and hypothesis strategies (:func:`problem_arrays`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays


def random_problem(
    seed: int, m: int = 12, n: int = 6
) -> tuple[pd.DataFrame, dict[str, str], dict[str, float]]:
    """A seeded m × n matrix (values 0.5–100), random objectives and positive weights."""
    rng = np.random.default_rng(seed)
    cols = [f"c{j}" for j in range(n)]
    matrix = pd.DataFrame(
        rng.uniform(0.5, 100.0, (m, n)), columns=cols, index=[f"a{i}" for i in range(m)]
    )
    objectives = {c: ("max" if rng.random() < 0.5 else "min") for c in cols}
    weights = {c: float(rng.uniform(0.05, 1.0)) for c in cols}
    return matrix, objectives, weights


def problem_arrays(
    *,
    sites: tuple[int, int] = (2, 8),
    criteria: tuple[int, int] = (1, 5),
    values: st.SearchStrategy[float] | None = None,
    weights: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[tuple[np.ndarray, list[str], np.ndarray]]:
    """Problems as arrays ``(X, senses, w)``: ``sites`` × ``criteria`` (inclusive ranges)
    values (default 0.1–1000), a max/min sense and a positive weight (default 0.01–10) each.
    """
    values = st.floats(0.1, 1000, allow_nan=False) if values is None else values
    weights = st.floats(0.01, 10) if weights is None else weights
    return st.integers(*sites).flatmap(
        lambda m: st.integers(*criteria).flatmap(
            lambda n: st.tuples(
                arrays(np.float64, (m, n), elements=values),
                st.lists(st.sampled_from(["max", "min"]), min_size=n, max_size=n),
                arrays(np.float64, n, elements=weights),
            )
        )
    )


def problem_frames(
    X: np.ndarray, senses: list[str], w: np.ndarray
) -> tuple[pd.DataFrame, dict[str, str], dict[str, float]]:
    """Arrays of :func:`problem_arrays` as a matrix (sites s0…, criteria c0…), objectives
    and weights."""
    cols = [f"c{j}" for j in range(X.shape[1])]
    return (
        pd.DataFrame(X, columns=cols, index=[f"s{i}" for i in range(X.shape[0])]),
        dict(zip(cols, senses, strict=True)),
        dict(zip(cols, w.tolist(), strict=True)),
    )

"""Random decision problems shared by the method and robustness tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


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

"""Block-wise global statistics give the list path's scores on random problems."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from siteselect.criteria import ValueFunction
from siteselect.errors import SiteSelectError
from siteselect.methods import METHODS, rank_problem, validate_problem
from siteselect.region import scoring
from siteselect.table import DecisionTable, apply_missing_policy

PIECEWISE = ValueFunction("piecewise", points=((0.0, 1.0), (5.0, 0.5), (10.0, 0.0)), why="t")


@st.composite
def problems(draw):
    m = draw(st.integers(3, 25))
    n = draw(st.integers(1, 4))
    values = draw(st.lists(st.floats(0.5, 12.0, allow_nan=False), min_size=m * n, max_size=m * n))
    X = np.array(values).reshape(m, n)
    gaps = np.array(draw(st.lists(st.booleans(), min_size=m * n, max_size=m * n))).reshape(m, n)
    X[gaps & (np.arange(m)[:, None] % 3 == 0)] = np.nan
    objectives = draw(st.lists(st.sampled_from(["max", "min"]), min_size=n, max_size=n))
    weights = draw(st.lists(st.floats(0.1, 5.0), min_size=n, max_size=n))
    cuts = sorted(draw(st.lists(st.integers(1, m - 1), max_size=3, unique=True)))
    return X, objectives, weights, cuts


@settings(max_examples=60, deadline=None)
@given(
    problems(),
    st.sampled_from(scoring.BLOCKWISE),
    st.sampled_from(["worst", "mean", "drop_criterion", "drop_site"]),
)
def test_blocks_give_the_list_scores(problem, method, policy):
    X, objectives, weights, cuts = problem
    names = [f"c{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names, index=[f"s{i}" for i in range(len(X))])
    table = DecisionTable(
        "t", frame, pd.DataFrame(), dict(zip(names, objectives, strict=True)), {}
    )
    try:
        listed = apply_missing_policy(table, policy)
    except SiteSelectError:
        assume(False)
    vfs = (PIECEWISE if method in scoring.VALUE_BASED else None,) + (None,) * (len(names) - 1)
    transform = scoring.Transform(vfs, tuple(objectives))
    M_list = listed.matrix.copy()
    if vfs[0] is not None and "c0" in M_list:
        v = PIECEWISE.value(M_list["c0"].to_numpy(), objectives[0])
        M_list["c0"] = v if objectives[0] == "max" else 1.0 - v
    kept = list(M_list.columns)
    problem_list = validate_problem(
        M_list, {c: table.objectives[c] for c in kept}, {c: weights[names.index(c)] for c in kept}
    )
    expected, _ = rank_problem(problem_list, method)

    blocks = np.split(X, cuts)
    stats = scoring.Stats.merge([scoring.Stats.of(b, transform(b)) for b in blocks], len(names))
    pol = scoring.resolve_policy(stats, policy, names, objectives, str)
    assert [names[j] for j in pol.keep] == kept
    if pol.drop_rows:
        complete = [b[~np.isnan(b[:, list(pol.keep)]).any(axis=1)] for b in blocks]
        stats = scoring.Stats.merge(
            [scoring.Stats.of(b, transform(b)) for b in complete], len(names)
        )
    ms = scoring.matrix_stats(stats, pol, transform)
    sense = problem_list.sense
    spec = METHODS[method]
    params = spec.defaults
    parts = []
    for b in blocks:
        M, _ = scoring.final_matrix(b, pol, transform)
        if len(M):
            state = scoring.method_state(method, M, sense, ms, params)
            parts.append(np.atleast_2d(scoring.block_scores(spec, state, problem_list.w)))
    got = np.concatenate(parts, axis=1)
    if method == "vikor":
        scale = scoring.VikorScale(
            got[0].min(), got[0].max(), got[1].min(), got[1].max(), params["v"]
        )
        got = 1.0 - scale.q(got[0], got[1])
    else:
        got = got[0]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_stats_of_blocks_equal_stats_of_the_whole():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    X[rng.random(X.shape) < 0.2] = np.nan
    whole = scoring.Stats.of(X, X)
    merged = scoring.Stats.merge([scoring.Stats.of(b, b) for b in np.split(X, [5, 6, 30])], 3)
    for field in scoring.Stats.__dataclass_fields__:
        np.testing.assert_allclose(getattr(merged, field), getattr(whole, field), rtol=1e-12)


def test_unknown_policy_and_empty_set():
    stats = scoring.Stats.of(np.ones((2, 1)), np.ones((2, 1)))
    with pytest.raises(SiteSelectError, match="unknown policy"):
        scoring.resolve_policy(stats, "guess", ["a"], ["max"], str)
    empty = scoring.Stats.of(np.zeros((0, 1)), np.zeros((0, 1)))
    with pytest.raises(SiteSelectError, match="every cell and candidate is excluded"):
        scoring.resolve_policy(empty, "worst", ["a"], ["max"], str)

"""MCDA methods: parity with scikit-criteria, published examples, pymcdm, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from problems import problem_arrays, problem_frames, random_problem

from siteselect.errors import SiteSelectError, UnknownNameError, WeightError
from siteselect.methods import (
    METHODS,
    contributions,
    dense_rank,
    rank_matrix,
)

SKC_METHODS = [name for name, m in METHODS.items() if m.reference is not None]


@pytest.mark.parametrize("method", SKC_METHODS)
@pytest.mark.parametrize("seed", range(8))
def test_numpy_path_equals_scikit_criteria_pipeline(method, seed):
    matrix, objectives, weights = random_problem(seed, m=5 + seed, n=3 + seed % 5)
    fast = rank_matrix(matrix, objectives, weights, method)
    ref = rank_matrix(matrix, objectives, weights, method, engine="skcriteria")
    np.testing.assert_allclose(fast["score"], ref["score"], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(fast["rank"], ref["rank"])


def test_topsis_tzeng_huang_2011_worked_example():
    """Tzeng & Huang (2011), Multiple Attribute Decision Making, CRC Press: TOPSIS example.

    Closeness 0.5037, 0.6581, 0.7482, 0.3340 (as reproduced in scikit-criteria's tests).
    """
    matrix = pd.DataFrame(
        [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]],
        columns=["a", "b", "c"],
        index=["A1", "A2", "A3", "A4"],
    )
    result = rank_matrix(matrix, dict.fromkeys("abc", "max"), {"a": 0.3, "b": 0.4, "c": 0.3})
    np.testing.assert_allclose(result["score"], [0.5037, 0.6581, 0.7482, 0.3340], atol=1e-4)
    assert result["rank"].tolist() == [3, 2, 1, 4]


@pytest.mark.parametrize(
    ("weights", "q_k", "ranks"),
    [
        ([1, 1, 1, 1, 1, 1, 1, 1], [0.991, 1.0, 0.473, 0.670, 0.0, 0.578], [5, 6, 2, 4, 1, 3]),
        ([2, 2, 2, 2, 1, 1, 1, 1], [1.0, 0.533, 0.552, 0.563, 0.0, 0.686], [6, 2, 3, 4, 1, 5]),
        ([1, 1, 1, 1, 2, 2, 2, 2], [0.684, 1.0, 0.147, 0.554, 0.041, 0.191], [5, 6, 2, 4, 1, 3]),
    ],
    ids=["W1", "W2", "W3"],
)
def test_vikor_opricovic_tzeng_2007_hydropower_example(weights, q_k, ranks):
    """Opricovic & Tzeng (2007), Extended VIKOR method in comparison with outranking
    methods, EJOR 178(2) 514-529: six reservoir alternatives, eight criteria."""
    data = [
        [4184.3, 2914.0, 407.2, 251.0, 195, 244, 15, 2.41],
        [5211.9, 3630.0, 501.7, 308.3, 282, 346, 21, 1.41],
        [5021.3, 3920.5, 504.0, 278.6, 12, 56, 3, 4.42],
        [5566.1, 3957.9, 559.5, 335.3, 167, 268, 16, 3.36],
        [5060.5, 3293.5, 514.1, 284.2, 69, 90, 7, 4.04],
        [4317.9, 2925.9, 432.8, 239.3, 12, 55, 3, 4.36],
    ]
    cols = [f"c{j}" for j in range(8)]
    senses = ["max", "min", "max", "max", "min", "min", "min", "max"]
    matrix = pd.DataFrame(data, columns=cols)
    result = rank_matrix(
        matrix,
        dict(zip(cols, senses, strict=True)),
        dict(zip(cols, weights, strict=True)),
        "vikor",
        use_compromise_set=False,
    )
    np.testing.assert_allclose(1 - result["score"], q_k, atol=1.5e-3)
    assert result["rank"].tolist() == ranks


def test_vikor_compromise_set_shares_rank_one():
    """Opricovic & Tzeng (2004), EJOR 156(2): A2 is the compromise solution."""
    matrix = pd.DataFrame([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]], columns=["risk", "alt"])
    result = rank_matrix(matrix, {"risk": "min", "alt": "max"}, {"risk": 1, "alt": 1}, "vikor")
    assert result["rank"].tolist() == [2, 1, 2]
    np.testing.assert_allclose(1 - result["score"], [1.0, 0.0, 1.0])


def _promethee_slow(matrix, senses, weights, p_abs):
    """Textbook double loop over pairs (V-shape preference), for comparison."""
    X = np.asarray(matrix, float)
    m, n = X.shape
    w = np.asarray(weights, float) / np.sum(weights)
    phi = np.zeros(m)
    for a in range(m):
        for b in range(m):
            if a == b:
                continue
            pi_ab = pi_ba = 0.0
            for j in range(n):
                d = senses[j] * (X[a, j] - X[b, j])
                pi_ab += w[j] * min(max(d / p_abs[j], 0.0), 1.0)
                pi_ba += w[j] * min(max(-d / p_abs[j], 0.0), 1.0)
            phi[a] += (pi_ab - pi_ba) / (m - 1)
    return phi


@pytest.mark.parametrize("seed", range(5))
def test_promethee2_equals_textbook_loop_and_pymcdm(seed):
    from pymcdm.methods import PROMETHEE_II

    matrix, objectives, weights = random_problem(seed, m=7, n=4)
    senses = [1 if objectives[c] == "max" else -1 for c in matrix.columns]
    span = (matrix.max() - matrix.min()).to_numpy()
    ours = rank_matrix(matrix, objectives, weights, "promethee2", p=0.5)
    slow = _promethee_slow(matrix, senses, list(weights.values()), 0.5 * span)
    np.testing.assert_allclose(ours["score"], slow, atol=1e-12)
    w = np.array(list(weights.values()))
    pym = PROMETHEE_II("vshape", p=0.5 * span, q=np.zeros(len(span)))
    net = pym(matrix.to_numpy(), w / w.sum(), np.array(senses))
    np.testing.assert_allclose(ours["score"], net, atol=1e-9)


def test_promethee2_usual_matches_pymcdm_docstring_example():
    """pymcdm's documented PROMETHEE II example (usual criterion): 0.1, -0.3, 0.2."""
    matrix = pd.DataFrame([[4, 3, 2], [3, 2, 4], [5, 1, 3]], columns=["x", "y", "z"])
    result = rank_matrix(
        matrix,
        dict.fromkeys("xyz", "max"),
        {"x": 0.5, "y": 0.3, "z": 0.2},
        "promethee2",
        preference="usual",
    )
    np.testing.assert_allclose(result["score"], [0.1, -0.3, 0.2], atol=1e-12)
    assert result["rank"].tolist() == [2, 3, 1]


def test_wsm_hand_computed():
    matrix = pd.DataFrame({"cost": [10.0, 20.0, 15.0], "quality": [3.0, 9.0, 9.0]})
    result = rank_matrix(
        matrix, {"cost": "min", "quality": "max"}, {"cost": 3, "quality": 1}, "wsm"
    )
    # cost scaled (20 - x) / 10 = 1, 0, 0.5; quality (x - 3) / 6 = 0, 1, 1
    np.testing.assert_allclose(result["score"], [0.75, 0.25, 0.625])
    assert result["rank"].tolist() == [1, 3, 2]


def test_dense_rank_batches_match_single():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 4, size=(20, 6)).astype(float)
    batch = dense_rank(scores)
    for row, ranks in zip(scores, batch, strict=True):
        np.testing.assert_array_equal(dense_rank(row), ranks)


def test_contributions_sum_to_wsm_score():
    matrix, objectives, weights = random_problem(11)
    contrib = contributions(matrix, objectives, weights)
    wsm = rank_matrix(matrix, objectives, weights, "wsm")
    np.testing.assert_allclose(contrib.sum(axis=1), wsm["score"])


# --- properties --------------------------------------------------------------------

matrices = problem_arrays()


@pytest.mark.parametrize("method", list(METHODS))
@given(problem=matrices, factor=st.floats(0.01, 100))
def test_scaling_all_weights_keeps_the_ranking(method, problem, factor):
    matrix, objectives, weights = problem_frames(*problem)
    base = rank_matrix(matrix, objectives, weights, method)
    scaled = rank_matrix(matrix, objectives, {k: v * factor for k, v in weights.items()}, method)
    np.testing.assert_allclose(base["score"], scaled["score"], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(base["rank"], scaled["rank"])


@pytest.mark.parametrize("method", list(METHODS))
@given(problem=matrices)
def test_output_index_equals_input_index(method, problem):
    matrix, objectives, weights = problem_frames(*problem)
    matrix = matrix.iloc[::-1]
    result = rank_matrix(matrix, objectives, weights, method)
    pd.testing.assert_index_equal(result.index, matrix.index)
    assert result["rank"].min() == 1


@pytest.mark.parametrize("method", list(METHODS))
@given(problem=matrices, data=st.data())
def test_a_dominated_site_never_ranks_first(method, problem, data):
    X, senses, w = problem
    i = data.draw(st.integers(0, X.shape[0] - 1))
    j = data.draw(st.integers(0, X.shape[1] - 1))
    # make site i strictly worse than site 0 on criterion j and no better elsewhere
    X = X.copy()
    sense = np.where(np.array(senses) == "max", 1.0, -1.0)
    if i == 0:
        return
    X[i] = X[0]  # equal on every criterion ...
    X[i, j] = X[0, j] - sense[j] * max(1.0, abs(X[0, j]) * 0.5)  # ... strictly worse on j
    matrix, objectives, weights = problem_frames(X, senses, w)
    # VIKOR's compromise set may, by its definition, admit a dominated alternative; the
    # property holds for its Q ranking
    params = {"use_compromise_set": False} if method == "vikor" else {}
    result = rank_matrix(matrix, objectives, weights, method, **params)
    assert result["rank"].iloc[i] > 1


# --- bad input ---------------------------------------------------------------------


def _ok():
    return pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 1.0]}), {"a": "max", "b": "min"}


def test_unknown_method_lists_valid_names():
    matrix, obj = _ok()
    with pytest.raises(UnknownNameError, match=r"unknown method 'electre'.*promethee2.*topsis"):
        rank_matrix(matrix, obj, {"a": 1, "b": 1}, "electre")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"a": -1, "b": 1}, r"weight of 'a' is negative"),
        ({"a": "x", "b": 1}, r"weight of 'a' is not a number"),
        ({"a": 0, "b": 0}, r"all weights are zero"),
        ({"a": float("nan"), "b": 1}, r"not finite"),
        ({"a": 1}, r"weights missing for criteria: b"),
    ],
    ids=["negative", "non-numeric", "all-zero", "nan", "missing"],
)
def test_bad_weights_are_refused(weights, message):
    matrix, obj = _ok()
    with pytest.raises(WeightError, match=message):
        rank_matrix(matrix, obj, weights)


def test_unknown_weight_key_lists_criteria():
    matrix, obj = _ok()
    with pytest.raises(UnknownNameError, match=r"unknown criterion 'z'; valid criterions: a, b"):
        rank_matrix(matrix, obj, {"a": 1, "b": 1, "z": 1})


def test_missing_values_are_refused_with_the_cell():
    matrix, obj = _ok()
    matrix.loc[1, "b"] = np.nan
    with pytest.raises(
        SiteSelectError, match=r"criterion 'b' has missing or non-numeric values for 1"
    ):
        rank_matrix(matrix, obj, {"a": 1, "b": 1})


def test_bad_objective_is_refused():
    matrix, _ = _ok()
    with pytest.raises(SiteSelectError, match=r"objectives must be 'max' or 'min'; got b='down'"):
        rank_matrix(matrix, {"a": "max", "b": "down"}, {"a": 1, "b": 1})


def test_unknown_method_parameter_is_refused():
    matrix, obj = _ok()
    with pytest.raises(
        SiteSelectError, match=r"takes no parameter\(s\) v; valid parameters: normalise"
    ):
        rank_matrix(matrix, obj, {"a": 1, "b": 1}, "topsis", v=0.3)


def test_promethee_refuses_huge_problems_clearly():
    matrix = pd.DataFrame({"a": np.arange(20_001.0)})
    with pytest.raises(SiteSelectError, match=r"exceed its limit of 20000"):
        rank_matrix(matrix, {"a": "max"}, {"a": 1}, "promethee2")


@pytest.mark.parametrize("method", ["wsm", "topsis"])
@pytest.mark.parametrize("seed", range(4))
def test_single_vector_fast_path_equals_the_batched_path(method, seed, monkeypatch):
    from siteselect import methods
    from siteselect.methods import fast

    monkeypatch.setattr(fast, "CHUNK_ROWS", 7)  # force several chunks
    matrix, objectives, weights = random_problem(seed, m=40, n=6)
    matrix.iloc[:, 2] = 5.0  # a constant criterion
    problem = methods.validate_problem(matrix, objectives, weights)
    spec = METHODS[method]
    batched = spec.scores(spec.prepare(problem.X, problem.sense), problem.w[None, :])[0]
    single = fast.SINGLE[method](problem.X, problem.sense, problem.w)
    np.testing.assert_allclose(single, batched, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("method", list(METHODS))
def test_prepared_problem_reranks_like_rank_matrix(method):
    from siteselect.methods import prepare_problem

    matrix, objectives, _ = random_problem(5, m=15, n=5)
    prepared = prepare_problem(matrix, objectives, method)
    rng = np.random.default_rng(9)
    for w in rng.dirichlet(np.ones(5), 5):
        weights = dict(zip(matrix.columns, w, strict=True))
        score, ranks, contrib = prepared.rank(w)
        ref = rank_matrix(matrix, objectives, weights, method)
        np.testing.assert_allclose(score, ref["score"], rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(ranks, ref["rank"])
        np.testing.assert_allclose(contrib, contributions(matrix, objectives, weights))


def test_prepared_problem_refuses_bad_weight_vectors():
    from siteselect.methods import prepare_problem

    matrix, objectives, _ = random_problem(1, m=4, n=3)
    prepared = prepare_problem(matrix, objectives, "wsm")
    with pytest.raises(WeightError, match=r"weights must be 3 finite, non-negative numbers"):
        prepared.rank(np.array([1.0, -1.0, 0.5]))

"""Explanations: every method's per-criterion terms recompute its own score exactly;
parameters are validated with messages naming the parameter and the value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from problems import problem_arrays, problem_frames

from siteselect.errors import SiteSelectError
from siteselect.methods import METHODS, explain, rank_matrix

VARIANTS = [
    ("wsm", {}),
    ("wsm", {"normalise": "max"}),
    ("wsm", {"normalise": "none"}),
    ("wpm", {}),
    ("wpm", {"floor": 0.3}),
    ("wpm", {"form": "ratio"}),
    ("topsis", {}),
    ("topsis", {"normalise": "minmax"}),
    ("topsis", {"normalise": "sum"}),
    ("topsis", {"normalise": "max"}),
    ("vikor", {}),
    ("vikor", {"v": 0.2, "use_compromise_set": False}),
    ("promethee2", {}),
    ("promethee2", {"preference": "usual"}),
    ("promethee2", {"preference": "gaussian", "s": 0.3}),
    ("promethee2", {"preference": "level", "q": 0.1, "p": 0.4}),
    ("promethee2", {"preference": "u-shape", "q": 0.2}),
    ("promethee2", {"preference": "v-shape", "p": 0.5}),
]
IDS = [f"{m}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'default'}" for m, p in VARIANTS]

problems = problem_arrays()


@pytest.mark.parametrize(("method", "params"), VARIANTS, ids=IDS)
@settings(max_examples=40, deadline=None)
@given(problem=problems)
def test_explanation_recomputes_the_score_the_ranking_uses(method, params, problem):
    matrix, objectives, weights = problem_frames(*problem)
    ranked = rank_matrix(matrix, objectives, weights, method, **params)
    exp = explain(matrix, objectives, weights, method, **params)
    np.testing.assert_allclose(exp.reconstruct(), ranked["score"], rtol=1e-12, atol=1e-12)
    assert exp.check()
    # the terms are per site and criterion, on the matrix's own labels
    for name in exp.terms:
        frame = exp.frame(name)
        pd.testing.assert_index_equal(frame.index, matrix.index)
        pd.testing.assert_index_equal(frame.columns, matrix.columns)


@pytest.mark.parametrize(("method", "params"), VARIANTS, ids=IDS)
@settings(max_examples=20, deadline=None)
@given(problem=problems)
def test_one_group_holding_every_criterion_gives_the_method_s_own_score(method, params, problem):
    matrix, objectives, weights = problem_frames(*problem)
    exp = explain(matrix, objectives, weights, method, **params)
    sub = exp.subscores(dict.fromkeys(matrix.columns, "all"))["all"]
    # VIKOR's group rule is 1 - S (S unscaled), as its group_rule states
    expected = 1.0 - exp.aggregates()["S"] if method == "vikor" else exp.reconstruct()
    np.testing.assert_allclose(sub, expected, rtol=1e-12, atol=1e-12)


def test_topsis_shares_of_squared_distances_sum_to_one_and_rebuild_the_distances():
    matrix = pd.DataFrame([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], columns=list("abc"))
    exp = explain(matrix, dict.fromkeys("abc", "max"), {"a": 0.3, "b": 0.4, "c": 0.3})
    agg = exp.aggregates()
    np.testing.assert_allclose(agg["score"], [0.5037, 0.6581, 0.7482, 0.3340], atol=1e-4)
    np.testing.assert_allclose(exp.frame("share_dist_ideal").sum(axis=1), 1.0)
    np.testing.assert_allclose(exp.frame("sq_dist_ideal").sum(axis=1), agg["dist_ideal"] ** 2)
    # contribution sums to d-² - d+², positive exactly when the closeness exceeds 0.5
    diff = exp.contributions.sum(axis=1)
    np.testing.assert_allclose(diff, agg["dist_anti_ideal"] ** 2 - agg["dist_ideal"] ** 2)
    assert ((diff > 0) == (agg["score"] > 0.5)).all()


def test_vikor_s_and_r_are_in_the_ranking_output():
    matrix = pd.DataFrame([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]], columns=["risk", "alt"])
    result = rank_matrix(matrix, {"risk": "min", "alt": "max"}, {"risk": 1, "alt": 1}, "vikor")
    # S = Σ w F, R = max w F with w = (1/2, 1/2): F(risk) = 0, 1/4, 1; F(alt) = 1, 1/2, 0
    np.testing.assert_allclose(result["S"], [0.5, 0.375, 0.5])
    np.testing.assert_allclose(result["R"], [0.5, 0.25, 0.5])
    np.testing.assert_allclose(result["Q"], 1 - result["score"])


def test_wpm_explanation_is_the_log_of_the_score():
    matrix = pd.DataFrame({"cost": [10.0, 20, 15], "quality": [3.0, 9, 6]})
    exp = explain(matrix, {"cost": "min", "quality": "max"}, {"cost": 2, "quality": 1}, "wpm")
    np.testing.assert_allclose(exp.contributions.sum(axis=1), np.log(exp.score))
    assert (exp.contributions.to_numpy() <= 0).all()


def test_tidy_frame_has_one_row_per_cell_and_term():
    matrix = pd.DataFrame({"x": [1.0, 2, 3], "y": [3.0, 1, 2]}, index=list("abc"))
    exp = explain(matrix, {"x": "max", "y": "min"}, {"x": 1, "y": 1}, "promethee2")
    tidy = exp.tidy()
    assert list(tidy.columns) == ["alternative", "criterion", "term", "value"]
    assert len(tidy) == 3 * 2 * len(exp.terms)
    net = tidy[tidy["term"] == "contribution"].groupby("alternative")["value"].sum()
    np.testing.assert_allclose(net.loc[list("abc")], exp.score)


# --- parameter validation ------------------------------------------------------------


def _ok():
    return pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [3.0, 1.0, 2.0]}), {"a": "max", "b": "min"}


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        (
            "promethee2",
            {"preference": "gaussian", "s": float("nan")},
            r"'s' must be a number > 0; got nan",
        ),
        ("promethee2", {"q": float("nan")}, r"parameter 'q' must be a number >= 0; got nan"),
        ("promethee2", {"p": "wide"}, r"parameter 'p' must be a number >= 0; got 'wide'"),
        ("promethee2", {"q": {"z": 0.1}}, r"'q' names unknown criteria z; valid criteria: a, b"),
        ("promethee2", {"p": [0.5]}, r"'p' needs one value per criterion \(2: a, b\); got 1"),
        ("promethee2", {"p": {"a": -1}}, r"'p' for criterion 'a' must be a number >= 0; got -1"),
        ("promethee2", {"q": 0.5, "p": 0.2}, r"criterion 'a' \(linear\) needs q < p"),
        ("promethee2", {"preference": "cubic"}, r"'preference' must be one of 'usual'"),
        (
            "promethee2",
            {"preference": {"a": "v-shape"}, "p": {"a": 0}},
            r"'a' \(v-shape\) needs p > 0",
        ),
        ("vikor", {"v": 1.5}, r"vikor parameter 'v' must be a number in \[0, 1\]; got 1.5"),
        ("vikor", {"use_compromise_set": "yes"}, r"'use_compromise_set' must be True or False"),
        ("wpm", {"floor": 0.0}, r"wpm parameter 'floor' must be a number in \(0, 1\); got 0.0"),
        ("wpm", {"floor": True}, r"'floor' must be a number in \(0, 1\); got True"),
        ("topsis", {"normalise": "l2"}, r"'normalise' must be one of 'vector', 'minmax'"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_parameters_are_refused_naming_parameter_and_value(method, params, message):
    matrix, obj = _ok()
    with pytest.raises(SiteSelectError, match=message):
        rank_matrix(matrix, obj, {"a": 1, "b": 1}, method, **params)


def test_per_criterion_thresholds_as_mapping_or_sequence_agree():
    matrix, obj = _ok()
    w = {"a": 1, "b": 1}
    by_name = rank_matrix(matrix, obj, w, "promethee2", preference="v-shape", p={"a": 0.5})
    by_position = rank_matrix(matrix, obj, w, "promethee2", preference="v-shape", p=[0.5, 1.0])
    pd.testing.assert_frame_equal(by_name, by_position)


@pytest.mark.parametrize(
    ("method", "params"), [("wpm", {"form": "ratio"}), ("wsm", {"normalise": "max"})]
)
def test_ratio_forms_refuse_non_positive_values_naming_the_criterion(method, params):
    matrix = pd.DataFrame({"a": [1.0, 0.0, 4.0], "b": [3.0, 1.0, 2.0]})
    with pytest.raises(
        SiteSelectError, match=r"needs positive values; criteria a have values <= 0"
    ):
        rank_matrix(matrix, {"a": "max", "b": "max"}, {"a": 1, "b": 1}, method, **params)


def test_every_parameter_is_declared_with_a_default_that_validates():
    for method in METHODS.values():
        checked = method.check_params({}, ["a", "b"])
        assert set(checked) == {p.name for p in method.params}


@pytest.mark.parametrize("method", ["topsis", "wsm"])
def test_values_one_ulp_apart_rank_alike_on_the_fast_and_the_explained_path(method):
    # found by the property above: the single-vector path once multiplied by 1/norm, so
    # 0.1 + 1 ulp and 0.1 normalised to one value there and to two in the explanation
    matrix = pd.DataFrame({"c0": [np.nextafter(0.1, 1.0), 0.1]}, index=["s0", "s1"])
    ranked = rank_matrix(matrix, {"c0": "max"}, {"c0": 1.0}, method)
    exp = explain(matrix, {"c0": "max"}, {"c0": 1.0}, method)
    np.testing.assert_allclose(exp.reconstruct(), ranked["score"], rtol=1e-12, atol=1e-12)
    assert ranked["rank"].tolist() == [1, 2]

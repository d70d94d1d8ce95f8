"""Value levers verified by re-ranking with the changed values; the LP is the cheapest."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from problems import random_problem

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.methods import rank_matrix
from siteselect.robustness import value_levers


def _apply(matrix, target, res):
    changed = matrix.copy()
    for crit, row in res.changes.iterrows():
        changed.loc[target, crit] = row["new"]
    return changed


def _first_alone(matrix, objectives, weights, method, target):
    ranks = rank_matrix(matrix, objectives, weights, method)["rank"]
    return ranks[target] == 1 and (ranks == 1).sum() == 1


def _cases(method, seeds=range(12)):
    for seed in seeds:
        matrix, objectives, weights = random_problem(seed, m=7, n=4)
        ranks = rank_matrix(matrix, objectives, weights, method)["rank"]
        for target in ranks[ranks > 1].index[:2]:
            yield seed, matrix, objectives, weights, target


@pytest.mark.parametrize("method", ["wsm", "wpm", "topsis", "vikor", "promethee2"])
def test_every_answer_makes_the_target_first_when_re_ranked(method):
    found = 0
    for _, matrix, objectives, weights, target in _cases(method, range(6)):
        res = value_levers(matrix, objectives, weights, target, method, levers=["c0", "c1"])
        if not res.feasible:
            # even the best value any site has on both levers is not enough
            best = matrix.copy()
            for c in ("c0", "c1"):
                best.loc[target, c] = (
                    matrix[c].max() if objectives[c] == "max" else matrix[c].min()
                )
            assert not _first_alone(best, objectives, weights, method, target)
            continue
        found += 1
        changed = _apply(matrix, target, res)
        assert _first_alone(changed, objectives, weights, method, target)
        # every change improves the value and stays within today's best value
        for crit, row in res.changes.iterrows():
            assert (row["change"] > 0) == (objectives[crit] == "max")
            lo, hi = matrix[crit].min(), matrix[crit].max()
            assert lo - 1e-9 <= row["new"] <= hi + 1e-9
        if method != "wsm":
            assert not res.exact
    assert found


def test_wsm_lp_is_the_cheapest_on_a_grid_of_two_levers():
    checked = 0
    for _, matrix, objectives, weights, target in _cases("wsm"):
        res = value_levers(matrix, objectives, weights, target, "wsm", levers=["c0", "c1"])
        if not (res.feasible and res.exact and res.cost > 0):
            continue
        checked += 1
        span = matrix.max() - matrix.min()
        best = {
            c: matrix[c].max() if objectives[c] == "max" else matrix[c].min() for c in ("c0", "c1")
        }
        cheapest = np.inf
        for a, b in itertools.product(np.linspace(0, 1, 41), repeat=2):
            trial = matrix.copy()
            for c, share in (("c0", a), ("c1", b)):
                trial.loc[target, c] = matrix.at[target, c] + share * (
                    best[c] - matrix.at[target, c]
                )
            if _first_alone(trial, objectives, weights, "wsm", target):
                cost = sum(
                    abs(trial.at[target, c] - matrix.at[target, c]) / span[c] for c in ("c0", "c1")
                )
                cheapest = min(cheapest, cost)
        assert res.cost <= cheapest + 1e-6
    assert checked >= 3


def test_costs_steer_the_lp_to_the_cheaper_lever():
    matrix = pd.DataFrame(
        {"power": [10.0, 14.0, 13.0, 16.0], "tax": [30.0, 20.0, 25.0, 35.0]},
        index=list("abcd"),
    )
    objectives = {"power": "min", "tax": "min"}
    weights = {"power": 1, "tax": 1}
    cheap_tax = value_levers(
        matrix, objectives, weights, "c", levers=["power", "tax"], cost={"power": 10, "tax": 0.1}
    )
    assert list(cheap_tax.changes.index) == ["tax"]
    cheap_power = value_levers(
        matrix, objectives, weights, "c", levers=["power", "tax"], cost={"power": 0.1, "tax": 10}
    )
    assert list(cheap_power.changes.index) == ["power"]
    assert cheap_tax.exact
    assert "makes c rank first" in cheap_tax.message


def test_a_leader_needs_no_change_and_bad_input_is_refused():
    matrix, objectives, weights = random_problem(1, m=5, n=3)
    leader = rank_matrix(matrix, objectives, weights, "wsm")["rank"].idxmin()
    res = value_levers(matrix, objectives, weights, leader, levers=["c0"])
    assert res.feasible
    assert res.cost == 0.0
    with pytest.raises(UnknownNameError, match=r"unknown site 'zz'"):
        value_levers(matrix, objectives, weights, "zz", levers=["c0"])
    with pytest.raises(UnknownNameError, match=r"unknown criterion 'nope'"):
        value_levers(matrix, objectives, weights, "a1", levers=["nope"])
    with pytest.raises(SiteSelectError, match=r"no lever criteria"):
        value_levers(matrix, objectives, weights, "a1")
    with pytest.raises(SiteSelectError, match=r"lever cost must be a finite number > 0; check c0"):
        value_levers(matrix, objectives, weights, "a1", levers=["c0"], cost={"c0": -1})

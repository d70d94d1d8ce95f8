"""panel: the 17-step input, one stakeholder's AHP weights, AIJ/AIP panels, rankings, records."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.panel import (
    CENTRE,
    SAATY_STEPS,
    Stakeholder,
    display_names,
    elicitation_record,
    judgement_options,
    judgement_position,
    judgement_value,
    panel_rankings,
    panel_weights,
    stakeholder_weights,
    stakeholders_from_record,
)
from siteselect.ranking import evaluate

SECTOR = "ems"
GROUPS = ["proximity", "market_access", "cost", "business_climate", "sector"]


def _dominant(group: str | None) -> dict[tuple[str, str], float]:
    """Every pair of groups judged equal, except ``group`` 9 times as important as each."""
    out = {}
    for i, a in enumerate(GROUPS):
        for b in GROUPS[i + 1 :]:
            out[(a, b)] = 9.0 if a == group else 1 / 9 if b == group else 1.0
    return out


EQUAL = _dominant(None)
INVESTMENT = _dominant("business_climate")
PROXIMITY = _dominant("proximity")
SECTOR_PAIR = {"sector": {("sector_fit", "taiwan_cluster"): 3}}


def person(name="Ana", groups=EQUAL, within=None, profile="investor", role="Investor"):
    return Stakeholder(name, role, groups, within or {}, profile)


@pytest.mark.parametrize("position", range(17))
def test_position_value_round_trip(position):
    assert judgement_position(judgement_value(position)) == position


def test_values_follow_saaty_scale():
    values = [judgement_value(p) for p in range(17)]
    expected = [9, 8, 7, 6, 5, 4, 3, 2, 1, *(1 / k for k in range(2, 10))]
    np.testing.assert_allclose(values, expected)
    assert len(SAATY_STEPS) == 17
    assert values[CENTRE] == 1.0


@pytest.mark.parametrize(
    ("value", "position"),
    [(2.9, 6), (1.1, 8), (0.35, 10), (20, 0), (1 / 20, 16)],
    ids=["near-3", "near-1", "near-1/3", "above-9", "below-1/9"],
)
def test_position_is_nearest_on_log_scale(value, position):
    assert judgement_position(value) == position


def test_options_have_17_labels_with_equal_in_the_centre():
    options = judgement_options("Cost", "Time")
    assert len(options) == 17
    assert len(set(options)) == 17
    assert "equally important" in options[CENTRE]
    assert options[0].startswith("Cost: 9")
    assert options[-1].startswith("Time: 9")
    assert "extremely" in options[0]
    assert "moderately" in options[6]
    assert "between" in options[7]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: judgement_value(17), "0 to 16"),
        (lambda: judgement_value(True), "0 to 16"),
        (lambda: judgement_position(0), "positive number"),
        (lambda: judgement_position("3"), "positive number"),
        (lambda: judgement_options("Cost", "Cost"), "must differ"),
        (lambda: judgement_options("", "Cost"), "a_label must be non-empty"),
    ],
    ids=["position-too-high", "bool-position", "zero", "text", "same-labels", "empty-label"],
)
def test_bad_scale_input(call, match):
    with pytest.raises(SiteSelectError, match=match):
        call()


def test_equal_judgements_give_equal_group_weights(cset):
    result = stakeholder_weights(cset, person(), SECTOR)
    np.testing.assert_allclose(result.group.weights.to_numpy(), [1 / 5] * 5)
    assert result.effective.sum() == pytest.approx(1.0)
    assert result.warnings == []
    assert set(result.overrides) == set(GROUPS) | set(cset.ids)


def test_investment_judged_most_important_weighs_most(cset):
    result = stakeholder_weights(cset, person(groups=INVESTMENT), SECTOR)
    assert result.group.weights.idxmax() == "business_climate"
    assert result.effective.sum() == pytest.approx(1.0)
    breakdown = cset.weights("investor", SECTOR, result.overrides)
    assert breakdown.group.idxmax() == "business_climate"


def test_unjudged_groups_keep_profile_weights(cset):
    result = stakeholder_weights(cset, person(within=SECTOR_PAIR), SECTOR)
    raw = cset.weights("investor", SECTOR).raw
    assert result.overrides["sector_fit"] == pytest.approx(0.75)
    assert result.overrides["taiwan_cluster"] == pytest.approx(0.25)
    assert result.overrides["logistics"] == raw["logistics"]
    assert list(result.within) == ["sector"]


def test_overrides_feed_evaluate(cset, tiny):
    result = stakeholder_weights(cset, person(groups=INVESTMENT), SECTOR)
    ev = evaluate(tiny, cset, sector=SECTOR, profile="investor", weights=result.overrides)
    assert set(ev.ranking.index) == set(tiny.sites.index)
    pd.testing.assert_series_equal(ev.weights.effective, result.effective)


def test_inconsistent_judgements_warn_naming_the_level(cset):
    circular = {
        ("hazard_risk", "logistics"): 9,
        ("logistics", "governance"): 9,
        ("governance", "hazard_risk"): 9,
    }
    ids = [c.id for c in cset.criteria if c.group == "business_climate"]
    judgements = {(a, b): 1 for i, a in enumerate(ids) for b in ids[i + 1 :]}
    for (a, b), v in circular.items():
        judgements.pop((b, a), None)
        judgements[(a, b)] = v
    result = stakeholder_weights(cset, person(within={"business_climate": judgements}), SECTOR)
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("Within Business climate & risk: consistency ratio")


def test_incomplete_judgements_name_stakeholder_and_level(cset):
    bad = person(name="Ben", groups={("proximity", "sector"): 2}, within={"nope": {}})
    with pytest.raises(SiteSelectError, match=r"stakeholder 'Ben'(.|\n)*groups:(.|\n)*'nope'"):
        stakeholder_weights(cset, bad, SECTOR)
    with pytest.raises(UnknownNameError, match="unknown sector"):
        stakeholder_weights(cset, person(), "textiles")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "x" * 81}, "name has 81 characters; at most 80"),
        ({"name": "  "}, "name is empty"),
        ({"role": 7}, "role must be text"),
        ({"groups": {("proximity", "sector"): 10}}, "off Saaty's scale"),
        ({"groups": {"proximity": 3}}, "not a pair of ids"),
        ({"within": {"sector": {("sector_fit", "taiwan_cluster"): "3"}}}, "not a number"),
    ],
    ids=["long-name", "blank-name", "role-not-text", "off-scale", "bad-key", "text-value"],
)
def test_stakeholder_validates_its_input(kwargs, match):
    with pytest.raises(SiteSelectError, match=match):
        person(**kwargs)


def test_names_are_kept_verbatim():
    name = "  Dr. Lin — 林 (MOEA)  "
    assert person(name=name).name == name
    assert person(name="x" * 80).name == "x" * 80


def test_identical_panel_agrees_with_each_member(cset):
    one = person(groups=INVESTMENT, within=SECTOR_PAIR)
    panel = panel_weights(cset, [one, one, one], SECTOR)
    alone = stakeholder_weights(cset, one, SECTOR)
    assert panel.consensus.consensus == pytest.approx(1.0)
    pd.testing.assert_series_equal(panel.effective, alone.effective)
    pd.testing.assert_series_equal(panel.group.weights, alone.group.weights)
    # the panel's within-group overrides are normalised, the member's are raw profile weights
    pd.testing.assert_series_equal(
        cset.weights("investor", SECTOR, panel.overrides).within,
        cset.weights("investor", SECTOR, alone.overrides).within,
    )
    assert list(panel.per_stakeholder) == ["Ana", "Ana (2)", "Ana (3)"]


def test_aij_of_opposite_judgements_gives_equal_group_weights(cset):
    inverse = {pair: 1 / value for pair, value in INVESTMENT.items()}
    panel = panel_weights(cset, [person("Ana", INVESTMENT), person("Ben", inverse)], SECTOR)
    np.testing.assert_allclose(panel.group.weights.to_numpy(), [1 / 5] * 5)
    assert panel.consensus.consensus < 1
    assert panel.effective.sum() == pytest.approx(1.0)


def test_aij_where_all_judged_aip_elsewhere(cset):
    ana = person("Ana", INVESTMENT, SECTOR_PAIR)
    ben = person("Ben", PROXIMITY, {"sector": {("taiwan_cluster", "sector_fit"): 3}})
    panel = panel_weights(cset, [ana, ben], SECTOR)
    assert list(panel.within) == ["sector"]
    assert panel.overrides["sector_fit"] == pytest.approx(0.5)
    assert "Within Sector & cluster: AIJ" in panel.method_note
    assert "Within Market access: AIP" in panel.method_note
    partial = panel_weights(cset, [ana, person("Ben", PROXIMITY)], SECTOR)
    assert partial.within == {}
    assert "judged by 1 of 2: Ana" in partial.method_note


def test_influence_moves_the_panel_toward_a_stakeholder(cset):
    people = [person("Ana", INVESTMENT), person("Ben", PROXIMITY)]
    panel = panel_weights(cset, people, SECTOR, influence=[3, 1])
    only_ana = panel_weights(cset, people, SECTOR, influence=[1, 0])
    assert panel.group.weights["business_climate"] > panel.group.weights["proximity"]
    assert panel.influence == pytest.approx((0.75, 0.25))
    pd.testing.assert_series_equal(
        only_ana.group.weights, stakeholder_weights(cset, people[0], SECTOR).group.weights
    )


PAIRS = list(EQUAL)
positions = st.lists(st.integers(0, 16), min_size=len(PAIRS), max_size=len(PAIRS))


@settings(max_examples=25)
@given(first=positions, second=positions)
def test_panel_group_weights_do_not_depend_on_member_order(cset, first, second):
    people = [
        person(name, {pair: judgement_value(p) for pair, p in zip(PAIRS, steps, strict=True)})
        for name, steps in (("Ana", first), ("Ben", second))
    ]
    forward = panel_weights(cset, people, SECTOR)
    backward = panel_weights(cset, people[::-1], SECTOR)
    pd.testing.assert_series_equal(forward.group.weights, backward.group.weights, rtol=1e-9)
    assert forward.effective.sum() == pytest.approx(1.0)
    assert 0.0 <= forward.consensus.consensus <= 1.0


@pytest.mark.parametrize(
    ("people", "influence", "match"),
    [
        ([], None, "at least one stakeholder"),
        (["Ana"], None, "not a Stakeholder: #1"),
        ([person()], [1, 2], "2 numbers for 1 stakeholders"),
        ([person()], [-1], "non-negative"),
        ([person()], [0], "zero for every stakeholder"),
    ],
    ids=["empty", "not-stakeholder", "wrong-length", "negative", "all-zero"],
)
def test_panel_rejects_bad_input(cset, people, influence, match):
    with pytest.raises(SiteSelectError, match=match):
        panel_weights(cset, people, SECTOR, influence=influence)


def test_panel_reports_every_stakeholder_at_once(cset):
    people = [person("Ana", {}), person("Ben", {}, profile="nobody")]
    with pytest.raises(SiteSelectError, match=r"2 problems in the panel(.|\n)*'Ana'(.|\n)*'Ben'"):
        panel_weights(cset, people, SECTOR)


def test_panel_rankings_columns_index_and_order(cset, tiny):
    people = [person("Ana", INVESTMENT), person("Ben", PROXIMITY), person("group", EQUAL)]
    ranks = panel_rankings(tiny, cset, people, sector=SECTOR, method="topsis", missing="worst")
    assert list(ranks.columns) == ["name", "Ana", "Ben", "group (2)", "group", "spread"]
    assert set(ranks.index) == set(tiny.sites.index)
    stakeholders = ranks[["Ana", "Ben", "group (2)"]]
    for column in [*stakeholders, "group", "spread"]:
        assert pd.api.types.is_integer_dtype(ranks[column])
    assert (stakeholders >= 1).all().all()
    assert ranks["group"].is_monotonic_increasing
    pd.testing.assert_series_equal(
        ranks["spread"], stakeholders.max(axis=1) - stakeholders.min(axis=1), check_names=False
    )
    pd.testing.assert_series_equal(
        ranks["name"], tiny.sites["name"].reindex(ranks.index), check_names=False
    )


def test_panel_rankings_match_evaluate_and_reuse_table(cset, tiny):
    people = [person("Ana", INVESTMENT)]
    panel = panel_weights(cset, people, SECTOR)
    first = evaluate(tiny, cset, sector=SECTOR, profile="investor", weights=panel.overrides)
    ranks = panel_rankings(
        tiny,
        cset,
        people,
        sector=SECTOR,
        method="topsis",
        missing="worst",
        table=first.table,
        panel=panel,
    )
    expected = first.ranking["rank"].reindex(ranks.index)
    np.testing.assert_array_equal(ranks["group"].to_numpy(), expected.to_numpy())
    np.testing.assert_array_equal(ranks["Ana"].to_numpy(), expected.to_numpy())
    assert (ranks["spread"] == 0).all()


def test_panel_rankings_refuse_a_panel_for_other_people(cset, tiny):
    panel = panel_weights(cset, [person("Ana")], SECTOR)
    with pytest.raises(SiteSelectError, match="computed for"):
        panel_rankings(
            tiny,
            cset,
            [person("Ben")],
            sector=SECTOR,
            method="topsis",
            missing="worst",
            panel=panel,
        )


def test_display_names_number_repeats_and_reserved():
    people = [person(n) for n in ("Ana", "Ana", "name", "Ana (2)", "spread")]
    assert display_names(people) == ["Ana", "Ana (2)", "name (2)", "Ana (2) (2)", "spread (2)"]


def test_record_round_trip_through_json(cset):
    people = [
        person("Ana", INVESTMENT, SECTOR_PAIR, role="Investor"),
        person("Lin 林", PROXIMITY, profile="government_evaluator", role="Ministry"),
    ]
    panel = panel_weights(cset, people, SECTOR, influence=[2, 1])
    record = elicitation_record(people, panel)
    text = json.dumps(record, allow_nan=False)
    loaded = json.loads(text)
    assert stakeholders_from_record(loaded) == people
    assert [
        "proximity",
        "business_climate",
        pytest.approx(1 / 9),
    ] in loaded["stakeholders"][0]["group_judgements"]
    assert loaded["consensus"] == pytest.approx(panel.consensus.consensus)
    assert loaded["overrides"] == pytest.approx(panel.overrides)
    assert loaded["aggregation"] == panel.method_note
    assert loaded["stakeholders"][1]["cr"] == pytest.approx(0.0)
    restored = panel_weights(cset, stakeholders_from_record(loaded), SECTOR, influence=[2, 1])
    assert restored.overrides == pytest.approx(panel.overrides)


def valid_record():
    people = [person("Ana", INVESTMENT, SECTOR_PAIR)]
    return {
        "method": "ahp_panel",
        "version": 1,
        "stakeholders": [
            {
                "name": p.name,
                "role": p.role,
                "profile": p.profile,
                "group_judgements": [[a, b, v] for (a, b), v in p.group_judgements.items()],
            }
            for p in people
        ],
    }


def broken(path, value):
    record = valid_record()
    target = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return record


@pytest.mark.parametrize(
    ("record", "match"),
    [
        ("text", "is a mapping"),
        (broken(["method"], "swing"), "method must be 'ahp_panel'"),
        (broken(["stakeholders"], []), "stakeholders must be a non-empty list"),
        (broken(["stakeholders", 0], 5), r"stakeholders\[0\] must be a mapping"),
        (broken(["stakeholders", 0, "group_judgements", 1], ["a", 3]), r"\[1\] must be \[a, b"),
        (broken(["stakeholders", 0, "group_judgements"], {"a": 1}), "must be a list"),
        (broken(["stakeholders", 0, "name"], "y" * 81), r"stakeholders\[0\](.|\n)*81 char"),
        (broken(["stakeholders", 0, "criterion_judgements"], [1]), "criterion_judgements must"),
        (broken(["stakeholders", 0, "group_judgements", 0, 2], 0), "off Saaty's scale"),
    ],
    ids=[
        "not-mapping",
        "wrong-method",
        "no-stakeholders",
        "member-not-mapping",
        "short-triple",
        "judgements-not-list",
        "long-name",
        "bad-criterion-judgements",
        "zero-judgement",
    ],
)
def test_malformed_record_is_refused(record, match):
    with pytest.raises(SiteSelectError, match=match):
        stakeholders_from_record(record)


def test_record_without_name_says_what_is_missing():
    record = valid_record()
    del record["stakeholders"][0]["name"]
    with pytest.raises(SiteSelectError, match=r"stakeholders\[0\] lacks name"):
        stakeholders_from_record(record)


def test_repeated_pair_in_record_is_refused():
    record = valid_record()
    judgements = record["stakeholders"][0]["group_judgements"]
    judgements.append(list(judgements[0]))
    with pytest.raises(SiteSelectError, match="repeats the pair"):
        stakeholders_from_record(record)


def test_stakeholder_is_hashable_and_independent_of_caller_dicts():
    groups = dict(EQUAL)
    one = person(groups=groups)
    groups[("proximity", "sector")] = 9
    assert one.group_judgements[("proximity", "sector")] == 1
    assert hash(one) == hash(person(groups=EQUAL))

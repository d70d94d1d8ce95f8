"""criteria/: loading, validation errors, hierarchical weights."""

from __future__ import annotations

import numpy as np
import pytest

from siteselect.criteria import load_criteria
from siteselect.errors import DataError, UnknownNameError, WeightError

REQUIRED_SECTORS = {
    "semiconductor_fab",
    "chip_assembly_test",
    "ems",
    "ai_servers",
    "ev_auto_electronics",
    "rare_earth_magnets",
}


def test_bundled_criteria_cover_the_five_groups(cset):
    groups = {c.group for c in cset.criteria}
    assert groups == {"proximity", "market_access", "cost", "business_climate", "sector"}
    assert {s.id for s in cset.sectors} >= REQUIRED_SECTORS
    assert {"industry_association", "government_evaluator", "investor"} <= {
        p.id for p in cset.profiles
    }


@pytest.mark.parametrize("profile", ["industry_association", "government_evaluator", "investor"])
@pytest.mark.parametrize("sector", sorted(REQUIRED_SECTORS))
def test_effective_weights_are_group_times_within(cset, profile, sector):
    w = cset.weights(profile, sector)
    assert w.effective.sum() == pytest.approx(1.0)
    groups = cset.group_of()
    for crit, value in w.effective.items():
        assert value == pytest.approx(w.group[groups[crit]] * w.within[crit])
    by_group = w.within.groupby(groups).sum()
    np.testing.assert_allclose(by_group, 1.0)


def test_sector_relevance_changes_weights(cset):
    fab = cset.weights("industry_association", "semiconductor_fab").effective
    ems = cset.weights("industry_association", "ems").effective
    assert fab["water_stress"] > ems["water_stress"]
    assert ems["logistics"] > fab["logistics"]


def test_override_of_criterion_is_final_within_group_weight(cset):
    w = cset.weights("investor", "ems", {"logistics": 0})
    assert w.effective["logistics"] == 0
    w2 = cset.weights("investor", "ems", {"proximity": 0})
    assert w2.group["proximity"] == 0
    assert w2.effective[[c.id for c in cset.criteria if c.group == "proximity"]].sum() == 0


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"nope": 1}, UnknownNameError, r"unknown criterion or group 'nope'; valid .*logistics"),
        ({"logistics": -2}, WeightError, r"weight of 'logistics' is negative"),
        ({"logistics": "lots"}, WeightError, r"not a number: 'lots'"),
        (
            dict.fromkeys(("proximity", "market_access", "cost", "business_climate", "sector"), 0),
            WeightError,
            r"all weights are zero",
        ),
    ],
    ids=["unknown", "negative", "non-numeric", "all-zero"],
)
def test_bad_overrides(cset, overrides, error, message):
    with pytest.raises(error, match=message):
        cset.weights("investor", "ems", overrides)


def test_unknown_sector_and_profile_list_valid_names(cset):
    with pytest.raises(UnknownNameError, match=r"unknown sector 'fabs'.*semiconductor_fab"):
        cset.weights("investor", "fabs")
    with pytest.raises(UnknownNameError, match=r"unknown profile 'banker'.*investor"):
        cset.weights("banker", "ems")


def test_malformed_yaml_names_file_and_line(criteria_dir):
    path = criteria_dir / "profiles.yaml"
    path.write_text("profiles:\n  - id: x\n    group_weights: {proximity: [\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"profiles\.yaml, row \d+: invalid YAML"):
        load_criteria(criteria_dir)


def test_every_problem_is_reported_at_once(criteria_dir):
    path = criteria_dir / "criteria.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("objective: min\n    unit: days", "objective: lowest\n    unit: days", 1)
    text = text.replace("group: sector", "group: sectr", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_criteria(criteria_dir)
    message = str(info.value)
    assert "field 'objective': must be 'max' or 'min'; got 'lowest'" in message
    assert "field 'group': unknown group 'sectr'" in message


def test_profile_weight_for_unknown_criterion_is_an_error(criteria_dir):
    path = criteria_dir / "profiles.yaml"
    text = path.read_text(encoding="utf-8").replace("logistics: 1", "labor_cost: 1", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"field 'criterion_weights\.labor_cost': unknown id"):
        load_criteria(criteria_dir)


def test_unsafe_yaml_is_not_executed(criteria_dir):
    path = criteria_dir / "sectors.yaml"
    path.write_text("sectors: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"invalid YAML"):
        load_criteria(criteria_dir)


def test_policy_levers_are_flagged_in_the_criteria_file(cset):
    from siteselect.robustness import policy_levers

    assert cset.levers == ("market_tariff", "operating_cost")
    assert policy_levers() == cset.levers
    for cid in cset.levers:
        assert cset.criterion(cid).lever_note  # each says how it is moved
    assert not cset.criterion("governance").lever
    assert cset.criterion("governance").lever_note == ""


def test_levers_read_from_the_file_steer_the_summary(criteria_dir):
    from siteselect.robustness import policy_levers

    path = criteria_dir / "criteria.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "    derive: {kind: indicator, indicator: lpi_score}\n",
        "    derive: {kind: indicator, indicator: lpi_score}\n    lever: true\n"
        "    lever_note: Port and customs investment.\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    assert policy_levers(load_criteria(criteria_dir)) == (
        "market_tariff",
        "operating_cost",
        "logistics",
    )


@pytest.mark.parametrize(
    ("insert", "message"),
    [
        ("    lever: yes please\n", r"field 'lever': must be true or false; got 'yes please'"),
        ("    lever: true\n", r"field 'lever_note': a lever needs a note saying how it is moved"),
        ("    lever_note: by decree\n", r"field 'lever_note': given for a criterion that is not"),
    ],
    ids=["not-a-bool", "lever-without-note", "note-without-lever"],
)
def test_bad_lever_fields_name_the_field(criteria_dir, insert, message):
    path = criteria_dir / "criteria.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "    derive: {kind: indicator, indicator: lpi_score}\n"
    path.write_text(text.replace(anchor, anchor + insert, 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"criteria\.yaml, row \d+.*" + message):
        load_criteria(criteria_dir)

"""Decision table: derivations, provenance, unit conversion, missing-value policies."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from siteselect.criteria import load_criteria
from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.table import POLICIES, apply_missing_policy, decision_table

# Criteria a user's own criteria file may define with the money and tax derive kinds
# (the bundled criteria fold these facts into the cost of operation instead).
EXTRA = [
    {
        "id": "labour_cost",
        "label": "Minimum wage",
        "group": "business_climate",
        "objective": "min",
        "unit": "USD/day",
        "derive": {"kind": "indicator_usd", "indicator": "minimum_wage", "per": "day"},
    },
    {
        "id": "electricity_price",
        "label": "Industrial electricity price",
        "group": "business_climate",
        "objective": "min",
        "unit": "USD cents/kWh",
        "derive": {
            "kind": "indicator_usd",
            "indicator": "electricity_price_industrial",
            "per": "kWh",
        },
    },
    {
        "id": "corporate_tax",
        "label": "Income tax",
        "group": "business_climate",
        "objective": "min",
        "unit": "%",
        "derive": {
            "kind": "income_tax",
            "national": "zone_tax_rate",
            "state": "state_corporate_tax_rate",
        },
    },
]


@pytest.fixture(scope="module")
def wide_cset(tmp_path_factory):
    target = tmp_path_factory.mktemp("criteria") / "criteria"
    shutil.copytree(Path(__file__).parent.parent / "criteria", target)
    path = target / "criteria.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["criteria"] += EXTRA
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_criteria(target)


@pytest.fixture(scope="module")
def table(tiny, wide_cset):
    return decision_table(tiny, wide_cset, "ems")


def cell(table, site, criterion):
    c = table.cells
    return c[(c.site_id == site) & (c.criterion == criterion)].iloc[0]


def test_every_cell_has_provenance(table, tiny, wide_cset):
    assert len(table.cells) == len(tiny.sites) * len(wide_cset.criteria)
    known = table.cells[table.cells.value.notna()]
    assert (known.derivation.str.len() > 0).all()
    assert (known.source.str.len() > 0).all()
    missing = table.cells[table.cells.value.isna()]
    assert missing.derivation.str.startswith("missing: ").all()


def test_wage_is_converted_to_usd_per_day(table):
    ph = cell(table, "PH-TEST-A", "labour_cost")
    assert ph.value == pytest.approx(600 * 0.016915)
    assert "converted at 0.016915 USD/PHP" in ph.derivation
    az = cell(table, "US-TEST-C", "labour_cost")
    assert az.value == pytest.approx(15.15 * 8)
    assert "region US-AZ" in az.derivation


def test_cents_and_local_currency_electricity_are_comparable(table):
    assert cell(table, "US-TEST-C", "electricity_price").value == pytest.approx(8.11)
    # 2.0 MXN/kWh × 0.055579 USD/MXN × 100 cents
    assert cell(table, "MX-TEST-B", "electricity_price").value == pytest.approx(11.1158)
    assert np.isnan(cell(table, "PH-TEST-A", "electricity_price").value)


def test_state_income_tax_is_added_only_when_it_is_an_income_tax(table):
    az = cell(table, "US-TEST-C", "corporate_tax")
    assert az.value == pytest.approx(21 + 4.9 * 0.79)
    tx = cell(table, "US-TEST-D", "corporate_tax")
    assert tx.value == pytest.approx(21)
    assert "is not an income tax" in tx.derivation


def test_governance_uses_only_components_known_for_every_site(table):
    ph = cell(table, "PH-TEST-A", "governance")
    assert ph.value == pytest.approx(0.15)
    assert "left out (not known for every site): wgi_control_of_corruption" in ph.derivation


def test_sector_fit_follows_the_sector(tiny, cset):
    ems = decision_table(tiny, cset, "ems").values["sector_fit"]
    fab = decision_table(tiny, cset, "semiconductor_fab").values["sector_fit"]
    assert not ems.equals(fab)


def test_missing_sector_fit_is_marked_with_the_rationale(tiny, cset):
    t = decision_table(tiny, cset, "ai_servers")
    c = cell(t, "MX-TEST-B", "sector_fit")
    assert np.isnan(c.value)
    assert "no evidence found" in c.derivation


def test_worst_policy_imputes_the_worst_observed_value(table):
    result = apply_missing_policy(table, "worst")
    # electricity price is a cost: worst = highest observed
    assert result.matrix.loc["PH-TEST-A", "electricity_price"] == pytest.approx(11.1158)
    assert result.imputed.loc["PH-TEST-A", "electricity_price"]
    assert not result.imputed.loc["US-TEST-C", "electricity_price"]
    assert any("imputed" in n for n in result.notes)


def test_low_coverage_criterion_is_left_out_and_said(table):
    result = apply_missing_policy(table, "worst")
    assert "water_stress" in result.dropped_criteria
    assert any("Baseline water stress (25%)" in n for n in result.notes)


def test_drop_policies(table):
    by_crit = apply_missing_policy(table, "drop_criterion")
    assert "electricity_price" in by_crit.dropped_criteria
    assert not by_crit.matrix.isna().any().any()
    by_site = apply_missing_policy(table, "drop_site")
    assert "PH-TEST-A" in by_site.dropped_sites
    assert not by_site.matrix.isna().any().any()


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_every_policy_gives_a_complete_matrix(table, policy):
    result = apply_missing_policy(table, policy)
    assert not result.matrix.isna().any().any()


def test_unknown_policy_lists_valid_names(table):
    with pytest.raises(UnknownNameError, match=r"unknown missing-value policy 'guess'.*worst"):
        apply_missing_policy(table, "guess")


def test_policy_that_leaves_nothing_is_a_clear_error(table):
    with pytest.raises(SiteSelectError, match=r"left nothing to rank"):
        apply_missing_policy(table, "drop_criterion", criteria=["electricity_price", "logistics"])


def test_water_stress_takes_the_most_specific_aqueduct_row_on_the_category_scale():
    from siteselect.ranking import default_catalog, default_criteria
    from siteselect.table import decision_table

    cat = default_catalog()
    table = decision_table(cat, default_criteria(), "ems")
    values = table.values["water_stress"]
    assert values.notna().all()
    assert set(values.unique()) <= {0.0, 1.0, 2.0, 3.0, 4.0}
    cells = table.cells.set_index(["site_id", "criterion"])
    sonora = cells.loc[("MX-SON-TEEMA", "water_stress")]
    assert values["MX-SON-TEEMA"] == 4.0  # state score 4.93, converted by Aqueduct's bins
    assert "score 4.93 converted to category 4" in sonora["derivation"]
    assert values["MX-NLE-MTY"] == 3.0  # no state figure: WRI's national category
    assert values["US-AZ-NPHX"] == 4.0
    assert values["US-TX-HOU"] == 2.0

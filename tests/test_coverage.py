"""The coverage table says, per cell, where the value comes from; it agrees with the table."""

from __future__ import annotations

import json

import pytest

from siteselect.cli import main
from siteselect.coverage import CODES, coverage_summary, coverage_table
from siteselect.ranking import evaluate


@pytest.fixture(scope="module")
def magnets():
    return evaluate(sector="rare_earth_magnets")


def test_each_code_follows_the_cell_provenance(magnets):
    table = coverage_table(magnets)
    cells = magnets.table.cells.set_index(["site_id", "criterion"])
    imputed = magnets.policy.imputed
    for sid in table.index:
        for crit in table.columns.drop("name"):
            code = str(table.at[sid, crit]).rstrip("x").split("+")[0]
            if crit in imputed.columns and sid in imputed.index and imputed.at[sid, crit]:
                assert code == CODES["imputed"], (sid, crit)
            elif magnets.table.values[crit].isna()[sid]:
                assert code == CODES["missing"], (sid, crit)
            else:
                scope = cells.at[(sid, crit), "scope_level"]
                assert code == CODES.get(scope, CODES["mixed"]), (sid, crit, scope)


def test_imputed_cost_components_are_counted_per_site(magnets):
    table = coverage_table(magnets)
    b = magnets.cost.breakdown
    per_site = b[b["imputed"] != ""].groupby("site_id")["component"].nunique()
    for sid, k in per_site.items():
        assert str(table.at[sid, "operating_cost"]).rstrip("x").endswith(f"+{k}")
    clean = set(table.index) - set(per_site.index)
    assert all("+" not in str(table.at[s, "operating_cost"]) for s in clean)


def test_excluded_sites_are_marked_not_dropped(magnets):
    table = coverage_table(magnets)
    assert len(magnets.excluded) > 0
    assert set(magnets.excluded.index) <= set(table.index)
    for sid in magnets.excluded.index:
        assert all(str(v).endswith("x") for v in table.loc[sid].drop("name"))
    ranked = set(magnets.ranking.index)
    assert not any(str(v).endswith("x") for s in ranked for v in table.loc[s].drop("name"))


def test_summary_counts_add_up(magnets):
    summary = coverage_summary(magnets)
    n = len(magnets.table.values)
    parts = summary[["site", "region", "country", "mixed_or_assumption"]].sum(axis=1)
    assert (parts == summary["with_value"]).all()
    assert (summary["with_value"] + summary["filled_by_policy"] + summary["missing"] == n).all()


def test_cli_prints_the_coverage_with_its_legend(capsys):
    assert main(["data", "coverage", "--sector", "ems", "--summary", "--format", "json"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert {r["criterion"] for r in rows} >= {"taiwan_transit", "operating_cost", "sector_fit"}
    assert "S site fact, R first-level region" in captured.err

"""Properties of the bundled data release (real data, not fixtures)."""

from __future__ import annotations

import pytest

from siteselect import boundaries
from siteselect.catalog import load_catalog


@pytest.fixture(scope="module")
def bundled():
    return load_catalog()


def test_every_site_lies_inside_its_country(bundled):
    located = boundaries.locate(bundled.sites)
    wrong = {
        sid: (want, got)
        for sid, want, got in zip(
            bundled.sites.index, bundled.sites["country"], located["country"], strict=True
        )
        if want != got
    }
    assert wrong == {}
    regions = {
        sid: (want, got)
        for sid, want, got in zip(
            bundled.sites.index, bundled.sites["region_code"], located["region_code"], strict=True
        )
        if want != got
    }
    assert regions == {}


def test_every_site_has_a_sourced_location_and_gateways(bundled):
    sites = bundled.sites
    for column in ("coord_source", "gateway_port", "airport", "region_code"):
        assert sites[column].notna().all(), column


def test_every_indicator_has_refresh_metadata_listed_in_sources(bundled):
    from siteselect.catalog import DATA_DIR
    from siteselect.release import load_indicator_meta, refresh_table

    meta = load_indicator_meta(DATA_DIR)
    used = set(bundled.indicators["indicator"])
    assert used - set(meta) == set()
    sources = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert refresh_table(meta) in sources  # regenerate the table when indicators.yaml changes
    assert all(m.refresh for m in meta.values())


def test_data_check_strict_passes_on_the_release_date(bundled):
    from siteselect.cli import main

    assert bundled.release.date is not None
    assert main(["data", "check", "--strict", "--as-of", bundled.release.date.isoformat()]) == 0


@pytest.mark.parametrize(
    "sector",
    [
        "semiconductor_fab",
        "chip_assembly_test",
        "ems",
        "ai_servers",
        "ev_auto_electronics",
        "rare_earth_magnets",
    ],
)
def test_every_criterion_is_used_and_cells_are_covered(sector):
    from siteselect.ranking import evaluate

    result = evaluate(sector=sector)
    assert not any("left out" in n for n in result.policy.notes), result.policy.notes
    assert set(result.policy.matrix.columns) == set(result.criteria.ids)
    assert result.table.values.notna().mean().mean() >= 0.95
    assert len(result.ranking) + len(result.excluded) >= 30

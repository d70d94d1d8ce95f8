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

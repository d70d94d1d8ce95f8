"""The region page in headless Chromium, offline: run Central Luzon, see the layer and table."""

from __future__ import annotations

import json
import time

import pytest
from browser_support import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
HOSTILE = '<img src=x onerror="window.__pwned=1">${window.__pwned=2}'


def _region_frame(pg, cells: int):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for frame in pg.frames:
            try:
                if (
                    "st_folium" in frame.url
                    and frame.locator("path.siteselect-cell").count() >= cells
                ):
                    return frame
            except Exception:  # the frame detached during a rerun
                continue
        pg.wait_for_timeout(300)
    raise AssertionError("the suitability layer did not render")


def test_central_luzon_screen_draws_the_layer_and_the_table(server, page, tmp_path):
    zone = tmp_path / "zone.geojson"
    ring = [[120.0, 15.0], [120.4, 15.0], [120.4, 15.4], [120.0, 15.4], [120.0, 15.0]]
    zone.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": HOSTILE},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        )
    )
    page.goto(f"{server}/region")
    page.wait_for_selector("text=Screen a region: the best places", timeout=120_000)
    cell = page.get_by_label("Cell size (km)")
    cell.fill("10")
    cell.press("Enter")
    page.wait_for_timeout(1500)
    page.get_by_text("Your layers (GeoTIFF rasters").click()
    page.locator('input[type="file"]').last.set_input_files(str(zone))
    page.wait_for_selector("text=zone.geojson", timeout=60_000)
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Run the screen").click()
    page.wait_for_selector('[data-testid="stMetric"]:has-text("Cells screened")', timeout=240_000)
    page.get_by_text("Excluded:").first.wait_for(timeout=60_000)  # drawn after the metrics
    frame = _region_frame(page, 20)
    assert frame.locator("path.siteselect-cell").count() == 20
    assert frame.locator("img.siteselect-suitability").count() == 1
    assert frame.locator("path.siteselect-candidate").count() >= 1
    assert frame.locator(".siteselect-suitability-legend").count() == 1
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=60_000)  # below the map
    for f in page.frames:
        assert f.evaluate("() => window.__pwned === undefined"), f.url
    not_tiles = [u for u in page.blocked if "tile.openstreetmap.org" not in u]
    assert not_tiles == []

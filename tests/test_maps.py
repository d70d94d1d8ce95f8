"""Maps: escaping of user text, offline assets, one vector marker per site."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from siteselect import maps
from siteselect.errors import UnknownNameError
from siteselect.ranking import evaluate

HOSTILE = '<img src=x onerror="alert(1)">${alert(2)}`</script><script>alert(3)</script>\\'


@given(st.text())
def test_escape_text_leaves_no_markup_or_template_syntax(text):
    out = maps.escape_text(text)
    for ch in "<>\"'`$\\":
        assert ch not in out


@pytest.fixture(scope="module")
def hostile_result(tiny, cset):
    from dataclasses import replace

    sites = tiny.sites.copy()
    sites.loc["PH-TEST-A", "name"] = HOSTILE
    sites.loc["MX-TEST-B", "region"] = "${document.title='pwned'}"
    catalog = replace(tiny, sites=sites)
    return evaluate(catalog, cset, sector="ems", profile="investor"), catalog


def _render(result, catalog, **kw):
    reasons = {s: result.reasons(s) for s in result.ranking.index}
    return maps.map_html(maps.ranking_map(result.ranking, catalog.sites, reasons=reasons, **kw))


def test_hostile_names_are_escaped_in_the_map(hostile_result):
    result, catalog = hostile_result
    html = _render(result, catalog)
    assert 'onerror="alert(1)"' not in html
    assert "<script>alert(3)" not in html
    assert "${alert(2)}" not in html
    assert "${document.title" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#36;{alert(2)}" in html


def test_inline_map_needs_no_cdn(hostile_result):
    result, catalog = hostile_result
    html = _render(result, catalog, routes=True, assets="inline")
    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert srcs, "expected Leaflet to be included"
    assert all(s.startswith("data:") for s in srcs), srcs
    assert "cdn.jsdelivr" not in html
    assert "code.jquery.com" not in html


def test_static_map_points_at_the_app(hostile_result):
    result, catalog = hostile_result
    html = _render(result, catalog, assets="static")
    assert f'src="{maps.STATIC_PREFIX}/leaflet.js"' in html
    assert "cdn.jsdelivr" not in html


def test_one_circle_marker_per_site(hostile_result):
    result, catalog = hostile_result
    html = _render(result, catalog)
    assert html.count("L.circleMarker(") == len(result.ranking)


def test_unknown_asset_mode_lists_valid_ones(hostile_result):
    result, catalog = hostile_result
    with pytest.raises(UnknownNameError, match=r"unknown map asset mode 'web'.*inline"):
        maps.ranking_map(result.ranking, catalog.sites, assets="web")


def test_install_static_assets_copies_leaflet(tmp_path):
    folder = maps.install_static_assets(tmp_path)
    assert (folder / "leaflet.js").stat().st_size > 100_000
    assert (folder / "jquery.min.js").exists()
    assert (folder / "images" / "layers.png").exists()


def test_site_at_maps_a_click_back_to_the_site(tiny):
    lat, lon = 29.07, -110.96
    assert (
        maps.site_at(tiny.sites, lat, maps.pacific_lon(lon), ids=tiny.sites.index) == "MX-TEST-B"
    )
    assert maps.site_at(tiny.sites, 0.0, 0.0, ids=tiny.sites.index) is None


def test_routes_do_not_jump_across_the_antimeridian():
    line = maps._unwrap([(20.0, 170.0), (21.0, -175.0), (22.0, -170.0)])
    lons = [p[1] for p in line]
    assert max(abs(b - a) for a, b in itertools.pairwise(lons)) < 180


def test_score_colour_runs_from_red_to_green():
    assert maps.score_colour(0.0, 0.0, 1.0) == maps.PALETTE[0]
    assert maps.score_colour(1.0, 0.0, 1.0) == maps.PALETTE[-1]
    assert maps.score_colour(float("nan"), 0.0, 1.0) == "#999999"

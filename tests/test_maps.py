"""Maps: escaping of user text, offline assets, one vector marker per site."""

from __future__ import annotations

import html
import itertools
import json
import re

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import pdist, squareform

from siteselect import maps
from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.ranking import default_criteria, evaluate

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
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#36;&#123;alert(2)&#125;" in html


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


def test_one_site_marker_per_site_over_country_outlines(hostile_result):
    result, catalog = hostile_result
    html = _render(result, catalog)
    assert html.count('"className": "siteselect-site"') == len(result.ranking)
    # the outlines are drawn before (under) the markers, and no tiles are on by default
    assert html.index('"Philippines"') < html.index('"className": "siteselect-site"')
    names = {f["properties"]["iso3"] for f in maps.basemap_geojson()["features"]}
    assert {"PHL", "MEX", "USA", "TWN", "JPN"} <= names


def test_basemap_is_pacific_centred_and_light():
    data = maps.basemap_geojson()
    lons = [
        x
        for f in data["features"]
        for x in np.asarray(shapely.geometry.shape(f["geometry"]).bounds)[[0, 2]]
    ]
    assert min(lons) >= maps.BASEMAP_BOX[0]
    assert max(lons) <= maps.BASEMAP_BOX[2]
    assert len(json.dumps(data)) < 1_000_000


def test_unknown_asset_mode_lists_valid_ones(hostile_result):
    result, catalog = hostile_result
    with pytest.raises(UnknownNameError, match=r"unknown map asset mode 'web'.*inline"):
        maps.ranking_map(result.ranking, catalog.sites, assets="web")


def test_install_static_assets_copies_leaflet(tmp_path):
    folder = maps.install_static_assets(tmp_path)
    assert (folder / "leaflet.js").stat().st_size > 100_000
    assert (folder / "jquery.min.js").exists()
    assert (folder / "images" / "layers.png").exists()


def test_the_app_map_loads_its_outlines_from_the_app_not_from_each_rerun(hostile_result, tmp_path):
    result, catalog = hostile_result
    inline = _render(result, catalog, assets="inline")
    served = _render(result, catalog, assets="static")
    assert len(inline) - len(served) > 300_000  # the outlines are not in the page
    assert "Philippines" not in served.split("siteselectOutlines", 1)[0]
    src = re.findall(r'<script src="([^"]+/outlines-[0-9a-f]{12}\.js)"', served)
    assert len(src) == 1
    # the served file is what the inline map embeds, installed under the name it points at
    folder = maps.install_static_assets(tmp_path)
    text = (folder / src[0].rsplit("/", 1)[1]).read_text(encoding="utf-8")
    prefix = "window.siteselectOutlines = "
    assert text.startswith(prefix)
    assert json.loads(text[len(prefix) :].rstrip().removesuffix(";")) == json.loads(
        json.dumps(maps.basemap_geojson())
    )
    # Leaflet, then the outlines, then the map's own script that draws them
    assert served.index("leaflet.js") < served.index(src[0]) < served.index("L.geoJson(")


@pytest.mark.parametrize("sid", ["PH-TEST-A", '<b>"x"</b> ${y}', "a\u2063b"], ids=str)
def test_a_click_maps_back_to_the_site_id_carried_by_its_tooltip(sid):
    row = {"rank": 1, "name": "Some <site>", "score": 0.5}
    rendered = maps.marker_tooltip(row, sid).text
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))  # what the browser's textContent is
    assert maps.site_from_tooltip(text, [sid, "other"]) == (sid if "\u2063" not in sid else None)
    assert maps.site_from_tooltip(text, ["other"]) is None
    assert maps.site_from_tooltip(None, [sid]) is None


def test_overlapping_sites_are_spread_apart_and_isolated_ones_stay(tiny):
    result = evaluate(tiny, default_criteria(), sector="ems", profile="investor")
    pos = maps.display_positions(result.ranking, tiny.sites)
    xy = np.column_stack([pos["draw_lon"], maps.mercator_y(pos["draw_lat"].to_numpy())])
    (_, west), (_, east) = pos.attrs["bounds"]
    min_gap = np.min(pdist(xy)) if len(xy) > 1 else np.inf
    assert min_gap * 480 / (east - west) >= 2 * maps.MARKER_RADIUS  # pixels at 480 px wide
    unmoved = pos[~pos["moved"]]
    np.testing.assert_allclose(unmoved["draw_lat"], unmoved["lat"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 5), st.floats(0, 5)), min_size=2, max_size=25),
    st.floats(0.2, 2.0),
)
def test_spread_separates_every_pair(points, distance):
    x, y = np.array(points).T
    placed = maps.spread(x, y, distance)
    assert placed.shape == (len(points), 2)
    assert np.min(pdist(placed)) >= 0.9 * distance
    far = np.min(squareform(pdist(np.column_stack([x, y]))) + np.eye(len(x)) * 99, axis=1)
    alone = far >= 4 * distance  # beyond any ring or spiral the others may form
    np.testing.assert_allclose(placed[alone], np.column_stack([x, y])[alone], atol=1e-9)
    np.testing.assert_array_equal(placed, maps.spread(x, y, distance))  # deterministic


def test_fit_frames_one_countrys_sites(tiny):
    result = evaluate(tiny, default_criteria(), sector="ems", profile="investor")
    pos = maps.display_positions(result.ranking, tiny.sites, fit="PHL")
    (south, west), (north, east) = pos.attrs["bounds"]
    ph = pos[result.ranking["country"] == "PHL"]
    assert ((ph["lat"] > south) & (ph["lat"] < north)).all()
    assert ((ph["lon"] > west) & (ph["lon"] < east)).all()
    with pytest.raises(SiteSelectError, match="no ranked site in 'FRA'"):
        maps.display_positions(result.ranking, tiny.sites, fit="FRA")


def test_the_highlight_ring_sits_on_the_drawn_marker(tiny):
    result = evaluate(tiny, default_criteria(), sector="ems", profile="investor")
    pos = maps.display_positions(result.ranking, tiny.sites)
    sid = result.ranking.index[-1]
    layer = maps.highlight_layer(pos, sid)
    (ring,) = layer._children.values()
    assert ring.location == [pos.at[sid, "draw_lat"], pos.at[sid, "draw_lon"]]
    assert not maps.highlight_layer(pos, None)._children


def test_routes_do_not_jump_across_the_antimeridian():
    line = maps._unwrap([(20.0, 170.0), (21.0, -175.0), (22.0, -170.0)])
    lons = [p[1] for p in line]
    assert max(abs(b - a) for a, b in itertools.pairwise(lons)) < 180


def test_score_colour_runs_from_red_to_green():
    assert maps.score_colour(0.0, 0.0, 1.0) == maps.PALETTE[0]
    assert maps.score_colour(1.0, 0.0, 1.0) == maps.PALETTE[-1]
    assert maps.score_colour(float("nan"), 0.0, 1.0) == "#999999"


def test_markers_stay_put_when_the_ranks_change(tiny):
    """The drawn positions depend on the sites, not on their order in the ranking."""
    sites = tiny.sites
    frame = pd.DataFrame({"country": sites["country"]}, index=sites.index)
    forward = maps.display_positions(frame, sites)
    backward = maps.display_positions(frame.iloc[::-1], sites)
    cols = ["draw_lat", "draw_lon"]
    pd.testing.assert_frame_equal(
        backward.loc[forward.index, cols], forward[cols], check_exact=True
    )
    assert forward.attrs["bounds"] == backward.attrs["bounds"]

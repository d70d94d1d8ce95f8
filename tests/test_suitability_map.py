"""The suitability layer: raster overlay, top cells, candidates on the same scale, escaping."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from siteselect import maps, suitability_map
from siteselect.ranking import evaluate
from tests.region_fake import fake_result

HOSTILE = '<img src=x onerror="alert(1)">${alert(2)}`</script><script>alert(3)</script>'


@pytest.fixture(scope="module")
def base_map(tiny, cset):
    def build():
        result = evaluate(tiny, cset, sector="ems", profile="investor")
        return maps.ranking_map(result.ranking, tiny.sites, assets="inline", tiles=False)

    return build


def test_layers_are_drawn_with_flags_and_escaped_text(base_map):
    result = fake_result(name=HOSTILE)
    html = maps.map_html(suitability_map.add_suitability(base_map(), result))
    assert html.count("siteselect-cell") == len(result.top)
    assert html.count("siteselect-beats-all") == int(result.top["beats_all"].sum()) > 0
    assert html.count("siteselect-candidate") == len(result.candidates)
    assert "siteselect-suitability" in html
    assert "data:image/png;base64," in html
    assert "siteselect-suitability-legend" in html
    for raw in ("<img src=x", "<script>alert(3)", "${alert"):
        assert raw not in html
    assert "&lt;img src=x" in html
    # the layer control's script names the layers, so it comes after all of them
    control = html.index("L.control.layers(")
    assert max(html.rindex("siteselect-cell"), html.rindex("siteselect-candidate")) < control


@settings(max_examples=25)
@given(
    arrays(
        float,
        st.tuples(st.integers(1, 12), st.integers(1, 12)),
        elements=st.one_of(st.just(np.nan), st.floats(-5, 5)),
    ),
    st.integers(1, 5),
)
def test_block_max_is_the_best_finite_value_of_each_block(scores, factor):
    import dask.array as da

    got = suitability_map.block_max(scores, factor)
    n_r, n_c = -(-scores.shape[0] // factor), -(-scores.shape[1] // factor)
    expected = np.full((n_r, n_c), np.nan)
    for i in range(n_r):
        for j in range(n_c):
            block = scores[i * factor : (i + 1) * factor, j * factor : (j + 1) * factor]
            if np.isfinite(block).any():
                expected[i, j] = block[np.isfinite(block)].max()
    np.testing.assert_array_equal(got, expected)
    lazy = suitability_map.block_max(da.from_array(scores, chunks=(5, 7)), factor)
    np.testing.assert_array_equal(lazy, expected)


def test_each_top_cell_has_its_own_colour_at_its_place_in_the_image():
    result = fake_result(cell_km=1.0)
    low, high = 0.0, 1.0
    image, ((south, west), (north, east)) = suitability_map.raster_image(
        result.grid, result.scores, low, high
    )
    assert image.shape[:2] == result.scores.shape  # no downsampling at this size
    merc_n, merc_s = maps.mercator_y(np.array([north, south]))
    for _, cell in result.top.iterrows():
        i = int(
            (merc_n - maps.mercator_y(np.array([cell["lat"]]))[0])
            / (merc_n - merc_s)
            * image.shape[0]
        )
        j = int((cell["lon"] - west) / (east - west) * image.shape[1])
        expected = suitability_map._colours(np.array([cell["score"]]), low, high)[0]
        np.testing.assert_array_equal(image[i, j], expected)
    # NaN (outside the bbox's cells, the excluded cell) is transparent, scores are opaque
    assert {0, 255} == set(np.unique(image[..., 3]))


def test_a_big_raster_is_downsampled_to_the_pixel_cap():
    result = fake_result(cell_km=0.5)
    image, _ = suitability_map.raster_image(result.grid, result.scores, 0, 1, max_pixels=20)
    assert max(image.shape[:2]) <= 20
    assert (image[..., 3] == 255).any()


def test_candidates_without_coordinates_are_placed_from_the_sites(base_map, tiny):
    result = fake_result()
    sid = str(tiny.sites.index[0])
    result.candidates = result.candidates.drop(columns=["lon", "lat"]).rename(
        index={"PH-CLARK": sid}
    )
    html = maps.map_html(suitability_map.add_suitability(base_map(), result, sites=tiny.sites))
    assert html.count("siteselect-candidate") == 1
    point = tiny.sites.geometry.to_crs(4326).loc[sid]
    assert f"{point.y}, {maps.pacific_lon(point.x)}" in html

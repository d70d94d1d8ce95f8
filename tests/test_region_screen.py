"""Region screening: the region path equals the list path, on Dask, with exclusions."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from siteselect import boundaries
from siteselect.catalog import sites_from_file
from siteselect.errors import SiteSelectError
from siteselect.ranking import default_catalog, evaluate
from siteselect.region import LayerRule, ScreenSpec, grid, screen
from siteselect.region.cells import located_frame, where_points

CENTRAL_LUZON = (120.45, 15.0, 120.75, 15.3)  # around Clark, PH-03


def _cell_scores(result, cells):
    g = result.grid
    r = g.row0 - cells["row"].to_numpy()
    c = cells["col"].to_numpy() - g.col0
    return pd.Series(result.scores[r, c], index=cells.index)


def _list_path(area, cell_km, *, countries, listed_countries=None, **kwargs):
    """The same cells as uploaded sites, ranked with the listed candidates by evaluate."""
    cells = grid(area, cell_km).reset_index(drop=True)
    loc = located_frame(cells["lon"].to_numpy(), cells["lat"].to_numpy())
    served = pd.Series(loc["country"]).isin(countries).to_numpy()
    cells = cells[served].reset_index(drop=True)
    text = "name,lat,lon,country,region_code\n" + "".join(
        f"cell {i},{la!r},{lo!r},{co},{rc}\n"
        for i, (la, lo, co, rc) in enumerate(
            zip(
                cells["lat"],
                cells["lon"],
                loc["country"][served],
                loc["region_code"][served],
                strict=True,
            )
        )
    )
    uploaded = sites_from_file("cells.csv", data=text.encode())
    catalog = default_catalog()
    keep = catalog.sites["country"].isin(listed_countries or catalog.sites["country"].unique())
    listed = replace(catalog, sites=catalog.sites[keep])
    both = listed.with_sites(uploaded)
    ev = evaluate(both, **kwargs)
    cells.index = list(uploaded.sites.index)
    return cells, ev


@pytest.mark.parametrize(
    ("method", "missing"),
    [
        ("wsm", "worst"),
        ("wpm", "worst"),
        ("topsis", "worst"),
        ("topsis", "mean"),
        ("vikor", "worst"),
        ("promethee2", "worst"),
        ("wsm", "drop_criterion"),
    ],
    ids=lambda v: str(v),
)
def test_region_path_equals_list_path(method, missing):
    area, km = CENTRAL_LUZON, 6.0
    result = screen(
        ScreenSpec(area, km, sector="ems", method=method, missing=missing, top=3),
        scheduler="sync",
        chunk_cells=7,
    )
    cells, ev = _list_path(
        area, km, countries=["PHL"], sector="ems", method=method, missing=missing
    )
    ranked = ev.ranking["score"]
    assert len(cells) == result.n_cells > 10
    np.testing.assert_allclose(
        _cell_scores(result, cells).to_numpy(), ranked[cells.index].to_numpy(), rtol=0, atol=1e-9
    )
    cand = result.candidates["score"].dropna()
    np.testing.assert_allclose(cand.to_numpy(), ranked[cand.index].to_numpy(), rtol=0, atol=1e-9)
    assert set(result.weights) == set(ev.policy.matrix.columns)


def test_candidates_of_the_area_only_equal_the_list_of_those_sites():
    area, km = CENTRAL_LUZON, 6.0
    spec = ScreenSpec(area, km, sector="ems", method="topsis", top=3, candidates="area")
    result = screen(spec, scheduler="sync", chunk_cells=9)
    cells, ev = _list_path(
        area, km, countries=["PHL"], listed_countries=["PHL"], sector="ems", method="topsis"
    )
    ranked = ev.ranking["score"]
    assert set(result.candidates.index) == {s for s in ranked.index if s.startswith("PH-")}
    np.testing.assert_allclose(
        _cell_scores(result, cells).to_numpy(), ranked[cells.index].to_numpy(), rtol=0, atol=1e-9
    )
    with pytest.raises(SiteSelectError, match="candidates: 'all' or 'area'"):
        screen(replace(spec, candidates="some"), scheduler="sync")


@pytest.mark.parametrize("method", ["wsm", "wpm", "topsis", "vikor", "promethee2"])
def test_explanations_reconstruct_scores_and_flags(method):
    result = screen(
        ScreenSpec(CENTRAL_LUZON, 6.0, method=method, top=4), scheduler="sync", chunk_cells=50
    )
    top = result.top
    assert list(top["rank"]) == sorted(top["rank"])
    assert top["score"].is_monotonic_decreasing
    best = result.best_candidate
    assert best is not None
    np.testing.assert_array_equal(top["beats_all"], top["score"] > best["score"])
    for text, score in zip(top["explanation"], top["score"], strict=True):
        # the score recomputed from the method's own terms (Explanation.combine)
        assert float(text.rsplit("score ", 1)[1]) == pytest.approx(score, rel=1e-5)
        if method in ("wsm", "promethee2"):  # contributions / net flows sum to the score
            parts = text.split("contributions: ")[1].split("; score")[0].split(", ")
            total = sum(float(p.rsplit(" ", 1)[1]) for p in parts)
            assert total == pytest.approx(score, abs=1e-3)


def test_dask_equals_in_memory():
    spec = ScreenSpec(CENTRAL_LUZON, 5.0, method="topsis", top=5)
    one = screen(spec, scheduler="sync", chunk_cells=10**6)
    many = screen(spec, scheduler="threads", chunk_cells=9)
    np.testing.assert_allclose(one.scores, many.scores, rtol=0, atol=1e-12, equal_nan=True)
    pd.testing.assert_frame_equal(
        one.top.drop(columns="geometry"), many.top.drop(columns="geometry")
    )


def test_local_cluster_two_workers():
    distributed = pytest.importorskip("distributed")
    spec = ScreenSpec(CENTRAL_LUZON, 6.0, method="vikor", top=3)
    seen: list[float] = []
    with distributed.LocalCluster(
        n_workers=2,
        processes=False,
        threads_per_worker=1,
        dashboard_address=":0",
        protocol="tcp://",
        host="127.0.0.1",
    ) as cluster:
        remote = screen(
            spec, scheduler=cluster.scheduler_address, chunk_cells=12, progress=seen.append
        )
    local = screen(spec, scheduler="sync")
    np.testing.assert_allclose(remote.scores, local.scores, rtol=0, atol=1e-12, equal_nan=True)
    assert seen[-1] == 1.0
    assert all(0 <= p <= 1 for p in seen)


def test_fab_excludes_extreme_water_stress_when_the_rule_is_on():
    # Arizona (Aqueduct category 4) against New Mexico (category below 4) across the border
    area = (-109.6, 33.0, -108.4, 33.6)
    off = screen(ScreenSpec(area, 10.0, sector="semiconductor_fab", top=50), scheduler="sync")
    assert not any(k.startswith("Baseline water stress") for k in off.n_excluded)
    assert (off.top["region_code"] == "US-AZ").any()
    spec = ScreenSpec(
        area, 10.0, sector="semiconductor_fab", top=50, exclusion_rules={"water_stress": True}
    )
    result = screen(spec, scheduler="sync")
    reason = next(k for k in result.n_excluded if k.startswith("Baseline water stress"))
    assert result.n_excluded[reason] > 0
    assert (result.top["region_code"] != "US-AZ").all()
    assert (result.top["water_stress"] <= 3).all()
    az = result.candidates[result.candidates["excluded"] != ""]
    assert az["score"].isna().all()
    ems = screen(ScreenSpec(area, 10.0, sector="ems", top=50), scheduler="sync")
    assert not any(k.startswith("Baseline water stress") for k in ems.n_excluded)
    assert (ems.top["region_code"] == "US-AZ").any()


class _Lon:
    """A tiny in-test layer: the longitude itself."""

    name = "lon"
    provenance: ClassVar[dict[str, str]] = {"source": "test"}

    def sample(self, lon, lat):
        return np.asarray(lon, dtype=float)


def test_layer_rules():
    cut = 120.6
    excl = LayerRule(_Lon(), "exclusion", exclude_if=(">", cut), reason="east of the test line")
    result = screen(ScreenSpec(CENTRAL_LUZON, 6.0, rules=(excl,), top=100), scheduler="sync")
    assert (result.top["lon"] <= cut).all()
    assert result.n_excluded["layer lon: east of the test line"] > 0
    crit = LayerRule(_Lon(), "criterion", group="proximity", weight=0.9, objective="max")
    east = screen(ScreenSpec(CENTRAL_LUZON, 6.0, rules=(crit,), top=3), scheduler="sync")
    assert "layer:lon" in east.weights
    assert east.top["lon"].min() > result.top["lon"].max() - 0.2


@pytest.mark.parametrize(
    ("lon", "lat", "country", "region"),
    [
        (120.55, 15.18, "PHL", "PH-03"),  # Clark
        (-100.31, 25.67, "MEX", "MX-NLE"),  # Monterrey
        (-112.07, 33.45, "USA", "US-AZ"),  # Phoenix
    ],
    ids=["clark", "monterrey", "phoenix"],
)
def test_known_points(lon, lat, country, region):
    loc = located_frame(np.array([lon]), np.array([lat]))
    assert (loc["country"][0], loc["region_code"][0]) == (country, region)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"area": "XX-99"}, "neither a country code"),
        ({"cell_km": 0.0}, "cell_km must be a positive"),
        ({"cell_km": -2}, "cell_km must be a positive"),
        ({"cell_km": 0.5, "max_cells": 1000}, "cell_km: .* more than max_cells"),
        ({"method": "nope"}, "unknown method"),
        ({"missing": "guess"}, "missing-value policy"),
        ({"top": 0}, "top must be a positive"),
        ({"site_evidence": "maybe"}, "site_evidence"),
    ],
    ids=["region", "zero-km", "negative-km", "too-many", "method", "missing", "top", "evidence"],
)
def test_bad_inputs(kwargs, match):
    base = {"area": CENTRAL_LUZON, "cell_km": 6.0}
    with pytest.raises(SiteSelectError, match=match):
        screen(ScreenSpec(**{**base, **kwargs}), scheduler="sync")


def test_bad_scheduler_and_layer_rule():
    with pytest.raises(SiteSelectError, match="scheduler must be one of"):
        screen(ScreenSpec(CENTRAL_LUZON, 6.0), scheduler="warp")
    with pytest.raises(SiteSelectError, match="'weight' must be a share"):
        LayerRule(_Lon(), "criterion", group="proximity", weight=1.5)


@pytest.mark.parametrize(
    ("method", "area", "country"),
    [
        ("wsm", (-100.5, 25.5, -100.1, 25.9), "MEX"),  # Nuevo León: the US by road
        ("topsis", (-112.3, 33.2, -111.8, 33.6), "USA"),  # Phoenix: the cost is known
    ],
    ids=["wsm-MEX", "topsis-USA"],
)
def test_region_path_equals_list_path_with_cost_and_road_markets(method, area, country):
    km = 8.0
    markets = {"US": 0.7, "ASEAN": 0.3}
    result = screen(
        ScreenSpec(area, km, sector="ems", method=method, markets=markets, headcount=1500),
        scheduler="sync",
        chunk_cells=5,
    )
    cells, ev = _list_path(
        area,
        km,
        countries=[country],
        sector="ems",
        method=method,
        markets=markets,
        headcount=1500,
    )
    assert "market_transit" in result.weights
    # every listed site is scored with the cells, so a component missing in the area's
    # country is filled from the same observations as in the list ranking
    assert "operating_cost" in result.weights
    ranked = ev.ranking["score"]
    np.testing.assert_allclose(
        _cell_scores(result, cells).to_numpy(), ranked[cells.index].to_numpy(), rtol=0, atol=1e-9
    )
    cand = result.candidates["score"].dropna()
    np.testing.assert_allclose(cand.to_numpy(), ranked[cand.index].to_numpy(), rtol=0, atol=1e-9)
    # the raw criteria of the top cells are the list path's values
    top = result.top.set_index(result.top["cell_id"])
    values = ev.table.values.loc[cells.index]
    values.index = [f"{c}:{r}" for c, r in zip(cells["col"], cells["row"], strict=True)]
    for cid in [c for c in ("taiwan_transit", "market_transit", "operating_cost") if c in top]:
        np.testing.assert_allclose(
            top[cid].to_numpy(), values.loc[top.index, cid].to_numpy(), rtol=1e-12
        )


def test_cli_screen_region(capsys, tmp_path):
    from siteselect.cli import main

    out = tmp_path / "cells.parquet"
    code = main(
        [
            "screen-region",
            "--region",
            ",".join(map(str, CENTRAL_LUZON)),
            "--cell-km",
            "6",
            "--top",
            "3",
            "--market",
            "US=0.7",
            "--market",
            "ASEAN=0.3",
            "--scheduler",
            "sync",
            "--format",
            "csv",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    lines = captured.out.strip().splitlines()
    assert lines[0].startswith("cell_id,lon,lat")
    assert len(lines) == 4
    assert "screening [" in captured.err
    assert "best listed candidate" in captured.err
    assert out.exists()
    assert main(["screen-region", "--region", "XX-99", "--scheduler", "sync"]) == 2
    assert "neither a country code" in capsys.readouterr().err


def test_contiguous_areas():
    spec = ScreenSpec(CENTRAL_LUZON, 4.0, method="wsm", min_area_cells=3, area_quantile=0.8)
    result = screen(spec, scheduler="sync")
    areas = result.areas
    assert areas is not None
    assert len(areas) >= 1
    assert (areas["n_cells"] >= 3).all()
    valid = result.scores[~np.isnan(result.scores)]
    threshold = np.quantile(valid, 0.8)
    assert (areas["threshold"] == threshold).all()
    # every cell of an area scores at or above the threshold, and the total never exceeds it
    assert areas["n_cells"].sum() <= int((valid >= threshold).sum())
    assert (areas["mean_score"] >= threshold).all()
    assert areas["max_score"].is_monotonic_decreasing


@pytest.mark.parametrize(
    "bbox",
    [(-117.5, 28.0, -97.0, 33.5), (117.0, 5.0, 127.0, 19.0)],
    ids=["us-mexico-border", "philippines-coasts"],
)
def test_where_points_equals_locate(bbox):
    rng = np.random.default_rng(14)
    lon = rng.uniform(bbox[0], bbox[2], 3000)
    lat = rng.uniform(bbox[1], bbox[3], 3000)
    fast = where_points(lon, lat)
    ref = boundaries.locate(gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326))
    for key in ("country", "region_code"):
        np.testing.assert_array_equal(fast[key], ref[key].fillna("").to_numpy(dtype=object))
    assert len(set(fast["region_code"])) > 5


def test_site_evidence_omitted_for_cells_and_candidates_alike():
    area, km = CENTRAL_LUZON, 6.0
    result = screen(ScreenSpec(area, km, method="topsis", site_evidence="omit"), scheduler="sync")
    assert not {"sector_fit", "taiwan_cluster"} & set(result.weights)
    assert any("left out for cells and candidates alike" in n for n in result.notes)
    # the same as the list path with the site-evidence criteria weighted zero
    cells, ev = _list_path(
        area,
        km,
        countries=["PHL"],
        sector="ems",
        method="topsis",
        weights={"sector_fit": 0, "taiwan_cluster": 0},
    )
    ranked = ev.ranking["score"]
    np.testing.assert_allclose(
        _cell_scores(result, cells).to_numpy(), ranked[cells.index].to_numpy(), rtol=0, atol=1e-9
    )
    cand = result.candidates["score"].dropna()
    np.testing.assert_allclose(cand.to_numpy(), ranked[cand.index].to_numpy(), rtol=0, atol=1e-9)

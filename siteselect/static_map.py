"""A static map of ranked sites on Natural Earth outlines, as PNG bytes (offline).

One panel per country that has ranked sites, zoomed to its sites: land and country
borders from :func:`siteselect.boundaries.simplified`, first-level region borders from
:func:`siteselect.boundaries.regions` where they are built, each site a disc coloured by
its score on the app map's red → green scale (:func:`siteselect.maps.score_colour`) and
numbered by its rank. Drawn with matplotlib's Agg backend: no tiles, no network.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from siteselect import boundaries, maps
from siteselect.errors import SiteSelectError

COUNTRY_NAMES = {"PHL": "Philippines", "MEX": "Mexico", "USA": "United States"}
LAND = "#f1efe8"
SEA = "#dfe9f3"
BORDER = "#8b8f99"
REGION = "#c3c6cd"
_MIN_SPAN_DEG = 3.0
MARKER_SHARE = 0.055
"""Smallest distance between two drawn discs, as a share of the panel's width."""


def _extent(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float, float]:
    """A box around the points, padded, at least :data:`_MIN_SPAN_DEG` wide and tall."""
    x0, x1, y0, y1 = lon.min(), lon.max(), lat.min(), lat.max()
    pad_x = max((x1 - x0) * 0.15, (_MIN_SPAN_DEG - (x1 - x0)) / 2, 0.6)
    pad_y = max((y1 - y0) * 0.15, (_MIN_SPAN_DEG - (y1 - y0)) / 2, 0.6)
    return x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y


def _square(x0: float, x1: float, y0: float, y1: float) -> tuple[float, float, float, float]:
    """The box grown to a square on the ground (longitude span scaled by cos(latitude))."""
    k = math.cos(math.radians((y0 + y1) / 2))
    w, h = (x1 - x0) * k, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    side = max(w, h)
    return cx - side / k / 2, cx + side / k / 2, cy - side / 2, cy + side / 2


def _region_lines(iso3: str) -> gpd.GeoDataFrame | None:
    try:
        return boundaries.regions(iso3)
    except boundaries.MissingBoundariesError:
        return None


def site_map_png(
    ranking: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    *,
    user_sites: Iterable[str] = (),
    width_in: float = 7.2,
    dpi: int = 150,
    regions: bool = True,
) -> bytes:
    """A PNG of the ranked sites, one panel per country, numbered by rank.

    Parameters
    ----------
    ranking
        An evaluation's ranking (indexed by site id; ``score``, ``rank``, ``country``).
    sites
        The catalogue's sites (geometry), indexed by site id.
    user_sites
        Ids of the user's own sites (drawn with a square outline).
    width_in, dpi
        Size of the image (inches) and its resolution.
    regions
        Draw first-level region borders where :mod:`siteselect.boundaries` builds them.

    Raises
    ------
    SiteSelectError
        When no ranked site has a location.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    ids = [s for s in ranking.index if s in sites.index]
    if not ids:
        raise SiteSelectError("no ranked site has a location to draw")
    points = sites.loc[ids].to_crs("EPSG:4326").geometry
    frame = pd.DataFrame(
        {
            "lon": points.x.to_numpy(),
            "lat": points.y.to_numpy(),
            "score": pd.to_numeric(ranking.loc[ids, "score"], errors="coerce").to_numpy(),
            "rank": ranking.loc[ids, "rank"].to_numpy(),
            "country": ranking.loc[ids, "country"].astype(str).to_numpy(),
        },
        index=ids,
    )
    low, high = float(np.nanmin(frame["score"])), float(np.nanmax(frame["score"]))
    mine = set(user_sites)
    order = list(dict.fromkeys(frame.sort_values("rank")["country"]))
    cols = min(len(order), 3)
    rows = math.ceil(len(order) / cols)
    panel = width_in / cols
    fig = Figure(figsize=(width_in, panel * rows + 0.45), dpi=dpi)
    world = boundaries.simplified(0.01)
    for k, iso3 in enumerate(order):
        ax = fig.add_subplot(rows, cols, k + 1)
        sub = frame[frame["country"] == iso3]
        x0, x1, y0, y1 = _square(*_extent(sub["lon"].to_numpy(), sub["lat"].to_numpy()))
        ax.set_facecolor(SEA)
        near = world.cx[x0:x1, y0:y1]
        near.plot(ax=ax, color=LAND, edgecolor=BORDER, linewidth=0.6)
        if regions:
            regs = _region_lines(iso3)
            if regs is not None:
                regs.boundary.plot(ax=ax, color=REGION, linewidth=0.4)
            near.boundary.plot(ax=ax, color=BORDER, linewidth=0.7)
        shown = maps.spread(sub["lon"].to_numpy(), sub["lat"].to_numpy(), MARKER_SHARE * (x1 - x0))
        for (sid, row), (sx, sy) in zip(sub.iterrows(), shown, strict=True):
            if abs(sx - row["lon"]) + abs(sy - row["lat"]) > 1e-9:
                ax.plot([row["lon"], sx], [row["lat"], sy], color="#1d2330", lw=0.5, zorder=2)
                ax.plot(row["lon"], row["lat"], "o", ms=1.5, color="#1d2330", zorder=2)
            ax.scatter(
                sx,
                sy,
                s=95,
                c=maps.score_colour(float(row["score"]), low, high),
                marker="s" if sid in mine else "o",
                edgecolors="#1d2330",
                linewidths=0.6,
                zorder=3,
            )
            ax.annotate(
                str(int(row["rank"])),
                (sx, sy),
                ha="center",
                va="center",
                fontsize=5.5,
                fontweight="bold",
                color="#1d2330",
                zorder=4,
            )
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)), adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_title(COUNTRY_NAMES.get(iso3, iso3), fontsize=9)
    fig.suptitle(
        "Sites numbered by rank, coloured by score (red: lowest, green: highest)",
        fontsize=8,
    )
    fig.text(
        0.5,
        0.005,
        "Outlines: Natural Earth 1:10m (public domain); regions built from Natural Earth "
        "admin-1 lines and GeoNames places.",
        ha="center",
        fontsize=5.5,
        color="#556",
    )
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.05, top=0.86, wspace=0.04, hspace=0.1)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def png_data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,...`` URI for embedding ``png`` in HTML."""
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")

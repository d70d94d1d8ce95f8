"""Folium maps of a ranking: vector markers, escaped popups, assets that work offline.

Views never compute scores: :func:`ranking_map` draws a ranking that :func:`evaluate`
produced. Every user-controlled string passes through :func:`escape_text` before it
reaches folium, which inserts popup and tooltip text as HTML inside JavaScript template
literals (so ``${...}`` would run).

Leaflet's JavaScript and CSS come from the ``xstatic-leaflet`` and ``xstatic-jquery``
packages (installed from the package registry with siteselect), never from a CDN unless
asked: ``assets="inline"`` embeds them as data URIs (a standalone HTML file that opens
offline), ``assets="static"`` points at files the app serves itself.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element
from jinja2 import Template

from siteselect import boundaries, geo
from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.map_elements import FocusWithoutScroll, KeepView, Legend, ScriptElement, Shapes

ASSET_MODES = ("inline", "static", "cdn")
STATIC_PREFIX = "/app/static/siteselect"
PALETTE = ("#d73027", "#fc8d59", "#fee08b", "#d9ef8b", "#91cf60", "#1a9850")
USER_SITE_COLOUR = "#2b5fd9"
EXCLUDED_COLOUR = "#a6a6a6"
SEA_COLOUR = "#d6e6f2"
LAND_COLOUR = "#f4f1ea"
BORDER_COLOUR = "#8c8c8c"
ID_MARK = "\u2063"  # invisible separator: tooltip text ends with it and the site id
# the basemap's window, in Pacific-centred longitudes: East Asia to the Americas
BASEMAP_BOX = (60.0, -50.0, 335.0, 72.0)
MARKER_RADIUS = 11
# characters that would end a JavaScript template literal or start a Jinja expression
_JS_TEMPLATE_ENTITIES = str.maketrans(
    {"$": "&#36;", "`": "&#96;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
)


def escape_text(value: object) -> str:
    """Make any value safe as text inside folium HTML and JavaScript template literals.

    HTML special characters become entities, and so do ``$``, the backtick and the
    backslash, so nothing can close the template literal or interpolate ``${...}``; and
    so do the braces: branca compiles every element's rendered output as a Jinja template,
    so ``{{ ... }}`` or ``{% ... %}`` in a site name would run on the server.

    >>> escape_text('<img src=x onerror=alert(1)> ${alert(2)} `x` \\\\')
    '&lt;img src=x onerror=alert(1)&gt; &#36;&#123;alert(2)&#125; &#96;x&#96; &#92;'
    >>> escape_text("{{ 7*7 }} {% if 1 %}")
    '&#123;&#123; 7*7 &#125;&#125; &#123;% if 1 %&#125;'
    """
    text = html.escape("" if value is None else str(value), quote=True)
    return text.translate(_JS_TEMPLATE_ENTITIES)


@cache
def _asset_files() -> dict[str, Path]:
    import xstatic.pkg.jquery as xjquery
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    return {
        "leaflet.js": base / "leaflet.js",
        "leaflet.css": base / "leaflet.css",
        "jquery.min.js": Path(xjquery.BASE_DIR) / "jquery.min.js",
    }


@cache
def _data_uri(name: str) -> str:
    path = _asset_files()[name]
    mime = "text/css" if name.endswith(".css") else "text/javascript"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def install_static_assets(static_dir: str | Path) -> Path:
    """Copy Leaflet and jQuery into ``static_dir/siteselect`` for Streamlit's static serving.

    Idempotent; returns the folder. The files come from the installed xstatic packages.
    """
    target = Path(static_dir) / "siteselect"
    target.mkdir(parents=True, exist_ok=True)
    for name, source in _asset_files().items():
        dest = target / name
        if not dest.exists() or dest.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, dest)
    images = Path(_asset_files()["leaflet.css"]).parent / "images"
    if images.is_dir():
        shutil.copytree(images, target / "images", dirs_exist_ok=True)
    outlines = target / _outlines_script_name()
    if not outlines.exists():  # named by its content's digest: never stale
        scratch = outlines.with_suffix(f".{os.getpid()}.tmp")
        scratch.write_text(_outlines_script(), encoding="utf-8")
        scratch.replace(outlines)  # atomic: two replicas may start at once
    return target


def _set_assets(m: folium.Map, assets: str, static_prefix: str) -> None:
    if assets not in ASSET_MODES:
        raise UnknownNameError("map asset mode", assets, ASSET_MODES)
    if assets == "cdn":
        m.default_js = [js for js in folium.Map.default_js if js[0] in ("leaflet", "jquery")]
        m.default_css = [css for css in folium.Map.default_css if css[0] == "leaflet_css"]
        return

    def src(name: str) -> str:
        return _data_uri(name) if assets == "inline" else f"{static_prefix}/{name}"

    m.default_js = [("leaflet", src("leaflet.js")), ("jquery", src("jquery.min.js"))]
    m.default_css = [("leaflet_css", src("leaflet.css"))]
    if assets == "static":  # the outlines: loaded (and cached) once, not sent per rerun
        m.default_js.append(("siteselect_outlines", f"{static_prefix}/{_outlines_script_name()}"))


def score_colour(score: float, low: float, high: float) -> str:
    """Colour of a score on a red (worst) → green (best) scale between ``low`` and ``high``."""
    if not np.isfinite(score):
        return "#999999"
    t = 0.5 if high <= low else (score - low) / (high - low)
    index = round(min(max(t, 0.0), 1.0) * (len(PALETTE) - 1))
    return PALETTE[index]


def pacific_lon(lon: float) -> float:
    """Longitude shifted so that the Americas sit east of Asia (one Pacific-centred view)."""
    return lon + 360.0 if lon < 0 else lon


@cache
def basemap_geojson(tolerance: float = 0.05) -> dict[str, Any]:
    """Country outlines for the Pacific-centred map, as a GeoJSON mapping (cached).

    Natural Earth's admin-0 polygons (:mod:`siteselect.boundaries`), each part west of
    25° W moved east by 360° (so the Americas sit east of Asia), clipped to
    :data:`BASEMAP_BOX`, parts under 0.02 square degrees dropped, simplified to
    ``tolerance`` degrees and snapped to a 0.01° grid. Properties: ``iso3``, ``name``.
    """
    parts = boundaries.countries().explode(index_parts=False, ignore_index=True)
    x = shapely.get_coordinates(shapely.point_on_surface(parts.geometry.to_numpy()))[:, 0]
    west = x < -25
    parts.loc[west, "geometry"] = parts.loc[west].geometry.translate(xoff=360.0)
    box = shapely.box(*BASEMAP_BOX)
    parts = parts[parts.intersects(box)].copy()
    parts["geometry"] = parts.geometry.intersection(box)
    parts = parts[shapely.area(parts.geometry.to_numpy()) > 0.02]
    simple = parts.geometry.simplify(tolerance, preserve_topology=True).to_numpy()
    parts["geometry"] = shapely.set_precision(simple, 0.01)
    parts = parts[~parts.geometry.is_empty]
    data: dict[str, Any] = parts[["iso3", "name", "geometry"]].__geo_interface__
    for feature in data["features"]:
        feature.pop("id", None)
        feature.pop("bbox", None)
    return data


def mercator_y(lat: np.ndarray) -> np.ndarray:
    """Web Mercator ordinate of latitudes, in degree-like units (same scale as longitude)."""
    clipped = np.clip(lat, -85.0, 85.0)
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(clipped) / 2)))


def mercator_lat(y: np.ndarray) -> np.ndarray:
    """Latitudes of Web Mercator ordinates (the inverse of :func:`mercator_y`)."""
    return np.degrees(2 * np.arctan(np.exp(np.radians(y))) - np.pi / 2)


def spread(x: np.ndarray, y: np.ndarray, min_distance: float) -> np.ndarray:
    """Positions near ``(x, y)`` at least about ``min_distance`` apart (same units).

    Points closer than half ``min_distance`` (transitively) form a group, laid out on a
    ring (a sunflower spiral past 10 members) around the group's centre in the order of
    their true bearings from it; remaining overlaps are then pushed apart pair by pair,
    half the overlap per round. A point that overlaps nothing stays where it is.
    Deterministic.

    >>> p = spread(np.zeros(3), np.zeros(3), 1.0)
    >>> bool(np.min(np.hypot(*(p[:, None] - p[None, :]).T)[~np.eye(3, dtype=bool)]) > 0.95)
    True
    """
    p = np.column_stack([x, y]).astype(float)
    n = len(p)
    if n < 2 or not min_distance > 0:
        return p
    near = np.hypot(*(p[:, None, :] - p[None, :, :]).transpose(2, 0, 1)) < min_distance / 2
    group = np.arange(n)
    for _ in range(n):  # label propagation: each point takes the smallest label it touches
        updated = np.where(near, group[None, :], n).min(axis=1)
        updated = np.minimum(updated, group)
        if np.array_equal(updated, group):
            break
        group = updated
    out = p.copy()
    for label in np.unique(group):
        members = np.flatnonzero(group == label)
        k = len(members)
        if k == 1:
            continue
        centre = p[members].mean(axis=0)
        bearing = np.arctan2(*(p[members] - centre).T[::-1]) + 1e-9 * np.arange(k)
        members = members[np.argsort(bearing)]
        if k <= 10:
            radius: np.ndarray = np.full(k, min_distance / (2 * np.sin(np.pi / k)), dtype=float)
            angle: np.ndarray = np.pi / 2 + 2 * np.pi * np.arange(k) / k
        else:
            radius = np.asarray(0.62 * min_distance * np.sqrt(np.arange(k) + 0.5), dtype=float)
            angle = 2.39996 * np.arange(k)
        out[members] = centre + np.column_stack([np.cos(angle), np.sin(angle)]) * radius[:, None]
    for _ in range(400):
        d = out[:, None, :] - out[None, :, :]
        dist = np.hypot(d[..., 0], d[..., 1])
        np.fill_diagonal(dist, np.inf)
        overlap = np.clip(min_distance * 1.02 - dist, 0.0, None)
        if not (overlap > 0.02 * min_distance).any():
            break
        out += np.sum(d / np.maximum(dist, 1e-12)[..., None] * (overlap[..., None] / 4), axis=1)
    return out


@lru_cache(maxsize=64)
def _spread_once(x: tuple[float, ...], y: tuple[float, ...], min_distance: float) -> np.ndarray:
    out = spread(np.array(x), np.array(y), min_distance)
    out.flags.writeable = False  # shared by every caller of the cache
    return out


def display_positions(
    ranking: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    *,
    fit: str | None = None,
    width_px: int = 480,
    separation_px: float = 2 * MARKER_RADIUS + 4,
) -> pd.DataFrame:
    """Where each ranked site is drawn, and the map bounds to open on.

    Columns ``lat``, ``lon`` (true, Pacific-centred), ``draw_lat``, ``draw_lon`` (spread
    so markers ``separation_px`` across do not overlap on a map ``width_px`` wide opened
    on the bounds) and ``moved``. ``fit`` is an ISO3 country code whose sites the view
    frames (all sites when ``None``); the bounds are in ``frame.attrs["bounds"]``.
    """
    pts = sites.loc[ranking.index].to_crs("EPSG:4326").geometry
    lat = pts.y.to_numpy(float)
    lon = np.array([pacific_lon(v) for v in pts.x.to_numpy(float)])
    frame = pd.DataFrame({"lat": lat, "lon": lon}, index=ranking.index)
    focus = np.ones(len(frame), dtype=bool)
    if fit is not None:
        country = ranking["country"].to_numpy() if "country" in ranking else np.array([])
        focus = country == fit
        if not focus.any():
            raise SiteSelectError(f"no ranked site in {fit!r} to fit the map to")
    if len(frame):
        south, north = lat[focus].min(), lat[focus].max()
        west, east = lon[focus].min(), lon[focus].max()
        pad_x = max(0.12 * (east - west), 1.5)
        pad_y = max(0.12 * (north - south), 1.0)
        bounds = [[south - pad_y, west - pad_x], [north + pad_y, east + pad_x]]
        y_span = mercator_y(np.array([bounds[1][0]])) - mercator_y(np.array([bounds[0][0]]))
        span = max(bounds[1][1] - bounds[0][1], float(y_span[0]) * width_px / 520)
        # the layout depends on the sites, not on their ranks (markers stay put when
        # the weights change): spread in site-id order, once per set of sites
        order = np.argsort(frame.index.to_numpy(str), kind="stable")
        placed = np.empty((len(frame), 2))
        placed[order] = _spread_once(
            tuple(lon[order]), tuple(mercator_y(lat)[order]), span * separation_px / width_px
        )
    else:
        bounds = [[-10.0, 100.0], [50.0, 300.0]]
        placed = np.empty((0, 2))
    frame["draw_lon"] = placed[:, 0]
    frame["draw_lat"] = mercator_lat(placed[:, 1])
    frame["moved"] = (
        np.hypot(
            frame["draw_lon"] - lon, mercator_y(frame["draw_lat"].to_numpy()) - mercator_y(lat)
        )
        > 1e-6
    )
    frame.attrs["bounds"] = bounds
    return frame


def placed_sites(ranking: pd.DataFrame, excluded: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sites a map draws: the ranked ones, then those the sector's rules exclude
    (``name`` and ``country`` of both, on one index), for :func:`display_positions`."""
    cols = ["name", "country"]
    if excluded is None or not len(excluded):
        return ranking[cols]
    return pd.concat([ranking[cols], excluded[cols]])


def site_from_tooltip(text: str | None, ids: Iterable[str]) -> str | None:
    """The site id carried by a clicked marker's tooltip text, if it is one of ``ids``.

    >>> site_from_tooltip("#2 Clark (0.61)" + ID_MARK + "PH-CLARK", ["PH-CLARK"])
    'PH-CLARK'
    >>> site_from_tooltip("Philippines", ["PH-CLARK"]) is None
    True
    """
    if not text or ID_MARK not in text:
        return None
    candidate = text.rsplit(ID_MARK, 1)[1].strip()
    return candidate if candidate in set(ids) else None


def _hidden_id(sid: str, click_token: str = "") -> str:
    """The hidden end of a marker's tooltip: ``click_token`` (see :func:`score_layers`),
    then the site id after :data:`ID_MARK` (what :func:`site_from_tooltip` reads)."""
    token = f'<span hidden class="siteselect-click">{escape_text(click_token)}</span>'
    return (token if click_token else "") + (
        f'<span hidden class="siteselect-id">{ID_MARK}{escape_text(sid)}</span>'
    )


def marker_tooltip(row: Mapping[str, Any], sid: str, click_token: str = "") -> folium.Tooltip:
    return folium.Tooltip(
        f"#{int(row['rank'])} {escape_text(row['name'])} ({float(row['score']):.3f})"
        + _hidden_id(sid, click_token)
    )


def _inert(layer: Any) -> Any:
    """A vector layer that takes no pointer events (clicks go to what lies beneath)."""
    layer.options["interactive"] = False
    return layer


def highlight_layer(positions: pd.DataFrame, selected: str | None) -> folium.FeatureGroup:
    """A layer with a ring around the selected site's drawn marker (empty when none)."""
    layer = folium.FeatureGroup(name="Selected site", control=False)
    if selected is not None and selected in positions.index:
        row = positions.loc[selected]
        _inert(
            folium.CircleMarker(
                location=(float(row["draw_lat"]), float(row["draw_lon"])),
                radius=MARKER_RADIUS + 6,
                color="#111111",
                weight=4,
                fill=False,
                class_name="siteselect-selected",
            )
        ).add_to(layer)
    return layer


@cache
def _basemap_json() -> str:
    """:func:`basemap_geojson` serialised once, safe to embed in a script element."""
    return json.dumps(basemap_geojson(), separators=(",", ":")).replace("</", "<\\/")


OUTLINES_GLOBAL = "siteselectOutlines"
"""The browser global the served outlines script (``assets="static"``) defines."""


def _outlines_script() -> str:
    return f"window.{OUTLINES_GLOBAL} = {_basemap_json()};\n"


@cache
def _outlines_script_name() -> str:
    digest = hashlib.sha256(_outlines_script().encode("utf-8")).hexdigest()[:12]
    return f"outlines-{digest}.js"


class _Outlines(ScriptElement):
    """The country outlines as one inert vector layer, drawn before (under) the sites.

    Inline, the outlines are part of the map's script (a file that opens offline); from
    the app (``assets="static"``) they come from a script the app serves, which the map
    loads before its own script runs: half a megabyte a rerun no longer sends.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.geoJson({{ this.data }}, {
            interactive: false,
            style: {{ this.style|tojson }}
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, assets: str = "inline") -> None:
        super().__init__()
        self._name = "Outlines"
        self.data = f"window.{OUTLINES_GLOBAL}" if assets == "static" else _basemap_json()
        self.style = {
            "fillColor": LAND_COLOUR,
            "fillOpacity": 1.0,
            "color": BORDER_COLOUR,
            "weight": 0.8,
        }


def _legend_html(
    title: str, low: float, high: float, user_sites: bool, *, excluded: bool = False
) -> str:
    swatches = "".join(
        f'<span style="display:inline-block;width:18px;height:10px;background:{c}"></span>'
        for c in PALETTE
    )
    rows = [
        f"<b>{escape_text(title)}</b>",
        f"<div>{swatches}</div>",
        f'<div style="display:flex;justify-content:space-between"><span>{low:.2f}</span>'
        f"<span>{high:.2f}</span></div>",
        "<div>number = rank (1 = best)</div>",
    ]
    if user_sites:
        rows.append(
            f'<div><span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
            f'border:2px dashed {USER_SITE_COLOUR}"></span> your uploaded sites</div>'
        )
    if excluded:
        rows.append(
            f'<div><span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
            f'background:{EXCLUDED_COLOUR};border:1px dashed #666"></span> ✕ excluded by the '
            "sector's rules (reason in the popup)</div>"
        )
    return "".join(rows)


def excluded_tooltip(name: object, sid: str, click_token: str = "") -> folium.Tooltip:
    """The tooltip of an excluded site: its name, marked, and its id (hidden)."""
    return folium.Tooltip(f"✕ {escape_text(name)} (excluded)" + _hidden_id(sid, click_token))


def _excluded_popup(site: Mapping[str, Any], reason: object) -> str:
    return "<br>".join(
        [
            f"<b>{escape_text(site.get('name'))}</b>",
            f"{escape_text(site.get('region'))}, {escape_text(site.get('country'))}",
            "<b>Excluded by the sector's rules</b> (not ranked):",
            escape_text(reason),
        ]
    )


def _popup_html(row: Mapping[str, Any], reasons: Mapping[str, Iterable[str]] | None) -> str:
    parts = [
        f"<b>{escape_text(row['name'])}</b>",
        f"{escape_text(row.get('region'))}, {escape_text(row.get('country'))}",
        f"Rank <b>{int(row['rank'])}</b> · score {float(row['score']):.3f}",
    ]
    if reasons:
        strengths = ", ".join(escape_text(r) for r in reasons.get("strengths", []))
        weaknesses = ", ".join(escape_text(r) for r in reasons.get("weaknesses", []))
        if strengths:
            parts.append(f"<span style='color:#1a7f37'>▲ {strengths}</span>")
        if weaknesses:
            parts.append(f"<span style='color:#b42318'>▼ {weaknesses}</span>")
    return "<br>".join(parts)


def ranking_map(
    ranking: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    *,
    reasons: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
    routes: bool = False,
    user_sites: Iterable[str] = (),
    acceptability: pd.Series | None = None,
    selected: str | None = None,
    fit: str | None = None,
    assets: str = "inline",
    static_prefix: str = STATIC_PREFIX,
    tiles: bool = True,
    height: str | int = "100%",
    positions: pd.DataFrame | None = None,
    excluded: pd.DataFrame | None = None,
) -> folium.Map:
    """A folium map of ranked sites over country outlines that need no network.

    Parameters
    ----------
    ranking
        Indexed by site id with ``name``, ``country``, ``region``, ``score``, ``rank``.
    sites
        The sites' points (any CRS), indexed by site id; ``gateway_port`` for routes.
    reasons
        Site id → ``{"strengths": [...], "weaknesses": [...]}`` shown in popups.
    routes
        Add a layer with the sea routes from Kaohsiung to each gateway port.
    user_sites
        Ids of the user's uploaded sites (drawn with a dashed outline, own layer).
    acceptability
        Site id → first-rank acceptability (0..1): adds a robustness layer.
    selected
        A site id drawn highlighted (the app draws it in :func:`highlight_layer`).
    fit
        ISO3 code of the country whose sites the map opens on (all sites when ``None``).
    assets
        ``inline`` (standalone, offline), ``static`` (served by the app) or ``cdn``.
    tiles
        Add OpenStreetMap tiles as an optional layer, off by default (they need the
        network); the outlines are always drawn.
    positions
        Drawn positions from :func:`display_positions` (computed when ``None``).
    excluded
        Sites the sector's rules exclude (``Evaluation.excluded``: ``name``, ``country``,
        ``reason``): drawn grey, unranked, the reason in the popup; clickable like the
        others.

    Every marker's tooltip ends with :data:`ID_MARK` and its site id (hidden), so a
    click can be mapped back to the site with :func:`site_from_tooltip`. Sites that
    would overlap at the opening view are spread apart, a thin line joining each moved
    marker to its true position.

    The map is :func:`base_map` with the layers of :func:`score_layers` and
    :func:`layer_control` added: the app sends the two parts apart, so that a change
    of weights redraws the markers without reloading the map.
    """
    out = excluded if excluded is not None and len(excluded) else None
    if positions is None:
        where = display_positions(placed_sites(ranking, out), sites, fit=fit)
    else:
        where = positions
    m = base_map(
        ranking,
        sites,
        where,
        routes=routes,
        acceptability=acceptability,
        assets=assets,
        static_prefix=static_prefix,
        tiles=tiles,
        height=height,
    )
    for layer in score_layers(
        ranking,
        sites,
        where,
        reasons=reasons,
        user_sites=user_sites,
        selected=selected,
        excluded=out,
    ):
        layer.add_to(m)
    layer_control(assets).add_to(m)
    return m


def layer_control(assets: str) -> folium.LayerControl:
    """The layer switcher of :func:`ranking_map` (collapsed where Leaflet's icons are
    served: a collapsed control needs ``layers.png``)."""
    return folium.LayerControl(collapsed=assets == "static")


def base_map(
    ranking: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    positions: pd.DataFrame,
    *,
    routes: bool = False,
    acceptability: pd.Series | None = None,
    assets: str = "inline",
    static_prefix: str = STATIC_PREFIX,
    tiles: bool = True,
    height: str | int = "100%",
    keep_view: str | None = None,
) -> folium.Map:
    """What :func:`ranking_map` draws that a change of weights leaves as it is.

    The outlines, the names of the countries of ``ranking``, the opening bounds
    (``positions.attrs["bounds"]``), the sea routes to the ranked sites' ports and the
    robustness layer of ``acceptability``; options as for :func:`ranking_map`. With
    ``keep_view``, the browser keeps the user's centre and zoom under that key
    (:class:`~siteselect.map_elements.KeepView`).
    """
    m = folium.Map(
        tiles=None, control_scale=True, height=height, world_copy_jump=False, zoom_snap=0.25
    )
    _set_assets(m, assets, static_prefix)
    root: Any = m.get_root()
    root.header.add_child(
        Element(f"<style>.leaflet-container{{background:{SEA_COLOUR} !important}}</style>")
    )
    if tiles:
        folium.TileLayer("OpenStreetMap", name="Street map (online only)", show=False).add_to(m)
    FocusWithoutScroll().add_to(m)
    _Outlines(assets).add_to(m)
    _country_labels(ranking).add_to(m)
    m.fit_bounds(positions.attrs["bounds"])
    if routes and "gateway_port" in sites.columns:
        layer = folium.FeatureGroup(name="Sea routes from Kaohsiung", show=True)
        for port in sorted(set(sites.loc[ranking.index, "gateway_port"].dropna())):
            line = geo.sea_route_line(geo.ORIGIN_PORT, port)
            unwrapped = _unwrap([(lat, pacific_lon(lon)) for lat, lon in line])
            folium.PolyLine(
                unwrapped,
                color="#1f4e79",
                weight=2,
                opacity=0.7,
                tooltip=folium.Tooltip(f"Kaohsiung → {escape_text(port)}"),
            ).add_to(layer)
        layer.add_to(m)
    if acceptability is not None:
        layer = folium.FeatureGroup(name="Robustness: first-rank acceptability", show=False)
        for sid in ranking.index:
            share = float(acceptability.get(sid, 0.0))
            _inert(
                folium.CircleMarker(
                    location=(
                        float(positions.at[sid, "draw_lat"]),
                        float(positions.at[sid, "draw_lon"]),
                    ),
                    radius=6 + 22 * share,
                    color="#5b2a86",
                    weight=1,
                    fill=True,
                    fill_color="#5b2a86",
                    fill_opacity=0.35,
                )
            ).add_to(layer)
        layer.add_to(m)
    if keep_view is not None:
        KeepView(keep_view).add_to(m)
    return m


def score_layers(
    ranking: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    positions: pd.DataFrame,
    *,
    reasons: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
    user_sites: Iterable[str] = (),
    selected: str | None = None,
    excluded: pd.DataFrame | None = None,
    click_token: str = "",
) -> list[folium.FeatureGroup]:
    """What :func:`ranking_map` draws from the scores, as layers to add to a
    :func:`base_map`: leader lines, the sites (bundled, excluded, uploaded), rank labels
    and the legend (a layer of its own: it shows while that layer is on a map).

    ``click_token`` goes, hidden, into every marker's tooltip, which is what a click on
    the map reports: an app that changes it whenever the selection changes tells a new
    click on a marker from the last one, even on the marker clicked last.
    """
    out = excluded if excluded is not None and len(excluded) else None
    scores = ranking["score"].to_numpy(float)
    low, high = (float(np.nanmin(scores)), float(np.nanmax(scores))) if len(scores) else (0, 1)
    user = set(user_sites)

    leaders = folium.FeatureGroup(name="True positions of spread sites", control=False)
    bundled_layer = folium.FeatureGroup(name="Candidate sites (colour = score)", show=True)
    user_layer = folium.FeatureGroup(name="Your uploaded sites", show=True)
    excluded_layer = folium.FeatureGroup(name="Excluded by the sector's rules", show=True)
    labels = folium.FeatureGroup(name="Rank labels", show=True, control=False)
    lines, bundled, mine, grey, numbers = (Shapes() for _ in range(5))
    where = positions[["lat", "lon", "draw_lat", "draw_lon", "moved"]].to_dict("index")
    for sid, row in zip(ranking.index, ranking.to_dict("records"), strict=True):
        at = where[sid]
        drawn = (float(at["draw_lat"]), float(at["draw_lon"]))
        if at["moved"]:
            true = (float(at["lat"]), float(at["lon"]))
            lines.line([true, drawn], color="#555555", weight=1, opacity=0.8)
            lines.circle(
                true, radius=2, color="#333333", fill=True, fill_opacity=1, interactive=False
            )
        is_user = sid in user
        is_selected = sid == selected
        (mine if is_user else bundled).circle(
            drawn,
            radius=MARKER_RADIUS + 3 if is_selected else MARKER_RADIUS,
            color="#111111" if is_selected else (USER_SITE_COLOUR if is_user else "#333333"),
            weight=4 if is_selected else 2,
            dash_array="4 3" if is_user else None,
            fill=True,
            fill_color=score_colour(float(row["score"]), low, high),
            fill_opacity=0.95,
            popup=_popup_html(row, (reasons or {}).get(sid)),
            tooltip=marker_tooltip(row, str(sid), click_token).text,
            class_name="siteselect-site",
        )
        numbers.label(
            drawn,
            '<div style="font:bold 11px sans-serif;color:#111;text-align:center;'
            f'width:22px;line-height:22px">{int(row["rank"])}</div>',
        )
    for sid, row in (out if out is not None else pd.DataFrame()).iterrows():
        at = where[sid]
        drawn = (float(at["draw_lat"]), float(at["draw_lon"]))
        site = sites.loc[sid]
        grey.circle(
            drawn,
            radius=MARKER_RADIUS,
            color="#666666",
            weight=2,
            dash_array="2 2",
            fill=True,
            fill_color=EXCLUDED_COLOUR,
            fill_opacity=0.9,
            popup=_excluded_popup({**site.to_dict(), "name": row["name"]}, row["reason"]),
            tooltip=excluded_tooltip(row["name"], str(sid), click_token).text,
            class_name="siteselect-site siteselect-excluded",
        )
        numbers.label(
            drawn,
            '<div style="font:bold 12px sans-serif;color:#333;text-align:center;'
            'width:22px;line-height:22px">✕</div>',
        )
    for layer, shapes in (
        (leaders, lines),
        (bundled_layer, bundled),
        (user_layer, mine),
        (excluded_layer, grey),
        (labels, numbers),
    ):
        shapes.add_to(layer)
    legend = folium.FeatureGroup(name="Legend", control=False)
    Legend(
        _legend_html("Score", low, high, bool(user), excluded=out is not None), layer=True
    ).add_to(legend)
    layers = [leaders, bundled_layer]
    if out is not None:
        layers.append(excluded_layer)
    if user:
        layers.append(user_layer)
    return [*layers, labels, legend]


def _country_labels(ranking: pd.DataFrame) -> folium.FeatureGroup:
    """Names of the countries that hold ranked sites, and Taiwan, as map labels."""
    layer = folium.FeatureGroup(name="Country names", control=False)
    wanted = {"TWN", *(str(c) for c in ranking.get("country", pd.Series(dtype=str)).dropna())}
    shapes = Shapes()
    for lat, lon, name in _label_spots(frozenset(wanted)):
        shapes.label(
            (lat, lon),
            '<div style="font:600 12px sans-serif;color:#6b6b6b;white-space:nowrap;'
            f'transform:translate(-50%,-50%)">{escape_text(name)}</div>',
            size=0,
        )
    shapes.add_to(layer)
    return layer


@cache
def _label_spots(iso3: frozenset[str]) -> list[tuple[float, float, str]]:
    """A point inside the largest part of each country of ``iso3``, and its name."""
    world = boundaries.countries()
    spots = []
    for _, country in world[world["iso3"].isin(iso3)].iterrows():
        part = max(getattr(country.geometry, "geoms", [country.geometry]), key=lambda g: g.area)
        spot = part.point_on_surface()
        spots.append((float(spot.y), pacific_lon(float(spot.x)), str(country["name"])))
    return spots


def _unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make a line's longitudes continuous (no jump across the antimeridian)."""
    out: list[tuple[float, float]] = []
    for lat, lon in points:
        if out:
            prev = out[-1][1]
            while lon - prev > 180:
                lon -= 360
            while prev - lon > 180:
                lon += 360
        out.append((lat, lon))
    return out


def map_html(m: folium.Map) -> str:
    """The map as one standalone HTML document."""
    rendered: str = m.get_root().render()
    return rendered

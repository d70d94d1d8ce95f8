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
import html
import shutil
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from siteselect import geo
from siteselect.errors import UnknownNameError

ASSET_MODES = ("inline", "static", "cdn")
STATIC_PREFIX = "/app/static/siteselect"
PALETTE = ("#d73027", "#fc8d59", "#fee08b", "#d9ef8b", "#91cf60", "#1a9850")
USER_SITE_COLOUR = "#2b5fd9"


def escape_text(value: object) -> str:
    """Make any value safe as text inside folium HTML and JavaScript template literals.

    HTML special characters become entities, and so do ``$``, the backtick and the
    backslash, so nothing can close the template literal or interpolate ``${...}``.

    >>> escape_text('<img src=x onerror=alert(1)> ${alert(2)} `x` \\\\')
    '&lt;img src=x onerror=alert(1)&gt; &#36;{alert(2)} &#96;x&#96; &#92;'
    """
    text = html.escape("" if value is None else str(value), quote=True)
    return text.replace("$", "&#36;").replace("`", "&#96;").replace("\\", "&#92;")


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


class _Legend(MacroElement):
    """A Leaflet control with the colour scale; labels are escaped by the caller."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "siteselect-legend");
                div.style.background = "white";
                div.style.padding = "6px 8px";
                div.style.font = "12px sans-serif";
                div.style.borderRadius = "4px";
                div.style.boxShadow = "0 1px 4px rgba(0,0,0,.3)";
                div.innerHTML = {{ this.body|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body


def _legend_html(title: str, low: float, high: float, user_sites: bool) -> str:
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
    return "".join(rows)


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
    assets: str = "inline",
    static_prefix: str = STATIC_PREFIX,
    tiles: str | None = "OpenStreetMap",
    height: str | int = "100%",
) -> folium.Map:
    """A folium map of ranked sites.

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
        A site id drawn highlighted.
    assets
        ``inline`` (standalone, offline), ``static`` (served by the app) or ``cdn``.
    """
    pts = sites.loc[ranking.index].to_crs("EPSG:4326").geometry
    lats = pts.y.to_numpy(float)
    lons = np.array([pacific_lon(x) for x in pts.x.to_numpy(float)])
    m = folium.Map(tiles=tiles, control_scale=True, height=height, world_copy_jump=False)
    _set_assets(m, assets, static_prefix)
    if len(ranking):
        m.fit_bounds([[lats.min() - 2, lons.min() - 4], [lats.max() + 2, lons.max() + 4]])
    scores = ranking["score"].to_numpy(float)
    low, high = (float(np.nanmin(scores)), float(np.nanmax(scores))) if len(scores) else (0, 1)
    user = set(user_sites)

    bundled_layer = folium.FeatureGroup(name="Candidate sites (colour = score)", show=True)
    user_layer = folium.FeatureGroup(name="Your uploaded sites", show=True)
    labels = folium.FeatureGroup(name="Rank labels", show=True, control=False)
    for (sid, row), lat, lon in zip(ranking.iterrows(), lats, lons, strict=True):
        is_user = sid in user
        colour = score_colour(float(row["score"]), low, high)
        popup = folium.Popup(_popup_html(row, (reasons or {}).get(sid)), max_width=320)
        tooltip = folium.Tooltip(
            f"#{int(row['rank'])} {escape_text(row['name'])} ({float(row['score']):.3f})"
        )
        marker = folium.CircleMarker(
            location=(float(lat), float(lon)),
            radius=14 if sid == selected else 11,
            color="#111111" if sid == selected else (USER_SITE_COLOUR if is_user else "#333333"),
            weight=4 if sid == selected else 2,
            dash_array="4 3" if is_user else None,
            fill=True,
            fill_color=colour,
            fill_opacity=0.9,
            popup=popup,
            tooltip=tooltip,
        )
        marker.add_to(user_layer if is_user else bundled_layer)
        folium.Marker(
            location=(float(lat), float(lon)),
            icon=folium.DivIcon(
                html=(
                    '<div style="font:bold 11px sans-serif;color:#111;text-align:center;'
                    f'width:22px;line-height:22px">{int(row["rank"])}</div>'
                ),
                icon_size=(22, 22),
                icon_anchor=(11, 11),
            ),
            interactive=False,
        ).add_to(labels)
    bundled_layer.add_to(m)
    if user:
        user_layer.add_to(m)
    labels.add_to(m)

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
        for sid, lat, lon in zip(ranking.index, lats, lons, strict=True):
            share = float(acceptability.get(sid, 0.0))
            folium.CircleMarker(
                location=(float(lat), float(lon)),
                radius=6 + 22 * share,
                color="#5b2a86",
                weight=1,
                fill=True,
                fill_color="#5b2a86",
                fill_opacity=0.35,
                tooltip=folium.Tooltip(
                    f"{escape_text(ranking.at[sid, 'name'])}: first in {share:.0%} of weightings"
                ),
            ).add_to(layer)
        layer.add_to(m)

    _Legend(_legend_html("Score", low, high, bool(user))).add_to(m)
    # a collapsed control needs Leaflet's layers.png, which only served assets carry
    folium.LayerControl(collapsed=assets == "static").add_to(m)
    return m


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


def site_at(sites: gpd.GeoDataFrame, lat: float, lng: float, *, ids: Iterable[str]) -> str | None:
    """The site among ``ids`` drawn nearest to a clicked map position (display coordinates)."""
    candidates = list(ids)
    if not candidates:
        return None
    pts = sites.loc[candidates].to_crs("EPSG:4326").geometry
    lons = np.array([pacific_lon(x) for x in pts.x])
    dist = np.hypot(pts.y.to_numpy(float) - lat, ((lons - lng + 180) % 360) - 180)
    best = int(np.argmin(dist))
    return candidates[best] if dist[best] < 1.0 else None

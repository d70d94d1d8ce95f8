"""Leaflet elements of our own for folium maps: script elements rendered without a
Jinja compile, a legend control, and many shapes drawn by one element (:class:`Shapes`)."""

from __future__ import annotations

import json
import re
from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.vector_layers import path_options
from jinja2 import Template

_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


class _Text(Element):
    """Text that goes into the page as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class ScriptElement(MacroElement):
    """A MacroElement with a ``script`` macro whose output goes into the page as text.

    branca's MacroElement compiles its rendered script as a Jinja template before it
    renders it (again) into the page: a cost per element that grows with the script
    (the outlines are half a megabyte), and a template that user text must never reach.
    """

    def render(self, **kwargs: Any) -> str:
        """Add the script to the page, render the children; nothing to return (like
        branca's MacroElement, whose output is what it adds to the page)."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "a map element is rendered inside a Figure"
        script = self._template.module.__dict__.get("script")
        if script is not None:
            figure.script.add_child(_Text(script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""


class Shapes(ScriptElement):
    """Many markers, lines and labels of one layer drawn by one script element.

    folium draws one element per marker, tooltip, popup and icon, and branca compiles
    each one's rendered script as a Jinja template: some 300 compiles per ranking, the
    larger part of a rerun. Here each shape is a JSON item (``kind`` circle, line or
    label; ``at``; ``options`` as folium's ``path_options``; optional ``tooltip`` and
    ``popup`` HTML, escaped by the caller), drawn as folium would draw it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (layer, items) {
            items.forEach(function (it) {
                var shape;
                if (it.kind === "line") {
                    shape = L.polyline(it.at, it.options);
                } else if (it.kind === "label") {
                    shape = L.marker(it.at, {icon: L.divIcon(it.options), interactive: false});
                } else {
                    shape = L.circleMarker(it.at, it.options);
                }
                if (it.popup) {
                    shape.bindPopup(it.popup, {maxWidth: 320, autoPan: false});
                }
                if (it.tooltip) {
                    shape.bindTooltip(it.tooltip, {sticky: true});
                }
                shape.addTo(layer);
            });
        })({{ this._parent.get_name() }}, {{ this.items }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Shapes"
        self._items: list[dict[str, Any]] = []

    @property
    def items(self) -> str:
        """The items as JSON that is safe inside a script element (no ``<``) and in a
        Jinja template (no ``{`` before ``{``, ``%`` or ``#``: only strings can hold one,
        where ``\\u007b`` reads the same)."""
        text = json.dumps(self._items).replace("<", "\\u003c")
        return _JINJA_OPEN.sub(r"\\u007b", text)

    def circle(
        self,
        at: tuple[float, float],
        *,
        tooltip: str | None = None,
        popup: str | None = None,
        interactive: bool = True,
        **options: Any,
    ) -> None:
        opts = path_options(line=False, radius=options.pop("radius"), **options)
        self._add("circle", list(at), opts, tooltip, popup, interactive)

    def line(self, points: list[tuple[float, float]], **options: Any) -> None:
        self._add("line", [list(p) for p in points], path_options(line=True, **options))
        self._items[-1]["options"]["interactive"] = False

    def label(self, at: tuple[float, float], html_text: str, size: int = 22) -> None:
        """An inert HTML label of ``size`` px, centred on ``at``."""
        icon = {"html": html_text, "iconSize": [size, size], "iconAnchor": [size // 2] * 2}
        self._add("label", list(at), {**icon, "className": "empty"})

    def _add(
        self,
        kind: str,
        at: list[Any],
        options: dict[str, Any],
        tooltip: str | None = None,
        popup: str | None = None,
        interactive: bool = True,
    ) -> None:
        if not interactive:
            options["interactive"] = False
        item: dict[str, Any] = {"kind": kind, "at": at, "options": options}
        if tooltip is not None:
            item["tooltip"] = f"<div>{tooltip}</div>"
        if popup is not None:
            item["popup"] = f'<div style="width: 100.0%; height: 100.0%;">{popup}</div>'
        self._items.append(item)


class Legend(ScriptElement):
    """A Leaflet control holding an HTML legend; the body is escaped by the caller.

    ``position`` is a Leaflet corner, ``css_class`` the control's class (tests and styles
    find it by it), ``name`` the element's name in the map's script. With ``layer`` the
    legend is added to a layer (a feature group), not the map, and shows while that
    layer is on a map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.style.background = "white";
                div.style.padding = "6px 8px";
                div.style.font = "12px sans-serif";
                div.style.borderRadius = "4px";
                div.style.boxShadow = "0 1px 4px rgba(0,0,0,.3)";
                div.innerHTML = {{ this.body|tojson }};
                return div;
            };
            {%- if this.layer %}
            // shown while its layer is on a map (the app replaces the layer per rerun)
            var layer = {{ this._parent.get_name() }};
            layer.on("add", function () { legend.addTo(layer._map); });
            layer.on("remove", function () { legend.remove(); });
            if (layer._map) { legend.addTo(layer._map); }
            {%- else %}
            legend.addTo({{ this._parent.get_name() }});
            {%- endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        body: str,
        *,
        position: str = "bottomright",
        css_class: str = "siteselect-legend",
        name: str = "Legend",
        layer: bool = False,
    ) -> None:
        super().__init__()
        self._name = name
        self.layer = layer
        self.body = body
        self.position = position
        self.css_class = css_class


class KeepView(ScriptElement):
    """Keeps the map's centre and zoom in the browser tab, under ``key``, across redraws.

    A map drawn again (the page shown again, a layer added to the base map) opens where
    the user left it under the same key; a new key (another fit) opens at the map's own
    bounds. The view never goes to the server: a pan or zoom costs no rerun, and the map
    sends nothing when it opens (a value sent then would rerun the page the user was
    leaving, and undo a click on another page). Add it after ``fit_bounds``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, key) {
            var store = null;
            try { store = window.sessionStorage; } catch (e) { store = null; }
            window.siteselectMap = map;
            if (store === null) { return; }
            var saved = null;
            try { saved = JSON.parse(store.getItem(key)); } catch (e) { saved = null; }
            if (Array.isArray(saved) && saved.length === 3 && saved.every(isFinite)) {
                map.setView([saved[0], saved[1]], saved[2], {animate: false});
            }
            map.on("moveend", function () {
                var c = map.getCenter();
                store.setItem(key, JSON.stringify([c.lat, c.lng, map.getZoom()]));
            });
        })({{ this._parent.get_name() }}, {{ this.key|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, key: str) -> None:
        super().__init__()
        self._name = "KeepView"
        self.key = key


class FocusWithoutScroll(ScriptElement):
    """Leaflet focuses the map on a mouse press (for its keys). In the app the map sits
    in a frame, and a focus scrolls the page to show the whole frame: the release then
    lands elsewhere and the click on a marker is lost (the first click, whenever the
    map's lower edge is below the window's). Here the map takes focus without scrolling.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (container) {
            var focus = container.focus;
            container.focus = function () { focus.call(container, {preventScroll: true}); };
        })({{ this._parent.get_name() }}.getContainer());
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FocusWithoutScroll"

"""Our own Leaflet elements: the shapes of a layer drawn by one script element."""

from __future__ import annotations

import json

import folium
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Template

from siteselect.map_elements import Legend, Shapes


@given(st.text(alphabet=st.sampled_from("{}%#</>!-\\\"'`$ ax"), max_size=30))
def test_shape_text_reaches_the_page_as_given_and_is_nothing_to_jinja(text):
    shapes = Shapes()
    shapes.circle((1.0, 2.0), radius=3, tooltip=text, popup=text)
    items = json.loads(shapes.items)
    assert items[0]["tooltip"] == f"<div>{text}</div>"
    assert items[0]["popup"].endswith(f">{text}</div>")
    # branca compiles an element's rendered script as a template: it must come out as it is
    assert Template(shapes.items).render() == shapes.items
    assert "<" not in shapes.items  # nothing can close the script element


def test_shapes_are_drawn_as_folium_draws_them():
    m = folium.Map()
    layer = folium.FeatureGroup(name="sites").add_to(m)
    shapes = Shapes()
    shapes.circle((1.0, 2.0), radius=11, color="#333333", fill_color="#00ff00", class_name="c")
    shapes.line([(0.0, 0.0), (1.0, 1.0)], color="#555555", weight=1)
    shapes.label((1.0, 2.0), "<b>1</b>")
    shapes.add_to(layer)
    html = m.get_root().render()
    first, line, label = json.loads(shapes.items)
    ref = folium.CircleMarker(
        (1.0, 2.0), radius=11, color="#333333", fill_color="#00ff00", class_name="c"
    )
    assert first["options"] == ref.options
    assert line["options"]["interactive"] is False
    assert label["options"] == {
        "html": "<b>1</b>",
        "iconSize": [22, 22],
        "iconAnchor": [11, 11],
        "className": "empty",
    }
    assert f"}})({layer.get_name()}, " in html


def test_a_script_element_is_not_compiled_as_a_template():
    m = folium.Map()
    Legend("<b>{{ 7*7 }}</b>{% if true %}x{% endif %}").add_to(m)
    html = m.get_root().render()
    assert "{{ 7*7 }}" in html
    assert "{% if true %}x{% endif %}" in html
    assert "49" not in html.split("siteselect-legend", 1)[1][:400]

"""Screen a region: the best cells of an area on the sidebar's model, with user layers."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from siteselect import boundaries, layers, maps, region_export, suitability_map, views
from siteselect.errors import SiteSelectError
from siteselect.jobs import heavy_job
from siteselect.methods import METHODS
from siteselect.region import LayerRule, ScreenResult, ScreenSpec, screen
from siteselect.region.grids import grid_frame
from siteselect.region.layers_api import SITE_EVIDENCE
from ui import context

#: the app screens at most this many cells (the grid frame's); ``siteselect screen-region``
#: takes up to the engine's limit
APP_MAX_CELLS = 200_000
COUNTRY_NAMES = {"PHL": "Philippines", "MEX": "Mexico", "USA": "United States"}
LAYER_USES = {
    "exclude_inside": "exclude cells inside (value > 0)",
    "exclude_outside": "exclude cells outside (value ≤ 0 or no data)",
    "exclude_above": "exclude cells where the value is above a threshold",
    "exclude_below": "exclude cells where the value is below a threshold",
    "criterion_max": "criterion: higher is better",
    "criterion_min": "criterion: lower is better",
}
EVIDENCE_TEXT = {
    "policy": "missing for cells, filled by the missing-value policy (as for an upload)",
    "omit": "left out, for cells and candidates alike",
}

run = context.current()
cset, catalog, state = run.cset, run.catalog, run.state


@st.cache_resource
def layer_store() -> str:
    """A folder of this app process for uploaded rasters (named by their digest)."""
    return tempfile.mkdtemp(prefix="siteselect-layers-")


@st.cache_data
def region_names(iso3: str) -> dict[str, str]:
    table = boundaries.regions(iso3)
    return dict(zip(table["region_code"], table["name"], strict=True))


st.subheader("Screen a region: the best places, not only the listed ones")
st.caption(
    views.md_escape(
        f"Square cells on an equal-area grid (EPSG:6933), each scored with the sidebar's "
        f"model ({cset.sector(state.sector).label}, {METHODS[state.method].label}, missing "
        f"values: {state.missing.replace('_', ' ')}) together with the listed candidate sites "
        f"of the area's countries, on one scale. At most {APP_MAX_CELLS:,} cells here; the "
        "command line (siteselect screen-region) screens more."
    )
)
c1, c2, c3 = st.columns([2, 3, 2])
kind = c1.radio("Area", ["Region or state", "Country", "Bounding box"], key="rs_kind")
area: str | tuple[float, float, float, float]
if kind == "Bounding box":
    b = c2.columns(4)
    bbox = (
        b[0].number_input("West (lon)", -180.0, 180.0, 120.3, key="rs_w"),
        b[1].number_input("South (lat)", -90.0, 90.0, 14.9, key="rs_s"),
        b[2].number_input("East (lon)", -180.0, 180.0, 120.7, key="rs_e"),
        b[3].number_input("North (lat)", -90.0, 90.0, 15.3, key="rs_n"),
    )
    area = (float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3]))
else:
    iso3 = c2.selectbox(
        "Country", list(COUNTRY_NAMES), key="rs_country", format_func=COUNTRY_NAMES.__getitem__
    )
    area = iso3
    if kind == "Region or state":
        names = region_names(iso3)
        codes = sorted(names)
        area = c2.selectbox(
            "Region or state",
            codes,
            index=codes.index("PH-03") if "PH-03" in codes else 0,
            key=f"rs_region_{iso3}",
            format_func=lambda c: f"{c} · {names[c]}",
        )
cell_km = c3.number_input("Cell size (km)", 0.25, 100.0, 5.0, step=0.5, key="rs_cell_km")
n_top = c3.number_input("Top cells", 1, 200, 20, key="rs_top")
evidence = c1.radio(
    "Site evidence (sector fit, Taiwanese cluster)",
    SITE_EVIDENCE,
    key="rs_evidence",
    format_func=EVIDENCE_TEXT.__getitem__,
)

try:
    frame = grid_frame(area, float(cell_km), max_cells=APP_MAX_CELLS)
    too_big = None
    st.caption(
        f"Grid frame: {frame.n_rows:,} × {frame.n_cols:,} = {frame.n_rows * frame.n_cols:,} "
        f"cells of {cell_km:g} km (the cells whose centre lies in the area are screened)."
    )
except SiteSelectError as exc:
    too_big = str(exc)
    st.warning(views.md_escape(f"{exc} (the app's limit; the command line screens more)"))

with st.expander("Your layers (GeoTIFF rasters, GeoJSON or GeoPackage zones)"):
    uploads = st.file_uploader(
        "Add layers (≤ 200 MB each)",
        type=["tif", "tiff", "geojson", "json", "gpkg"],
        accept_multiple_files=True,
        key="rs_layers",
        help="A raster is sampled at each cell centre (nearest pixel); a zone layer gives "
        "1 inside its polygons and 0 outside, or the value of a numeric property.",
    )
    rules: list[LayerRule] = []
    layer_errors: list[str] = []
    for i, upload in enumerate(uploads or []):
        st.markdown(f"**{views.md_escape(upload.name)}**")
        l1, l2, l3 = st.columns(3)
        name = l1.text_input("Layer name", Path(upload.name).stem[:60], key=f"rs_lname_{i}")
        use = str(
            l2.selectbox(
                "Use", list(LAYER_USES), key=f"rs_luse_{i}", format_func=LAYER_USES.__getitem__
            )
        )
        field = None
        if not upload.name.lower().endswith((".tif", ".tiff")):
            field = l3.text_input("Numeric property (empty = inside/outside)", key=f"rs_lf_{i}")
        source = l1.text_input("Source (empty = your assumption)", key=f"rs_lsrc_{i}")
        year = l3.number_input("Year of the data (0 = not given)", 0, 2100, 0, key=f"rs_ly_{i}")
        try:
            options: dict[str, str | int | None] = {
                "source": source or None,
                "year": int(year) or None,
            }
            if field:
                options["field"] = field
            layer = layers.layer_from_upload(
                upload.name, upload.getvalue(), directory=layer_store(), name=name, **options
            )
            if use.startswith("criterion"):
                groups = [g.id for g in cset.groups]
                group = l2.selectbox(
                    "Criteria group",
                    groups,
                    key=f"rs_lg_{i}",
                    format_func=lambda g: next(x.label for x in cset.groups if x.id == g),
                )
                weight = l3.slider("Share of the group's weight", 0.01, 0.9, 0.2, key=f"rs_lw_{i}")
                rules.append(
                    layers.criterion_rule(
                        layer, group=group, weight=weight, objective=use.removeprefix("criterion_")
                    )
                )
            else:
                reason = l2.text_input("Reason", f"{name}: {LAYER_USES[use]}", key=f"rs_lr_{i}")
                rule: tuple[str, float] | str = use.removeprefix("exclude_")
                if use in ("exclude_above", "exclude_below"):
                    threshold = l3.number_input("Threshold", value=0.5, key=f"rs_lt_{i}")
                    rule = (">" if use == "exclude_above" else "<", float(threshold))
                rules.append(layers.exclusion_rule(layer, exclude_if=rule, reason=reason))
        except SiteSelectError as exc:
            layer_errors.append(str(exc))
            st.error(views.md_text(f"This layer is not used. {exc}"))

spec_key = json.dumps(
    [
        run.state_key,
        str(area),
        float(cell_km),
        int(n_top),
        evidence,
        [r.criterion_id for r in rules],
    ]
)
if st.button("Run the screen", type="primary", disabled=too_big is not None, key="rs_run"):
    bar = st.progress(0.0, text="Screening the cells…")
    spec = ScreenSpec(
        area,
        float(cell_km),
        sector=state.sector,
        profile=state.profile,
        weights=dict(state.weights) or None,
        method=state.method,
        markets=dict(state.markets) or None,
        headcount=state.headcount,
        missing=state.missing,
        rules=tuple(rules),
        top=int(n_top),
        site_evidence=evidence,
        max_cells=APP_MAX_CELLS,
    )
    try:
        with heavy_job("region screen"):
            done = screen(
                spec,
                catalog=catalog,
                criteria=cset,
                progress=lambda f: bar.progress(min(max(float(f), 0.0), 1.0), text="Screening…"),
            )
        st.session_state["rs_result"] = (spec_key, done)
        bar.progress(1.0, text="Done")
    except SiteSelectError as exc:
        bar.empty()
        st.error(views.md_text(exc))

last: tuple[str, ScreenResult] | None = st.session_state.get("rs_result")
if last is None:
    st.info("Choose an area and a cell size, then run the screen.")
    st.stop()
key, result = last
if key != spec_key:
    st.warning("The choices above or the sidebar's model changed since this screen: run it again.")

facts = suitability_map.summary(result)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Cells screened", f"{facts['cells']:,}", help=f"{facts['excluded']:,} excluded")
m2.metric("Best cell", f"{facts['best_cell']:.3f}")
m3.metric(
    "Best listed candidate",
    str(facts["best_candidate"] or "none"),
    help=f"score {facts['best_candidate_score']:.3f} on this screen's scale",
)
m4.metric("Top cells beating every candidate", facts["beats_all"])
for reason, count in result.n_excluded.items():
    st.caption(views.md_escape(f"Excluded: {count:,} cells, {reason}"))

fmap = maps.ranking_map(
    run.ranking, catalog.sites, user_sites=run.user_ids, assets="static", reasons=None
)
suitability_map.add_suitability(fmap, result, sites=catalog.sites)
st_folium(fmap, key="region_map", height=560, use_container_width=True, returned_objects=[])

st.subheader("Top cells")
st.dataframe(
    suitability_map.top_table(result, dict(run.labels)),
    width="stretch",
    column_config={"score": st.column_config.NumberColumn(format="%.4f")},
)
explain = st.selectbox("Explain a cell", list(result.top["cell_id"]), key="rs_explain")
if explain is not None:
    row = result.top[result.top["cell_id"] == explain].iloc[0]
    st.text(str(row["explanation"]))

st.subheader("Listed candidates on this screen's scale")
st.dataframe(result.candidates, width="stretch")
for note in result.notes:
    st.caption(f"ℹ️ {views.md_escape(note)}")
d1, d2 = st.columns(2)
stem = f"siteselect_screen_{result.spec.sector}_{result.method}"
d1.download_button(
    "Top cells (GeoParquet)",
    lambda: region_export.to_bytes(result, ".parquet"),
    f"{stem}.parquet",
    "application/vnd.apache.parquet",
)
d2.download_button(
    "Score raster (GeoTIFF)",
    lambda: region_export.to_bytes(result, ".tif"),
    f"{stem}.tif",
    "image/tiff",
)

"""siteselect: the Streamlit app. A description of the UI; all logic lives in siteselect/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from siteselect import export, maps, views
from siteselect.catalog import Catalog, sites_from_file
from siteselect.errors import SiteSelectError
from siteselect.methods import METHODS
from siteselect.ranking import Evaluation, default_catalog, default_criteria, evaluate
from siteselect.table import POLICIES, DecisionTable, decision_table

st.set_page_config(
    page_title="siteselect · overseas park site selection", page_icon="🏭", layout="wide"
)
maps.install_static_assets(Path(__file__).parent / "static")
cset = default_criteria()
GROUP_LABELS = {g.id: g.label for g in cset.groups}


@st.cache_resource(show_spinner="Loading the bundled data and computing geography…")
def bundled_catalog() -> Catalog:
    catalog = default_catalog()
    _ = catalog.geography  # sea routes, distances, time zones: computed once per process
    return catalog


@st.cache_resource(max_entries=16, show_spinner="Reading your sites…")
def catalog_with_upload(name: str, digest: str, _data: bytes) -> Catalog:
    user = sites_from_file(name, data=_data, criteria=cset.ids)
    return bundled_catalog().with_sites(user)


@st.cache_resource(max_entries=64)
def table_for(version: str, sector: str, _catalog: Catalog) -> DecisionTable:
    return decision_table(_catalog, cset, sector)


def preset_weights(profile: str, sector: str) -> tuple[pd.Series, pd.Series]:
    w = cset.weights(profile, sector)
    groups = pd.Series(
        {g.id: cset.profile(profile).group_weights.get(g.id, 0.0) for g in cset.groups}
    )
    return groups, w.raw


def reset_weights() -> None:
    groups, raw = preset_weights(st.session_state.profile, st.session_state.sector)
    for gid, value in groups.items():
        st.session_state[f"wg_{gid}"] = float(value)
    for cid, value in raw.items():
        st.session_state[f"wc_{cid}"] = float(value)


# --- state from the shared link, once per session ---------------------------------------
if "initialised" not in st.session_state:
    view, link_warnings = views.decode_view(dict(st.query_params), cset)
    st.session_state.update(
        sector=view.sector,
        profile=view.profile,
        method=view.method,
        missing=view.missing,
        link_warnings=link_warnings,
    )
    reset_weights()
    for key, value in view.weights.items():
        prefix = "wg_" if key in GROUP_LABELS else "wc_"
        st.session_state[f"{prefix}{key}"] = float(value)
    st.session_state.initialised = True

# --- sidebar: the controls ---------------------------------------------------------------
with st.sidebar:
    st.title("siteselect")
    st.caption(
        "Overseas high-tech park site selection · MCDA on proximity, investment "
        "climate and sector suitability"
    )
    st.selectbox(
        "Target sector",
        [s.id for s in cset.sectors],
        key="sector",
        format_func=lambda s: cset.sector(s).label,
        on_change=reset_weights,
    )
    st.selectbox(
        "Stakeholder profile",
        [p.id for p in cset.profiles],
        key="profile",
        format_func=lambda p: cset.profile(p).label,
        on_change=reset_weights,
        help="Presets of group and criterion weights; adjust them below.",
    )
    st.selectbox(
        "MCDA method", list(METHODS), key="method", format_func=lambda m: METHODS[m].label
    )
    st.selectbox(
        "Missing values",
        list(POLICIES),
        key="missing",
        format_func=lambda p: p.replace("_", " "),
        help="\n\n".join(f"**{k}**: {v}" for k, v in POLICIES.items()),
    )

    st.subheader("Weights")
    st.caption(
        "Group weights, then criteria within each group. Effective weight = "
        "group share × criterion share."
    )
    for group in cset.groups:
        st.slider(group.label, 0.0, 1.0, step=0.05, key=f"wg_{group.id}")
    for group in cset.groups:
        with st.expander(f"Criteria: {group.label}"):
            for crit in (c for c in cset.criteria if c.group == group.id):
                st.slider(
                    crit.label,
                    0.0,
                    10.0,
                    step=0.25,
                    key=f"wc_{crit.id}",
                    help=f"{crit.description} ({views.better_text(crit)}; {crit.unit})",
                )
    st.button("Reset weights to the profile", on_click=reset_weights)

    st.subheader("Your own sites")
    upload = st.file_uploader(
        "Add candidate sites (CSV, GeoJSON or GeoPackage, ≤ 20 MB)",
        type=["csv", "geojson", "json", "gpkg"],
        help="CSV columns: name, lat, lon, country (ISO3); optional site_id, region, "
        "region_code, gateway_port (UN/LOCODE), airport (IATA) and any criterion id.",
    )

# --- evaluation ----------------------------------------------------------------------------
for message in st.session_state.get("link_warnings", []):
    st.warning(message)

catalog = bundled_catalog()
user_ids: list[str] = []
if upload is not None:
    data = upload.getvalue()
    try:
        catalog = catalog_with_upload(upload.name, hashlib.sha256(data).hexdigest(), data)
        user_ids = [s for s in catalog.sites.index if s not in bundled_catalog().sites.index]
    except SiteSelectError as exc:
        st.error(f"Your file was not added. {exc}")

groups_preset, raw_preset = preset_weights(st.session_state.profile, st.session_state.sector)
overrides = {
    g: st.session_state[f"wg_{g}"]
    for g in GROUP_LABELS
    if abs(st.session_state[f"wg_{g}"] - groups_preset[g]) > 1e-9
}
overrides |= {
    c: st.session_state[f"wc_{c}"]
    for c in cset.ids
    if abs(st.session_state[f"wc_{c}"] - raw_preset[c]) > 1e-9
}
st.query_params.from_dict(
    views.encode_view(
        views.ViewState(
            st.session_state.sector,
            st.session_state.profile,
            st.session_state.method,
            st.session_state.missing,
            overrides,
        )
    )
)

try:
    table = table_for(catalog.version, st.session_state.sector, catalog)
    result: Evaluation = evaluate(
        catalog,
        cset,
        sector=st.session_state.sector,
        profile=st.session_state.profile,
        weights=overrides,
        method=st.session_state.method,
        missing=st.session_state.missing,
        table=table,
    )
except SiteSelectError as exc:
    st.error(str(exc))
    st.stop()

ranking = result.ranking
top = ranking.iloc[0]
st.header(
    f"{cset.sector(result.sector).label}: sites ranked for the "
    f"{cset.profile(result.profile).label.lower()}"
)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Sites ranked", len(ranking))
c2.metric("First", str(top["name"]), help=f"score {top['score']:.3f}")
c3.metric("Method", METHODS[result.method].label)
c4.metric("Missing-value policy", result.policy.policy.replace("_", " "))
for note in result.policy.notes:
    st.caption(f"ℹ️ {views.md_escape(note)}")

tab_map, tab_why, tab_compare, tab_data = st.tabs(
    ["Map & ranking", "Why this rank", "Compare sites", "Data & sources"]
)

with tab_map:
    left, right = st.columns([3, 2])
    with left:
        show_routes = st.toggle("Show sea routes from Kaohsiung", value=False)
        reasons = {sid: result.reasons(sid) for sid in ranking.index}
        fmap = maps.ranking_map(
            ranking,
            catalog.sites,
            reasons=reasons,
            routes=show_routes,
            user_sites=user_ids,
            selected=st.session_state.get("selected"),
            assets="static",
        )
        clicked = st_folium(
            fmap,
            key="map",
            height=520,
            use_container_width=True,
            returned_objects=["last_object_clicked"],
        )
        point = (clicked or {}).get("last_object_clicked")
        if point:
            hit = maps.site_at(catalog.sites, point["lat"], point["lng"], ids=ranking.index)
            if hit and hit != st.session_state.get("selected"):
                st.session_state.selected = hit
                st.rerun()
    with right:
        ids = list(ranking.index)
        current = st.session_state.get("selected")
        selected = st.selectbox(
            "Site details (or click a site on the map)",
            ids,
            index=ids.index(current) if current in ids else 0,
            format_func=lambda s: f"#{ranking.at[s, 'rank']} {ranking.at[s, 'name']}",
        )
        st.session_state.selected = selected
        row = ranking.loc[selected]
        site = catalog.sites.loc[selected]
        st.subheader(views.md_escape(row["name"]))
        st.text(f"{site['region']}, {site['country']} · {site['zone_regime'] or ''}")
        st.metric("Rank", f"{int(row['rank'])} of {len(ranking)}")
        st.caption(f"Score {row['score']:.3f} ({METHODS[result.method].label})")
        sub = {
            GROUP_LABELS[g.removeprefix("subscore_")]: row[g]
            for g in ranking.columns
            if g.startswith("subscore_")
        }
        st.dataframe(pd.Series(sub, name="subscore (0–1)").round(3), width="stretch")
        why = result.reasons(selected)
        st.markdown("**Strengths:** " + (", ".join(map(views.md_escape, why["strengths"])) or "–"))
        st.markdown(
            "**Weaknesses:** " + (", ".join(map(views.md_escape, why["weaknesses"])) or "–")
        )
        if site.get("presence"):
            st.caption(views.md_escape(site["presence"]))

    st.subheader("Ranking")
    shown = ranking.rename(
        columns={f"subscore_{g}": f"{lbl} (0–1)" for g, lbl in GROUP_LABELS.items()}
    )
    st.dataframe(
        shown,
        width="stretch",
        column_config={
            "score": st.column_config.NumberColumn(format="%.3f"),
            **{
                f"{lbl} (0–1)": st.column_config.ProgressColumn(
                    min_value=0, max_value=1, format="%.2f"
                )
                for lbl in GROUP_LABELS.values()
            },
        },
    )
    d1, d2, d3, d4 = st.columns(4)
    stem = f"siteselect_{result.sector}_{result.profile}_{result.method}"
    d1.download_button("Ranking (CSV)", export.ranking_csv(result), f"{stem}.csv", "text/csv")
    d2.download_button(
        "Ranking (XLSX)",
        export.ranking_xlsx(result),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    d3.download_button(
        "Sites with scores (GeoJSON)",
        export.sites_geojson(result, catalog.sites),
        f"{stem}.geojson",
        "application/geo+json",
    )
    standalone = maps.ranking_map(
        ranking, catalog.sites, reasons=reasons, routes=True, user_sites=user_ids, assets="inline"
    )
    d4.download_button(
        "Map (HTML, works offline)", maps.map_html(standalone), f"{stem}.html", "text/html"
    )

with tab_why:
    st.subheader("Weighted contribution of each criterion")
    st.caption(
        "Each bar is the criterion's weight × the site's normalised performance "
        "(0 = worst site, 1 = best). For the weighted sum the bars add up to the score."
    )
    long = views.contribution_frame(result)
    st.altair_chart(views.contribution_chart(long, cset), width="stretch")
    st.subheader("Effective weights")
    weights = pd.DataFrame(
        {
            "criterion": [c.label for c in cset.criteria],
            "group": [GROUP_LABELS[c.group] for c in cset.criteria],
            "effective weight": result.weights.effective.to_numpy(),
            "within group": result.weights.within.to_numpy(),
        }
    )
    st.dataframe(
        weights,
        width="stretch",
        hide_index=True,
        column_config={
            "effective weight": st.column_config.ProgressColumn(
                min_value=0, max_value=float(weights["effective weight"].max()), format="%.3f"
            ),
            "within group": st.column_config.NumberColumn(format="%.3f"),
        },
    )

with tab_compare:
    default = list(ranking.index[:2])
    chosen = st.multiselect(
        "Compare two or three sites",
        list(ranking.index),
        default=default,
        max_selections=3,
        format_func=lambda s: f"#{ranking.at[s, 'rank']} {ranking.at[s, 'name']}",
    )
    if len(chosen) >= 2:
        table_cmp = views.comparison_table(result, chosen)
        st.dataframe(
            table_cmp,
            width="stretch",
            hide_index=True,
            height=36 * (len(table_cmp) + 1) + 2,
            column_config={"weight": st.column_config.NumberColumn(format="%.3f")},
        )
        st.caption(
            f"Missing values are marked; the policy in use is "
            f"“{result.policy.policy}”: {POLICIES[result.policy.policy]}."
        )
    else:
        st.info("Choose at least two sites.")

with tab_data:
    st.subheader("Every value, with its source")
    st.dataframe(result.table.cells, width="stretch", hide_index=True)
    st.caption(
        f"Data version {catalog.version}. Sources, refresh instructions and gaps: data/SOURCES.md."
    )

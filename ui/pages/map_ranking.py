"""Map & ranking: the sites on the map, one site's details, the full ranking, downloads."""

from __future__ import annotations

import uuid

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from siteselect import export, maps, views
from siteselect.jobs import DOWNLOAD_WAIT_S, heavy
from siteselect.methods import METHODS
from ui import assumptions, context
from ui.state import session

run = context.current()
catalog = run.catalog
result = run.result
ranking = run.ranking
user_ids = run.user_ids
summary = run.summary
site_label = run.site_label
GROUP_LABELS = run.group_labels

COUNTRY_NAMES = {"PHL": "Philippines", "MEX": "Mexico", "USA": "United States"}
excluded = result.excluded
shown_ids = [*map(str, ranking.index), *map(str, excluded.index)]
if session.selected not in shown_ids:
    session.selected = str(ranking.index[0])
placed = maps.placed_sites(ranking, excluded)
present = [c for c in COUNTRY_NAMES if c in set(placed["country"])]
fits = ["all", *present, *sorted(set(placed["country"]) - set(present))]
label_of = {
    **site_label,
    **{str(s): f"✕ {excluded.at[s, 'name']} (excluded)" for s in excluded.index},
}


def forget_view() -> None:
    """Open the map at its bounds next time (another fit, or the routes shown or hidden)."""
    session.map_view = f"siteselect-map-view:{uuid.uuid4().hex}"


if session.map_view is None:
    forget_view()


def click_token() -> str:
    """A new token whenever the selection has changed since the map was last drawn: the
    markers carry it, so a click on the marker clicked last (after another site was
    chosen in the list) still reads as a new click."""
    count, last = session.map_selection
    if session.selected != last:
        count, last = count + 1, session.selected
        session.map_selection = (count, last)
    return str(count)


block = st.container(key="mapblock")  # drawn right after the title on a phone
left, right = block.columns([3, 2])
with left:
    fit = st.session_state.get("map_fit") or "all"
    show_routes = bool(st.session_state.get("map_routes"))
    reasons = result.all_reasons()
    positions = maps.display_positions(
        placed, catalog.sites, fit=None if fit in (None, "all") else fit
    )
    # the base map stays the same when the weights change (the same map in the browser);
    # the markers, labels, legend and highlight are layers sent to it on each rerun
    fmap = maps.base_map(
        ranking,
        catalog.sites,
        positions,
        routes=show_routes,
        acceptability=summary.first_rank_acceptability() if summary else None,
        assets="static",
        keep_view=session.map_view,
    )
    layers = maps.score_layers(
        ranking,
        catalog.sites,
        positions,
        reasons=reasons,
        user_sites=user_ids,
        excluded=excluded,
        click_token=click_token(),
    )
    # the view stays in the browser (maps.base_map's keep_view): asking for the zoom or
    # centre would make the map send a value as it opens, and rerun this page then
    clicked = st_folium(
        fmap,
        key="map",
        height=520,
        use_container_width=True,
        returned_objects=["last_object_clicked", "last_object_clicked_tooltip"],
        feature_group_to_add=[*layers, maps.highlight_layer(positions, session.selected)],
        layer_control=maps.layer_control("static"),
    )
    clicked = clicked or {}
    click = (clicked.get("last_object_clicked_tooltip"), str(clicked.get("last_object_clicked")))
    if clicked.get("last_object_clicked_tooltip") and click != session.map_click:
        session.map_click = click
        hit = maps.site_from_tooltip(click[0], shown_ids)
        if hit is not None and hit != session.selected:
            session.selected = hit
            st.rerun()
    st.segmented_control(
        "Fit the map to",
        fits,
        default="all",
        key="map_fit",
        format_func=lambda c: "all sites" if c == "all" else COUNTRY_NAMES.get(c, c),
        on_change=forget_view,
    )
    st.toggle("Sea routes from Kaohsiung", value=False, key="map_routes", on_change=forget_view)
    st.caption(
        "Country outlines: Natural Earth (public domain). Sites that would overlap are "
        "spread apart; a thin line leads to each one's true position."
        + ("" if summary else " Run Robustness to add a layer of first-rank acceptability.")
    )


def pick_site() -> None:
    session.selected = st.session_state.site_pick


with right:
    st.session_state.site_pick = session.selected
    st.selectbox(
        "Site details (or click a site on the map)",
        shown_ids,
        key="site_pick",
        format_func=label_of.__getitem__,
        on_change=pick_site,
    )
    selected = str(session.selected)
    site = catalog.sites.loc[selected]
    st.subheader(views.md_escape(site["name"]))
    st.text(f"{site['region']}, {site['country']} · {site['zone_regime'] or ''}")
    if selected in excluded.index:
        st.error(
            "Excluded by the sector's rules, not ranked: "
            + views.md_escape(excluded.at[selected, "reason"]),
            icon="🚫",
        )
    else:
        row = ranking.loc[selected]
        scale = views.score_scale(result.method)
        st.metric("Rank", f"{int(row['rank'])} of {len(ranking)}")
        st.caption(
            f"Score {row['score']:.3f} {scale.suffix}, {METHODS[result.method].label}; "
            "higher is better"
        )
        sub_scale = views.subscore_scale(result.method)
        sub = {
            GROUP_LABELS[g.removeprefix("subscore_")]: row[g]
            for g in ranking.columns
            if g.startswith("subscore_")
        }
        st.dataframe(pd.Series(sub, name=f"subscore {sub_scale.suffix}").round(3), width="stretch")
        st.caption(f"Group subscore: {views.md_escape(result.explanation.group_rule)}.")
        why = reasons[selected]  # a ranked site (an excluded one has no reasons)
        st.markdown("**Strengths:** " + (", ".join(map(views.md_escape, why["strengths"])) or "–"))
        st.markdown(
            "**Weaknesses:** " + (", ".join(map(views.md_escape, why["weaknesses"])) or "–")
        )
    if site.get("presence"):
        st.caption(views.md_escape(site["presence"]))

st.subheader("Ranking")
shown = views.ranking_frame(result)
sub_scale = views.subscore_scale(result.method)
score_col = f"score {views.score_scale(result.method).suffix}"
st.caption(
    f"Score {views.score_scale(result.method).suffix}; group subscores {sub_scale.suffix}: "
    f"{views.md_escape(result.explanation.group_rule)}. Higher is better."
    + (
        f" {len(excluded)} site(s) excluded by the sector's rules are listed last, without a rank."
        if len(excluded)
        else ""
    )
)
subscores = {f"{g.label} {sub_scale.suffix}": g for g in run.cset.groups}
st.dataframe(
    shown,
    width="stretch",
    hide_index=True,
    height=35 * (len(shown) + 1) + 3,  # every row, no inner scrolling
    column_order=[
        "rank",
        "name",
        "country",
        score_col,
        *subscores,
        *(["excluded because"] if "excluded because" in shown.columns else []),
    ],
    column_config={
        "name": st.column_config.TextColumn("name", width=400),
        "country": st.column_config.TextColumn("country", width=60),
        "rank": st.column_config.NumberColumn("rank", format="%d", width=45),
        score_col: st.column_config.NumberColumn(
            "score",
            format="%.3f",
            width=60,
            help=f"score {views.score_scale(result.method).suffix}",
        ),
        **{
            col: st.column_config.NumberColumn(
                group.header, format="%.2f", width=76, help=f"{group.label} {sub_scale.suffix}"
            )
            for col, group in subscores.items()
        },
        "excluded because": st.column_config.TextColumn("excluded because", width="large"),
    },
)
if user_ids:
    with st.expander("Your uploaded sites: enter or correct values", expanded=False):
        assumptions.editor(run)
d1, d2, d3, d4 = st.columns(4)
stem = f"siteselect_{result.sector}_{result.profile}_{result.method}"
d1.download_button("Ranking (CSV)", lambda: export.ranking_csv(result), f"{stem}.csv", "text/csv")
d2.download_button(
    "Ranking (XLSX)",
    lambda: heavy("export", export.ranking_xlsx, wait=DOWNLOAD_WAIT_S)(result),
    f"{stem}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
d3.download_button(
    "Sites with scores (GeoJSON)",
    lambda: export.sites_geojson(result, catalog.sites),
    f"{stem}.geojson",
    "application/geo+json",
)
d4.download_button(
    "Map (HTML, works offline)",
    lambda: maps.map_html(
        maps.ranking_map(
            ranking,
            catalog.sites,
            reasons=reasons,
            routes=True,
            user_sites=user_ids,
            assets="inline",
            excluded=excluded,
        )
    ),
    f"{stem}.html",
    "text/html",
)

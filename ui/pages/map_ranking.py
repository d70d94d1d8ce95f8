"""Map & ranking: the sites on the map, one site's details, the full ranking, downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from siteselect import export, maps, views
from siteselect.methods import METHODS
from ui import context
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
if session.selected not in ranking.index:
    session.selected = str(ranking.index[0])
present = [c for c in COUNTRY_NAMES if c in set(ranking["country"])]
fits = ["all", *present, *sorted(set(ranking["country"]) - set(present))]


def forget_view() -> None:
    del session.map_view


left, right = st.columns([3, 2])
with left:
    o1, o2 = st.columns([3, 2])
    fit = o1.segmented_control(
        "Fit the map to",
        fits,
        default="all",
        key="map_fit",
        format_func=lambda c: "all sites" if c == "all" else COUNTRY_NAMES.get(c, c),
        on_change=forget_view,
    )
    show_routes = o2.toggle("Sea routes from Kaohsiung", value=False, on_change=forget_view)
    reasons = {sid: result.reasons(sid) for sid in ranking.index}
    positions = maps.display_positions(
        ranking, catalog.sites, fit=None if fit in (None, "all") else fit
    )
    fmap = maps.ranking_map(
        ranking,
        catalog.sites,
        reasons=reasons,
        routes=show_routes,
        user_sites=user_ids,
        assets="static",
        acceptability=summary.first_rank_acceptability() if summary else None,
        positions=positions,
    )
    view = session.map_view
    clicked = st_folium(
        fmap,
        key="map",
        height=520,
        use_container_width=True,
        returned_objects=["last_object_clicked", "last_object_clicked_tooltip", "zoom", "center"],
        feature_group_to_add=maps.highlight_layer(positions, session.selected),
        center=None if view is None else (view[0], view[1]),
        zoom=None if view is None else view[2],
    )
    clicked = clicked or {}
    if clicked.get("center") and clicked.get("zoom"):
        centre = clicked["center"]
        session.map_view = (float(centre["lat"]), float(centre["lng"]), float(clicked["zoom"]))
    click = (clicked.get("last_object_clicked_tooltip"), str(clicked.get("last_object_clicked")))
    if clicked.get("last_object_clicked_tooltip") and click != session.map_click:
        session.map_click = click
        hit = maps.site_from_tooltip(click[0], [str(i) for i in ranking.index])
        if hit is not None and hit != session.selected:
            session.selected = hit
            st.rerun()
    st.caption(
        "Country outlines: Natural Earth (public domain). Sites that would overlap are "
        "spread apart; a thin line leads to each one's true position."
        + ("" if summary else " Run Robustness to add a layer of first-rank acceptability.")
    )


def pick_site() -> None:
    session.selected = st.session_state.site_pick


with right:
    ids = [str(i) for i in ranking.index]
    st.session_state.site_pick = session.selected
    st.selectbox(
        "Site details (or click a site on the map)",
        ids,
        key="site_pick",
        format_func=site_label.__getitem__,
        on_change=pick_site,
    )
    selected = str(session.selected)
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
    st.markdown("**Weaknesses:** " + (", ".join(map(views.md_escape, why["weaknesses"])) or "–"))
    if site.get("presence"):
        st.caption(views.md_escape(site["presence"]))

st.subheader("Ranking")
shown = ranking.rename(
    columns={f"subscore_{g}": f"{lbl} (0–1)" for g, lbl in GROUP_LABELS.items()}
)
st.dataframe(
    shown,
    width="stretch",
    height=35 * (len(shown) + 1) + 3,  # every row, no inner scrolling
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
    lambda: export.ranking_xlsx(result),
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
        )
    ),
    f"{stem}.html",
    "text/html",
)

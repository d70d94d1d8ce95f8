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
        selected=session.selected,
        assets="static",
        acceptability=summary.first_rank_acceptability() if summary else None,
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
        if hit and hit != session.selected:
            session.selected = hit
            st.rerun()
    if summary is None:
        st.caption("Run the Robustness view to add a map layer of first-rank acceptability.")
with right:
    ids = list(ranking.index)
    current = session.selected
    selected = (
        st.selectbox(
            "Site details (or click a site on the map)",
            ids,
            index=ids.index(current) if current in ids else 0,
            format_func=site_label.__getitem__,
        )
        or ids[0]
    )
    session.selected = selected
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

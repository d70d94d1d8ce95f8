"""siteselect: the Streamlit app. A description of the UI; all logic lives in siteselect/."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from siteselect import elicit, export, maps, panel, report, robustness, views
from siteselect.catalog import Catalog, sites_from_file
from siteselect.errors import SiteSelectError
from siteselect.methods import METHODS
from siteselect.ranking import Evaluation, default_catalog, default_criteria, evaluate
from siteselect.store import Scenario, ScenarioStore, compare, scenario_evaluate_kwargs
from siteselect.table import POLICIES, DecisionTable, decision_table

st.set_page_config(
    page_title="siteselect · overseas park site selection", page_icon="🏭", layout="wide"
)
maps.install_static_assets(Path(__file__).parent / "static")
cset = default_criteria()
GROUP_LABELS = {g.id: g.label for g in cset.groups}
LABELS = {c.id: c.label for c in cset.criteria}
VIEWS = [
    "Map & ranking",
    "Why this rank",
    "Compare sites",
    "Robustness",
    "Stakeholders",
    "Scenarios",
    "Data & sources",
]
STAKEHOLDER_DEFAULTS = [
    ("Industry association", "industry_association"),
    ("Government evaluator", "government_evaluator"),
    ("Investor", "investor"),
]
ROLES = ["Industry association", "Government evaluator", "Investor", "Other"]


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


@st.cache_resource(max_entries=64)
def stability_for(key: str, _result: Evaluation) -> pd.DataFrame:
    matrix, objectives, weights = robustness.evaluation_problem(_result)
    return robustness.stability_intervals(
        matrix, objectives, weights, _result.method, **_result.params
    )


@st.cache_resource
def scenario_store() -> ScenarioStore:
    return ScenarioStore()


def slider_key(weight_id: str) -> str:
    return f"wg_{weight_id}" if weight_id in GROUP_LABELS else f"wc_{weight_id}"


def reset_weights() -> None:
    presets = views.preset_sliders(cset, st.session_state.profile, st.session_state.sector)
    for weight_id, value in presets.items():
        st.session_state[slider_key(weight_id)] = value
    st.session_state.pop("elicitation", None)


def apply_overrides(overrides: dict[str, float], elicitation: dict[str, Any] | None) -> None:
    reset_weights()
    for key, value in overrides.items():
        st.session_state[slider_key(key)] = float(value)
    if elicitation is not None:
        st.session_state.elicitation = elicitation


def apply_effective(effective: dict[str, float]) -> None:
    groups, criteria = views.sliders_from_effective(cset, effective)
    apply_overrides({**groups, **criteria}, None)


def open_scenario(name: str) -> None:
    try:
        scenario = scenario_store().load(name)
    except SiteSelectError as exc:
        st.session_state.scenario_message = ("error", str(exc))
        return
    kwargs = scenario_evaluate_kwargs(scenario)
    st.session_state.update(
        sector=kwargs["sector"],
        profile=kwargs["profile"],
        method=kwargs["method"],
        missing=kwargs["missing"],
    )
    elicitation = scenario.to_dict()["elicitation"]  # plain JSON data
    apply_overrides(dict(kwargs["weights"]), elicitation or None)
    uploads = scenario.uploads()
    st.session_state.scenario_upload = uploads[0] if uploads else None
    st.session_state.scenario_message = ("success", f"Opened scenario “{scenario.name}”.")
    restore_panel(elicitation)


def restore_panel(elicitation: Any) -> None:
    """Put a saved panel's stakeholders and judgements back into the Stakeholders view."""
    if not elicitation or elicitation.get("method") != "ahp_panel":
        return
    try:
        people = panel.stakeholders_from_record(elicitation)
    except SiteSelectError as exc:
        st.session_state.scenario_message = ("warning", f"Judgements not restored: {exc}")
        return
    order = {g.id: k for k, g in enumerate(cset.groups)} | {c: k for k, c in enumerate(cset.ids)}
    st.session_state.n_stakeholders = len(people)
    for i, person in enumerate(people):
        st.session_state[f"sh_name_{i}"] = person.name
        st.session_state[f"sh_profile_{i}"] = person.profile
        st.session_state[f"sh_inside_{i}"] = list(person.criterion_judgements)
        pairs = [*person.group_judgements.items()]
        for judged in person.criterion_judgements.values():
            pairs += judged.items()
        for (a, b), value in pairs:
            if order[a] > order[b]:
                a, b, value = b, a, 1.0 / value
            st.session_state[f"sh_{i}_{a}_{b}"] = panel.judgement_position(value)


def pairwise_input(a_label: str, b_label: str, key: str) -> float:
    """One AHP judgement on Saaty's scale as a 17-step slider; returns a_ij."""
    options = panel.judgement_options(a_label, b_label)
    st.session_state.setdefault(key, 8)
    position = st.select_slider(
        f"{a_label} vs {b_label}",
        options=list(range(17)),
        key=key,
        format_func=options.__getitem__,
    )
    return panel.judgement_value(position)


# --- state from the shared link, once per session ---------------------------------------
if "initialised" not in st.session_state:
    link, link_warnings = views.decode_view(dict(st.query_params), cset)
    st.session_state.update(
        sector=link.sector,
        profile=link.profile,
        method=link.method,
        missing=link.missing,
        link_warnings=link_warnings,
    )
    apply_overrides(dict(link.weights), None)
    st.session_state.initialised = True

# --- sidebar: the controls ---------------------------------------------------------------
stability_slots: dict[str, Any] = {}
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
        "Group weights, then criteria within each group. Effective weight = group "
        "share × criterion share. Under each criterion: the range of its effective "
        "weight within which the first site stays first."
    )
    for group in cset.groups:
        st.slider(group.label, 0.0, 1.0, step=0.01, key=f"wg_{group.id}")
    for group in cset.groups:
        with st.expander(f"Criteria: {group.label}"):
            for crit in (c for c in cset.criteria if c.group == group.id):
                st.slider(
                    crit.label,
                    0.0,
                    10.0,
                    step=0.05,
                    key=f"wc_{crit.id}",
                    help=f"{crit.description} ({views.better_text(crit)}; {crit.unit})",
                )
                stability_slots[crit.id] = st.empty()
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
    st.warning(views.md_text(message))

catalog = bundled_catalog()
user_ids: list[str] = []
upload_file: tuple[str, bytes] | None = None
if upload is not None:
    upload_file = (upload.name, upload.getvalue())
elif st.session_state.get("scenario_upload"):
    upload_file = st.session_state.scenario_upload
if upload_file is not None:
    try:
        name, data = upload_file
        catalog = catalog_with_upload(name, hashlib.sha256(data).hexdigest(), data)
        user_ids = [s for s in catalog.sites.index if s not in bundled_catalog().sites.index]
    except SiteSelectError as exc:
        st.error(views.md_text(f"Your file was not added. {exc}"))
        upload_file = None

overrides = views.weight_overrides(
    cset,
    st.session_state.profile,
    st.session_state.sector,
    {w: st.session_state[slider_key(w)] for w in [*GROUP_LABELS, *cset.ids]},
)
state = views.ViewState(
    st.session_state.sector,
    st.session_state.profile,
    st.session_state.method,
    st.session_state.missing,
    overrides,
)
st.query_params.from_dict(views.encode_view(state))
state_key = json.dumps([catalog.version, views.encode_view(state)], sort_keys=True)


def evaluate_with(weights: dict[str, float]) -> Evaluation:
    """The current view (sector, profile, method, policy, data) under ``weights``."""
    return evaluate(
        catalog,
        cset,
        sector=state.sector,
        profile=state.profile,
        weights=weights,
        method=state.method,
        missing=state.missing,
        table=table,
    )


try:
    table = table_for(catalog.version, state.sector, catalog)
    result = evaluate_with(overrides)
except SiteSelectError as exc:
    st.error(views.md_text(exc))
    st.stop()
ranking = result.ranking

stability = stability_for(state_key, result)
for crit_id, slot in stability_slots.items():
    if crit_id in stability.index:
        row = stability.loc[crit_id]
        approx = "" if row["exact"] else "≈"
        slot.caption(
            f"first place holds at {approx}{row['low']:.1%}–{row['high']:.1%} "
            f"(now {row['current']:.1%})"
        )
    else:
        slot.caption("not used in this ranking")

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

view = (
    st.segmented_control("View", VIEWS, default=VIEWS[0], key="view", label_visibility="collapsed")
    or VIEWS[0]
)
site_label = {
    sid: f"#{ranking.at[sid, 'rank']} {ranking.at[sid, 'name']}" for sid in ranking.index
}
summary_entry = st.session_state.get("robustness")
summary = summary_entry[1] if summary_entry and summary_entry[0] == state_key else None

if view == "Map & ranking":
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
            if hit and hit != st.session_state.get("selected"):
                st.session_state.selected = hit
                st.rerun()
        if summary is None:
            st.caption("Run the Robustness view to add a map layer of first-rank acceptability.")
    with right:
        ids = list(ranking.index)
        current = st.session_state.get("selected")
        selected = st.selectbox(
            "Site details (or click a site on the map)",
            ids,
            index=ids.index(current) if current in ids else 0,
            format_func=site_label.get,
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

elif view == "Why this rank":
    st.subheader("Weighted contribution of each criterion")
    st.caption(
        "Each bar is the criterion's weight × the site's normalised performance "
        "(0 = worst site, 1 = best). For the weighted sum the bars add up to the score."
    )
    st.altair_chart(
        views.contribution_chart(views.contribution_frame(result), cset), width="stretch"
    )
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

elif view == "Compare sites":
    chosen = st.multiselect(
        "Compare two or three sites",
        list(ranking.index),
        default=list(ranking.index[:2]),
        max_selections=3,
        format_func=site_label.get,
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
            f"Missing values are marked; the policy in use is “{result.policy.policy}”: "
            f"{POLICIES[result.policy.policy]}."
        )
    else:
        st.info("Choose at least two sites.")

elif view == "Robustness":
    st.subheader("How sure is this ranking?")
    r1, r2, r3, r4 = st.columns(4)
    samples = r1.select_slider(
        "SMAA weight samples", [1_000, 2_000, 5_000, 10_000, 20_000, 50_000], value=10_000
    )
    seed = int(r2.number_input("Seed", min_value=0, value=0, step=1))
    pairs = [(a.id, b.id) for a in cset.groups for b in cset.groups if a.id != b.id]
    order = r3.multiselect(
        "Constrain sampled weights",
        pairs,
        format_func=lambda p: f"{GROUP_LABELS[p[0]]} ≥ {GROUP_LABELS[p[1]]}",
    )
    spread = r4.select_slider(
        "Uncertainty on sourced values",
        [0.0, 0.05, 0.1, 0.2, 0.3],
        value=0.0,
        format_func=lambda v: "none" if v == 0 else f"±{v:.0%}",
        help="SMAA also draws every sourced value (not computed distances) within ± this "
        "share, for figures that are estimates.",
    )
    others = [s for s in ranking.index if s != ranking.index[0]]
    default_target = st.session_state.get("selected")
    target = st.selectbox(
        "What would make this site win?",
        others,
        index=others.index(default_target) if default_target in others else 0,
        format_func=site_label.get,
    )
    run_key = json.dumps([state_key, samples, seed, order, target, spread])
    cached = st.session_state.get("robustness_run")
    if cached is None or cached[0] != run_key:
        bar = st.progress(0.0, "Robustness analysis…")
        try:
            summary = robustness.robustness_summary(
                result,
                samples=samples,
                seed=seed,
                target=target,
                order=order or None,
                value_spread=spread,
                progress=lambda f, text: bar.progress(f, text=text),
            )
        except SiteSelectError as exc:
            bar.empty()
            st.error(views.md_text(exc))
            st.stop()
        bar.empty()
        st.session_state.robustness_run = (run_key, summary)
        st.session_state.robustness = (state_key, summary)
    else:
        summary = cached[1]
    plain_names = {**LABELS, **{str(k): str(v) for k, v in ranking["name"].items()}}
    acc = summary.smaa.acceptability
    first = summary.first_rank_acceptability()
    leader = ranking.index[0]
    st.metric(
        f"{views.md_escape(ranking.at[leader, 'name'])} ranks first in",
        f"{first[leader]:.0%}",
        help="of weight vectors sampled uniformly over all criteria (SMAA-2, "
        f"{samples:,} samples, seed {seed}); the current weights are one of them",
    )
    best_other = first.drop(leader).idxmax()
    st.caption(
        f"Most often first otherwise: {views.md_escape(ranking.at[best_other, 'name'])} "
        f"({first[best_other]:.0%})."
    )
    st.markdown(
        "**Rank acceptability** — the share of weightings in which each site takes each rank"
    )
    named = acc.rename(index=site_label).reindex([site_label[s] for s in ranking.index])
    named.columns = [f"#{c}" for c in named.columns]
    st.dataframe(
        named,
        width="stretch",
        column_config={
            c: st.column_config.ProgressColumn(c, min_value=0, max_value=1, format="%.2f")
            for c in named.columns[:5]
        },
    )
    st.markdown(f"**What would make {views.md_escape(ranking.at[target, 'name'])} win**")
    win = summary.win
    if win is None:
        st.info("This site already ranks first.")
    elif not win.feasible:
        st.warning(views.md_escape(views.with_labels(win.message, plain_names)))
    else:
        st.markdown(views.md_escape(views.with_labels(win.message, plain_names)))
        assert win.weights is not None
        change = pd.DataFrame(
            {
                "criterion": [LABELS[c] for c in win.weights.index],
                "current": result.weights.effective[win.weights.index].to_numpy(),
                "needed": win.weights.to_numpy(),
            }
        )
        change["change"] = change["needed"] - change["current"]
        st.dataframe(
            change[change["change"].abs() > 1e-4],
            hide_index=True,
            width="stretch",
            column_config={
                c: st.column_config.NumberColumn(format="%.3f")
                for c in ("current", "needed", "change")
            },
        )
        precision = "exact (linear programme)" if win.exact else "found by search (upper bound)"
        st.caption(f"Distance: L1 between weight vectors = {win.distance:.3f}, {precision}.")
        st.button("Apply these weights", on_click=apply_effective, args=(win.weights.to_dict(),))
    st.markdown(
        "**Stability intervals** — the effective weight of each criterion within which "
        "the first site stays first (the others rescaled proportionally)"
    )
    stab = summary.stability.rename(index=LABELS)
    st.dataframe(
        stab,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="%.3f") for c in ("low", "high", "current")
        },
    )
    st.markdown("**Weight sensitivity** — how ranks move as one weight goes from 0 to 1")
    vary_options = [*GROUP_LABELS, *result.policy.matrix.columns]
    vary = st.selectbox(
        "Weight to sweep",
        vary_options,
        format_func=lambda v: GROUP_LABELS.get(v) or LABELS.get(v, v),
    )
    matrix, objectives, eff = robustness.evaluation_problem(result)
    members = [c for c in matrix.columns if cset.criterion(c).group == vary] or vary
    sweep = robustness.weight_sweep(
        matrix, objectives, eff, vary=members, method=result.method, steps=41, **result.params
    )
    sweep["site"] = sweep["alternative"].map(site_label)
    sweep = sweep.sort_values(["weight"], kind="stable").sort_values(
        "alternative", key=lambda a: a.map(ranking["rank"]), kind="stable"
    )
    current = float(sum(eff[c] for c in ([members] if isinstance(members, str) else members)))
    st.altair_chart(views.sweep_chart(sweep, current), width="stretch", height=480)
    st.markdown("**Rank reversal**")
    for note in summary.reversal.notes:
        st.caption(views.md_escape(views.with_labels(note, plain_names)))

elif view == "Stakeholders":
    st.subheader("Weights from several stakeholders")
    st.caption(
        "Each stakeholder compares the groups pairwise on Saaty's 1–9 scale (AHP). "
        "The panel weighting aggregates the judgements by their geometric mean (AIJ)."
    )
    st.session_state.setdefault("n_stakeholders", 3)
    count = int(
        st.number_input("Stakeholders", min_value=2, max_value=5, step=1, key="n_stakeholders")
    )
    group_ids = [g.id for g in cset.groups]
    group_pairs = [(a, b) for i, a in enumerate(group_ids) for b in group_ids[i + 1 :]]
    stakeholders = []
    for i, tab in enumerate(st.tabs([f"Stakeholder {i + 1}" for i in range(count)])):
        with tab:
            name_default, profile_default = (
                STAKEHOLDER_DEFAULTS[i]
                if i < len(STAKEHOLDER_DEFAULTS)
                else (f"Stakeholder {i + 1}", "industry_association")
            )
            st.session_state.setdefault(f"sh_name_{i}", name_default)
            st.session_state.setdefault(f"sh_profile_{i}", profile_default)
            name = st.text_input("Name", key=f"sh_name_{i}", max_chars=80)
            prof = st.selectbox(
                "Criterion weights inside groups from",
                [p.id for p in cset.profiles],
                key=f"sh_profile_{i}",
                format_func=lambda p: cset.profile(p).label,
            )
            judgements = {
                (a, b): pairwise_input(GROUP_LABELS[a], GROUP_LABELS[b], f"sh_{i}_{a}_{b}")
                for a, b in group_pairs
            }
            inside = st.multiselect(
                "Also compare the criteria inside",
                group_ids,
                key=f"sh_inside_{i}",
                format_func=GROUP_LABELS.get,
                help="Otherwise the criterion weights inside a group come from the profile.",
            )
            within = {}
            for gid in inside:
                members = [c.id for c in cset.criteria if c.group == gid]
                with st.expander(f"Criteria inside {GROUP_LABELS[gid]}", expanded=True):
                    within[gid] = {
                        (a, b): pairwise_input(LABELS[a], LABELS[b], f"sh_{i}_{a}_{b}")
                        for j, a in enumerate(members)
                        for b in members[j + 1 :]
                    }
            stakeholders.append(
                panel.Stakeholder(
                    name=name,
                    role=prof,
                    group_judgements=judgements,
                    criterion_judgements=within,
                    profile=prof,
                )
            )
    try:
        pw = panel.panel_weights(cset, stakeholders, state.sector)
    except SiteSelectError as exc:
        st.error(views.md_text(exc))
        st.stop()
    for sw_name, sw in pw.per_stakeholder.items():
        for warning in sw.warnings:
            st.warning(views.md_text(f"{sw_name}: {warning}"))
    g1, g2 = st.columns(2)
    with g1:
        st.markdown("**Group weights per stakeholder and for the panel**")
        gw = pd.DataFrame({n: sw.group.weights for n, sw in pw.per_stakeholder.items()})
        gw["panel"] = pw.group.weights
        st.dataframe(
            gw.rename(index=GROUP_LABELS),
            width="stretch",
            column_config={c: st.column_config.NumberColumn(format="%.3f") for c in gw.columns},
        )
        crs = {n: sw.group.cr for n, sw in pw.per_stakeholder.items()}
        st.caption(
            "Consistency ratio: "
            + ", ".join(f"{views.md_escape(n)} {cr:.3f}" for n, cr in crs.items())
            + " (warning above 0.10)"
        )
    with g2:
        st.metric("Consensus", f"{pw.consensus.consensus:.0%}", help=pw.consensus.measure)
        st.caption(views.md_escape(pw.method_note))
    rankings = panel.panel_rankings(
        catalog,
        cset,
        stakeholders,
        sector=state.sector,
        method=state.method,
        missing=state.missing,
        table=table,
        panel=pw,
    )
    st.markdown("**Rankings side by side**")
    st.dataframe(rankings, width="stretch")
    who = st.selectbox("Show on the map", ["panel", *pw.per_stakeholder])
    chosen_overrides = pw.overrides if who == "panel" else pw.per_stakeholder[who].overrides
    shown_eval = evaluate_with(chosen_overrides)
    st_folium(
        maps.ranking_map(shown_eval.ranking, catalog.sites, user_sites=user_ids, assets="static"),
        key="panel_map",
        height=420,
        use_container_width=True,
        returned_objects=[],
    )
    st.button(
        "Use the panel weighting",
        type="primary",
        on_click=apply_overrides,
        args=(dict(pw.overrides), panel.elicitation_record(stakeholders, pw)),
        help="Sets the sidebar weights to the panel's and records how they were "
        "elicited, for saving as a scenario.",
    )

    with st.expander("One evaluator, quick weights: SWING or rank order (ROC)"):
        how = st.radio("Method", ["SWING points", "Rank order (ROC)"], horizontal=True)
        try:
            if how == "SWING points":
                st.caption(
                    "Give 100 to the group whose swing from worst to best matters most, "
                    "and 0–100 to the others relative to it."
                )
                points = {
                    g: st.number_input(GROUP_LABELS[g], 0.0, 100.0, 100.0, 5.0, key=f"swing_{g}")
                    for g in group_ids
                }
                quick = elicit.swing_weights(points)
            else:
                ranked = st.multiselect(
                    "Groups from most to least important",
                    group_ids,
                    default=group_ids,
                    format_func=GROUP_LABELS.get,
                )
                quick = elicit.roc_weights(ranked)
            st.dataframe(quick.rename(index=GROUP_LABELS).rename("weight").round(3))
            st.button(
                "Use these group weights",
                on_click=apply_overrides,
                args=(quick.to_dict(), {"method": how, "group_weights": quick.to_dict()}),
            )
        except SiteSelectError as exc:
            st.error(views.md_text(exc))

elif view == "Scenarios":
    store = scenario_store()
    message = st.session_state.pop("scenario_message", None)
    if message:
        getattr(st, message[0])(views.md_text(message[1]))
    st.subheader("Save this view as a scenario")
    with st.form("save"):
        s_name = st.text_input("Name", max_chars=120)
        s_role = st.selectbox("Your role", ROLES)
        s_comment = st.text_area("Comment", max_chars=2000)
        s_overwrite = st.checkbox(
            "Replace a scenario of the same name (the old version is kept in the history)"
        )
        if st.form_submit_button("Save scenario", type="primary"):
            uploads = (
                ()
                if upload_file is None
                else ((upload_file[0], base64.b64encode(upload_file[1]).decode("ascii")),)
            )
            try:
                saved = store.save(
                    Scenario(
                        name=s_name,
                        sector=state.sector,
                        profile=state.profile,
                        weights=overrides,
                        method=state.method,
                        params=dict(result.params),
                        missing=state.missing,
                        uploaded_sites=uploads,
                        data_version=catalog.version,
                        author_role=s_role,
                        comment=s_comment,
                        elicitation=st.session_state.get("elicitation") or {},
                    ),
                    overwrite=s_overwrite,
                )
                st.success(views.md_text(f"Saved “{saved.name}” at {saved.created_at}."))
            except SiteSelectError as exc:
                st.error(views.md_text(exc))
    listing = store.list()
    st.subheader("Saved scenarios")
    if listing.empty:
        st.info("No scenario saved yet.")
    else:
        st.dataframe(listing, width="stretch", hide_index=True)
        names = list(listing.loc[listing["problem"] == "", "name"])
        for bad in listing.loc[listing["problem"] != ""].itertuples():
            st.warning(views.md_text(f"“{bad.name}” cannot be opened: {bad.problem}"))
        o1, o2 = st.columns(2)
        pick = o1.selectbox("Scenario", names, key="scenario_pick")
        delete_pick = o2.selectbox("Scenario to delete", list(listing["name"]), key="del_pick")
        if pick is not None:
            o1.button("Open", on_click=open_scenario, args=(pick,))
            o1.download_button(
                "Export as JSON",
                lambda: store.export_json(pick),
                f"{pick}.siteselect.json",
                "application/json",
            )
        with o2.expander("Delete"):
            confirm = st.text_input("Type the scenario's name to confirm", key="confirm")
            if st.button("Delete scenario"):
                try:
                    store.delete(delete_pick, confirm=confirm)
                    st.success(
                        views.md_text(f"Deleted “{delete_pick}” (kept in the audit trail).")
                    )
                except SiteSelectError as exc:
                    st.error(views.md_text(exc))
        if len(names) >= 2:
            st.subheader("Compare two scenarios")
            c_a, c_b = st.columns(2)
            name_a = c_a.selectbox("A", names, index=0, key="cmp_a")
            name_b = c_b.selectbox("B", names, index=1, key="cmp_b")

            def evaluated(s: Scenario) -> Evaluation:
                cat = bundled_catalog()
                for fname, fdata in s.uploads():
                    cat = catalog_with_upload(fname, hashlib.sha256(fdata).hexdigest(), fdata)
                return evaluate(cat, cset, **scenario_evaluate_kwargs(s))

            try:
                sa, sb = store.load(name_a), store.load(name_b)
                for line in compare(sa, sb).lines():
                    st.caption(views.md_escape(line))
                st.dataframe(views.rank_changes(evaluated(sa), evaluated(sb)), width="stretch")
            except SiteSelectError as exc:
                st.error(views.md_text(exc))
        with st.expander("Audit trail"):
            st.dataframe(store.audit_trail(), width="stretch", hide_index=True)
    imported = st.file_uploader("Import a scenario (JSON)", type=["json"], key="import")
    if imported is not None and st.button("Import"):
        try:
            got = store.import_json(imported.getvalue())
            st.success(views.md_text(f"Imported “{got.name}”."))
        except SiteSelectError as exc:
            st.error(views.md_text(exc))
    st.subheader("Decision record")
    elicitation = st.session_state.get("elicitation")
    st.download_button(
        "Decision record (HTML, printable)",
        lambda: report.decision_record(
            result,
            catalog.sites,
            meta={"Data version": catalog.version},
            elicitation=elicitation,
            acceptability=summary.smaa.acceptability if summary else None,
            stability=stability,
            user_sites=user_ids,
        ),
        f"siteselect_record_{result.sector}.html",
        "text/html",
    )
    st.caption(
        "The map, weights and how they were elicited, ranking, contributions, "
        "robustness (run the Robustness view first) and the source of every value."
    )

else:
    st.subheader("Every value, with its source")
    st.dataframe(result.table.cells, width="stretch", hide_index=True)
    st.caption(
        f"Data version {catalog.version}. Sources, refresh instructions and gaps: data/SOURCES.md."
    )

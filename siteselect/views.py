"""Plain data for the views: comparison tables, contribution charts, shareable view state.

Nothing here computes a score; everything reads an :class:`~siteselect.ranking.Evaluation`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from siteselect.criteria import CriteriaSet, Criterion
from siteselect.methods import METHODS
from siteselect.ranking import DEFAULTS, Evaluation
from siteselect.table import POLICIES

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&])")


def md_escape(value: object) -> str:
    r"""Escape text for Streamlit markdown so that user text stays text.

    >>> md_escape("[click](http://x) *bold* $x$ <b>")
    '\\[click\\]\\(http://x\\) \\*bold\\* \\$x\\$ \\<b\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", "" if value is None else str(value))


def fmt_number(value: float) -> str:
    """A readable number: thousands separated, three significant digits below 1,000.

    >>> fmt_number(11440.2), fmt_number(0.04913), fmt_number(-0.49), fmt_number(24.5)
    ('11,440', '0.0491', '-0.49', '24.5')
    """
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def better_text(criterion: Criterion) -> str:
    """'higher is better' or 'lower is better' for a criterion."""
    return "higher is better" if criterion.objective == "max" else "lower is better"


def contribution_frame(
    evaluation: Evaluation, site_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """Long frame of weighted contributions: site, criterion label, group, contribution."""
    contrib = evaluation.contributions
    if site_ids is not None:
        contrib = contrib.loc[list(site_ids)]
    labels = {c.id: c.label for c in evaluation.criteria.criteria}
    groups = evaluation.criteria.group_of()
    names = evaluation.ranking["name"]
    long = contrib.reset_index(names="site_id").melt(
        id_vars="site_id", var_name="criterion", value_name="contribution"
    )
    long["site"] = [f"#{evaluation.ranking.at[s, 'rank']} {names[s]}" for s in long["site_id"]]
    long["label"] = long["criterion"].map(labels)
    long["group"] = long["criterion"].map(groups)
    return long


def contribution_chart(long: pd.DataFrame, criteria: CriteriaSet) -> Any:
    """A stacked horizontal bar chart (Altair) of :func:`contribution_frame` output.

    Criteria keep one distinct colour each, ordered by group, sites by rank.
    """
    import altair as alt

    order = [c.label for c in criteria.criteria]
    sites = list(dict.fromkeys(long["site"]))
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("sum(contribution):Q", title="contribution (the method's own terms)"),
            y=alt.Y("site:N", sort=sites, title=None, axis=alt.Axis(labelLimit=280)),
            color=alt.Color(
                "label:N",
                sort=order,
                scale=alt.Scale(scheme="tableau20"),
                legend=alt.Legend(title="criterion", orient="bottom", columns=3),
            ),
            order=alt.Order("criterion_order:Q"),
            tooltip=[
                alt.Tooltip("site:N"),
                alt.Tooltip("label:N", title="criterion"),
                alt.Tooltip("contribution:Q", format=".3f"),
            ],
        )
        .transform_calculate(criterion_order=f"indexof({order!r}, datum.label)")
        .properties(height=max(260, 34 * len(sites)))
    )


def comparison_table(evaluation: Evaluation, site_ids: Sequence[str]) -> pd.DataFrame:
    """Criteria as rows: the sites' values side by side, then each value's source and year.

    A value the missing-value policy imputed shows the imputed number and says so; a
    missing value not used in the ranking says "missing".
    """
    cells = evaluation.table.cells.set_index(["site_id", "criterion"])
    used = set(evaluation.policy.matrix.columns)
    groups = {g.id: g.label for g in evaluation.criteria.groups}
    names = {
        sid: evaluation.ranking.at[sid, "name"] if sid in evaluation.ranking.index else sid
        for sid in site_ids
    }
    rows = []
    for crit in evaluation.criteria.criteria:
        row: dict[str, Any] = {
            "criterion": crit.label,
            "group": groups.get(crit.group, crit.group),
            "unit": crit.unit,
            "better": better_text(crit).removesuffix(" is better"),
            "weight": float(evaluation.weights.effective.get(crit.id, 0.0)),
            "used": crit.id in used,
        }
        details: dict[str, Any] = {}
        for sid in site_ids:
            cell = cells.loc[(sid, crit.id)]
            raw = cell["value"]
            missing = raw is None or (isinstance(raw, float) and math.isnan(raw))
            if missing and crit.id in used and sid in evaluation.policy.matrix.index:
                imputed = evaluation.policy.matrix.at[sid, crit.id]
                shown = f"{fmt_number(imputed)} (imputed: {evaluation.policy.policy})"
            elif missing:
                shown = "missing"
            else:
                shown = fmt_number(raw)
            row[names[sid]] = shown
            details[f"{names[sid]} · source"] = cell["source"] or cell["derivation"]
            details[f"{names[sid]} · year"] = "" if pd.isna(cell["year"]) else str(cell["year"])
            details[f"{names[sid]} · how"] = cell["derivation"]
        rows.append({**row, **details})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ViewState:
    """What a shared URL carries: sector, profile, method, policy and weight overrides."""

    sector: str = DEFAULTS["sector"]
    profile: str = DEFAULTS["profile"]
    method: str = DEFAULTS["method"]
    missing: str = DEFAULTS["missing"]
    weights: Mapping[str, float] = field(default_factory=dict)


def encode_view(state: ViewState) -> dict[str, str]:
    """Query parameters for a view (weights as ``id:value`` pairs, sorted).

    >>> encode_view(ViewState(weights={"labour_cost": 3, "proximity": 0.5}))["w"]
    'labour_cost:3,proximity:0.5'
    """
    params = {
        "sector": state.sector,
        "profile": state.profile,
        "method": state.method,
        "missing": state.missing,
    }
    if state.weights:
        params["w"] = ",".join(f"{k}:{v:g}" for k, v in sorted(state.weights.items()))
    return params


def decode_view(params: Mapping[str, str], cset: CriteriaSet) -> tuple[ViewState, list[str]]:
    """A view from query parameters; invalid parts fall back to defaults, with warnings."""
    warnings: list[str] = []

    def pick(key: str, valid: Sequence[str]) -> str:
        value = params.get(key)
        if value is None:
            return DEFAULTS[key]
        if value not in valid:
            warnings.append(
                f"ignored {key}={value!r} from the link (not one of {', '.join(valid)})"
            )
            return DEFAULTS[key]
        return value

    weights: dict[str, float] = {}
    valid_keys = {g.id for g in cset.groups} | set(cset.ids)
    for part in filter(None, (params.get("w") or "").split(",")):
        key, _, raw = part.partition(":")
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if key not in valid_keys or not math.isfinite(value) or value < 0:
            warnings.append(f"ignored weight {part!r} from the link")
            continue
        weights[key] = value
    state = ViewState(
        sector=pick("sector", [s.id for s in cset.sectors]),
        profile=pick("profile", [p.id for p in cset.profiles]),
        method=pick("method", list(METHODS)),
        missing=pick("missing", list(POLICIES)),
        weights=weights,
    )
    return state, warnings


def sliders_from_effective(
    cset: CriteriaSet, effective: Mapping[str, float], *, scale: float = 10.0
) -> tuple[dict[str, float], dict[str, float]]:
    """Group and criterion slider values that reproduce ``effective`` weights.

    Group value = the sum of its criteria's weights; criterion value = its share within
    the group × ``scale`` (the criterion sliders' maximum). Criteria absent from
    ``effective`` weigh 0. Values are rounded to 3 decimals.

    >>> from siteselect.ranking import default_criteria
    >>> effective = {"labour_cost": 0.6, "sea_distance": 0.4}
    >>> g, c = sliders_from_effective(default_criteria(), effective)
    >>> g["investment_climate"], c["labour_cost"], c["sea_distance"], c["logistics"]
    (0.6, 10.0, 10.0, 0.0)
    """
    groups: dict[str, float] = {g.id: 0.0 for g in cset.groups}
    for crit in cset.criteria:
        groups[crit.group] += float(effective.get(crit.id, 0.0))
    criteria = {}
    for crit in cset.criteria:
        total = groups[crit.group]
        share = float(effective.get(crit.id, 0.0)) / total if total > 0 else 0.0
        criteria[crit.id] = round(share * scale, 3)
    return {g: round(v, 3) for g, v in groups.items()}, criteria


def rank_changes(a: Evaluation, b: Evaluation, *, k: int = 2) -> pd.DataFrame:
    """How ranks moved from evaluation ``a`` to ``b``, and the criteria that moved them.

    ``why`` names the ``k`` criteria whose weighted contribution to the site changed most
    relative to the average site (what lifted or dropped it against the others), with
    the sign; sites in only one evaluation show a missing rank.
    """
    labels = {c.id: c.label for c in a.criteria.criteria}
    ids = list(dict.fromkeys([*b.ranking.index, *a.ranking.index]))
    ca = a.contributions.reindex(index=ids, columns=a.criteria.ids).fillna(0.0)
    cb = b.contributions.reindex(index=ids, columns=b.criteria.ids).fillna(0.0)
    delta = cb - ca
    delta = delta - delta.mean()
    rows = []
    for sid in ids:
        ra = a.ranking["rank"].get(sid)
        rb = b.ranking["rank"].get(sid)
        name = b.ranking["name"].get(sid, a.ranking["name"].get(sid))
        top = delta.loc[sid].abs().sort_values(ascending=False).head(k)
        why = ", ".join(
            f"{labels.get(c, c)} {'+' if delta.at[sid, c] > 0 else '−'}{abs(delta.at[sid, c]):.3f}"
            for c in top.index
            if abs(delta.at[sid, c]) > 1e-9
        )
        moved = None if ra is None or rb is None else int(ra) - int(rb)
        rows.append(
            {
                "site_id": sid,
                "name": name,
                "rank A": ra,
                "rank B": rb,
                "moved up by": moved,
                "why (contribution change)": why,
            }
        )
    return pd.DataFrame(rows).set_index("site_id")


def with_labels(text: str, names: Mapping[str, str]) -> str:
    """Replace ids (criteria, sites) in a message by their human names, whole words only.

    >>> with_labels("from labour_cost to sea_distance makes US-TX-FTW first",
    ...             {"labour_cost": "Minimum wage", "sea_distance": "Sea route",
    ...              "US-TX-FTW": "Fort Worth"})
    'from Minimum wage to Sea route makes Fort Worth first'
    """
    if not names:
        return text
    keys = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, keys)) + r")(?![\w-])")
    return pattern.sub(lambda m: names[m.group(1)], text)


def sweep_chart(sweep: pd.DataFrame, current: float | None = None) -> Any:
    """Ranks (1 on top) against a swept weight; a rule marks the current weight.

    ``sweep`` needs ``weight``, ``rank`` and ``site`` columns; the legend keeps the order in
    which sites first appear (pass them sorted by current rank).
    """
    import altair as alt

    order = list(dict.fromkeys(sweep["site"]))
    top = int(sweep["rank"].max())
    lines = (
        alt.Chart(sweep)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("weight:Q", title="weight of the swept criterion or group"),
            y=alt.Y(
                "rank:Q",
                scale=alt.Scale(reverse=True, domain=[1, top]),
                axis=alt.Axis(tickMinStep=1),
                title="rank (1 = best)",
            ),
            color=alt.Color(
                "site:N", sort=order, legend=alt.Legend(orient="bottom", columns=3, labelLimit=260)
            ),
            tooltip=["site:N", alt.Tooltip("weight:Q", format=".2f"), "rank:Q"],
        )
        .properties(height=420)
    )
    if current is None:
        return lines
    rule = (
        alt.Chart(pd.DataFrame({"weight": [current]}))
        .mark_rule(strokeDash=[4, 3])
        .encode(x="weight:Q")
        .properties(height=420)
    )
    return alt.layer(lines, rule).properties(height=420)


def md_text(text: object) -> str:
    r"""User-influenced text for a Streamlit message: markdown escaped, line breaks kept.

    >>> md_text("bad.csv, row 2: [x](http://evil)\n  - next")
    'bad\\.csv, row 2: \\[x\\]\\(http://evil\\)  \n  \\- next'
    """
    return "  \n".join(md_escape(line) for line in str(text).split("\n"))


def preset_sliders(cset: CriteriaSet, profile: str, sector: str) -> dict[str, float]:
    """Slider values of a profile for a sector: group id → group weight, criterion id →
    within-group weight after the sector's relevance factors."""
    groups = cset.profile(profile).group_weights
    values = {g.id: float(groups.get(g.id, 0.0)) for g in cset.groups}
    return values | {c: float(v) for c, v in cset.weights(profile, sector).raw.items()}


def weight_overrides(
    cset: CriteriaSet, profile: str, sector: str, sliders: Mapping[str, float]
) -> dict[str, float]:
    """The slider values that differ from the profile's presets (what a link must carry).

    >>> from siteselect.ranking import default_criteria
    >>> cs = default_criteria()
    >>> values = preset_sliders(cs, "investor", "ems") | {"labour_cost": 7.0}
    >>> weight_overrides(cs, "investor", "ems", values)
    {'labour_cost': 7.0}
    """
    preset = preset_sliders(cset, profile, sector)
    return {k: float(v) for k, v in sliders.items() if abs(float(v) - preset[k]) > 1e-9}


# --- methods views: GAIA plane, PROMETHEE I, value levers (methods helper) -----------


def gaia_frames(
    evaluation: Evaluation, site_names: Mapping[str, str], criterion_labels: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame, float] | None:
    """The GAIA plane of a PROMETHEE II evaluation as one long frame for a chart.

    Rows: ``kind`` (``site``, ``criterion`` or ``decision stick``), ``label``, ``x``, ``y``;
    also the PROMETHEE I relation (site × site, labels ``P``/``P-``/``I``/``R``) and the
    share of information the plane keeps. ``None`` for other methods (GAIA is PROMETHEE's).
    """
    if evaluation.method != "promethee2":
        return None
    from siteselect.methods import gaia, promethee1
    from siteselect.robustness import evaluation_problem

    matrix, objectives, weights = evaluation_problem(evaluation)
    plane = gaia(matrix, objectives, weights, **evaluation.params)
    rel = promethee1(matrix, objectives, weights, **evaluation.params).relation
    sites = plane.alternatives.assign(
        kind="site", label=[site_names.get(str(s), str(s)) for s in plane.alternatives.index]
    )
    # criteria axes drawn at the scale of the sites' cloud, as Visual PROMETHEE does
    reach = float(max(plane.alternatives.abs().to_numpy().max(), 1e-12))
    scale = reach / float(max(plane.criteria.abs().to_numpy().max(), 1e-12))
    crits = (plane.criteria * scale).assign(
        kind="criterion",
        label=[criterion_labels.get(str(c), str(c)) for c in plane.criteria.index],
    )
    stick = pd.DataFrame(
        {"x": [plane.stick["x"] * scale], "y": [plane.stick["y"] * scale]},
    ).assign(kind="decision stick", label="decision stick (weights)")
    long = pd.concat([sites, crits, stick], ignore_index=True)[["kind", "label", "x", "y"]]
    named = rel.rename(index=site_names, columns=site_names)
    return long, named, plane.delta


def gaia_chart(long: pd.DataFrame, delta: float) -> Any:
    """GAIA plane (Altair): sites as points, criteria axes and the decision stick as rays."""
    import altair as alt

    rays = long[long["kind"] != "site"].copy()
    rays = pd.concat([rays.assign(x=0.0, y=0.0, end=0), rays.assign(end=1)], ignore_index=True)
    lines = (
        alt.Chart(rays)
        .mark_line(point=False)
        .encode(
            x="x:Q",
            y="y:Q",
            detail="label:N",
            color=alt.Color("kind:N", title=None),
            order="end:Q",
            tooltip=["label:N"],
        )
    )
    tips = (
        alt.Chart(long[long["kind"] != "site"])
        .mark_text(align="left", dx=4)
        .encode(x="x:Q", y="y:Q", text="label:N", color="kind:N")
    )
    points = (
        alt.Chart(long[long["kind"] == "site"])
        .mark_circle(size=70)
        .encode(
            x=alt.X("x:Q", title=f"GAIA plane (keeps {delta:.0%} of the information)"),
            y=alt.Y("y:Q", title=None),
            color=alt.Color("kind:N", title=None),
            tooltip=["label:N"],
        )
    )
    return (lines + tips + points).properties(height=460)


def lever_table(lever: Any, criterion_labels: Mapping[str, str]) -> pd.DataFrame:
    """The changes of a value-lever answer with readable criterion names."""
    frame = lever.changes.reset_index()
    frame["criterion"] = frame["criterion"].map(lambda c: criterion_labels.get(str(c), str(c)))
    return frame

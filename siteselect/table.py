"""The decision table: sites × criteria for a sector, with the provenance of every cell.

Missing values are never silent: :func:`decision_table` leaves them as NaN and records why;
:func:`apply_missing_policy` applies an explicit, named policy and reports what it did.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from siteselect.catalog import Catalog, resolve_indicator
from siteselect.cost import (
    IMPUTE_POLICIES,
    CostResult,
    Project,
    annual_cost,
    default_projects,
    with_headcount,
)
from siteselect.criteria import CriteriaSet, Criterion
from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.markets import (
    MarketSet,
    applicable_duty,
    default_markets,
    default_tariffs,
    describe_shares,
    market_transit_days,
    parse_market_shares,
    taiwan_transit_days,
    transport_provenance,
)

HOURS_PER_DAY = 8.0
CELL_COLUMNS = (
    "site_id",
    "criterion",
    "value",
    "unit",
    "source",
    "year",
    "url",
    "derivation",
    "scope_level",
    "country_share",
)


@dataclass(frozen=True)
class ModelContext:
    """What the market and cost criteria need beyond the catalogue.

    ``markets`` are normalised shares (see :func:`siteselect.markets.parse_market_shares`);
    ``project`` is the sector's reference project (``criteria/projects.yaml`` or the user's).
    """

    markets: Mapping[str, float]
    mset: MarketSet
    tariffs: pd.DataFrame
    project: Project
    on: date | None = None  # the date tariff rows must be in force (the release date)
    #: how missing land, power or water cost components are filled (None: left missing)
    impute: str | None = "worst"

    def key(self) -> tuple[Any, ...]:
        """What identifies the table built with this context (for caching)."""
        return (
            tuple(sorted(self.markets.items())),
            id(self.tariffs),
            repr(self.project),
            self.on,
            self.impute,
        )


def default_context(
    sector: str,
    markets: Mapping[str, Any] | None = None,
    *,
    project: Project | None = None,
    tariffs: pd.DataFrame | None = None,
    on: date | None = None,
    headcount: float | None = None,
    missing: str = "worst",
) -> ModelContext:
    """The bundled markets, tariffs and the sector's reference project, for ``markets``
    (the project scaled to ``headcount`` staff when given). ``missing`` is the evaluation's
    missing-value policy: ``worst`` and ``mean`` also fill missing land, power and water
    cost components (see :func:`siteselect.cost.impute_components`); the others do not."""
    mset = default_markets()
    projects = default_projects()
    if project is None:
        if sector not in projects:
            raise UnknownNameError("reference project for sector", sector, projects)
        project = projects[sector]
    if headcount is not None:
        project = with_headcount(project, float(headcount))
    return ModelContext(
        markets=parse_market_shares(markets, mset),
        mset=mset,
        tariffs=tariffs if tariffs is not None else default_tariffs(),
        project=project,
        on=on,
        impute=missing if missing in IMPUTE_POLICIES else None,
    )


@dataclass(frozen=True)
class DecisionTable:
    """Raw criterion values (NaN = missing) and one provenance record per cell."""

    sector: str
    values: pd.DataFrame
    cells: pd.DataFrame
    objectives: Mapping[str, str]
    units: Mapping[str, str]
    labels: Mapping[str, str] = field(default_factory=dict)
    context_key: tuple[Any, ...] = ()
    cost: CostResult | None = None


@dataclass(frozen=True)
class PolicyResult:
    """A complete matrix after a missing-value policy, and what the policy did."""

    policy: str
    matrix: pd.DataFrame
    imputed: pd.DataFrame
    dropped_criteria: tuple[str, ...]
    dropped_sites: tuple[str, ...]
    notes: tuple[str, ...]


def _cell(
    value: Any,
    unit: str,
    source: str,
    year: Any,
    url: str,
    derivation: str,
    scope_level: str = "site",
    country_share: float = 0.0,
) -> dict[str, Any]:
    """One provenance record; ``country_share`` is the part of the value that comes from
    country-level facts (1 = a national figure, 0 = a region or site fact)."""
    return {
        "value": value,
        "unit": unit,
        "source": source,
        "year": year,
        "url": url,
        "derivation": derivation,
        "scope_level": scope_level,
        "country_share": country_share,
    }


def _missing(unit: str, why: str) -> dict[str, Any]:
    return _cell(math.nan, unit, "", None, "", f"missing: {why}", "", math.nan)


def _scope_text(row: Mapping[str, Any]) -> str:
    return f"{row['indicator']} for {row['scope_level']} {row['scope']}"


def _indicator_cells(catalog: Catalog, crit: Criterion, indicator: str) -> list[dict[str, Any]]:
    rows = resolve_indicator(catalog, indicator)
    out = []
    for _, row in rows.iterrows():
        if row["scope_level"] is None or pd.isna(row["value"]):
            out.append(_missing(crit.unit, f"no '{indicator}' for the site, region or country"))
            continue
        note = f"; as of {row['as_of']}" if row.get("as_of") else ""
        out.append(
            _cell(
                float(row["value"]),
                str(row["unit"]),
                str(row["source"]),
                row["year"],
                str(row["url"]),
                _scope_text(row) + note,
                str(row["scope_level"]),
                1.0 if row["scope_level"] == "country" else 0.0,
            )
        )
    return out


_SCOPE_RANK = {"site": 0, "region": 1, "country": 2}
AQUEDUCT_BINS = "[0,1) low, [1,2) low-medium, [2,3) medium-high, [3,4) high, [4,5] extremely high"


def aqueduct_category(score: float) -> int:
    """The WRI Aqueduct baseline-water-stress category (0-4) of a score (0-5).

    >>> [aqueduct_category(x) for x in (0.0, 1.99, 2.0, 4.0, 4.93, 5.0)]
    [0, 1, 2, 4, 4, 4]
    """
    return int(min(max(score, 0.0) // 1.0, 4.0))


def _aqueduct_cells(
    catalog: Catalog, crit: Criterion, category: str, score: str
) -> list[dict[str, Any]]:
    """The most specific Aqueduct row of either scale; scores are converted to categories.

    A category row (the scale WRI publishes for every country) and a score row (0-5) of the
    same edition are both accepted; the more specific scope wins (site > region > country),
    and at the same scope the category row, which is WRI's own figure, wins.
    """
    cats, scores = resolve_indicator(catalog, category), resolve_indicator(catalog, score)
    out = []
    for sid in cats.index:
        options = []
        for order, (frame, scale) in enumerate(((cats, "category"), (scores, "score"))):
            row = frame.loc[sid]
            level = row["scope_level"]
            if level is not None and pd.notna(level) and pd.notna(row["value"]):
                options.append((_SCOPE_RANK[str(level)], order, scale, row))
        if not options:
            out.append(_missing(crit.unit, f"no '{category}' or '{score}' for the site"))
            continue
        _, _, scale, row = min(options, key=lambda o: (o[0], o[1]))
        value = float(row["value"])
        how = _scope_text(row) + (f"; as of {row['as_of']}" if row.get("as_of") else "")
        if scale == "score":
            how += (
                f"; score {value:g} converted to category {aqueduct_category(value)} by "
                f"Aqueduct's bins ({AQUEDUCT_BINS})"
            )
            value = float(aqueduct_category(value))
        out.append(
            _cell(
                value,
                crit.unit,
                str(row["source"]),
                row["year"],
                str(row["url"]),
                how,
                str(row["scope_level"]),
                1.0 if row["scope_level"] == "country" else 0.0,
            )
        )
    return out


_UNIT = re.compile(r"^(?P<cur>[A-Z]{3})(?P<cents> cents)?/(?P<per>[A-Za-z]+)$")
_PER_DAY = {"day": 1.0, "hour": HOURS_PER_DAY, "h": HOURS_PER_DAY}


def _usd_cells(
    catalog: Catalog, crit: Criterion, indicator: str, per: str
) -> list[dict[str, Any]]:
    target = _UNIT.match(crit.unit)
    if target is None or target["cur"] != "USD":
        raise SiteSelectError(f"criterion {crit.id!r} unit {crit.unit!r} is not a USD rate")
    target_scale = 100.0 if target["cents"] else 1.0
    out = []
    for cell in _indicator_cells(catalog, crit, indicator):
        if math.isnan(cell["value"]):
            out.append(cell)
            continue
        unit = _UNIT.match(cell["unit"])
        if unit is None:
            out.append(_missing(crit.unit, f"unit {cell['unit']!r} cannot be converted"))
            continue
        same = 1.0 if unit["per"] == per else None
        factor = _PER_DAY.get(unit["per"]) if per == "day" else same
        if factor is None:
            out.append(_missing(crit.unit, f"unit {cell['unit']!r} is not per {per}"))
            continue
        cur = unit["cur"]
        if cur not in catalog.fx.index:
            out.append(_missing(crit.unit, f"no exchange rate for {cur} in fx.csv"))
            continue
        fx = catalog.fx.loc[cur]
        source_scale = 0.01 if unit["cents"] else 1.0
        usd = cell["value"] * source_scale * float(fx["usd_per_unit"]) * factor * target_scale
        how = cell["derivation"]
        if cur != "USD":
            how += f"; converted at {fx['usd_per_unit']} USD/{cur} ({fx['source']}, {fx['date']})"
        if factor != 1.0:
            how += f"; × {factor:g} hours per day"
        out.append({**cell, "value": usd, "unit": crit.unit, "derivation": how})
    return out


def _mean_cells(
    catalog: Catalog, crit: Criterion, indicators: Sequence[str]
) -> list[dict[str, Any]]:
    """Mean of the components known for every site that has any component.

    Using the same components for all sites keeps the values comparable; components known
    for only some sites are left out and named in the provenance.
    """
    parts = {ind: resolve_indicator(catalog, ind) for ind in indicators}
    known = pd.DataFrame({ind: frame["value"].astype(float) for ind, frame in parts.items()})
    has_any = known.notna().any(axis=1)
    common = (
        [ind for ind in indicators if known.loc[has_any, ind].notna().all()]
        if has_any.any()
        else []
    )
    left_out = [ind for ind in indicators if ind not in common and known[ind].notna().any()]
    out = []
    for sid in known.index:
        if not has_any[sid] or not common:
            why = "no component known" if not has_any[sid] else "no component known for all sites"
            out.append(_missing(crit.unit, f"{why} ({', '.join(indicators)})"))
            continue
        rows = [parts[ind].loc[sid] for ind in common]
        value = float(np.mean([r["value"] for r in rows]))
        sources = sorted({str(r["source"]) for r in rows})
        years = sorted({r["year"] for r in rows})
        how = "mean of " + ", ".join(f"{r['indicator']}={r['value']:g}" for r in rows)
        if left_out:
            how += f"; left out (not known for every site): {', '.join(left_out)}"
        levels = [str(r["scope_level"]) for r in rows]
        share = sum(level == "country" for level in levels) / len(levels)
        out.append(
            _cell(
                value,
                crit.unit,
                "; ".join(sources),
                years[-1],
                str(rows[0]["url"]),
                how,
                levels[0] if len(set(levels)) == 1 else "mixed",
                share,
            )
        )
    return out


def _income_tax_cells(
    catalog: Catalog, crit: Criterion, national: str, state: str
) -> list[dict[str, Any]]:
    nat = _indicator_cells(catalog, crit, national)
    st = resolve_indicator(catalog, state)
    out = []
    for cell, (_, srow) in zip(nat, st.iterrows(), strict=True):
        if math.isnan(cell["value"]) or pd.isna(srow["scope_level"]):
            out.append(cell)
            continue
        if str(srow["unit"]).strip() != "%":
            out.append(
                {
                    **cell,
                    "derivation": cell["derivation"] + f"; state rate not added "
                    f"({srow['scope']}: {srow['value']:g} {srow['unit']} is not an income tax)",
                }
            )
            continue
        n, s = cell["value"], float(srow["value"])
        combined = n + s * (1 - n / 100.0)
        how = (
            f"{cell['derivation']} = {n:g}% + {_scope_text(srow)} {s:g}% × (1 − {n:g}%) "
            f"(state tax deductible)"
        )
        out.append(
            _cell(
                combined,
                crit.unit,
                f"{cell['source']}; {srow['source']}",
                max(cell["year"], srow["year"]),
                cell["url"],
                how,
            )
        )
    return out


def _sector_fit_cells(catalog: Catalog, crit: Criterion, sector: str) -> list[dict[str, Any]]:
    fit = catalog.sector_fit[catalog.sector_fit["sector"] == sector].set_index("site_id")
    out = []
    for sid in catalog.sites.index:
        if sid not in fit.index or pd.isna(fit.loc[sid, "fit"]):
            why = fit.loc[sid, "rationale"] if sid in fit.index else ""
            out.append(
                _missing(
                    crit.unit, f"no sector-fit rating for {sector}" + (f" ({why})" if why else "")
                )
            )
            continue
        row = fit.loc[sid]
        out.append(
            _cell(
                float(row["fit"]),
                crit.unit,
                str(row["source"]),
                row["year"],
                str(row["url"]),
                f"sector_fit.csv ({sector}): {row['rationale']}",
            )
        )
    return out


_COMPUTED_HOW = {
    "sea_distance_km": "searoute sea-lane distance Kaohsiung (TWKHH) → {port}",
    "inland_distance_km": "geodesic distance site → gateway port {port}",
    "air_distance_km": "geodesic distance from Taoyuan airport (TPE)",
    "tz_offset_hours": "timezonefinder zone vs Asia/Taipei, mean of 15 Jan and 15 Jul",
}


def _computed_cells(catalog: Catalog, crit: Criterion, function: str) -> list[dict[str, Any]]:
    if function not in catalog.geography.columns:
        raise UnknownNameError("computed function", function, catalog.geography.columns)
    values = catalog.geography[function]
    out = []
    for sid, value in values.items():
        how = _COMPUTED_HOW.get(function, function).format(
            port=catalog.sites.at[sid, "gateway_port"]
        )
        if pd.isna(value):
            out.append(_missing(crit.unit, f"could not compute ({how})"))
        else:
            out.append(
                _cell(
                    float(value), crit.unit, "computed by siteselect", None, "", "computed: " + how
                )
            )
    return out


def _cluster_cells(catalog: Catalog, crit: Criterion, sector: str) -> list[dict[str, Any]]:
    """The sector's own cluster rating where there is one, else the general rating."""
    base = crit.derive["indicator"]
    specific = f"{base}_{sector}"
    general = _indicator_cells(catalog, crit, base)
    if not (catalog.indicators["indicator"] == specific).any():
        return [
            {**c, "derivation": c["derivation"] + f" (no {specific} rating in the data)"}
            if not math.isnan(c["value"])
            else c
            for c in general
        ]
    own = _indicator_cells(catalog, crit, specific)
    return [o if not math.isnan(o["value"]) else g for o, g in zip(own, general, strict=True)]


def _taiwan_transit_cells(
    catalog: Catalog, crit: Criterion, ctx: ModelContext
) -> list[dict[str, Any]]:
    frame = taiwan_transit_days(catalog.sites, ctx.mset)
    note = transport_provenance(ctx.mset)
    out = []
    for days, how in zip(frame["days"], frame["how"], strict=True):
        if pd.isna(days):
            out.append(_missing(crit.unit, f"could not compute ({how})"))
        else:
            out.append(
                _cell(float(days), crit.unit, "computed by siteselect", None, "", f"{how}; {note}")
            )
    return out


def _market_tariff_cells(
    catalog: Catalog, crit: Criterion, ctx: ModelContext
) -> list[dict[str, Any]]:
    product = ctx.project.product_class
    out = []
    for _, site in catalog.sites.iterrows():
        parts, missing, sources, years = [], [], set(), set()
        total = 0.0
        for mid, share in ctx.markets.items():
            duty = applicable_duty(
                ctx.tariffs,
                ctx.mset,
                str(site["country"]),
                ctx.mset.market(mid),
                product,
                zone_regime=str(site.get("zone_regime") or ""),
                claim_preferences=ctx.project.claim_preferences,
                conditional=tuple(ctx.project.conditional_regimes),
                on=ctx.on,
            )
            if math.isnan(duty.rate_pct):
                missing.append(f"{mid}: {duty.how.removeprefix('missing: ')}")
                continue
            total += share * duty.rate_pct
            parts.append(f"{mid} {share:.0%} × {duty.rate_pct:g} % ({duty.how})")
            if duty.source:
                sources.add(duty.source)
            if duty.as_of:
                years.add(int(str(duty.as_of)[:4]))
        if missing:
            out.append(_missing(crit.unit, "; ".join(missing)))
            continue
        out.append(
            _cell(
                total,
                crit.unit,
                "; ".join(sorted(sources)) or "domestic sale",
                max(years) if years else None,
                "",
                f"markets {describe_shares(ctx.markets)}: " + "; ".join(parts),
                "country",
                1.0,
            )
        )
    return out


def _market_transit_cells(
    catalog: Catalog, crit: Criterion, ctx: ModelContext
) -> list[dict[str, Any]]:
    frames = {
        m: market_transit_days(catalog.sites, ctx.mset.market(m), ctx.mset) for m in ctx.markets
    }
    note = transport_provenance(ctx.mset)
    out = []
    for sid in catalog.sites.index:
        total = sum(share * float(frames[m].at[sid, "days"]) for m, share in ctx.markets.items())
        parts = "; ".join(
            f"{m} {share:.0%}: {frames[m].at[sid, 'days']:.1f} d ({frames[m].at[sid, 'how']})"
            for m, share in ctx.markets.items()
        )
        out.append(_cell(total, crit.unit, "computed by siteselect", None, "", f"{parts}; {note}"))
    return out


_COUNTRY_SHARE = {"country": 1.0, "mixed": 0.5}
_COUNTRY_COMPONENTS = ("input_duties", "output_duties")


def _cost_cells(crit: Criterion, result: CostResult) -> list[dict[str, Any]]:
    out = []
    parts = result.breakdown[result.breakdown["scored"]]
    for sid, value in result.scored.items():
        rows = parts[parts["site_id"] == sid]
        if pd.isna(value):
            gaps = "; ".join(f"{r.component}: {r.missing}" for r in rows.itertuples() if r.missing)
            out.append(_missing(crit.unit, gaps or "a component could not be computed"))
            continue
        share = (
            sum(
                r.amount_usd
                * (
                    1.0
                    if r.component in _COUNTRY_COMPONENTS
                    else _COUNTRY_SHARE.get(r.scope_level, 0.0)
                )
                for r in rows.itertuples()
            )
            / float(value)
            if value
            else 0.0
        )
        how = "; ".join(
            f"{r.component} USD {r.amount_usd:,.0f}" + (" (imputed)" if r.imputed else "")
            for r in rows.itertuples()
        )
        filled = [r.imputed for r in rows.itertuples() if r.imputed]
        if filled:
            how += " — imputed: " + "; ".join(filled)
        out.append(
            _cell(
                float(value),
                crit.unit,
                "computed by siteselect.cost",
                None,
                "",
                f"{result.project.label}: {how} (see `siteselect cost` for every input)",
                "mixed",
                share,
            )
        )
    return out


def _computed(catalog: Catalog, crit: Criterion, ctx: ModelContext) -> list[dict[str, Any]]:
    function = crit.derive["function"]
    if function == "taiwan_transit_days":
        return _taiwan_transit_cells(catalog, crit, ctx)
    if function == "market_transit_days":
        return _market_transit_cells(catalog, crit, ctx)
    return _computed_cells(catalog, crit, function)


DERIVERS: dict[str, Callable[..., list[dict[str, Any]]]] = {
    "indicator": lambda cat, crit, sector, ctx: _indicator_cells(
        cat, crit, crit.derive["indicator"]
    ),
    "indicator_usd": lambda cat, crit, sector, ctx: _usd_cells(
        cat, crit, crit.derive["indicator"], crit.derive.get("per", "day")
    ),
    "mean": lambda cat, crit, sector, ctx: _mean_cells(cat, crit, crit.derive["indicators"]),
    "aqueduct_category": lambda cat, crit, sector, ctx: _aqueduct_cells(
        cat, crit, crit.derive["category"], crit.derive["score"]
    ),
    "income_tax": lambda cat, crit, sector, ctx: _income_tax_cells(
        cat, crit, crit.derive["national"], crit.derive["state"]
    ),
    "sector_fit": lambda cat, crit, sector, ctx: _sector_fit_cells(cat, crit, sector),
    "cluster": lambda cat, crit, sector, ctx: _cluster_cells(cat, crit, sector),
    "computed": lambda cat, crit, sector, ctx: _computed(cat, crit, ctx),
    "market_tariff": lambda cat, crit, sector, ctx: _market_tariff_cells(cat, crit, ctx),
}


def decision_table(
    catalog: Catalog,
    cset: CriteriaSet,
    sector: str,
    context: ModelContext | None = None,
) -> DecisionTable:
    """Build the sites × criteria table for ``sector`` with a provenance record per cell.

    ``context`` carries the target markets, tariffs and reference project (default: the
    bundled ones, the US market only). Values a user gave directly for a site
    (``catalog.user_values``) take precedence over derived ones.
    """
    cset.sector(sector)  # validates the name
    ctx = context if context is not None else default_context(sector, on=catalog.release.date)
    cost = None
    if any(c.derive["kind"] == "cost" for c in cset.criteria):
        cost = annual_cost(
            catalog,
            ctx.project,
            markets=ctx.markets,
            mset=ctx.mset,
            tariffs=ctx.tariffs,
            on=ctx.on,
            impute=ctx.impute,
        )
    records = []
    for crit in cset.criteria:
        if crit.derive["kind"] == "cost":
            assert cost is not None
            cells = _cost_cells(crit, cost)
        else:
            cells = DERIVERS[crit.derive["kind"]](catalog, crit, sector, ctx)
        for sid, cell in zip(catalog.sites.index, cells, strict=True):
            records.append({"site_id": sid, "criterion": crit.id, **cell})
    cells_frame = pd.DataFrame.from_records(records, columns=list(CELL_COLUMNS))
    cells_frame["year"] = pd.to_numeric(cells_frame["year"], errors="coerce").astype("Int64")
    user = catalog.user_values
    if len(user):
        for rec in user.itertuples(index=False):
            how = getattr(rec, "derivation", None)  # "user assumption" for values entered
            mask = (cells_frame["site_id"] == rec.site_id) & (
                cells_frame["criterion"] == rec.criterion
            )
            cells_frame.loc[mask, list(CELL_COLUMNS[2:])] = [
                rec.value,
                cset.criterion(rec.criterion).unit,
                rec.source,
                None,
                "",
                how if isinstance(how, str) and how else "given in the user's site file",
                "site",
                0.0,
            ]
    values = (
        cells_frame.pivot(index="site_id", columns="criterion", values="value")
        .reindex(index=catalog.sites.index, columns=cset.ids)
        .astype(float)
    )
    values.index.name = None
    values.columns.name = None
    return DecisionTable(
        sector=sector,
        values=values,
        cells=cells_frame,
        objectives=cset.objectives,
        units={c.id: c.unit for c in cset.criteria},
        labels={c.id: c.label for c in cset.criteria},
        context_key=(sector, *ctx.key()),
        cost=cost,
    )


def _worst(values: pd.DataFrame, objectives: Mapping[str, str]) -> pd.Series:
    return pd.Series(
        {c: (values[c].min() if objectives[c] == "max" else values[c].max()) for c in values}
    )


POLICIES: dict[str, str] = {
    "worst": "a missing value takes the worst value observed for that criterion "
    "(no site gains from a gap)",
    "mean": "a missing value takes the mean of the observed values of that criterion",
    "drop_criterion": "a criterion with any missing value is left out of the ranking",
    "drop_site": "a site with any missing value is left out of the ranking",
}


MIN_COVERAGE = 0.5


def apply_missing_policy(
    table: DecisionTable,
    policy: str = "worst",
    *,
    criteria: Sequence[str] | None = None,
    min_coverage: float = MIN_COVERAGE,
) -> PolicyResult:
    """Fill or drop missing values of ``criteria`` (default: all) by a named policy.

    A criterion known for fewer than ``min_coverage`` of the sites (by default half) is
    left out whatever the policy: imputing most of a column would rank on invented
    values. Every such decision is said in ``notes``.
    """
    if policy not in POLICIES:
        raise UnknownNameError("missing-value policy", policy, POLICIES)
    cols = list(criteria) if criteria is not None else list(table.values.columns)
    values = table.values[cols]
    notes = []

    def label(criterion: str) -> str:
        return table.labels.get(criterion, criterion)

    coverage = values.notna().mean()
    empty = [c for c in cols if coverage[c] < min_coverage or coverage[c] == 0]
    if empty:
        notes.append(
            f"known for fewer than {min_coverage:.0%} of sites, left out: "
            + ", ".join(f"{label(c)} ({coverage[c]:.0%})" for c in empty)
        )
    values = values.drop(columns=empty)
    missing = values.isna()
    dropped_criteria: list[str] = list(empty)
    dropped_sites: list[str] = []
    if policy == "worst":
        filled = values.fillna(_worst(values, table.objectives))
    elif policy == "mean":
        filled = values.fillna(values.mean())
    elif policy == "drop_criterion":
        gone = [c for c in values if missing[c].any()]
        dropped_criteria += gone
        if gone:
            notes.append("left out for missing values: " + ", ".join(label(c) for c in gone))
        filled = values.drop(columns=gone)
    else:
        gone_sites = missing.any(axis=1)
        dropped_sites = [str(s) for s in values.index[gone_sites]]
        filled = values.loc[~gone_sites]
    imputed = (
        missing.loc[filled.index, filled.columns]
        if policy in ("worst", "mean")
        else (pd.DataFrame(False, index=filled.index, columns=filled.columns))
    )
    count = int(missing.to_numpy().sum())
    if count and policy in ("worst", "mean"):
        notes.append(f"{count} missing value(s) imputed: {POLICIES[policy]}")
    if dropped_sites:
        notes.append(f"sites left out for missing values: {', '.join(dropped_sites)}")
    if filled.shape[0] == 0 or filled.shape[1] == 0:
        raise SiteSelectError(
            f"the missing-value policy {policy!r} left nothing to rank "
            f"({filled.shape[0]} sites × {filled.shape[1]} criteria); try 'worst' or 'mean'"
        )
    return PolicyResult(
        policy, filled, imputed, tuple(dropped_criteria), tuple(dropped_sites), tuple(notes)
    )

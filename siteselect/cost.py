"""Annual cost of operation per site for a sector's reference project, with its breakdown.

Components (USD per year), each with the indicator rows it used or flagged an assumption:

``labour``        Σ headcount × manufacturing_wage × wage multiple × (1 + employer_oncost_rate)
``land``          floor area × industrial_rent × 12, or (no rent known) land area ×
                  industrial_land_price × the land capital charge
``power``         MWh per year × electricity_price_industrial
``water``         m³ per year × water_tariff_industrial
``income_tax``    output value × taxable margin × (zone_tax_rate + state rate × (1 − national))
``input_duties``  Σ imported inputs × the duty from their origin into the site's country
                  (zone regimes IMMEX / PROSEC / PEZA where the site's regime allows)
``freight``       containers in (Kaohsiung → site) and out (site → each target market, by
                  share) × distance × the freight rates
``output_duties`` Σ share × output value × the duty into each target market — shown, but
                  **not** part of the scored cost: the duty on output is scored once, in the
                  market-access criterion ``market_tariff``.

A component whose inputs are not all known is missing (NaN, with what is missing); the
total of a site is then missing too — never a sum that silently treats a gap as zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
import yaml

from siteselect import geo
from siteselect.catalog import Catalog, resolve_indicator
from siteselect.errors import DataError, Problem, SiteSelectError, UnknownNameError, raise_if
from siteselect.markets import Market, MarketSet, applicable_duty, market_transit_days

CRITERIA_DIR = Path(__file__).resolve().parent.parent / "criteria"
COMPONENTS = (
    "labour",
    "land",
    "power",
    "water",
    "income_tax",
    "input_duties",
    "freight",
    "output_duties",
)
SCORED = tuple(c for c in COMPONENTS if c != "output_duties")
BREAKDOWN_COLUMNS = (
    "site_id",
    "component",
    "amount_usd",
    "scored",
    "assumption",
    "scope_level",
    "inputs",
    "missing",
    "imputed",
)
#: components whose amount a missing-value policy may fill in from the other sites: the
#: project's quantity is the same everywhere, so a filled amount is a filled unit price
IMPUTABLE = ("land", "power", "water")
IMPUTE_POLICIES = {"worst": "the highest observed amount", "mean": "the mean observed amount"}
_MONEY = re.compile(r"^(?P<cur>[A-Z]{3})(?P<cents> cents)?/(?P<per>.+)$")
_SCALAR_FIELDS = (
    "floor_area_m2",
    "land_m2",
    "power_mwh_per_year",
    "water_m3_per_year",
    "output_value_usd",
    "taxable_margin",
    "containers_in_per_year",
    "containers_out_per_year",
)


@dataclass(frozen=True)
class Figure:
    """A project figure: the value, and its source or why it is an assumption."""

    value: float
    assumption: bool = True
    why: str = ""
    source: str = ""

    def text(self, name: str) -> str:
        basis = f"assumption: {self.why}" if self.assumption else f"source: {self.source}"
        return f"{name}={self.value:g} ({basis})"


@dataclass(frozen=True)
class Project:
    """A reference project: what the plant needs and makes in a year."""

    sector: str
    label: str
    product_class: str
    claim_preferences: bool
    headcount: tuple[tuple[str, Figure, Figure], ...]  # (category, count, wage multiple)
    figures: Mapping[str, Figure]
    inputs: tuple[tuple[str, str, Figure], ...]  # (origin, product class, value)
    conversions: Mapping[str, Any] = field(default_factory=dict)
    freight: Mapping[str, Figure] = field(default_factory=dict)
    conditional_regimes: Mapping[str, str] = field(default_factory=dict)  # regime → why

    @property
    def headcount_total(self) -> float:
        return sum(count.value for _, count, _ in self.headcount)

    def assumptions(self) -> list[str]:
        """Every figure of the project that is an assumption, with its reason."""
        out = [f.text(k) for k, f in self.figures.items() if f.assumption]
        for cat, count, mult in self.headcount:
            out += [
                f.text(f"{cat}.{n}")
                for n, f in (("count", count), ("wage_multiple", mult))
                if f.assumption
            ]
        out += [f.text(f"input {o} {pc}") for o, pc, f in self.inputs if f.assumption]
        return out


def _fig(spec: Any, file: str, row: int | None, name: str, problems: list[Problem]) -> Figure:
    if isinstance(spec, bool) or not isinstance(spec, dict | int | float):
        problems.append(Problem(file, row, name, f"expected a figure mapping; got {spec!r}"))
        return Figure(math.nan)
    if not isinstance(spec, dict):
        problems.append(
            Problem(
                file, row, name, "a bare number needs `assumption: true` and a why, or a source"
            )
        )
        return Figure(math.nan)
    value = spec.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(Problem(file, row, f"{name}.value", f"not a number: {value!r}"))
        return Figure(math.nan)
    if value < 0:
        problems.append(Problem(file, row, f"{name}.value", f"must not be negative: {value}"))
    assumption = bool(spec.get("assumption", False))
    why = " ".join(str(spec.get("why") or "").split())
    source = " ".join(str(spec.get("source") or "").split())
    if assumption and not why:
        problems.append(Problem(file, row, f"{name}.why", "an assumption needs a reason"))
    if not assumption and not source:
        problems.append(
            Problem(file, row, name, "needs a source (source, url) or `assumption: true` + why")
        )
    return Figure(float(value), assumption, why, source)


def _project(
    entry: Mapping[str, Any],
    file: str,
    row: int,
    problems: list[Problem],
    conversions: Mapping[str, Any],
    freight: Mapping[str, Figure],
) -> Project:
    heads = []
    for i, cat in enumerate(entry.get("headcount") or [], start=1):
        if not isinstance(cat, dict):
            problems.append(Problem(file, row, f"headcount[{i}]", "expected a mapping"))
            continue
        name = str(cat.get("category") or f"category {i}")
        heads.append(
            (
                name,
                _fig(cat.get("count"), file, row, f"headcount.{name}.count", problems),
                _fig(
                    cat.get("wage_multiple"),
                    file,
                    row,
                    f"headcount.{name}.wage_multiple",
                    problems,
                ),
            )
        )
    if not heads:
        problems.append(Problem(file, row, "headcount", "lists no staff category"))
    figures = {k: _fig(entry.get(k), file, row, k, problems) for k in _SCALAR_FIELDS}
    inputs = []
    for i, item in enumerate(entry.get("inputs") or [], start=1):
        if not isinstance(item, dict) or not item.get("origin") or not item.get("product_class"):
            problems.append(Problem(file, row, f"inputs[{i}]", "needs origin and product_class"))
            continue
        inputs.append(
            (
                str(item["origin"]),
                str(item["product_class"]),
                _fig(item.get("value_usd"), file, row, f"inputs[{i}].value_usd", problems),
            )
        )
    for key in ("sector", "product_class"):
        if not isinstance(entry.get(key), str) or not entry.get(key):
            problems.append(Problem(file, row, key, "required text is missing"))
    conditional = {}
    for i, item in enumerate(entry.get("conditional_regimes") or [], start=1):
        why = " ".join(str(item.get("why") or "").split()) if isinstance(item, dict) else ""
        if not isinstance(item, dict) or not item.get("regime") or not why:
            problems.append(
                Problem(file, row, f"conditional_regimes[{i}]", "needs a regime and a why")
            )
            continue
        conditional[str(item["regime"])] = why
    return Project(
        sector=str(entry.get("sector") or ""),
        label=str(entry.get("label") or entry.get("sector") or ""),
        product_class=str(entry.get("product_class") or ""),
        claim_preferences=bool(entry.get("claim_preferences", True)),
        headcount=tuple(heads),
        figures=MappingProxyType(figures),
        inputs=tuple(inputs),
        conversions=conversions,
        freight=freight,
        conditional_regimes=MappingProxyType(conditional),
    )


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError([Problem(str(path), None, None, f"cannot read: {exc.strerror}")]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(str(path), None, None, f"invalid YAML: {exc}")]) from None


def load_projects(path: str | Path | None = None) -> dict[str, Project]:
    """Load ``criteria/projects.yaml``: the reference project of each sector, by sector id."""
    path = Path(path) if path is not None else CRITERIA_DIR / "projects.yaml"
    return _projects_from_doc(_read(path), str(path))


def _projects_from_doc(doc: Any, file: str) -> dict[str, Project]:
    problems: list[Problem] = []
    if not isinstance(doc, dict) or not isinstance(doc.get("projects"), list):
        raise DataError([Problem(file, None, "projects", "expected a top-level list 'projects'")])
    conv = doc.get("conversions") or {}
    conversions: dict[str, Any] = {
        "hours_per_year": _fig(conv.get("hours_per_year"), file, None, "hours_per_year", problems),
        "land_capital_charge": _fig(
            conv.get("land_capital_charge"), file, None, "land_capital_charge", problems
        ),
        "paid_days_per_year": {
            k: _fig(v, file, None, f"paid_days_per_year.{k}", problems)
            for k, v in (conv.get("paid_days_per_year") or {}).items()
        },
    }
    fr = doc.get("freight") or {}
    freight = {
        k: _fig(fr.get(k), file, None, f"freight.{k}", problems)
        for k in ("sea_usd_per_feu_km", "road_usd_per_truck_km")
    }
    out = {}
    for row, entry in enumerate(doc["projects"], start=1):
        if not isinstance(entry, dict):
            problems.append(Problem(file, row, None, "each project must be a mapping"))
            continue
        proj = _project(entry, file, row, problems, MappingProxyType(conversions), freight)
        if proj.sector in out:
            problems.append(Problem(file, row, "sector", f"duplicate project for {proj.sector}"))
        out[proj.sector] = proj
    raise_if(problems)
    return out


@cache
def default_projects() -> dict[str, Project]:
    return load_projects()


def project_from_file(path: str | Path, sector: str) -> Project:
    """A user's project file (same layout as ``criteria/projects.yaml``; may hold only
    ``projects``, then the bundled conversions and freight rates are used)."""
    path = Path(path)
    doc = _read(path)
    if not isinstance(doc, dict):
        raise DataError([Problem(str(path), None, None, "expected a mapping at the top level")])
    base = _read(CRITERIA_DIR / "projects.yaml")
    merged = {**base, **{k: v for k, v in doc.items() if k in ("conversions", "freight")}}
    merged["projects"] = doc.get("projects")
    found = _projects_from_doc(merged, str(path))
    if sector not in found:
        raise SiteSelectError(f"{path}: no project for sector {sector!r} (found: {sorted(found)})")
    return found[sector]


def project_from_mapping(entry: Mapping[str, Any], source: str) -> Project:
    """One project given as data (a ``projects.yaml`` entry, e.g. saved in a scenario), with
    the bundled conversions and freight rates; problems name ``source``."""
    base = _read(CRITERIA_DIR / "projects.yaml")
    return next(iter(_projects_from_doc({**base, "projects": [dict(entry)]}, source).values()))


def with_headcount(project: Project, total: float) -> Project:
    """The project scaled to ``total`` staff (categories keep their shares)."""
    if not math.isfinite(total) or total <= 0:
        raise SiteSelectError(f"headcount must be a positive number; got {total!r}")
    scale = total / project.headcount_total
    heads = tuple(
        (cat, Figure(count.value * scale, True, f"scaled to a plant of {total:g} staff"), mult)
        for cat, count, mult in project.headcount
    )
    return replace(project, headcount=heads)


@dataclass(frozen=True)
class CostResult:
    """Annual cost per site: the long breakdown, the full total and the scored total."""

    project: Project
    markets: Mapping[str, float]
    breakdown: pd.DataFrame
    total: pd.Series  # all components incl. output duties (NaN when any is missing)
    scored: pd.Series  # the cost criterion: all components except output duties

    def wide(self) -> pd.DataFrame:
        """One row per site, one column per component, plus the two totals."""
        frame = self.breakdown.pivot(index="site_id", columns="component", values="amount_usd")
        frame = frame.reindex(index=self.total.index, columns=list(COMPONENTS))
        frame["total"] = self.total
        frame["scored_cost"] = self.scored
        frame.index.name = "site_id"
        frame.columns.name = None
        return frame


def _row_text(row: Mapping[str, Any]) -> str:
    return (
        f"{row['indicator']}={row['value']:g} {row['unit']} ({row['scope_level']} "
        f"{row['scope']}; {row['source']}, {_year(row['year'])})"
    )


def _usd(row: Mapping[str, Any], fx: pd.DataFrame, per: str) -> tuple[float, str]:
    """Convert an indicator row to USD per ``per``; (NaN, why) when it cannot."""
    match = _MONEY.match(str(row["unit"]).strip())
    if match is None:
        return math.nan, f"{row['indicator']} unit {row['unit']!r} is not a money rate"
    cur = match["cur"]
    if cur not in fx.index:
        return math.nan, f"no exchange rate for {cur} in fx.csv"
    value = float(row["value"]) * (0.01 if match["cents"] else 1.0)
    value *= float(fx.loc[cur, "usd_per_unit"])
    unit_per = match["per"].strip()
    if unit_per == per:
        return value, ""
    if (unit_per, per) == ("kWh", "MWh"):
        return value * 1000.0, ""
    if (unit_per, per) == ("MWh", "kWh"):
        return value / 1000.0, ""
    return math.nan, f"{row['indicator']} unit {row['unit']!r} is not per {per}"


def _fx_text(row: Mapping[str, Any], fx: pd.DataFrame) -> str:
    match = _MONEY.match(str(row["unit"]).strip())
    if match is None or match["cur"] == "USD" or match["cur"] not in fx.index:
        return ""
    f = fx.loc[match["cur"]]
    return f"; fx {f['usd_per_unit']} USD/{match['cur']} ({f['source']}, {f['date']})"


class _Site:
    """Indicator rows of one site, looked up once per indicator."""

    def __init__(self, resolved: Mapping[str, pd.DataFrame], sid: str) -> None:
        self.resolved = resolved
        self.sid = sid

    def get(self, indicator: str) -> Mapping[str, Any] | None:
        frame = self.resolved[indicator]
        row = frame.loc[self.sid]
        if row["scope_level"] is None or pd.isna(row["scope_level"]) or pd.isna(row["value"]):
            return None
        return row.to_dict()


INDICATORS = (
    "manufacturing_wage",
    "employer_oncost_rate",
    "industrial_rent",
    "industrial_land_price",
    "electricity_price_industrial",
    "water_tariff_industrial",
    "zone_tax_rate",
    "state_corporate_tax_rate",
)


def _scope(rows: list[Mapping[str, Any]]) -> str:
    levels = {str(r["scope_level"]) for r in rows}
    if not levels:
        return "assumption"
    return levels.pop() if len(levels) == 1 else "mixed"


def _component(
    sid: str,
    name: str,
    amount: float,
    rows: list[Mapping[str, Any]],
    notes: list[str],
    missing: list[str],
    assumptions: list[str],
    fx: pd.DataFrame,
) -> dict[str, Any]:
    inputs = [_row_text(r) + _fx_text(r, fx) for r in rows] + notes + assumptions
    return {
        "site_id": sid,
        "component": name,
        "amount_usd": math.nan if missing else float(amount),
        "scored": name in SCORED,
        "assumption": bool(assumptions),
        "scope_level": _scope(rows),
        "inputs": "; ".join(inputs),
        "missing": "; ".join(missing),
        "imputed": "",
    }


def _annual_wage(
    row: Mapping[str, Any], fx: pd.DataFrame, country: str, proj: Project
) -> tuple[float, str, str]:
    match = _MONEY.match(str(row["unit"]).strip())
    if match is None:
        return math.nan, "", f"manufacturing_wage unit {row['unit']!r} is not a money rate"
    per = match["per"].strip()
    conv = proj.conversions
    if per == "year":
        factor, note = 1.0, ""
    elif per == "month":
        factor, note = 12.0, "× 12 months"
    elif per == "hour":
        fig = conv["hours_per_year"]
        factor, note = fig.value, fig.text("hours_per_year")
    elif per == "day":
        days = conv["paid_days_per_year"].get(country)
        if days is None:
            return math.nan, "", f"no paid_days_per_year for {country} in projects.yaml"
        factor, note = days.value, days.text(f"paid_days_per_year.{country}")
    else:
        return math.nan, "", f"manufacturing_wage unit {row['unit']!r} has no annual conversion"
    per_unit, why = _usd(row, fx, per)
    return per_unit * factor, note, why


def annual_cost(
    catalog: Catalog,
    project: Project,
    *,
    markets: Mapping[str, float],
    mset: MarketSet,
    tariffs: pd.DataFrame,
    on: date | None = None,
    impute: str | None = None,
) -> CostResult:
    """The annual cost of ``project`` at every site of ``catalog`` (see the module docstring).

    ``impute`` (``"worst"`` or ``"mean"``, the missing-value policy of the evaluation) fills
    a missing land, power or water component from the sites where it is known (highest or
    mean amount); the row says so in ``imputed`` and keeps its reason in ``missing``. With
    ``None`` a missing component leaves the total missing.
    """
    resolved = {ind: resolve_indicator(catalog, ind) for ind in INDICATORS}
    fx = catalog.fx
    sites = catalog.sites
    figs = project.figures
    fr = project.freight
    inbound_sea = geo.sea_distance_km(sites)
    inland = geo.inland_distance_km(sites)
    circuity = mset.transport["road_circuity"].value
    outbound = {m: market_transit_days(sites, mset.market(m), mset) for m in markets}
    records = []
    for sid, site in sites.iterrows():
        s = _Site(resolved, str(sid))
        country = str(site["country"])
        zone = str(site.get("zone_regime") or "")

        # labour
        wage, oncost = s.get("manufacturing_wage"), s.get("employer_oncost_rate")
        missing = [
            f"no {n} for the site, region or country"
            for n, r in (("manufacturing_wage", wage), ("employer_oncost_rate", oncost))
            if r is None
        ]
        amount, notes = math.nan, []
        if not missing and wage is not None and oncost is not None:
            annual, note, why = _annual_wage(wage, fx, country, project)
            if why:
                missing.append(why)
            else:
                staff = sum(c.value * m.value for _, c, m in project.headcount)
                amount = annual * staff * (1 + float(oncost["value"]) / 100.0)
                notes = [note] if note else []
                notes.append(
                    "headcount "
                    + ", ".join(f"{c} {n.value:g} × {m.value:g}" for c, n, m in project.headcount)
                )
        head_assume = [
            f.text(f"{cat}.{n}")
            for cat, count, mult in project.headcount
            for n, f in (("count", count), ("wage_multiple", mult))
            if f.assumption
        ]
        records.append(
            _component(
                sid,
                "labour",
                amount,
                [r for r in (wage, oncost) if r],
                notes,
                missing,
                head_assume[:2]
                + ([f"… {len(head_assume) - 2} more"] if len(head_assume) > 2 else []),
                fx,
            )
        )

        # land
        rent, price = s.get("industrial_rent"), s.get("industrial_land_price")
        missing, notes, rows, amount = [], [], [], math.nan
        assume: list[str] = []
        if rent is not None:
            per_m2, why = _usd(rent, fx, "m2/month")
            rows = [rent]
            if why:
                missing.append(why)
            else:
                amount = per_m2 * 12 * figs["floor_area_m2"].value
                assume = _assumed(figs, "floor_area_m2")
        elif price is not None:
            per_m2, why = _usd(price, fx, "m2")
            rows = [price]
            charge = project.conversions["land_capital_charge"]
            if why:
                missing.append(why)
            else:
                amount = per_m2 * figs["land_m2"].value * charge.value
                assume = [*_assumed(figs, "land_m2"), charge.text("land_capital_charge")]
        else:
            missing.append("no industrial_rent or industrial_land_price for the site")
        records.append(_component(sid, "land", amount, rows, notes, missing, assume, fx))

        # power and water
        for name, ind, per, key in (
            ("power", "electricity_price_industrial", "MWh", "power_mwh_per_year"),
            ("water", "water_tariff_industrial", "m3", "water_m3_per_year"),
        ):
            row = s.get(ind)
            missing, amount = [], math.nan
            if row is None:
                missing.append(f"no {ind} for the site, region or country")
            else:
                unit_price, why = _usd(row, fx, per)
                if why:
                    missing.append(why)
                else:
                    amount = unit_price * figs[key].value
            records.append(
                _component(
                    sid, name, amount, [row] if row else [], [], missing, _assumed(figs, key), fx
                )
            )

        # income tax
        nat, state = s.get("zone_tax_rate"), s.get("state_corporate_tax_rate")
        missing, amount, notes = [], math.nan, []
        rows = [r for r in (nat, state) if r is not None]
        if nat is None:
            missing.append("no zone_tax_rate for the site, region or country")
        else:
            n = float(nat["value"]) / 100.0
            rate = n
            if state is not None and str(state["unit"]).strip() == "%":
                rate = n + float(state["value"]) / 100.0 * (1 - n)
                notes.append("state tax deductible: national + state × (1 − national)")
            elif state is not None:
                notes.append(f"state levy {state['value']:g} {state['unit']} not an income tax")
                rows = [nat]
            base = figs["output_value_usd"].value * figs["taxable_margin"].value
            amount = base * rate
            notes.append(f"effective rate {rate:.2%} on a taxable base of USD {base:,.0f}")
        records.append(
            _component(
                sid,
                "income_tax",
                amount,
                rows,
                notes,
                missing,
                _assumed(figs, "output_value_usd", "taxable_margin"),
                fx,
            )
        )

        # duties on inputs
        home = Market(country, country, country, (country,), "", None, ())
        missing, notes, amount = [], [], 0.0
        for origin, pclass, value in project.inputs:
            duty = applicable_duty(
                tariffs,
                mset,
                origin,
                home,
                pclass,
                zone_regime=zone,
                claim_preferences=project.claim_preferences,
                conditional=tuple(project.conditional_regimes),
                on=on,
            )
            if math.isnan(duty.rate_pct):
                missing.append(duty.how.removeprefix("missing: "))
                continue
            amount += value.value * duty.rate_pct / 100.0
            notes.append(duty.how)
        records.append(
            _component(
                sid,
                "input_duties",
                amount,
                [],
                notes,
                missing,
                [f.text(f"input {o} {pc}") for o, pc, f in project.inputs if f.assumption],
                fx,
            )
        )

        # freight
        sea_rate = fr["sea_usd_per_feu_km"].value
        road_rate = fr["road_usd_per_truck_km"].value
        inbound = figs["containers_in_per_year"].value * (
            float(inbound_sea[sid]) * sea_rate + float(inland[sid]) * circuity * road_rate
        )
        out_cost = 0.0
        for m, share in markets.items():
            leg = outbound[m].loc[sid]
            out_cost += (
                share
                * figs["containers_out_per_year"].value
                * (leg["sea_km"] * sea_rate + leg["road_km"] * road_rate)
            )
        records.append(
            _component(
                sid,
                "freight",
                inbound + out_cost,
                [],
                [
                    f"in: TWKHH → {site['gateway_port']} {inbound_sea[sid]:,.0f} km sea + "
                    f"{inland[sid]:,.0f} km inland; out: by market share"
                ],
                [],
                [
                    fr["sea_usd_per_feu_km"].text("sea_usd_per_feu_km"),
                    fr["road_usd_per_truck_km"].text("road_usd_per_truck_km"),
                    *_assumed(figs, "containers_in_per_year", "containers_out_per_year"),
                ],
                fx,
            )
        )

        # duties on output (shown; scored in market access, not here)
        missing, notes, amount = [], ["not in the scored cost: scored once as market_tariff"], 0.0
        for m, share in markets.items():
            duty = applicable_duty(
                tariffs,
                mset,
                country,
                mset.market(m),
                project.product_class,
                zone_regime=zone,
                claim_preferences=project.claim_preferences,
                conditional=tuple(project.conditional_regimes),
                on=on,
            )
            if math.isnan(duty.rate_pct):
                missing.append(duty.how.removeprefix("missing: "))
                continue
            amount += share * figs["output_value_usd"].value * duty.rate_pct / 100.0
            notes.append(f"{m} {share:.0%}: {duty.how}")
        records.append(
            _component(
                sid,
                "output_duties",
                amount,
                [],
                notes,
                missing,
                _assumed(figs, "output_value_usd"),
                fx,
            )
        )
    breakdown = pd.DataFrame.from_records(records, columns=list(BREAKDOWN_COLUMNS))
    if impute is not None:
        breakdown = impute_components(breakdown, impute)
    amounts = breakdown.pivot(index="site_id", columns="component", values="amount_usd")
    amounts = amounts.reindex(index=sites.index, columns=list(COMPONENTS))
    total = amounts.sum(axis=1, min_count=len(COMPONENTS)).where(amounts.notna().all(axis=1))
    scored = amounts[list(SCORED)].sum(axis=1).where(amounts[list(SCORED)].notna().all(axis=1))
    return CostResult(
        project, dict(markets), breakdown, total.rename("total"), scored.rename("scored_cost")
    )


def impute_components(breakdown: pd.DataFrame, policy: str) -> pd.DataFrame:
    """``breakdown`` with missing :data:`IMPUTABLE` components filled by ``policy``.

    >>> rows = pd.DataFrame({"site_id": ["A", "B", "C"], "component": "power",
    ...                      "amount_usd": [2.0, 4.0, float("nan")], "missing": ["", "", "x"],
    ...                      "imputed": ""})
    >>> impute_components(rows, "worst")["amount_usd"].tolist()
    [2.0, 4.0, 4.0]
    >>> impute_components(rows, "mean")["amount_usd"].tolist()
    [2.0, 4.0, 3.0]
    """
    if policy not in IMPUTE_POLICIES:
        raise UnknownNameError("cost imputation policy", policy, IMPUTE_POLICIES)
    out = breakdown.copy()
    for comp in IMPUTABLE:
        rows = out["component"] == comp
        known = out.loc[rows, "amount_usd"].dropna()
        gaps = rows & out["amount_usd"].isna()
        if known.empty or not gaps.any():
            continue
        fill = float(known.max() if policy == "worst" else known.mean())
        source = out.loc[known.idxmax(), "site_id"] if policy == "worst" else None
        of = f" ({source})" if source is not None else f" of {len(known)} sites"
        out.loc[gaps, "amount_usd"] = fill
        out.loc[gaps, "imputed"] = (
            f"{comp} imputed by policy '{policy}': {IMPUTE_POLICIES[policy]}{of}, "
            f"USD {fill:,.0f} a year"
        )
    return out


def _assumed(figs: Mapping[str, Figure], *keys: str) -> list[str]:
    return [figs[k].text(k) for k in keys if figs[k].assumption]


def _year(value: Any) -> str:
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value)

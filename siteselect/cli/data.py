"""Commands about the data: the listings (``sites``, ``criteria``, ``sectors``, ``profiles``)
and the release checks (``data check``, ``data coverage``)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from siteselect.cli.options import (
    add_command,
    add_format_option,
    add_rank_options,
    date_arg,
    emit,
    evaluate,
)


def cmd_sites(args: argparse.Namespace) -> int:
    from siteselect.ranking import default_catalog

    sites = default_catalog().sites
    frame = pd.DataFrame(
        {
            "site_id": sites.index,
            "name": sites["name"],
            "country": sites["country"],
            "region": sites["region"],
            "zone_regime": sites["zone_regime"],
            "gateway_port": sites["gateway_port"],
            "airport": sites["airport"],
            "lat": sites.geometry.y.round(5),
            "lon": sites.geometry.x.round(5),
        }
    )
    emit(frame, args.format, sys.stdout)
    return 0


class _Listing(NamedTuple):
    """A listing of the criteria set's items: an id column, attributes, one computed column."""

    id_column: str
    attributes: tuple[str, ...]
    extra: str
    value: Callable[[Any], Any]


def _pairs(attribute: str, template: str) -> Callable[[Any], str]:
    """The mapping ``attribute`` of an item as ``template``-formatted pairs, comma-separated."""

    def value(item: Any) -> str:
        return ", ".join(template.format(k, v) for k, v in getattr(item, attribute).items())

    return value


#: Each listing command by the attribute of the criteria set it lists.
_LISTINGS = {
    "criteria": _Listing(
        "criterion",
        ("label", "group", "objective", "unit"),
        "derived_as",
        lambda c: c.derive.get("kind"),
    ),
    "sectors": _Listing("sector", ("label",), "relevance", _pairs("relevance", "{}×{:g}")),
    "profiles": _Listing(
        "profile", ("label",), "group_weights", _pairs("group_weights", "{}={:g}")
    ),
}


def cmd_listing(name: str, args: argparse.Namespace) -> int:
    """List the criteria set's ``name`` (criteria, sectors or profiles)."""
    from siteselect.ranking import default_criteria

    listing = _LISTINGS[name]
    rows = [
        {
            listing.id_column: item.id,
            **{a: getattr(item, a) for a in listing.attributes},
            listing.extra: listing.value(item),
        }
        for item in getattr(default_criteria(), name)
    ]
    emit(pd.DataFrame(rows), args.format, sys.stdout)
    return 0


def cmd_data_check(args: argparse.Namespace) -> int:
    from siteselect.catalog import load_catalog
    from siteselect.release import FINDING_KINDS, check_release

    catalog = load_catalog(args.data)
    on = args.as_of or dt.date.today()
    report = check_release(catalog, as_of=on)
    rel = report.release
    frame = pd.DataFrame(
        [
            {
                "file": f.file,
                "row": f.line,
                "scope": f.scope,
                "indicator": f.indicator,
                "problem": FINDING_KINDS[f.kind],
                "detail": f.detail,
                "accepted": f.accepted,
            }
            for f in report.findings
        ],
        columns=["file", "row", "scope", "indicator", "problem", "detail", "accepted"],
    )
    print(
        f"data release {rel.version or '(unversioned)'} of {rel.date or '?'}, "
        f"checked as of {on}: {len(report.open)} figure(s) need attention, "
        f"{len(report.findings) - len(report.open)} accepted with a documented reason",
        file=sys.stderr,
    )
    if len(frame):
        emit(frame, args.format, sys.stdout)
    return 1 if args.strict and not report.ok else 0


def cmd_data_coverage(args: argparse.Namespace) -> int:
    from siteselect.coverage import LEGEND, coverage_summary, coverage_table

    result, _, _ = evaluate(args)
    frame = coverage_summary(result) if args.summary else coverage_table(result)
    print(
        f"coverage for {result.sector} ({len(result.table.values)} sites): {LEGEND}",
        file=sys.stderr,
    )
    emit(frame.reset_index(), args.format, sys.stdout)
    return 0


def add_listing_parsers(sub: Any) -> None:
    """The listing commands: ``sites``, ``criteria``, ``sectors``, ``profiles``."""
    add_format_option(add_command(sub, "sites", "list the bundled candidate sites", cmd_sites))
    for name, help_text in [
        ("criteria", "list the criteria"),
        ("sectors", "list the target sectors"),
        ("profiles", "list the stakeholder weight profiles"),
    ]:
        add_format_option(add_command(sub, name, help_text, partial(cmd_listing, name)))


def add_data_parser(sub: Any) -> None:
    """The ``data`` command group: ``data check`` and ``data coverage``."""
    data = sub.add_parser("data", help="the data release: staleness checks")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    check = data_sub.add_parser(
        "check",
        help="list figures past valid_until, superseded or too old",
        description="List every figure past its valid_until, from a superseded edition, "
        "older than its indicator's maximum age, or lacking a required valid_until.",
    )
    check.add_argument("--as-of", type=date_arg, help="the day to check for (default: today)")
    check.add_argument("--strict", action="store_true", help="exit 1 when anything is found")
    check.add_argument("--data", type=Path, help="data folder (default: the bundled data/)")
    add_format_option(check)
    check.set_defaults(func=cmd_data_check)
    cov = data_sub.add_parser(
        "coverage",
        help="where each cell of the decision table comes from (site, region, country, filled)",
        description="Sites x criteria: the scope of each value (site, region, country), cells "
        "filled by the missing-value policy, imputed cost components, excluded sites.",
    )
    add_rank_options(cov)
    cov.add_argument("--summary", action="store_true", help="one row per criterion")
    add_format_option(cov)
    cov.set_defaults(func=cmd_data_coverage)

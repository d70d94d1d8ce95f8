"""``record``: the decision record (HTML or PDF), from the options or a saved scenario."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from siteselect.cli.options import add_rank_options, date_arg, evaluate
from siteselect.errors import SiteSelectError


def cmd_record(args: argparse.Namespace) -> int:
    from siteselect import record
    from siteselect.store import ScenarioStore

    options: dict[str, Any] = {}
    if args.scenario is not None:
        with ScenarioStore() as store:
            scenario = store.load(args.scenario)
        result, catalog, user_ids = record.evaluate_scenario(scenario)
        options = record.scenario_options(scenario)
    else:
        result, catalog, user_ids = evaluate(args)
        options["overrides"] = dict(args.weight)
    on = args.as_of or dt.date.today()
    options |= record.catalog_options(catalog, result.ranking.index, on=on)
    data = record.render_record(
        result, catalog.sites, fmt=args.format, user_sites=user_ids, **options
    )
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        raise SiteSelectError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"wrote {args.out} ({args.format}, {len(data):,} bytes, {len(result.ranking)} sites)")
    return 0


def add_parser(sub: Any) -> None:
    """The ``record`` command."""
    p = sub.add_parser(
        "record",
        help="write the decision record (HTML or PDF)",
        description="Write the decision record: a one-page summary, then annexes (map, "
        "ranking, explanation, cost, every value with its source). With --scenario, the "
        "saved scenario's settings are used and the ranking options are ignored.",
    )
    add_rank_options(p)
    p.add_argument("--scenario", metavar="NAME", help="a saved scenario (SITESELECT_DB)")
    p.add_argument("--format", choices=("html", "pdf"), default="html")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write")
    p.add_argument(
        "--as-of", type=date_arg, help="the day for the stale-data notice (default: today)"
    )
    p.set_defaults(func=cmd_record)

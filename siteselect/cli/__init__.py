"""The ``siteselect`` command line.

Bad input exits with status 2 and a message naming what is wrong; no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from siteselect.cli import data, ranking, record, region
from siteselect.errors import SiteSelectError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each command group adds its own."""
    parser = argparse.ArgumentParser(
        prog="siteselect",
        description="Rank overseas industrial-park sites with multi-criteria decision analysis.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    data.add_data_parser(sub)
    ranking.add_parsers(sub)
    region.add_parser(sub)
    data.add_listing_parsers(sub)
    record.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; 0 on success, 2 on bad input (the message on stderr)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SiteSelectError as exc:
        print(f"siteselect: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0

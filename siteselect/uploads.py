"""A user's own sites beyond parsing: regions from coordinates, CSV hints, user assumptions.

Values a user enters for an uploaded site are *user assumptions*: they live in the
catalogue's ``user_values`` (never among the sourced indicators), and each cell's
provenance says so, with who entered the value and when.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from siteselect import boundaries
from siteselect.errors import SiteSelectError

if TYPE_CHECKING:
    from siteselect.catalog import Catalog

USER_ASSUMPTION = "user assumption"
#: one entered value: site id, criterion id, value, who entered it, when (ISO 8601, UTC)
Entry = tuple[str, str, float, str, str]


def delimiter_hint(header: Sequence[str]) -> str:
    """A hint when a CSV header read with commas looks separated by another character.

    >>> delimiter_hint(["name" + chr(9) + "lat" + chr(9) + "lon"])
    '; the file looks like tab-separated: use commas'
    >>> delimiter_hint(["name", "lat"])
    ''
    """
    if len(header) != 1:
        return ""
    counts = {sep: header[0].count(sep) for sep in (";", "\t", "|")}
    sep, n = max(counts.items(), key=lambda kv: kv[1])
    if n == 0:
        return ""
    return (
        "; the file looks like " + ("tab" if sep == "\t" else repr(sep)) + "-separated: use commas"
    )


def infer_regions(sites: gpd.GeoDataFrame) -> None:
    """Fill ``region_code`` (and a defaulted ``region``) of user sites from their points,
    in place.

    The first-level region comes from :func:`siteselect.boundaries.locate`, so that
    regional indicators (e.g. a regional minimum wage) apply to uploaded sites; a given
    ``region_code`` is kept. (The country itself is checked against the outlines when
    the file is read.)
    """
    found = boundaries.locate(sites.geometry)
    for sid, site in sites.iterrows():
        where = found.loc[sid]
        located = pd.notna(where["region_code"]) and where["country"] == site["country"]
        if site.get("region_code") is None and located:
            sites.at[sid, "region_code"] = str(where["region_code"])
            if site.get("region") in (None, site["country"]):
                sites.at[sid, "region"] = str(where["region_name"])


def assumption_source(who: str, when: str) -> str:
    """The provenance text of a value a user entered.

    >>> assumption_source("ana@example.org", "2026-12-02T01:00:00+00:00")
    'user assumption: entered in the app by ana@example.org, 2026-12-02 01:00 UTC'
    """
    stamp = dt.datetime.fromisoformat(when).astimezone(dt.UTC)
    return f"{USER_ASSUMPTION}: entered in the app by {who}, {stamp:%Y-%m-%d %H:%M} UTC"


def with_user_assumptions(
    catalog: Catalog,
    entries: Iterable[Entry],
    *,
    user_sites: Sequence[str],
    criteria: Sequence[str],
) -> Catalog:
    """``catalog`` with values a user entered for their own sites, as user assumptions.

    Each entry replaces the same site and criterion's value from the user's file, if
    any; its source reads ``user assumption: entered in the app by WHO, WHEN``. Only the
    user's uploaded sites take entries (the bundled sites' values are sourced facts); all
    problems are reported at once.
    """
    rows, problems = [], []
    mine, known = set(user_sites), set(criteria)
    for sid, crit, value, who, when in entries:
        where = f"value for {sid!r}, {crit!r}"
        if sid not in mine:
            problems.append(f"{where}: only your uploaded sites take values you enter")
        elif crit not in known:
            problems.append(f"{where}: unknown criterion; valid: {', '.join(sorted(known))}")
        elif not isinstance(value, int | float) or not math.isfinite(value):
            problems.append(f"{where}: must be a finite number; got {value!r}")
        else:
            try:
                source = assumption_source(who, when)
            except (TypeError, ValueError):
                problems.append(f"{where}: the time {when!r} is not an ISO 8601 time")
                continue
            rows.append(
                {
                    "site_id": sid,
                    "criterion": crit,
                    "value": float(value),
                    "source": source,
                    "derivation": USER_ASSUMPTION,
                }
            )
    if problems:
        raise SiteSelectError("; ".join(problems))
    if not rows:
        return catalog
    new = pd.DataFrame(rows)
    old = catalog.user_values
    keys = set(zip(new["site_id"], new["criterion"], strict=True))
    keep = [k not in keys for k in zip(old["site_id"], old["criterion"], strict=True)]
    merged = pd.concat([old.loc[keep], new], ignore_index=True)
    digest = hashlib.sha256(
        (catalog.version + new.to_json(orient="records")).encode()
    ).hexdigest()[:16]
    out = replace(catalog, user_values=merged, version=digest)
    if "geography" in catalog.__dict__:  # computed geography does not change
        out.__dict__["geography"] = catalog.geography
    return out

"""The Data & sources view as plain data: every sourced figure with its label, scope name,
unit, dates, source, link and stale flag; filters; the SOURCES.md texts without images.

Nothing here imports Streamlit; ``ui/pages/sources.py`` only lays out widgets.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pycountry

from siteselect.catalog import DATA_DIR, Catalog
from siteselect.ranking import Evaluation
from siteselect.release import FINDING_KINDS, check_release, load_indicator_meta

COLUMNS = (
    "indicator",
    "scope",
    "country",
    "value",
    "year",
    "as_of",
    "valid_until",
    "edition",
    "source",
    "link",
    "status",
    "stale",
    "why stale",
    "indicator_id",
    "scope_id",
)
SHOWN_COLUMNS = (
    "indicator",
    "scope",
    "value",
    "link",
    "source",
    "year",
    "as_of",
    "valid_until",
    "edition",
    "status",
    "why stale",
)
"""The columns a reader sees, in order: the link and the source next to the value."""
FX_LABEL = "Exchange rate (USD per unit of currency)"
_IMAGE = re.compile(r"!\[((?:[^\[\]\\]|\\.|\[[^\]]*\])*)\]\s*(?:\([^)]*\)|\[[^\]]*\])")
_HTML_IMG = re.compile(r"<\s*(?:img|picture|source|svg|video|audio|iframe)\b[^>]*>", re.I)
_REF_DEF = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:\s*\S+.*$", re.M)
_LOCAL_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\((?!https?://|mailto:)[^)]*\)")


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def country_name(iso3: str) -> str:
    """A country's common name from its ISO 3166-1 alpha-3 code (the code if unknown).

    >>> country_name("PHL"), country_name("USA"), country_name("XXX")
    ('Philippines', 'United States', 'XXX')
    """
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return str(getattr(country, "common_name", None) or country.name)


def cells_frame(evaluation: Evaluation) -> pd.DataFrame:
    """The values of a ranking with their provenance, readable: site and criterion names,
    value with unit, source, year, link and how it was found or computed."""
    labels = {c.id: c.label for c in evaluation.criteria.criteria}
    cells = evaluation.table.cells
    names = evaluation.ranking["name"]
    return pd.DataFrame(
        {
            "site": cells["site_id"].map(lambda s: names.get(s, s)),
            "criterion": cells["criterion"].map(lambda c: labels.get(c, c)),
            "value": [
                "missing" if pd.isna(v) else f"{_number(float(v))} {u}".strip()
                for v, u in zip(cells["value"], cells["unit"], strict=True)
            ],
            "source": cells["source"].fillna(""),
            "year": ["" if pd.isna(y) else str(int(y)) for y in cells["year"]],
            "link": cells["url"].fillna(""),
            "how": cells["derivation"].fillna(""),
        }
    )


def scope_names(catalog: Catalog) -> dict[str, str]:
    """Site ids, region codes and country codes → readable names.

    Sites by their name; regions by the sites' region names, else ISO 3166-2 (pycountry);
    countries by ISO 3166-1.
    """
    names: dict[str, str] = {}
    sites = catalog.sites
    for sid, row in sites.iterrows():
        names[str(sid)] = str(row.get("name") or sid)
        code, region = row.get("region_code"), row.get("region")
        if isinstance(code, str) and code and isinstance(region, str) and region:
            names.setdefault(code, region)
    scopes = set(catalog.indicators["scope"].astype(str))
    for scope in scopes - set(names):
        if "-" in scope:
            sub = pycountry.subdivisions.get(code=scope)
            if sub is not None:
                names[scope] = sub.name
        elif len(scope) == 3:
            names[scope] = country_name(scope)
    return names


def _country_of(scope: str, catalog: Catalog) -> str:
    if scope in catalog.sites.index:
        return str(catalog.sites.at[scope, "country"])
    if "-" in scope:
        sub = pycountry.subdivisions.get(code=scope)
        if sub is not None:
            country = pycountry.countries.get(alpha_2=sub.country_code)
            return country.alpha_3 if country is not None else ""
    return scope if len(scope) == 3 else ""


def sources_frame(catalog: Catalog, *, on: dt.date, base: Path | None = None) -> pd.DataFrame:
    """One row per sourced figure (indicators and exchange rates), flagged as of ``on``.

    Columns: indicator (label from ``data/indicators.yaml``), scope (name and code),
    country (ISO3), value (with unit), year, as_of, valid_until, edition, source, link,
    status (``ok``, ``stale`` or ``kept: documented reason``), stale (bool: an open
    finding), why stale (the findings, with the documented reason when accepted), and the
    ids (``indicator_id``, ``scope_id``) for filtering.
    """
    if base is None:
        base = catalog.release.path.parent if catalog.release.path else DATA_DIR
    meta = load_indicator_meta(base)
    report = check_release(catalog, as_of=on, base=base)
    why: dict[tuple[str, int | None], list[str]] = {}
    open_rows: set[tuple[str, int | None]] = set()
    for f in report.findings:
        key = (f.file, f.line)
        text = f"{FINDING_KINDS[f.kind]} ({f.detail})"
        if f.accepted:
            text += f"; accepted: {f.accepted}"
        else:
            open_rows.add(key)
        why.setdefault(key, []).append(text)
    names = scope_names(catalog)
    rows = []
    for rec in catalog.indicators.to_dict("records"):
        scope = str(rec["scope"])
        key = (str(rec["file"]), int(rec["line"]))
        label = meta[rec["indicator"]].label if rec["indicator"] in meta else rec["indicator"]
        rows.append(
            {
                "indicator": label,
                "scope": f"{names.get(scope, scope)} ({scope})",
                "country": _country_of(scope, catalog),
                "value": f"{_number(float(rec['value']))} {rec['unit']}".strip(),
                "year": "" if pd.isna(rec["year"]) else str(int(rec["year"])),
                "as_of": str(rec.get("as_of") or ""),
                "valid_until": str(rec.get("valid_until") or ""),
                "edition": str(rec.get("edition") or ""),
                "source": str(rec["source"]),
                "link": str(rec["url"] or ""),
                "stale": key in open_rows,
                "why stale": "; ".join(why.get(key, [])),
                "indicator_id": str(rec["indicator"]),
                "scope_id": scope,
            }
        )
    fx_label = meta["fx_rate"].label if "fx_rate" in meta else FX_LABEL
    for i, (currency, fx) in enumerate(catalog.fx.iterrows(), start=2):
        key = ("fx.csv", i)
        rows.append(
            {
                "indicator": fx_label,
                "scope": str(currency),
                "country": "",
                "value": f"{_number(float(fx['usd_per_unit']))} USD per {currency}",
                "year": str(fx["date"])[:4],
                "as_of": str(fx["date"]),
                "valid_until": "",
                "edition": "",
                "source": str(fx.get("source") or ""),
                "link": str(fx.get("url") or ""),
                "stale": key in open_rows,
                "why stale": "; ".join(why.get(key, [])),
                "indicator_id": "fx_rate",
                "scope_id": str(currency),
            }
        )
    for row in rows:
        row["status"] = (
            "stale" if row["stale"] else ("kept: documented reason" if row["why stale"] else "ok")
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.sort_values(["indicator", "scope"], kind="stable", ignore_index=True)


def filter_sources(
    frame: pd.DataFrame,
    *,
    countries: Iterable[str] = (),
    indicators: Iterable[str] = (),
    text: str = "",
    stale_only: bool = False,
) -> pd.DataFrame:
    """Rows of :func:`sources_frame` for the chosen countries (ISO3) and indicator labels,
    whose text contains every word of ``text`` (case-insensitive, literal)."""
    keep = pd.Series(True, index=frame.index)
    chosen = list(countries)
    if chosen:
        keep &= frame["country"].isin(chosen)
    labels = list(indicators)
    if labels:
        keep &= frame["indicator"].isin(labels)
    if stale_only:
        keep &= frame["stale"]
    words = text.lower().split()
    if words:
        cols = ["indicator", "scope", "value", "source", "link", "edition", "why stale"]
        hay = frame[cols].astype(str).agg(" ".join, axis=1).str.lower()
        for word in words:
            keep &= hay.str.contains(word, regex=False)
    return frame[keep]


def strip_images(markdown: str) -> str:
    """Markdown with every image replaced by its alt text (nothing is fetched), HTML media
    tags and reference definitions removed, and links to local files reduced to their text.

    >>> strip_images("See ![map](http://x/y.png) and [PHL](PHL/SOURCES.md), [WB](https://wb)")
    'See map and PHL, [WB](https://wb)'
    """
    out = _IMAGE.sub(lambda m: m.group(1), markdown)
    out = _HTML_IMG.sub("", out)
    out = _REF_DEF.sub("", out)
    return _LOCAL_LINK.sub(lambda m: m.group(1), out)


def demote_headings(markdown: str, levels: int = 2) -> str:
    r"""Every ATX heading ``levels`` deeper (at most ``######``), outside code fences.

    >>> demote_headings("# Title\n## Part\n```\n# code\n```")
    '### Title\n#### Part\n```\n# code\n```'
    """
    out, fenced = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6}\s", line):
            hashes = len(line) - len(line.lstrip("#"))
            line = "#" * min(hashes + levels, 6) + line[hashes:]
        out.append(line)
    return "\n".join(out)


@dataclass(frozen=True)
class SourcesText:
    """One SOURCES.md file: a title and its markdown, safe to render."""

    title: str
    path: str
    markdown: str


SOURCE_FILES: Mapping[str, str] = {
    "SOURCES.md": "Overview",
    "PHL/SOURCES.md": "Philippines",
    "MEX/SOURCES.md": "Mexico",
    "USA/SOURCES.md": "United States",
    "global/SOURCES.md": "Cross-country indices",
    "trade/SOURCES.md": "Tariffs and trade",
}


def sources_texts(base: Path = DATA_DIR, files: Sequence[str] | None = None) -> list[SourcesText]:
    """The data release's SOURCES.md files that exist under ``base``, images stripped."""
    out = []
    for rel in files if files is not None else list(SOURCE_FILES):
        path = base / rel
        if path.is_file():
            text = demote_headings(strip_images(path.read_text(encoding="utf-8")))
            out.append(SourcesText(SOURCE_FILES.get(rel, rel), rel, text))
    for path in sorted(base.glob("*/SOURCES.md")):
        rel = "/".join(path.parts[-2:])
        if files is None and rel not in SOURCE_FILES:
            text = demote_headings(strip_images(path.read_text(encoding="utf-8")))
            out.append(SourcesText(rel, rel, text))
    return out

"""The data release: its version and date, per-indicator refresh metadata, staleness checks.

``data/release.yaml`` names the release (version, date); ``data/indicators.yaml`` says, for
every indicator, how old a figure may be, which edition is current, when the next one is
due and how to refresh it. :func:`check_release` lists every figure that is past its
``valid_until``, from a superseded edition, older than its indicator's maximum age, lacking
a ``valid_until`` its rule requires, or whose indicator has no metadata — on a given day, so
that tests pin the day and the app uses today.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from siteselect.errors import DataError, Problem, raise_if

if TYPE_CHECKING:
    from siteselect.catalog import Catalog

RELEASE_FILE = "release.yaml"
META_FILE = "indicators.yaml"
FX_INDICATOR = "fx_rate"
DATED_TABLES = ("trade/tariffs.csv",)
FINDING_KINDS = {
    "expired": "past its valid_until",
    "superseded": "from a superseded edition",
    "too_old": "older than the indicator's maximum age",
    "edition_due": "a newer edition was due",
    "no_valid_until": "a rule with a scheduled end or revision but no valid_until",
    "undocumented": "indicator without refresh metadata in data/indicators.yaml",
}


@dataclass(frozen=True)
class Release:
    """A data release: ``version`` (e.g. ``2026.12.0``) and its ``date``."""

    version: str = ""
    date: dt.date | None = None
    notes: str = ""
    path: Path | None = None


@dataclass(frozen=True)
class IndicatorMeta:
    """How an indicator is kept current (one entry of ``data/indicators.yaml``)."""

    id: str
    label: str
    max_age_days: int
    edition: str = ""
    superseded: tuple[str, ...] = ()
    next_edition: str = ""
    next_due: dt.date | None = None
    valid_until_required: bool = False
    refresh: str = ""


@dataclass(frozen=True)
class Waiver:
    """A known, documented finding accepted until ``review_by`` (``exceptions`` in the file).

    Used where no newer figure can be sourced: the row stays in use, the finding stays
    visible (in ``data check`` and in the app's notice) with its reason, and it fails
    ``--strict`` again once ``review_by`` has passed.
    """

    indicator: str
    kinds: tuple[str, ...]
    reason: str
    review_by: dt.date
    scopes: tuple[str, ...] = ()

    def covers(self, finding: Finding, on: dt.date) -> bool:
        return (
            on <= self.review_by
            and finding.indicator == self.indicator
            and finding.kind in self.kinds
            and (not self.scopes or finding.scope in self.scopes)
        )


@dataclass(frozen=True)
class Finding:
    """One figure that should not be used silently on the day checked."""

    file: str
    line: int | None
    scope: str
    indicator: str
    kind: str
    detail: str
    accepted: str = ""  # the documented reason, when an exception covers it

    def __str__(self) -> str:
        where = f"{self.file}, row {self.line}" if self.line is not None else self.file
        text = f"{where}: {self.scope} {self.indicator}: {FINDING_KINDS[self.kind]}"
        text += f" ({self.detail})"
        return f"{text}; accepted: {self.accepted}" if self.accepted else text


@dataclass(frozen=True)
class ReleaseReport:
    """The result of a staleness check on one day."""

    release: Release
    as_of: dt.date
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when every finding is covered by a documented exception."""
        return not self.open

    @property
    def open(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.accepted)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out


def _date(value: Any, name: str, fld: str, problems: list[Problem]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem(name, None, fld, f"expected a date YYYY-MM-DD; got {value!r}"))
        return None


def load_release(base: Path) -> Release:
    """``base/release.yaml`` as a :class:`Release` (an empty release when absent)."""
    path = base / RELEASE_FILE
    if not path.exists():
        return Release()
    name = str(path)
    problems: list[Problem] = []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError([Problem(name, None, None, f"not valid YAML: {exc}")]) from None
    if not isinstance(doc, dict):
        raise DataError([Problem(name, None, None, "expected a mapping")])
    version = doc.get("version")
    if not isinstance(version, str) or not version:
        problems.append(Problem(name, None, "version", "required text is missing"))
    date = _date(doc.get("date"), name, "date", problems)
    if date is None:
        problems.append(Problem(name, None, "date", "required date is missing"))
    raise_if(problems)
    return Release(str(version), date, str(doc.get("notes") or ""), path)


def load_indicator_meta(base: Path) -> dict[str, IndicatorMeta]:
    """``base/indicators.yaml``: refresh metadata per indicator id (empty when absent)."""
    path = base / META_FILE
    if not path.exists():
        return {}
    name = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError([Problem(name, None, None, f"not valid YAML: {exc}")]) from None
    entries = doc.get("indicators") if isinstance(doc, dict) else None
    if not isinstance(entries, dict):
        raise DataError([Problem(name, None, "indicators", "expected a mapping of ids")])
    problems: list[Problem] = []
    out: dict[str, IndicatorMeta] = {}
    for ident, spec in entries.items():
        if not isinstance(spec, dict):
            problems.append(Problem(name, None, str(ident), "expected a mapping"))
            continue
        age = spec.get("max_age_days")
        if not isinstance(age, int) or isinstance(age, bool) or age <= 0:
            problems.append(Problem(name, None, f"{ident}.max_age_days", "a positive integer"))
            continue
        superseded = spec.get("superseded") or []
        if not isinstance(superseded, list):
            problems.append(Problem(name, None, f"{ident}.superseded", "expected a list"))
            continue
        out[str(ident)] = IndicatorMeta(
            id=str(ident),
            label=str(spec.get("label") or ident),
            max_age_days=age,
            edition=str(spec.get("edition") or ""),
            superseded=tuple(str(s) for s in superseded),
            next_edition=str(spec.get("next_edition") or ""),
            next_due=_date(spec.get("next_due"), name, f"{ident}.next_due", problems),
            valid_until_required=bool(spec.get("valid_until_required", False)),
            refresh=str(spec.get("refresh") or "").strip(),
        )
    raise_if(problems)
    return out


def load_exceptions(base: Path) -> tuple[Waiver, ...]:
    """The ``exceptions`` list of ``base/indicators.yaml`` (empty when absent)."""
    path = base / META_FILE
    if not path.exists():
        return ()
    name = str(path)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = doc.get("exceptions") or [] if isinstance(doc, dict) else []
    problems: list[Problem] = []
    out: list[Waiver] = []
    if not isinstance(entries, list):
        raise DataError([Problem(name, None, "exceptions", "expected a list")])
    for i, spec in enumerate(entries, start=1):
        where = f"exceptions[{i}]"
        if not isinstance(spec, dict):
            problems.append(Problem(name, None, where, "expected a mapping"))
            continue
        kinds = spec.get("kinds") or []
        bad = [k for k in kinds if k not in FINDING_KINDS] if isinstance(kinds, list) else kinds
        if not isinstance(kinds, list) or not kinds or bad:
            problems.append(
                Problem(name, None, f"{where}.kinds", f"a list of {', '.join(FINDING_KINDS)}")
            )
            continue
        reason = str(spec.get("reason") or "").strip()
        if not reason:
            problems.append(Problem(name, None, f"{where}.reason", "required text is missing"))
        review = _date(spec.get("review_by"), name, f"{where}.review_by", problems)
        if spec.get("review_by") is None:
            problems.append(Problem(name, None, f"{where}.review_by", "required date is missing"))
        if reason and review is not None:
            out.append(
                Waiver(
                    indicator=str(spec.get("indicator") or ""),
                    kinds=tuple(str(k) for k in kinds),
                    reason=" ".join(reason.split()),
                    review_by=review,
                    scopes=tuple(str(x) for x in spec.get("scopes") or ()),
                )
            )
    raise_if(problems)
    return tuple(out)


def _row_findings(
    row: Mapping[str, Any], meta: IndicatorMeta | None, on: dt.date
) -> Iterable[tuple[str, str]]:
    """(kind, detail) for one dated figure checked on day ``on``."""
    as_of = row.get("as_of") or ""
    until = row.get("valid_until") or ""
    edition = row.get("edition") or ""
    if until and dt.date.fromisoformat(until) < on:
        yield "expired", f"valid until {until}"
    if meta is None:
        yield "undocumented", "add it to data/indicators.yaml"
        return
    if edition and edition in meta.superseded:
        yield "superseded", f"{edition}; current edition {meta.edition or 'unknown'}"
    if as_of:
        age = (on - dt.date.fromisoformat(as_of)).days
        if age > meta.max_age_days:
            yield "too_old", f"as of {as_of}, {age} days > {meta.max_age_days}"
    if meta.valid_until_required and not until:
        yield "no_valid_until", "the rule's end or next revision date is not recorded"
    if (
        meta.next_due is not None
        and meta.next_due < on
        and (not edition or edition == meta.edition)
    ):
        yield "edition_due", f"{meta.next_edition or 'next edition'} was due {meta.next_due}"


def _dated_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [{**r, "_line": str(i)} for i, r in enumerate(csv.DictReader(fh), start=2)]


def check_release(
    catalog: Catalog,
    *,
    as_of: dt.date,
    base: Path | None = None,
    indicators: Iterable[str] | None = None,
    scopes: Iterable[str] | None = None,
) -> ReleaseReport:
    """Every figure of ``catalog`` that should not be used silently on day ``as_of``.

    ``indicators`` / ``scopes`` restrict the check to the figures in use (e.g. the
    indicators a criteria set reads, for the scopes of the sites being ranked).
    """
    if base is None:
        base = catalog.release.path.parent if catalog.release.path else None
    meta = load_indicator_meta(base) if base is not None else {}
    wanted = set(indicators) if indicators is not None else None
    in_scope = set(scopes) if scopes is not None else None
    findings: list[Finding] = []
    frame = catalog.indicators
    for row in frame.to_dict("records"):
        if wanted is not None and row["indicator"] not in wanted:
            continue
        if in_scope is not None and row["scope"] not in in_scope:
            continue
        fields = {k: str(row.get(k) or "") for k in ("as_of", "valid_until", "edition")}
        for kind, detail in _row_findings(fields, meta.get(row["indicator"]), as_of):
            findings.append(
                Finding(
                    row["file"], int(row["line"]), row["scope"], row["indicator"], kind, detail
                )
            )
    if wanted is None or FX_INDICATOR in wanted:
        for i, (currency, fx) in enumerate(catalog.fx.iterrows(), start=2):
            fields = {"as_of": str(fx["date"]), "valid_until": "", "edition": ""}
            for kind, detail in _row_findings(fields, meta.get(FX_INDICATOR), as_of):
                findings.append(Finding("fx.csv", i, str(currency), FX_INDICATOR, kind, detail))
    if base is not None and wanted is None:
        for rel in DATED_TABLES:
            path = base / rel
            if not path.exists():
                continue
            for row in _dated_rows(path):
                label = "/".join(
                    str(row.get(k) or "") for k in ("origin", "destination", "product_class")
                )
                fields = {k: str(row.get(k) or "") for k in ("as_of", "valid_until", "edition")}
                for kind, detail in _row_findings(fields, meta.get("tariff"), as_of):
                    findings.append(Finding(rel, int(row["_line"]), label, "tariff", kind, detail))
    waivers = load_exceptions(base) if base is not None else ()
    marked = []
    for f in findings:
        cover = next((w for w in waivers if w.covers(f, as_of)), None)
        marked.append(replace(f, accepted=cover.reason) if cover else f)
    return ReleaseReport(catalog.release, as_of, tuple(marked))


def refresh_table(meta: Mapping[str, IndicatorMeta]) -> str:
    """The markdown refresh table of ``data/SOURCES.md`` (one row per indicator)."""
    lines = [
        "| indicator | edition in use | next edition | max age (days) | "
        "where the next figure comes from, and the steps |",
        "|---|---|---|---|---|",
    ]
    for m in meta.values():
        nxt = m.next_edition or "—"
        if m.next_due is not None:
            nxt += f" (due {m.next_due})"
        refresh = " ".join(m.refresh.split())
        lines.append(f"| `{m.id}` | {m.edition or '—'} | {nxt} | {m.max_age_days} | {refresh} |")
    return "\n".join(lines)


def data_notice(
    catalog: Catalog, site_ids: Iterable[str] | None = None, *, on: dt.date
) -> tuple[str, ReleaseReport]:
    """A plain-language notice about the figures in use for ``site_ids`` on day ``on``.

    Covers the indicator rows that apply to those sites (their own, their region's and
    their country's), the exchange rates and the tariff table. Returns ``("", report)``
    when nothing is stale; otherwise one sentence that counts the open findings and the
    ones accepted with a documented reason, which the app and the decision record show.

    >>> from siteselect.catalog import load_catalog
    >>> text, report = data_notice(load_catalog(), on=dt.date(2026, 12, 1))
    >>> report.ok
    True
    """
    sites = catalog.sites if site_ids is None else catalog.sites.loc[list(site_ids)]
    scopes = {*sites.index, *sites["region_code"].dropna(), *sites["country"].dropna()}
    report = check_release(catalog, as_of=on, scopes=scopes)
    if not report.findings:
        return "", report
    rel = report.release
    head = f"Data release {rel.version or '(unversioned)'} of {rel.date or '?'}, used on {on}: "
    parts = []
    if report.open:
        kinds = sorted({FINDING_KINDS[f.kind] for f in report.open})
        parts.append(f"{len(report.open)} figure(s) in use are stale ({'; '.join(kinds)})")
    accepted = len(report.findings) - len(report.open)
    if accepted:
        parts.append(
            f"{accepted} figure(s) are older than wanted but kept with a documented reason "
            "(no newer figure could be sourced)"
        )
    return head + "; ".join(parts) + ". See Data & sources, or `siteselect data check`.", report

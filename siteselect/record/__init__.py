"""The decision record an evaluator can hand over: HTML, and PDF rendered by WeasyPrint.

:func:`render_record` is the one call the CLI (``siteselect record``) and the app's
download buttons share. Page 1 is a one-page summary (the question, the weights and how
they were elicited, the top sites with a reason each, the robustness verdict, the
stale-data notice, caveats, scenario name, author, comment, date and data version); the
annexes hold the map, the full ranking, the method's per-site explanation, the cost
breakdown, every value with its provenance and the sources.

Why WeasyPrint rather than Chromium's print: it is a Python package on the system's
Pango (no browser process per download, none needed on a server), and it implements CSS
paged media (``@page`` sizes, named landscape pages, page-number counters in margin
boxes), which Chromium's print does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from siteselect import boundaries
from siteselect.errors import SiteSelectError
from siteselect.ranking import Evaluation
from siteselect.record import content as c
from siteselect.record.html import record_html

if TYPE_CHECKING:
    from siteselect.catalog import Catalog
    from siteselect.store import Scenario

FORMATS = ("html", "pdf")
TITLE = "Site selection decision record"


def build_content(
    evaluation: Evaluation,
    *,
    title: str = TITLE,
    scenario_name: str = "",
    author: str = "",
    comment: str = "",
    created: str = "",
    data_version: str = "",
    release: str = "",
    meta: Mapping[str, Any] | None = None,
    elicitation: Mapping[str, Any] | None = None,
    overrides: Mapping[str, float] | None = None,
    acceptability: pd.DataFrame | None = None,
    stability: pd.DataFrame | None = None,
    robustness_notes: Sequence[str] = (),
    user_sites: Sequence[str] = (),
    data_notice: str = "",
) -> c.RecordContent:
    """The record's content in words and text tables (see :func:`render_record`)."""
    cset = evaluation.criteria
    today = created or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    facts = [
        ("Scenario", scenario_name or "unsaved view (no scenario name)"),
        ("Author", author or c.DASH),
        ("Date", today),
        ("Sector", cset.sector(evaluation.sector).label),
        ("Stakeholder profile", cset.profile(evaluation.profile).label),
        (
            "Data",
            "; ".join(x for x in (release, data_version and f"version {data_version}") if x)
            or c.DASH,
        ),
        *((str(k), c.cell_text(v)) for k, v in (meta or {}).items()),
    ]
    lines, panel = c.elicitation_text(evaluation, elicitation, overrides)
    note, explanation = c.explanation_table(evaluation)
    cost_note, cost = c.cost_table(evaluation)
    sources, refs = c.sources_table(
        evaluation, [(boundaries.SOURCE, ""), (boundaries.REGION_SOURCE, "")]
    )
    provenance, shared = c.provenance_tables(evaluation, refs)
    return c.RecordContent(
        title=title,
        facts=tuple(facts),
        question=c.question_text(evaluation),
        method=c.method_words(evaluation),
        weights=c.weights_table(evaluation),
        elicitation=lines,
        elicitation_table=panel,
        top_sites=c.top_sites_table(evaluation),
        robustness=c.robustness_verdict(
            evaluation,
            acceptability=acceptability,
            stability=stability,
            summary_notes=robustness_notes,
        ),
        data_notice=data_notice,
        caveats=c.caveats(evaluation, user_sites, data_notice),
        comment=comment,
        ranking=c.ranking_table(evaluation),
        excluded=c.excluded_table(evaluation),
        explanation_note=note,
        explanation=explanation,
        provenance=provenance,
        shared_inputs=shared,
        cost=cost,
        cost_note=cost_note,
        sources=sources,
    )


def html_to_pdf(document: str) -> bytes:
    """Render an HTML document to PDF with WeasyPrint; only ``data:`` URIs are loaded.

    Raises
    ------
    SiteSelectError
        When WeasyPrint or the system libraries it needs (Pango) are missing.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz not installed
        raise SiteSelectError(
            "the PDF record needs WeasyPrint and the Pango library "
            f"(Debian: libpango-1.0-0 libpangoft2-1.0-0); {exc}"
        ) from None

    # only data: URIs (the embedded map); links stay links, nothing is fetched
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    pdf: bytes = weasyprint.HTML(string=document, url_fetcher=fetcher).write_pdf()
    return pdf


def render_record(
    evaluation: Evaluation,
    sites: gpd.GeoDataFrame,
    *,
    fmt: str = "html",
    with_map: bool = True,
    **options: Any,
) -> bytes:
    """The decision record as bytes: UTF-8 HTML (``fmt="html"``) or PDF (``fmt="pdf"``).

    ``options`` are those of :func:`build_content` (scenario name, author, comment,
    data version, elicitation, robustness results, data notice...). User text is escaped.
    """
    if fmt not in FORMATS:
        raise SiteSelectError(f"unknown record format {fmt!r}; choose one of {', '.join(FORMATS)}")
    doc = record_document(evaluation, sites, with_map=with_map, **options)
    return doc.encode("utf-8") if fmt == "html" else html_to_pdf(doc)


def record_document(
    evaluation: Evaluation, sites: gpd.GeoDataFrame, *, with_map: bool = True, **options: Any
) -> str:
    """The decision record as an HTML string (see :func:`render_record`)."""
    from siteselect.static_map import png_data_uri, site_map_png

    content = build_content(evaluation, **options)
    uri = ""
    if with_map:
        png = site_map_png(evaluation.ranking, sites, user_sites=options.get("user_sites") or ())
        uri = png_data_uri(png)
    return record_html(content, map_uri=uri)


__all__ = [
    "FORMATS",
    "build_content",
    "catalog_options",
    "evaluate_scenario",
    "html_to_pdf",
    "record_document",
    "render_record",
    "scenario_options",
]


def catalog_options(
    catalog: Catalog, site_ids: Iterable[str] | None = None, *, on: dt.date
) -> dict[str, str]:
    """The record's data facts for ``catalog``: version, release and the stale-data
    notice (:func:`siteselect.release.data_notice`) for ``site_ids`` on day ``on``."""
    from siteselect.release import data_notice

    rel = catalog.release
    release = f"release {rel.version} of {rel.date}" if rel.version else ""
    notice, _ = data_notice(catalog, site_ids, on=on)
    return {"data_version": catalog.version, "release": release, "data_notice": notice}


def scenario_options(scenario: Scenario) -> dict[str, Any]:
    """The record's scenario facts: name, author, comment, date, elicitation, overrides."""
    return {
        "scenario_name": scenario.name,
        "author": scenario.author_role,
        "comment": scenario.comment,
        "created": scenario.created_at,
        "elicitation": scenario.to_dict()["elicitation"] or None,
        "overrides": dict(scenario.weights),
    }


def evaluate_scenario(
    scenario: Scenario, catalog: Catalog | None = None
) -> tuple[Evaluation, Catalog, list[str]]:
    """Rank as ``scenario`` says, on ``catalog`` (default: the bundled one) plus the
    scenario's uploaded sites; returns the evaluation, the catalogue and the user's ids."""
    from siteselect.catalog import sites_from_file
    from siteselect.ranking import default_catalog, default_criteria, evaluate
    from siteselect.store import scenario_evaluate_kwargs

    cset = default_criteria()
    cat = catalog if catalog is not None else default_catalog()
    user_ids: list[str] = []
    for name, data in scenario.uploads():
        user = sites_from_file(name, data=data, criteria=cset.ids)
        cat = cat.with_sites(user)
        user_ids += list(user.sites.index)
    return evaluate(cat, cset, **scenario_evaluate_kwargs(scenario)), cat, user_ids

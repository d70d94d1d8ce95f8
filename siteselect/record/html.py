"""The decision record laid out as one self-contained, printable HTML document.

Page 1 is the summary; the annexes start on new pages (wide tables on landscape pages);
``@page`` rules give A4 margins and page numbers for WeasyPrint (and for a browser's
print, which ignores the margin boxes). Every string is escaped here, once.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from siteselect.record.content import RecordContent, Table

COMMENT_ON_PAGE_1 = 400
"""A longer comment is shown in full after the summary page (and cut on it)."""

CSS = """
@page { size: A4 portrait; margin: 16mm 14mm 18mm 14mm;
        @bottom-center { content: "page " counter(page) " of " counter(pages);
                         font: 8pt sans-serif; color: #556; }
        @bottom-left { content: string(record-title); font: 8pt sans-serif; color: #556; } }
@page :first { margin-top: 11mm; margin-bottom: 15mm; }
@page wide { size: A4 landscape; margin: 14mm 12mm 16mm 12mm; }
html { font: 9.5pt/1.35 "DejaVu Sans", "Liberation Sans", system-ui, sans-serif;
       color: #1d2330; }
body { max-width: 1100px; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 2pt; string-set: record-title content(); }
h2 { font-size: 12pt; margin: 10pt 0 4pt; border-bottom: 1px solid #c9ced8;
     padding-bottom: 2pt; break-after: avoid; }
h3 { font-size: 10pt; margin: 8pt 0 3pt; break-after: avoid; }
p { margin: 3pt 0; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 6pt; font-size: 8pt;
        table-layout: fixed; }
th, td { border: 1px solid #d3d8e1; padding: 2pt 4pt; text-align: left;
         vertical-align: top; overflow-wrap: break-word; hyphens: auto; }
th { background: #eef1f6; font-weight: 600; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; }
a { color: #1f4e9a; text-decoration: none; overflow-wrap: anywhere; }
.meta td, .meta th { border: none; padding: 1pt 6pt 1pt 0; font-size: 8.5pt; }
.meta th { background: none; color: #556; font-weight: normal; width: 24%; }
.note { background: #fff6da; border-left: 3pt solid #e0b100; padding: 4pt 6pt; margin: 4pt 0; }
.stale { background: #fde7e4; border-left-color: #c0392b; }
.verdict { font-weight: 600; }
.small { font-size: 7.5pt; color: #445; }
ul { margin: 2pt 0 2pt 14pt; padding: 0; } li { margin: 1pt 0; }
.summary { break-after: page; font-size: 8pt; line-height: 1.3; }
.summary h1 { font-size: 14pt; } .summary h2 { font-size: 10pt; margin: 5pt 0 2pt; }
.summary table { font-size: 7.3pt; margin: 2pt 0 2pt; } .summary p { margin: 1.5pt 0; }
.summary th, .summary td { padding: 1.5pt 3pt; }

.annex { break-before: page; }
.wide { page: wide; }
.wide table { font-size: 7pt; }
figure { margin: 4pt 0; } figure img { width: 100%; height: auto; }
figcaption { font-size: 7.5pt; color: #445; }
.comment { white-space: pre-wrap; border: 1px solid #d3d8e1; padding: 4pt 6pt; }
@media screen { body { margin: 24px auto; padding: 0 16px; }
                .annex { border-top: 3px double #c9ced8; margin-top: 24px; } }
"""


def esc(text: object) -> str:
    """HTML-escaped text (quotes included)."""
    return html.escape(str(text), quote=True)


def _cell(column: str, value: str, table: Table) -> str:
    cls = " class='num'" if column in table.numeric else ""
    if value.startswith(("http://", "https://")):
        return f"<td{cls}><a href='{esc(value)}'>{esc(value)}</a></td>"
    return f"<td{cls}>{esc(value)}</td>"


def column_widths(table: Table) -> list[float]:
    """Column widths in % of the table: from the header's and the cells' lengths (the
    longest word sets a floor, long text is capped), so no column collapses."""
    raw = []
    for i, col in enumerate(table.columns):
        cells = [row[i] for row in table.rows] or [""]
        longest_word = max(len(w) for text in [col, *cells] for w in (text.split() or [""]))
        mean = sum(len(t) for t in cells) / len(cells)
        if col in table.numeric:  # numbers never wrap: the longest cell sets the width
            header_word = max(len(w) for w in col.split() or [""])
            raw.append(max(max(len(t) for t in cells) + 3.0, min(header_word, 10) + 1.0))
        else:
            raw.append(min(max(longest_word + 1.0, mean * 0.6, 4.0), 45.0))
    total = sum(raw) or 1.0
    return [100.0 * w / total for w in raw]


def table_html(table: Table) -> str:
    """A text table as HTML (links made clickable, numeric columns right-aligned)."""
    cols = "".join(f"<col style='width:{w:.1f}%'>" for w in column_widths(table))
    head = "".join(
        f"<th{' class=num' if c in table.numeric else ''}>{esc(c)}</th>" for c in table.columns
    )
    body = "".join(
        "<tr>"
        + "".join(_cell(c, v, table) for c, v in zip(table.columns, row, strict=True))
        + "</tr>"
        for row in table.rows
    )
    return (
        f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _facts(pairs: Iterable[tuple[str, str]]) -> str:
    items = list(pairs)
    half = (len(items) + 1) // 2
    cells = []
    for part in (items[:half], items[half:]):
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in part)
        cells.append(f"<td><table class='meta'>{rows}</table></td>")
    return f"<table class='meta'><tr>{''.join(cells)}</tr></table>"


def _list(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def record_html(content: RecordContent, *, map_uri: str = "") -> str:
    """The whole record. ``map_uri`` is the static map as a ``data:`` URI (or empty)."""
    c = content
    summary = [
        "<section class='summary'>",
        f"<h1>{esc(c.title)}</h1>",
        _facts(c.facts),
    ]
    long_comment = len(c.comment) > COMMENT_ON_PAGE_1
    if c.comment:
        shown = c.comment[: COMMENT_ON_PAGE_1 - 40].rstrip() + "… (continued after this page)"
        summary.append(
            f"<div class='comment'><strong>Comment.</strong> "
            f"{esc(shown if long_comment else c.comment)}</div>"
        )
    if c.data_notice:
        summary.append(
            f"<p class='note stale'><strong>Data notice.</strong> {esc(c.data_notice)}</p>"
        )
    summary += [
        "<h2>The question</h2>",
        f"<p>{esc(c.question)}</p>",
        f"<p><strong>Method.</strong> {esc(c.method)}</p>",
        "<h2>Top sites</h2>",
        table_html(c.top_sites),
        "<h2>Robustness</h2>",
        f"<p class='verdict'>{esc(c.robustness.headline)}</p>",
        *(f"<p>{esc(d)}</p>" for d in c.robustness.details),
        f"<p class='small'>What was run: {esc(c.robustness.ran)}.</p>",
        "<h2>Weights, as shares of the total</h2>",
        table_html(c.weights),
        *(f"<p class='small'>{esc(line)}</p>" for line in c.elicitation),
    ]
    if c.elicitation_table is not None:
        summary.append(table_html(c.elicitation_table))
    summary += ["<h2>Caveats</h2>", _list(c.caveats)]
    summary.append("</section>")

    annex = ["<section class='annex'>"]
    if long_comment:
        annex += ["<h2>Comment</h2>", f"<div class='comment'>{esc(c.comment)}</div>"]
    annex.append("<h2>Annex 1. Map</h2>")
    if map_uri:
        annex.append(
            f"<figure><img alt='map of the ranked sites' src='{esc(map_uri)}'>"
            "<figcaption>Numbers are ranks (see Annex 2 for the names).</figcaption></figure>"
        )
    else:
        annex.append("<p>No map: no ranked site has a location.</p>")
    annex += ["<h2>Annex 2. Full ranking with group subscores</h2>", table_html(c.ranking)]
    if c.excluded is not None:
        annex += ["<h3>Excluded sites</h3>", table_html(c.excluded)]
    annex.append("</section>")
    explain = [
        "<section class='annex wide'>",
        "<h2>Annex 3. Per-site explanation, as the method in use computes it</h2>",
        f"<p class='small'>{esc(c.explanation_note)}</p>",
        table_html(c.explanation),
        "</section>",
    ]
    cost: list[str] = []
    if c.cost is not None:
        cost = [
            "<section class='annex wide'>",
            "<h2>Annex 4. Cost breakdown</h2>",
            f"<p class='small'>{esc(c.cost_note)}</p>",
            table_html(c.cost),
            "</section>",
        ]
    prov = [
        "<section class='annex wide'>",
        "<h2>Annex 5. Values used and their sources</h2>",
        "<p class='small'>The decision table: every value the ranking used, with its "
        "source, year, as-of date and how it was found or computed.</p>",
        table_html(c.provenance),
        *(
            [
                "<h3>Inputs shared by many values (cited by key above)</h3>",
                table_html(c.shared_inputs),
            ]
            if c.shared_inputs is not None
            else []
        ),
        "</section>",
        "<section class='annex'>",
        "<h2>Annex 6. Sources</h2>",
        table_html(c.sources),
        "</section>",
    ]
    return "\n".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{esc(c.title)}</title><style>{CSS}</style></head><body>",
            *summary,
            *annex,
            *explain,
            *cost,
            *prov,
            "</body></html>",
        ]
    )

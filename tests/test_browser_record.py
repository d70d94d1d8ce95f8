"""Real browser, offline: the PDF decision record downloads and opens; Data & sources shows
its table with links. Screenshots go to ``SITESELECT_SCREENSHOTS`` (a folder) when set."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from browser_support import CHROMIUM, wait_for_rerun

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
NAME = "Board review <b>Q1</b>"


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SITESELECT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_pdf_record_downloads_and_opens(server, page, tmp_path):
    from pypdf import PdfReader

    page.goto(f"{server}/scenarios")
    button = page.get_by_role("button", name="Decision record (PDF)")
    button.wait_for(timeout=120_000)
    field = page.get_by_label("Scenario name (for the record)")
    field.fill(NAME)
    field.press("Enter")
    wait_for_rerun(page)  # the rerun that takes the name
    started = time.monotonic()
    with page.expect_download(timeout=240_000) as info:
        button.click()
    path = tmp_path / "record.pdf"
    info.value.save_as(path)
    seconds = time.monotonic() - started
    assert path.read_bytes()[:5] == b"%PDF-"
    reader = PdfReader(path)
    assert len(reader.pages) > 1
    first = "".join(reader.pages[0].extract_text().split())
    assert "".join(NAME.split()) in first
    for heading in ("Thequestion", "Topsites", "Robustness", "Caveats"):
        assert heading in first
    assert not page.blocked, page.blocked[:3]
    shots = _shots(tmp_path)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    for i in range(min(3, len(pdf))):
        pdf[i].render(scale=1.4).to_pil().save(shots / f"record_page{i + 1}.png")
    page.screenshot(path=str(shots / "scenarios_record_buttons.png"), full_page=True)
    (shots / "record_timing.txt").write_text(f"PDF download: {seconds:.1f} s\n")


def test_data_and_sources_shows_the_table_with_links(server, page, tmp_path):
    page.goto(f"{server}/sources")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=120_000)
    page.get_by_text("Every sourced figure").wait_for()
    heads = grid.locator("table[role=grid] th")
    heads.first.wait_for(state="attached", timeout=30_000)  # the grid's accessible table
    names = [heads.nth(k).inner_text() for k in range(heads.count())]
    assert names[:4] == ["indicator", "scope", "value", "link"], names
    cells = grid.locator("table[role=grid] td")
    texts = [cells.nth(k).inner_text() for k in range(min(cells.count(), 50))]
    assert any(t == "open source" or t.startswith("https://") for t in texts), texts[:10]
    page.get_by_role("tab", name="Philippines").click()
    page.get_by_text("Philippines (PHL): sources, refresh steps and gaps").wait_for()
    assert page.locator('[data-testid="stMarkdownContainer"] img').count() == 0
    assert not page.blocked, page.blocked[:3]
    page.screenshot(path=str(_shots(tmp_path) / "data_and_sources.png"), full_page=True)

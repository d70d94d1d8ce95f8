"""The app starts without the libraries its first page does not need."""

from __future__ import annotations

import pytest

from benchmarks.startup import app_modules, first_page_modules, imported_modules, run_probe

#: never needed to draw the first page (map and ranking): the reference engine, the LP and
#: spatial index, charts of other pages, the scenario store and sign-in, the geography
#: computed for uploads (bundled sites carry theirs)
NOT_AT_START = ("skcriteria", "sklearn", "scipy", "altair", "sqlalchemy", "argon2")


@pytest.mark.parametrize(
    "modules", [app_modules, first_page_modules], ids=["app-imports", "first-page-imports"]
)
def test_first_page_imports_leave_heavy_libraries_unloaded(modules):
    names = modules()
    assert "streamlit" in names
    assert any(n.startswith("ui.") for n in names)
    _, loaded = run_probe(names, watch=NOT_AT_START)
    assert loaded == []


def test_probe_sees_a_library_that_is_imported():
    _, loaded = run_probe(["siteselect.errors", "scipy.optimize"], watch=NOT_AT_START)
    assert loaded == ["scipy"]


def test_imported_modules_resolves_from_imports(tmp_path):
    script = tmp_path / "page.py"
    script.write_text(
        "from __future__ import annotations\nimport json\nfrom siteselect import views\n"
        "from siteselect.errors import SiteSelectError\n"
    )
    assert imported_modules(script) == ["json", "siteselect.views", "siteselect.errors"]

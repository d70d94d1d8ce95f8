"""Shared fixtures: a tiny synthetic catalogue, the bundled criteria, a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_support import browser, page, server  # noqa: F401 (the real-browser tests' fixtures)
from hypothesis import HealthCheck, settings

from siteselect.catalog import Catalog, load_catalog
from siteselect.criteria import CriteriaSet, load_criteria

FIXTURES = Path(__file__).parent / "fixtures"
settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


@pytest.fixture(scope="session", autouse=True)
def scenario_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keep every test (and the app under test) away from the user's real scenario store."""
    import os

    path = tmp_path_factory.mktemp("store") / "scenarios.sqlite"
    os.environ["SITESELECT_DB"] = str(path)
    return path


@pytest.fixture(scope="session")
def cset() -> CriteriaSet:
    return load_criteria()


@pytest.fixture(scope="session")
def tiny() -> Catalog:
    """Four synthetic sites with synthetic indicators (not real data)."""
    return load_catalog(FIXTURES / "tiny")


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A writable copy of the tiny catalogue, for tests that break a file."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "tiny", target)
    return target


@pytest.fixture
def criteria_dir(tmp_path: Path) -> Path:
    target = tmp_path / "criteria"
    shutil.copytree(Path(__file__).parent.parent / "criteria", target)
    return target

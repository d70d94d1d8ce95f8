"""Saved scenarios: a user's whole decision model, kept to reopen and rank the same way.

A :class:`~siteselect.scenario.Scenario` is a frozen record validated when it is built. A
:class:`ScenarioStore` keeps scenarios with SQLAlchemy Core in SQLite (one file in the
user's data directory) or in PostgreSQL, chosen by the ``SITESELECT_DB`` environment
variable (a file path or a SQLAlchemy URL such as ``postgresql+psycopg://host/db``).

The package, by concern:

- :mod:`siteselect.scenario` — the scenario model, its validation and exchange format;
- :mod:`siteselect.store.database` — the database setting, engine and migrations;
- :mod:`siteselect.store.scenarios` — save, load, list, delete, audit, export, import;
- :mod:`siteselect.store.access` — workspaces, roles, members and read-only sharing;
- :mod:`siteselect.store.site_files` — uploaded site files kept for links (``up=``).

>>> store = ScenarioStore("sqlite://")  # in memory, for the example
>>> saved = store.save(
...     Scenario("Base case", "ems", "investor", {"labour_cost": 2.0}, "topsis", {}, "worst")
... )
>>> store.load("Base case") == saved
True
>>> store.close()
"""

from __future__ import annotations

from siteselect.scenario import (
    FORMAT,
    FORMAT_VERSION,
    MAX_COMMENT,
    MAX_ELICITATION_CHARS,
    MAX_FILENAME,
    MAX_HEADCOUNT,
    MAX_ID,
    MAX_JSON_CHARS,
    MAX_NAME,
    MAX_PROJECT_CHARS,
    MAX_UPLOAD_BYTES,
    MODEL_FIELDS,
    RESERVED_PARAMS,
    SCENARIO_FIELDS,
    FrozenMap,
    Scenario,
    ScenarioDiff,
    compare,
    method_problems,
    now_utc,
    reference_project,
    scenario_evaluate_kwargs,
    scenario_from_json,
    scenario_to_json,
)
from siteselect.schema import MIGRATIONS, SCHEMA_VERSION
from siteselect.store.access import ScenarioStore
from siteselect.store.database import (
    BACKENDS,
    BUSY_TIMEOUT_MS,
    DB_ENV,
    DRIVERS,
    MIGRATION_LOCK,
    DatabaseSettingError,
    database_url,
    engine_for,
    migrate,
)
from siteselect.store.scenarios import AUDIT_COLUMNS, LIST_COLUMNS, AccessError
from siteselect.store.site_files import REF_CHARS, KeptSites, site_file_ref

__all__ = [
    "AUDIT_COLUMNS",
    "BACKENDS",
    "BUSY_TIMEOUT_MS",
    "DB_ENV",
    "DRIVERS",
    "FORMAT",
    "FORMAT_VERSION",
    "LIST_COLUMNS",
    "MAX_COMMENT",
    "MAX_ELICITATION_CHARS",
    "MAX_FILENAME",
    "MAX_HEADCOUNT",
    "MAX_ID",
    "MAX_JSON_CHARS",
    "MAX_NAME",
    "MAX_PROJECT_CHARS",
    "MAX_UPLOAD_BYTES",
    "MIGRATIONS",
    "MIGRATION_LOCK",
    "MODEL_FIELDS",
    "REF_CHARS",
    "RESERVED_PARAMS",
    "SCENARIO_FIELDS",
    "SCHEMA_VERSION",
    "AccessError",
    "DatabaseSettingError",
    "FrozenMap",
    "KeptSites",
    "Scenario",
    "ScenarioDiff",
    "ScenarioStore",
    "compare",
    "database_url",
    "engine_for",
    "method_problems",
    "migrate",
    "now_utc",
    "reference_project",
    "scenario_evaluate_kwargs",
    "scenario_from_json",
    "scenario_to_json",
    "site_file_ref",
]

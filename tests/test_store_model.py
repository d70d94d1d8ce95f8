"""store: a scenario carries the whole decision model (markets, headcount, edited reference
project, data version), on SQLite and PostgreSQL; older records load with the defaults."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from databases import BACKENDS, fresh_database, sql

from siteselect.errors import DataError
from siteselect.ranking import default_catalog, evaluate
from siteselect.store import (
    MIGRATIONS,
    Scenario,
    ScenarioStore,
    compare,
    database_url,
    engine_for,
    migrate,
    reference_project,
    scenario_evaluate_kwargs,
    scenario_from_json,
    scenario_to_json,
)

ROOT = Path(__file__).parent.parent


def bundled_project(sector: str = "ems") -> dict:
    doc = yaml.safe_load((ROOT / "criteria" / "projects.yaml").read_text(encoding="utf-8"))
    return copy.deepcopy(next(p for p in doc["projects"] if p["sector"] == sector))


def edited_project() -> dict:
    """The EMS reference project with a smaller floor area: a user's edit."""
    project = bundled_project()
    project["floor_area_m2"] = {"value": 12_000, "assumption": True, "why": "our own plan"}
    return project


def whole(name: str = "Whole model", **changes: object) -> Scenario:
    fields: dict = {
        "name": name,
        "sector": "ems",
        "profile": "investor",
        "weights": {"cost": 0.4},
        "method": "topsis",
        "params": {},
        "missing": "worst",
        "data_version": "release-2026-01 abc123",
        "markets": {"US": 0.6, "ASEAN": 0.4},
        "headcount": 800.0,
        "project": edited_project(),
    }
    return Scenario(**{**fields, **changes})


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as target:
        yield target


def test_the_whole_model_round_trips_through_the_store_and_json(db):
    s = whole()
    with ScenarioStore(db) as store:
        store.save(s)
        loaded = store.load(s.name)
        exported = store.export_json(s.name)
    assert loaded == store_copy(s, loaded)
    assert dict(loaded.markets) == {"US": 0.6, "ASEAN": 0.4}
    assert loaded.headcount == 800.0
    assert loaded.project["floor_area_m2"]["value"] == 12_000
    assert loaded.data_version == "release-2026-01 abc123"
    body = json.loads(exported)["scenario"]
    assert body["headcount"] == 800.0
    assert body["project"]["floor_area_m2"]["value"] == 12_000
    again = scenario_from_json(exported)
    assert again == store_copy(s, again)


def test_exclusion_rules_round_trip_and_reproduce_the_exclusions(db):
    s = whole(
        "Strict fab",
        sector="semiconductor_fab",
        project={},
        exclusion_rules={"water_stress": True},
    )
    with ScenarioStore(db) as store:
        store.save(s)
        loaded = store.load(s.name)
    assert dict(loaded.exclusion_rules) == {"water_stress": True}
    assert scenario_from_json(scenario_to_json(loaded)).exclusion_rules == {"water_stress": True}
    kwargs = scenario_evaluate_kwargs(loaded)
    assert kwargs["exclusion_rules"] == {"water_stress": True}
    result = evaluate(**kwargs)
    assert "US-AZ-NPHX" in result.excluded.index
    assert "exclusion_rules" not in scenario_evaluate_kwargs(whole())


def store_copy(original: Scenario, stored: Scenario) -> Scenario:
    """``original`` with the fields the store sets (id, created_at) taken from ``stored``."""
    import dataclasses

    return dataclasses.replace(original, id=stored.id, created_at=stored.created_at)


def test_the_saved_model_reproduces_the_ranking(tiny, cset):
    s = whole()
    kwargs = scenario_evaluate_kwargs(s)
    assert kwargs["headcount"] == 800.0
    assert kwargs["markets"] == {"US": 0.6, "ASEAN": 0.4}
    project = reference_project(s)
    assert project is not None
    assert project.figures["floor_area_m2"].value == 12_000
    direct = evaluate(
        tiny,
        cset,
        sector="ems",
        profile="investor",
        weights={"cost": 0.4},
        method="topsis",
        missing="worst",
        markets={"US": 0.6, "ASEAN": 0.4},
        headcount=800.0,
        project=project,
    )
    again = evaluate(tiny, cset, **kwargs)
    assert again.ranking.index.tolist() == direct.ranking.index.tolist()
    assert again.ranking["score"].tolist() == direct.ranking["score"].tolist()
    assert again.table.cost is not None
    assert again.table.cost.project.figures["floor_area_m2"].value == 12_000
    assert again.table.cost.project.headcount_total == pytest.approx(800.0)


def test_the_edited_project_is_the_one_costed(cset):
    bundled = default_catalog()  # the tiny fixture has no cost inputs
    bigger = edited_project()
    bigger["floor_area_m2"]["value"] = 400_000
    costs = {}
    for label, s in (("small", whole()), ("large", whole(project=bigger))):
        result = evaluate(bundled, cset, **scenario_evaluate_kwargs(s))
        assert result.table.cost is not None
        costs[label] = result.table.cost.scored
    assert (costs["large"] >= costs["small"]).all()
    assert (costs["large"] > costs["small"]).any()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"headcount": -5}, r"field 'headcount': must be between 0 and 1,000,000 staff"),
        ({"headcount": "many"}, r"field 'headcount': must be a number of staff or null"),
        ({"headcount": float("nan")}, r"field 'headcount'"),
        ({"markets": {"ZZ": 1.0}}, r"field 'markets\.ZZ': unknown market; valid markets: "),
        ({"markets": {"US": 0}}, r"field 'markets\.US': must be a positive share"),
        ({"project": "big"}, r"field 'project': must be a mapping"),
        ({"project": {**edited_project(), "sector": "pcb"}}, r"'project\.sector': must be"),
        (
            {"project": {k: v for k, v in edited_project().items() if k != "headcount"}},
            r"field 'project\.headcount': lists no staff category",
        ),
        (
            {"project": {**edited_project(), "floor_area_m2": {"value": "x"}}},
            r"field 'project\.floor_area_m2\.value': not a number: 'x'",
        ),
        (
            {"exclusion_rules": {"water_stress": True}},
            r"field 'exclusion_rules\.water_stress': not a rule of sector 'ems'",
        ),
        (
            {"sector": "semiconductor_fab", "project": {}, "exclusion_rules": {"water_stress": 1}},
            r"field 'exclusion_rules\.water_stress': must be true or false",
        ),
    ],
    ids=[
        "negative-headcount",
        "text-headcount",
        "nan-headcount",
        "unknown-market",
        "zero-share",
        "project-not-mapping",
        "project-other-sector",
        "project-no-staff",
        "project-bad-figure",
        "rule-of-another-sector",
        "rule-not-boolean",
    ],
)
def test_a_bad_model_field_is_named(changes, message):
    with pytest.raises(DataError, match=message):
        whole(**changes)
    document = json.loads(scenario_to_json(whole()))
    document["scenario"].update(changes)
    text = json.dumps(document, default=str)
    if isinstance(changes.get("headcount"), float):
        text = text.replace("NaN", "1e999")  # JSON has no NaN; an overflow reads as inf
    with pytest.raises(DataError, match=message):
        scenario_from_json(text)


def test_a_document_from_before_the_model_fields_loads_with_defaults():
    document = json.loads(scenario_to_json(whole()))
    for key in ("markets", "headcount", "project"):
        document["scenario"].pop(key)
    old = scenario_from_json(json.dumps(document))
    assert dict(old.markets) == {}
    assert old.headcount is None
    assert dict(old.project) == {}
    assert reference_project(old) is None
    assert "headcount" not in scenario_evaluate_kwargs(old)


def test_compare_names_the_model_changes():
    a = whole()
    b = whole(headcount=1200.0, project={}, markets={"US": 1.0})
    lines = compare(a, b).lines()
    assert "headcount: 800 → 1200" in lines
    assert "reference project: the bundled one" in lines
    assert any(line.startswith("markets: ") for line in lines)


def test_a_version_2_database_moves_markets_out_of_the_parameters(db):
    engine = engine_for(database_url(db))
    try:
        assert migrate(engine, MIGRATIONS[:2]) == 2
    finally:
        engine.dispose()
    sql(
        db,
        "INSERT INTO scenarios (workspace, name, version, sector, profile, method, missing, "
        "weights, params, elicitation, data_version, author_role, comment, created_at) VALUES "
        "('default', 'Old markets', 1, 'ems', 'investor', 'vikor', 'worst', '{}', "
        """'{"markets": {"US": 0.7, "JP": 0.3}, "v": 0.4}', '{}', 'v1', '', '', """
        "'2026-01-01T00:00:00.000000+00:00')",
        "INSERT INTO scenarios (workspace, name, version, sector, profile, method, missing, "
        "weights, params, elicitation, data_version, author_role, comment, created_at) VALUES "
        "('default', 'Old plain', 1, 'ems', 'investor', 'wsm', 'worst', '{}', '{}', '{}', "
        "'', '', '', '2026-01-01T00:00:00.000000+00:00')",
    )
    with ScenarioStore(db) as store:
        moved = store.load("Old markets")
        plain = store.load("Old plain")
        assert store.list()["problem"].tolist() == ["", ""]
    assert dict(moved.markets) == {"US": 0.7, "JP": 0.3}
    assert dict(moved.params) == {"v": 0.4}
    assert plain.headcount is None
    assert dict(plain.project) == {}
    rows = dict(sql(db, "SELECT name, model FROM scenarios"))
    assert json.loads(rows["Old markets"]) == {"markets": {"US": 0.7, "JP": 0.3}}
    assert json.loads(rows["Old plain"]) == {}


def test_a_tampered_model_column_is_reported_not_raised(db):
    with ScenarioStore(db) as store:
        store.save(whole())
        sql(db, """UPDATE scenarios SET model = '{"headcount": "lots", "colour": 1}'""")
        listing = store.list()
        with pytest.raises(DataError, match=r"field 'model\.colour': unexpected field"):
            store.load("Whole model")
    assert "headcount: must be a number of staff" in listing["problem"].iloc[0]

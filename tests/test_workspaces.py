"""Workspaces and roles, enforced by the store: on SQLite and PostgreSQL alike."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from databases import BACKENDS, backend_of, counts, fresh_database, sql

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.store import (
    MIGRATIONS,
    REF_CHARS,
    SCHEMA_VERSION,
    AccessError,
    KeptSites,
    Scenario,
    ScenarioStore,
    database_url,
    engine_for,
    migrate,
    site_file_ref,
)


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as target:
        yield target


@pytest.fixture
def operator(db) -> Iterator[ScenarioStore]:
    """The deployment's operator: three organisations, each with an admin."""
    with ScenarioStore(db) as store:
        store.create_workspace("association", admin="ana")
        store.create_workspace("government", admin="gus")
        store.create_workspace("investor", admin="ivy")
        yield store


def plan(name: str = "Association plan (confidential)") -> Scenario:
    upload = ("confidential.csv", "bmFtZSxsYXQsbG9uLGNvdW50cnkKU2VjcmV0LDEzLDEyMSxQSEwK")
    return Scenario(
        name, "ems", "investor", {"tax": 2.0}, "wsm", {}, "worst", uploaded_sites=(upload,)
    )


def test_another_workspace_cannot_list_open_export_or_delete(operator):
    """The issue's three visitors: B saw, opened and exported A's plan, and C deleted it."""
    ana = operator.for_user("ana")
    ana.save(plan())
    gus, ivy = operator.for_user("gus"), operator.for_user("ivy")
    for other in (gus, ivy):
        assert other.list().empty
        with pytest.raises(UnknownNameError, match=r"unknown scenario .*valid scenarios: $"):
            other.load("Association plan (confidential)")
        with pytest.raises(UnknownNameError, match=r"unknown scenario"):
            other.export_json("Association plan (confidential)")
        with pytest.raises(AccessError, match=r"'association' has shared no scenario named"):
            other.load("Association plan (confidential)", workspace="association")
        with pytest.raises(UnknownNameError, match=r"unknown scenario"):
            other.delete(
                "Association plan (confidential)", confirm="Association plan (confidential)"
            )
        assert other.audit_trail().empty
    assert ana.load("Association plan (confidential)").uploads()[0][0] == "confidential.csv"
    assert ana.list()["name"].tolist() == ["Association plan (confidential)"]


def test_the_same_name_in_two_workspaces_is_two_scenarios(operator):
    ana, gus = operator.for_user("ana"), operator.for_user("gus")
    ana.save(plan("Base"))
    gus.save(plan("Base").__class__("Base", "ems", "investor", {}, "topsis", {}, "mean"))
    assert ana.load("Base").method == "wsm"
    assert gus.load("Base").method == "topsis"
    ana.save(plan("Base"), overwrite=True)
    assert ana.audit_trail("Base")["action"].tolist() == ["save", "update"]
    assert gus.audit_trail("Base")["action"].tolist() == ["save"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("viewer", {"list", "load", "export"}),
        ("evaluator", {"list", "load", "export", "save", "import", "share"}),
        ("admin", {"list", "load", "export", "save", "import", "share", "delete", "members"}),
    ],
    ids=["viewer", "evaluator", "admin"],
)
def test_roles(operator, role, allowed):
    ana = operator.for_user("ana")
    ana.save(plan("Kept"))
    text = ana.export_json("Kept").replace('"Kept"', '"Copy"')
    ana.set_member("val", role)
    val = operator.for_user("val", "association")
    assert val.role == role
    actions = {
        "list": lambda: val.list(),
        "load": lambda: val.load("Kept"),
        "export": lambda: val.export_json("Kept"),
        "save": lambda: val.save(plan("Mine")),
        "import": lambda: val.import_json(text),
        "share": lambda: val.share("Kept", with_workspace="government"),
        "delete": lambda: val.delete("Kept", confirm="Kept"),
        "members": lambda: val.set_member("zed", "viewer"),
    }
    for action, call in actions.items():
        if action in allowed:
            call()
        else:
            with pytest.raises(AccessError, match=rf"val is {role} in workspace 'association'"):
                call()
    assert ("Kept" in set(ana.list()["name"])) == ("delete" not in allowed)


def test_a_viewer_cannot_delete_and_nothing_changes(operator, db):
    ana = operator.for_user("ana")
    ana.save(plan())
    ana.set_member("vic", "viewer")
    before = counts(db)
    with pytest.raises(AccessError, match=r"deleting a scenario needs the admin role"):
        operator.for_user("vic").delete(plan().name, confirm=plan().name)
    assert counts(db) == before


def test_sharing_with_a_workspace_is_read_only_and_can_end(operator):
    ana, gus = operator.for_user("ana"), operator.for_user("gus")
    ana.save(plan())
    assert ana.share(plan().name, with_workspace="government") is None
    listing = gus.list()
    assert listing[["name", "workspace", "access"]].values.tolist() == [
        [plan().name, "association", "read-only"]
    ]
    opened = gus.load(plan().name, workspace="association")
    assert opened.uploads() == plan().uploads()
    assert json.loads(gus.export_json(plan().name, workspace="association"))["scenario"]
    # read-only: gus's writes go to his own workspace, never to the shared one
    with pytest.raises(UnknownNameError):
        gus.delete(plan().name, confirm=plan().name)
    gus.save(plan(), overwrite=True)  # a copy in government
    assert ana.load(plan().name).id != gus.load(plan().name).id
    assert operator.for_user("ivy").list().empty
    assert ana.unshare(plan().name) == 1
    with pytest.raises(AccessError, match=r"has shared no scenario"):
        gus.load(plan().name, workspace="association")
    trail = ana.audit_trail(plan().name)
    assert trail[["action", "actor"]].values.tolist() == [
        ["save", "ana"],
        ["share", "ana"],
        ["unshare", "ana"],
    ]


def test_a_share_link_opens_read_only_and_is_audited(operator, db):
    ana = operator.for_user("ana")
    ana.save(plan())
    token = ana.share(plan().name)
    assert token is not None
    assert len(token) >= 32
    assert token not in json.dumps(sql(db, "SELECT * FROM shares"), default=str)
    ivy = operator.for_user("ivy")
    assert ivy.open_link(token) == ana.load(plan().name)
    assert ivy.list().empty  # a link opens one scenario; it does not join the workspace
    trail = ana.audit_trail()
    assert trail["action"].tolist()[-1] == "open_link"
    assert json.loads(trail["payload"].iloc[-1]) == {"by_workspace": "investor"}
    with pytest.raises(AccessError, match=r"not valid or was revoked"):
        ivy.open_link(token[:-2] + "xx")
    ana.unshare(plan().name)
    with pytest.raises(AccessError, match=r"not valid or was revoked"):
        ivy.open_link(token)


def test_membership_rules(operator):
    with pytest.raises(AccessError, match=r"'zoe' is a member of 0 workspaces"):
        operator.for_user("zoe")
    with pytest.raises(AccessError, match=r"'ana' is not a member of workspace 'government'"):
        operator.for_user("ana", "government")
    ana = operator.for_user("ana")
    with pytest.raises(AccessError, match=r"only the deployment's operator"):
        ana.create_workspace("mine", admin="ana")
    with pytest.raises(UnknownNameError, match=r"unknown role 'owner'"):
        ana.set_member("bob", "owner")
    with pytest.raises(Exception, match=r"must keep an admin"):
        ana.set_member("ana", "viewer")
    ana.set_member("bob", "evaluator")
    assert ana.members()[["user", "role"]].values.tolist() == [
        ["ana", "admin"],
        ["bob", "evaluator"],
    ]
    operator.create_workspace("second", admin="bob")
    with pytest.raises(AccessError, match=r"member of 2 workspaces \(association, second\)"):
        operator.for_user("bob")
    assert operator.for_user("bob", "second").role == "admin"


def test_a_version_1_database_upgrades_with_its_data_in_the_default_workspace(db):
    engine = engine_for(database_url(db))
    try:
        assert migrate(engine, MIGRATIONS[:1]) == 1
    finally:
        engine.dispose()
    sql(
        db,
        "INSERT INTO scenarios (name, version, sector, profile, method, missing, weights, "
        "params, elicitation, data_version, author_role, comment, created_at) VALUES "
        "('Old', 1, 'ems', 'investor', 'wsm', 'worst', '{}', '{}', '{}', '', 'Investor', '', "
        "'2026-01-01T00:00:00.000000+00:00')",
        "INSERT INTO uploads (scenario_id, position, filename, content) VALUES "
        "(1, 0, 'a.csv', 'eA==')",
        "INSERT INTO audit (at, action, scenario_name, scenario_id, author_role, payload) "
        "VALUES ('2026-01-01T00:00:00.000000+00:00', 'save', 'Old', 1, 'Investor', '{}')",
    )
    with ScenarioStore(db) as store:
        assert store.schema_version == SCHEMA_VERSION == 4
        old = store.load("Old")
        assert old.uploads() == [("a.csv", b"x")]
        assert store.audit_trail()[["action", "workspace", "actor"]].values.tolist() == [
            ["save", "default", ""]
        ]
        store.save(Scenario("New", "ems", "investor", {}, "wsm", {}, "worst"))
        assert store.list()["name"].tolist() == ["New", "Old"]
    engine = sa.create_engine(database_url(db))
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert {"workspaces", "members", "shares", "scenarios", "uploads", "audit"} <= names
    assert not any(n.endswith("__v2") for n in names)
    if backend_of(db) == "sqlite":
        assert sql(db, "PRAGMA foreign_key_check") == []
        parents = {
            row[2]
            for t in ("uploads", "audit")
            for row in sql(db, f"PRAGMA foreign_key_list({t})")
        }
        assert parents == {"scenarios"}


def test_uploaded_site_files_are_kept_per_workspace_and_opened_only_there(operator, db):
    """What a link's ``up=`` reference opens: the file, in its own workspace only."""
    ana, gus = operator.for_user("ana"), operator.for_user("gus")
    body = b"name,lat,lon,country\nSecret plant,13,121,PHL\n"
    ref = ana.keep_site_file("confidential.csv", body)
    assert ref == site_file_ref(body) == hashlib.sha256(body).hexdigest()[:REF_CHARS]
    assert ana.keep_site_file("again.csv", body) == ref  # kept once per content
    assert sql(db, "SELECT count(*) FROM site_files") == [(1,)]
    assert ana.site_file(ref) == KeptSites("confidential.csv", body)
    # another organisation cannot open it, even with the exact reference
    with pytest.raises(SiteSelectError, match=r"workspace 'government' keeps no uploaded"):
        gus.site_file(ref)
    # the same bytes uploaded by the other organisation are its own record
    assert gus.keep_site_file("mine.csv", body) == ref
    assert gus.site_file(ref) == KeptSites("mine.csv", body)
    assert sql(db, "SELECT count(*) FROM site_files") == [(2,)]
    # a viewer's uploads stay in their session
    ana.set_member("vic", "viewer")
    with pytest.raises(AccessError, match=r"vic is viewer .* needs the evaluator role"):
        operator.for_user("vic").keep_site_file("v.csv", b"x")
    assert operator.for_user("vic").site_file(ref).content == body  # can open the workspace's


@pytest.mark.parametrize(
    "ref", ["", "0123", "0123456789ABCDEF", "%" * 16, "0123456789abcdeg", "_" * 16, None, 7]
)
def test_a_site_file_reference_must_be_sixteen_lowercase_hex_digits(operator, ref):
    ana = operator.for_user("ana")
    ana.keep_site_file("a.csv", b"name,lat,lon,country\n")
    with pytest.raises(SiteSelectError, match=r"is not a reference to uploaded sites"):
        ana.site_file(ref)


def test_a_version_3_database_upgrades_to_keep_site_files(db):
    engine = engine_for(database_url(db))
    try:
        assert migrate(engine, MIGRATIONS[:3]) == 3
    finally:
        engine.dispose()
    with ScenarioStore(db) as store:
        assert store.schema_version == 4
        ref = store.keep_site_file("a.csv", b"x")
        assert store.site_file(ref) == KeptSites("a.csv", b"x")


def test_the_values_entered_for_uploaded_sites_are_kept_with_them(operator, db):
    ana = operator.for_user("ana")
    body = b"name,lat,lon,country\nBatangas,13.78,121.06,PHL\n"
    entry = ("USER-BATANGAS", "land_cost", 85.0, "ana", "2026-12-02T03:00:00+00:00")
    plain, valued = ana.keep_site_file("b.csv", body), ana.keep_site_file("b.csv", body, [entry])
    assert plain != valued == site_file_ref(body, [entry])  # another value, another record
    assert ana.site_file(valued) == KeptSites("b.csv", body, (entry,))
    assert ana.site_file(plain).entries == ()
    for bad in [("S", "c", "85", "ana", "t"), ("S", "c", True, "a", "t"), ("S", "c", 1.0)]:
        with pytest.raises(SiteSelectError, match=r"entered value 1 must be \(site id"):
            ana.keep_site_file("b.csv", body, [bad])
    with pytest.raises(SiteSelectError, match=r"finite numbers"):
        ana.keep_site_file("b.csv", body, [("S", "c", float("nan"), "a", "t")])
    # a record changed in the database by hand is reported, not trusted
    sql(db, "UPDATE site_files SET entries = '[[1, 2]]'")
    with pytest.raises(SiteSelectError, match=rf"kept under reference {valued} are damaged"):
        ana.site_file(valued)


def test_a_workspace_keeps_a_bounded_number_of_files_and_never_drops_one(operator, monkeypatch):
    from siteselect.store import site_files

    monkeypatch.setattr(site_files, "MAX_SITE_FILES", 2)
    ana = operator.for_user("ana")
    first = ana.keep_site_file("1.csv", b"1")
    ana.keep_site_file("2.csv", b"2")
    assert ana.keep_site_file("1 again.csv", b"1") == first  # kept already: no new record
    with pytest.raises(
        SiteSelectError, match=r"already keeps 2 uploaded files for links \(at most 2\)"
    ):
        ana.keep_site_file("3.csv", b"3")
    assert ana.site_file(first).content == b"1"
    assert operator.for_user("gus").keep_site_file("3.csv", b"3")  # another workspace's quota

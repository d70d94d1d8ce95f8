"""The app's workspace controls through AppTest (local accounts): the workspace picker,
members and roles, what a viewer is offered, sharing with a workspace and by link."""

from __future__ import annotations

import os
import uuid

import pytest
from streamlit.testing.v1 import AppTest
from test_app import APP, TIMEOUT

from siteselect import accounts
from siteselect.store import Scenario, ScenarioStore

PASSWORD = "correct horse battery staple"
SCENARIOS = "ui/pages/scenarios.py"
WORKSPACE = "ui/pages/workspace.py"


@pytest.fixture
def org(monkeypatch):
    """Two organisations: ana (association admin, also a government viewer), vic (an
    association viewer), gus (government admin); the association saved a plan."""
    tag = uuid.uuid4().hex[:8]
    people = {k: f"{k}-{tag}" for k in ("ana", "vic", "gus")}
    spaces = {k: f"{k}-{tag}" for k in ("association", "government")}
    with ScenarioStore(os.environ["SITESELECT_DB"]) as operator:
        operator.create_workspace(spaces["association"], admin=people["ana"])
        operator.create_workspace(spaces["government"], admin=people["gus"])
        for user in people.values():
            accounts.create_account(operator, user, PASSWORD)
        ana = operator.for_user(people["ana"], spaces["association"])
        ana.set_member(people["vic"], "viewer")
        operator.for_user(people["gus"]).set_member(people["ana"], "viewer")
        ana.save(Scenario(f"Plan {tag}", "ems", "investor", {}, "wsm", {}, "worst"))
    monkeypatch.setenv("SITESELECT_AUTH", "local")
    return {
        "tag": tag,
        "plan": f"Plan {tag}",
        **people,
        **{f"ws_{k}": v for k, v in spaces.items()},
    }


def signed_in(user: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.text_input(key="sign_in_user").input(user)
    at.text_input(key="sign_in_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception
    return at


def page(at: AppTest, path: str) -> AppTest:
    at.switch_page(path).run()
    assert not at.exception
    return at


def listed(at: AppTest) -> set[str]:
    return set(at.dataframe[0].value["name"]) if at.dataframe else set()


def plain(markdown: str) -> str:
    """Escaped markdown as the text it shows."""
    return markdown.replace("\\", "")


def labels(at: AppTest) -> set[str]:
    return {b.label for b in at.button} | {e.label for e in at.expander}


def test_a_member_of_two_workspaces_picks_one_and_sees_its_scenarios(org):
    at = page(signed_in(org["ana"]), SCENARIOS)
    picker = at.selectbox(key="workspace")
    assert picker.options == [
        f"{org['ws_association']} (admin)",
        f"{org['ws_government']} (viewer)",
    ]
    assert org["plan"] in listed(at)
    assert "Delete" in labels(at)
    picker.set_value(org["ws_government"]).run()
    assert not at.exception
    assert org["plan"] not in listed(at)
    assert "Delete" not in labels(at)  # ana is only a viewer there
    assert "Save scenario" not in labels(at)


def test_a_viewer_is_offered_no_save_delete_share_or_import(org):
    at = page(signed_in(org["vic"]), SCENARIOS)
    assert org["plan"] in listed(at)
    offered = labels(at)
    assert {"Open", "Save scenario", "Delete", "Share read-only"} & offered == {"Open"}
    assert not at.get("file_uploader") or all(
        u.label != "Import a scenario (JSON)" for u in at.get("file_uploader")
    )
    assert any("You are a viewer" in i.value for i in at.info)
    at = page(at, WORKSPACE)
    assert set(at.dataframe[0].value["user"]) == {org["ana"], org["vic"]}
    assert not at.get("form") or "Add or change" not in labels(at)


def test_an_admin_adds_and_removes_a_member_and_it_is_audited(org):
    at = page(signed_in(org["ana"]), WORKSPACE)
    newcomer = f"ben-{org['tag']}"
    at.text_input[0].input(newcomer)
    next(b for b in at.button if b.label == "Add or change").click().run()
    assert not at.exception
    assert newcomer in set(at.dataframe[0].value["user"])
    assert any(newcomer in plain(s.value) for s in at.success)
    at.selectbox(key="member_remove").set_value(newcomer).run()
    next(b for b in at.button if b.label == "Remove from the workspace").click().run()
    assert not at.exception
    assert newcomer not in set(at.dataframe[0].value["user"])
    with ScenarioStore(os.environ["SITESELECT_DB"]) as store:
        trail = store.for_user(org["ana"], org["ws_association"]).audit_trail()
    members = trail[trail["action"] == "member"]
    assert members["actor"].tolist()[-2:] == [org["ana"], org["ana"]]


def test_sharing_with_a_workspace_and_by_link_is_read_only(org):
    at = page(signed_in(org["ana"]), SCENARIOS)
    at.text_input(key="share_with").input(org["ws_government"])
    next(b for b in at.button if b.label == "Share with this workspace").click().run()
    assert not at.exception
    next(b for b in at.button if b.label == "Create a read-only link").click().run()
    assert not at.exception
    token = at.code[0].value.rsplit("?share=", 1)[1]
    # government's admin lists it read-only, can open it, cannot delete it
    gus = page(signed_in(org["gus"]), SCENARIOS)
    rows = gus.dataframe[0].value.set_index("name")
    assert rows.loc[org["plan"], "access"] == "read-only"
    pick = gus.selectbox(key="scenario_pick")
    assert pick.options == [f"{org['plan']} (shared by {org['ws_association']}, read-only)"]
    next(b for b in gus.button if b.label == "Open").click().run()
    assert not gus.exception
    assert any(f"Opened scenario “{org['plan']}”" in plain(s.value) for s in gus.success)
    assert "Delete" not in labels(gus)  # an admin deletes only his own workspace's scenarios
    # a link opened by someone of a third workspace: read-only, audited
    with ScenarioStore(os.environ["SITESELECT_DB"]) as operator:
        operator.create_workspace(f"investor-{org['tag']}", admin=f"ivy-{org['tag']}")
        accounts.create_account(operator, f"ivy-{org['tag']}", PASSWORD)
    ivy = page(signed_in(f"ivy-{org['tag']}", share=token), SCENARIOS)
    assert any(h.value == "Shared with you by link (read-only)" for h in ivy.subheader)
    assert org["plan"] not in listed(ivy)
    next(b for b in ivy.button if b.label == "Open the shared scenario").click().run()
    assert not ivy.exception
    assert any(f"Opened scenario “{org['plan']}”" in plain(s.value) for s in ivy.success)
    with ScenarioStore(os.environ["SITESELECT_DB"]) as store:
        trail = store.for_user(org["ana"], org["ws_association"]).audit_trail(org["plan"])
    assert trail["action"].tolist() == ["save", "share", "share", "open_link", "open_link"]

"""Real browser, real servers: sign-in, workspaces and roles across two app replicas that
share one PostgreSQL store (SQLite when no PostgreSQL server is configured)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, start_app, stop, wait_healthy
from databases import PG_ENV, fresh_database

from siteselect import accounts
from siteselect.store import Scenario, ScenarioStore

pytestmark = [
    pytest.mark.browser,
    pytest.mark.enable_socket,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
PASSWORD = "correct horse battery staple"
PLAN = "Association plan (confidential)"


def replica(db: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """One app replica on the store ``db``, with local sign-in."""
    return start_app(log, {"SITESELECT_DB": db, "SITESELECT_AUTH": "local"})


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[dict[str, str]]:
    """Two replicas, one store; three organisations with their people."""
    tmp = tmp_path_factory.mktemp("deployment")
    backend = "postgresql" if os.environ.get(PG_ENV) else "sqlite"
    with fresh_database(backend, tmp) as db:
        with ScenarioStore(db) as operator:
            for workspace, admin in (("association", "ana"), ("government", "gus")):
                operator.create_workspace(workspace, admin=admin)
            operator.for_user("ana").set_member("vic", "viewer")
            for user in ("ana", "gus", "vic"):
                accounts.create_account(operator, user, PASSWORD)
        logs = [tmp / f"replica{i}.log" for i in (1, 2)]
        procs = [replica(db, log) for log in logs]
        try:
            for (proc, url), log in zip(procs, logs, strict=True):
                wait_healthy(url, proc, log)
            yield {"one": procs[0][1], "two": procs[1][1], "db": db, "backend": backend}
        finally:
            for proc, _ in procs:
                stop(proc)


def signed_in(browser, url: str, user: str, password: str = PASSWORD):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    return context, page


def scenarios_page(page):
    page.wait_for_selector('[data-testid="stMetric"]', timeout=120_000)
    page.get_by_role("link", name="Scenarios").click()
    page.get_by_text("Saved scenarios", exact=True).wait_for(timeout=60_000)


def test_wrong_password_is_refused_in_the_browser(browser, deployment):
    context, page = signed_in(browser, deployment["one"], "ana", "wrong password here")
    page.get_by_text("wrong user name or password").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    context.close()


def test_two_replicas_share_the_store_and_workspaces_are_enforced(browser, deployment):
    name = f"{PLAN} {uuid.uuid4().hex[:6]}"
    # replica one: ana (association admin) saves
    context, page = signed_in(browser, deployment["one"], "ana")
    scenarios_page(page)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Save scenario").click()
    page.get_by_text("Saved “").wait_for(timeout=60_000)
    context.close()
    # replica two: ana sees it listed and in the audit trail, as herself
    context, page = signed_in(browser, deployment["two"], "ana")
    scenarios_page(page)
    page.get_by_text(name).first.wait_for(state="attached", timeout=60_000)  # grid cell
    context.close()
    with ScenarioStore(deployment["db"]) as store:
        trail = store.for_user("ana").audit_trail(name)
        assert trail[["action", "actor", "workspace"]].values.tolist() == [
            ["save", "ana", "association"]
        ]
        # workspace B (government) does not see it
        assert name not in set(store.for_user("gus").list()["name"])
    context, page = signed_in(browser, deployment["two"], "gus")
    scenarios_page(page)
    page.wait_for_timeout(2000)
    assert page.get_by_text(name).count() == 0
    context.close()
    # a viewer of the association is offered no delete (and the store would refuse it)
    context, page = signed_in(browser, deployment["two"], "vic")
    scenarios_page(page)
    page.get_by_text(name).first.wait_for(state="attached", timeout=60_000)
    assert page.get_by_text("Delete", exact=True).count() == 0
    assert page.get_by_role("button", name="Save scenario").count() == 0
    context.close()
    with ScenarioStore(deployment["db"]) as store:
        assert name in set(store.for_user("ana").list()["name"])


def test_a_share_link_opens_the_scenario_read_only_in_another_workspace(browser, deployment):
    name = f"{PLAN} link {uuid.uuid4().hex[:6]}"
    with ScenarioStore(deployment["db"]) as store:
        store.for_user("ana").save(
            Scenario(name, "ems", "investor", {"cost": 0.5}, "topsis", {}, "worst")
        )
    context, page = signed_in(browser, deployment["one"], "ana")
    scenarios_page(page)
    page.get_by_text("Share read-only").click()
    page.get_by_label("Scenario to share").click()
    page.get_by_role("option", name=name).click()
    page.get_by_role("button", name="Create a read-only link").click()
    link = page.locator('[data-testid="stCode"]').first
    link.wait_for(timeout=60_000)
    address = link.inner_text().strip()
    context.close()
    token = address.rsplit("?share=", 1)[1]
    assert address.startswith(deployment["one"])
    # gus (government) opens it on the other replica: read-only, not in his listing
    context, page = signed_in(browser, f"{deployment['two']}/?share={token}", "gus")
    scenarios_page(page)
    page.get_by_text("Shared with you by link (read-only)").wait_for(timeout=60_000)
    page.get_by_text(name).first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Open the shared scenario").click()
    page.get_by_text("Opened scenario").wait_for(timeout=60_000)
    assert page.get_by_text("Delete", exact=True).count() == 0  # government has nothing of its own
    context.close()
    with ScenarioStore(deployment["db"]) as store:
        assert name not in set(store.for_user("gus").list()["name"])
        trail = store.for_user("ana").audit_trail(name)
    assert trail["action"].tolist()[-2:] == ["open_link", "open_link"]
    # who opened it, recorded in the owner's workspace
    assert trail[["actor", "workspace"]].values.tolist()[-1] == ["gus", "association"]

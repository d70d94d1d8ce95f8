"""Local accounts: Argon2 hashes, one message for unknown users and wrong passwords, rate
limiting; and the app's sign-in gate with workspaces, through AppTest."""

from __future__ import annotations

import os
import uuid

import pytest
from databases import BACKENDS, fresh_database, sql
from test_app import run_app, show

from siteselect import accounts
from siteselect.store import AccessError, Scenario, ScenarioStore

PASSWORD = "correct horse battery staple"


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with fresh_database(request.param, tmp_path) as url, ScenarioStore(url) as s:
        yield s, url


def test_accounts_store_only_an_argon2_hash(store):
    s, url = store
    accounts.create_account(s, "ana", PASSWORD)
    ((digest,),) = sql(url, "SELECT password_hash FROM accounts")
    assert digest.startswith("$argon2id$")
    assert PASSWORD not in digest
    assert accounts.sign_in(s, "ana", PASSWORD) == "ana"


def test_unknown_user_and_wrong_password_look_the_same(store):
    s, _ = store
    accounts.create_account(s, "ana", PASSWORD)
    with pytest.raises(accounts.SignInError, match=r"^wrong user name or password$"):
        accounts.sign_in(s, "ana", "wrong password!!")
    with pytest.raises(accounts.SignInError, match=r"^wrong user name or password$"):
        accounts.sign_in(s, "nobody", PASSWORD)


def test_sign_in_is_rate_limited_per_user(store):
    s, url = store
    accounts.create_account(s, "ana", PASSWORD)
    accounts.create_account(s, "bob", PASSWORD)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.SignInError, match=r"wrong user name"):
            accounts.sign_in(s, "ana", "guess guess guess", now=1000.0)
    with pytest.raises(accounts.SignInError, match=r"too many failed sign-ins"):
        accounts.sign_in(s, "ana", PASSWORD, now=1001.0)  # even the right password
    assert accounts.sign_in(s, "bob", PASSWORD, now=1001.0) == "bob"  # others unaffected
    later = 1000.0 + accounts.WINDOW_S + 1
    assert accounts.sign_in(s, "ana", PASSWORD, now=later) == "ana"
    assert sql(url, "SELECT count(*) FROM signin_attempts")[0][0] == accounts.MAX_FAILURES + 2


def test_only_the_operator_creates_accounts_and_passwords_have_a_minimum(store):
    s, _ = store
    with pytest.raises(AccessError, match=r"at least|12 to 1024 characters"):
        accounts.create_account(s, "ana", "short")
    s.create_workspace("w", admin="ana")
    with pytest.raises(AccessError, match=r"only the deployment's operator"):
        accounts.create_account(s.for_user("ana"), "eve", PASSWORD)


def _sign_in(at, user):
    at.text_input(key="sign_in_user").input(user)
    at.text_input(key="sign_in_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception
    return at


def test_the_app_signs_in_locally_and_scopes_scenarios_to_the_workspace(monkeypatch):
    tag = uuid.uuid4().hex[:8]
    a_user, b_user = f"ana-{tag}", f"gus-{tag}"
    with ScenarioStore(os.environ["SITESELECT_DB"]) as operator:
        operator.create_workspace(f"association-{tag}", admin=a_user)
        operator.create_workspace(f"government-{tag}", admin=b_user)
        accounts.create_account(operator, a_user, PASSWORD)
        accounts.create_account(operator, b_user, PASSWORD)
        operator.for_user(a_user).save(
            Scenario(f"Confidential {tag}", "ems", "investor", {}, "wsm", {}, "worst")
        )
    monkeypatch.setenv("SITESELECT_AUTH", "local")
    at = run_app()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]  # nothing else before sign-in
    assert not at.metric
    at.text_input(key="sign_in_user").input(a_user)
    at.text_input(key="sign_in_password").input("not the password")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert any("wrong user name or password" in e.value for e in at.error)
    at = show(_sign_in(at, a_user), "Scenarios")
    assert f"Confidential {tag}" in set(at.dataframe[0].value["name"])
    other = show(_sign_in(run_app(), b_user), "Scenarios")
    names = set(other.dataframe[0].value["name"]) if other.dataframe else set()
    assert f"Confidential {tag}" not in names

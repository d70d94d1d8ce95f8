"""User text never becomes an image, a link or HTML: a hostile markdown image and an <img>
tag planted in every user field (scenario name, comment, author, uploaded site fields,
workspace and member names, the signed-in user) render as text on every page (AppTest) and
in the map's tooltips and popups."""

from __future__ import annotations

import base64
import os
import re
import uuid

import pytest
from streamlit.testing.v1 import AppTest
from test_app import APP, PAGES, TIMEOUT

from siteselect import accounts, maps
from siteselect.catalog import sites_from_file
from siteselect.ranking import default_catalog, default_criteria, evaluate
from siteselect.store import Scenario, ScenarioStore

IMAGE = "![x](http://evil.example/x.png)"
TAG = "<img src=http://evil.example/y.png>"
HOSTILE = f"{IMAGE} {TAG}"
PASSWORD = "correct horse battery staple"
RAW_TAG = re.compile(r"(?<!\\)<img", re.IGNORECASE)
PLAIN = {"Text", "Code"}  # st.text and st.code show their body verbatim, never as markdown
MARKDOWN_FIELDS = ("body", "label", "help")  # element text Streamlit renders as markdown


def upload_csv(site_id: str) -> bytes:
    return (
        f"site_id,name,lat,lon,country,region\n{site_id},{HOSTILE},15.19,120.56,PHL,{HOSTILE}\n"
    ).encode()


def rendered(at: AppTest) -> list[str]:
    """Every markdown-rendered text of the app's last run (bodies, labels, tooltips)."""
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and proto.DESCRIPTOR.name not in PLAIN:
            for desc, value in proto.ListFields():
                if desc.name in MARKDOWN_FIELDS and isinstance(value, str):
                    out.append(value)
                elif desc.message_type is not None and not desc.is_repeated:
                    for inner, text in value.ListFields():  # e.g. an alert inside an element
                        if inner.name in MARKDOWN_FIELDS and isinstance(text, str):
                            out.append(text)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def unsafe(texts: list[str]) -> list[str]:
    """Texts in which the planted image or tag would render: markdown link syntax, or an
    HTML tag not escaped with a backslash."""
    return [t for t in texts if "](http://evil" in t or RAW_TAG.search(t)]


@pytest.fixture
def hostile(monkeypatch) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    user, workspace = f"{HOSTILE} {tag}", f"{HOSTILE} ws {tag}"
    site_id = f"USER-EVIL-{tag.upper()}"
    with ScenarioStore(os.environ["SITESELECT_DB"]) as operator:
        operator.create_workspace(workspace, admin=user)
        accounts.create_account(operator, user, PASSWORD)
        store = operator.for_user(user)
        store.set_member(f"{HOSTILE} member {tag}", "viewer")
        content = base64.b64encode(upload_csv(site_id)).decode("ascii")
        store.save(
            Scenario(
                f"{HOSTILE} plan {tag}",
                "ems",
                "investor",
                {},
                "wsm",
                {},
                "worst",
                uploaded_sites=((f"{TAG}.csv", content),),
                author_role=HOSTILE,
                comment=f"{HOSTILE}\nsecond line {IMAGE}",
            )
        )
        store.save(Scenario(f"{HOSTILE} other {tag}", "ems", "investor", {}, "topsis", {}, "mean"))
    monkeypatch.setenv("SITESELECT_AUTH", "local")
    return {"user": user, "workspace": workspace, "site": site_id, "plan": f"{HOSTILE} plan {tag}"}


def test_the_hostile_text_stays_text_on_every_page(hostile):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_input(key="sign_in_user").input(hostile["user"])
    at.text_input(key="sign_in_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception
    at.switch_page(PAGES["Scenarios"]).run()
    at.selectbox(key="scenario_pick").set_value((hostile["workspace"], hostile["plan"])).run()
    next(b for b in at.button if b.label == "Open").click().run()
    assert not at.exception
    texts = rendered(at)
    assert any(t.startswith("Opened scenario “\\!\\[x\\]") for t in texts)
    assert unsafe(texts) == []
    at.switch_page(PAGES["Map & ranking"]).run()
    at.selectbox(key="site_pick").set_value(hostile["site"]).run()
    assert not at.exception
    texts = rendered(at)
    assert any("\\[x\\]\\(http://evil" in t for t in texts)  # the site's name, escaped
    assert unsafe(texts) == []
    for view, path in [*PAGES.items(), ("Workspace", "ui/pages/workspace.py")]:
        if view == "Map & ranking":
            continue
        at.switch_page(path).run()
        assert not at.exception, view
        assert unsafe(rendered(at)) == [], view


def map_of_upload(data: bytes, site_id: str) -> str:
    """The exported map of the bundled sites and the uploaded ``data`` (site ``site_id``)."""
    user = sites_from_file("mine.csv", data=data)
    catalog = default_catalog().with_sites(user)
    result = evaluate(catalog, default_criteria(), sector="ems")
    fmap = maps.ranking_map(
        result.ranking,
        catalog.sites,
        reasons={sid: result.reasons(sid) for sid in result.ranking.index},
        user_sites=[site_id],
        tiles=False,
    )
    return maps.map_html(fmap)


def test_the_map_tooltips_and_popups_escape_uploaded_text():
    html = map_of_upload(upload_csv("USER-EVIL-MAP"), "USER-EVIL-MAP")
    assert "evil.example" in html  # the name is there, as text
    assert "<img src=http://evil" not in html
    assert "&lt;img src=http://evil.example/y.png&gt;" in html


@pytest.mark.parametrize(
    "name",
    ["X{{ 7*7 }}Y", "X{% if true %}Z{% endif %}Y", "X{{ cycler.__init__.__globals__ }}Y"],
    ids=["expression", "statement", "globals"],
)
def test_template_syntax_in_an_uploaded_name_is_drawn_not_run(name):
    # branca compiles each element's rendered output as a Jinja template: a brace left
    # as it is would be evaluated on the server when the map is drawn
    data = f"site_id,name,lat,lon,country,region\nUSER-JINJA,{name},15.19,120.56,PHL,{name}\n"
    html = map_of_upload(data.encode(), "USER-JINJA")
    drawn = maps.escape_text(name)
    assert html.count(drawn) == 3  # verbatim: the popup's title and region, the tooltip
    assert "X49Y" not in html
    assert "XZY" not in html
    assert "<function" not in html
    assert "'os'" not in html

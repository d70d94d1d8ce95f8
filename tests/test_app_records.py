"""The Scenarios page survives a bad stored record: listed with its reason, others usable."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing

from test_app import run_app, show

from siteselect.store import Scenario, ScenarioStore
from ui.header import DATA_NOTICE_ICON


def test_a_bad_stored_record_never_breaks_the_scenarios_page():
    """The issue's case: vikor params that cannot rank, stored by an older release."""
    db = os.environ["SITESELECT_DB"]  # the session's store (tests/conftest.py)
    with ScenarioStore(db) as store:
        store.save(Scenario("Broken record", "ems", "investor", {}, "vikor", {"v": 0.5}, "worst"))
        store.save(Scenario("Fine record", "ems", "investor", {}, "wsm", {}, "worst"))
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(
            "UPDATE scenarios SET params = '{\"vv\": \"abc\"}' WHERE name = 'Broken record'"
        )
    try:
        at = show(run_app(), "Scenarios")
        assert not at.exception
        warnings = [w.value for w in at.warning]
        assert any("Broken record" in w and "takes no parameter" in w for w in warnings), warnings
        assert "Broken record" not in at.selectbox(key="scenario_pick").options
        assert "Fine record" in at.selectbox(key="scenario_pick").options
        labels = {b.label for b in at.button}
        assert {"Open", "Delete scenario"} <= labels
        assert at.file_uploader(key="import") is not None
        assert any("Decision record" in d.label for d in at.get("download_button"))
        at.selectbox(key="delete_pick").set_value("Broken record").run()
        at.text_input(key="confirm").input("Broken record").run()
        next(b for b in at.button if b.label == "Delete scenario").click().run()
        assert not at.exception
        assert any("Deleted “Broken record”" in m.value for m in at.success)
        at.run()
        assert "Broken record" not in set(at.dataframe[0].value["name"])
        assert not [w for w in at.warning if w.icon != DATA_NOTICE_ICON]  # the data notice stays
    finally:
        with ScenarioStore(db) as store:
            for name in ("Broken record", "Fine record"):
                if name in set(store.list()["name"]):
                    store.delete(name, confirm=name)

"""The load-test harness (benchmarks/load.py) runs: two sessions against a real app server.

The benchmark itself (10 and 25 sessions) is not a test; this only checks that the harness
speaks the app's protocol, saves what it says and reports zero errors.
"""

from __future__ import annotations

import pytest
from streamlit.proto.Element_pb2 import Element

from benchmarks import load


def test_the_browser_state_of_a_widget_is_its_value_else_its_default():
    slider = Element()
    slider.slider.id = "$$ID-abc-wg_cost"
    slider.slider.default[:] = [0.3]
    assert load.widget_state(slider) == {"$$ID-abc-wg_cost": ("double_array_value", [0.3])}
    slider.slider.value[:] = [0.8]
    slider.slider.set_value = True
    assert load.widget_state(slider) == {"$$ID-abc-wg_cost": ("double_array_value", [0.8])}
    pick = Element()
    pick.selectbox.id = "s"
    pick.selectbox.options[:] = ["wsm", "topsis"]
    pick.selectbox.default = 1
    assert load.widget_state(pick) == {"s": ("string_value", "topsis")}
    assert load.widget_state(Element()) == {}


def test_percentiles_and_the_report():
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == pytest.approx(50.5)
    assert load.percentile(values, 99) == pytest.approx(99.01)
    result = load.Result("sqlite", 2, 1, 3.0, {"rerank": [1.0, 2.0], "save": [1.5, 2.5]}, [], 2)
    text = load.report([result], "note")
    assert "| sqlite | 2 | 1 | rerank | 2 | 1.50 |" in text
    assert "Errors: 0." in text


@pytest.mark.slow
@pytest.mark.enable_socket
def test_two_sessions_rerank_and_save_without_errors(tmp_path):
    db = str(tmp_path / "load.sqlite")
    with load.app_server(db, tmp_path / "app.log") as url:
        result = load.load_test(url, db, "sqlite", sessions=2, iterations=1)
    assert result.errors == []
    assert result.stored == 2
    assert [len(result.latencies[k]) for k in load.KINDS] == [2, 2]

"""The gate and parameter-count widgets: pure math, in-place figure updates, layout wiring."""
import numpy as np
import pytest

from lstm_course import counting
from lstm_course.widgets import gates as W


def test_gate_pass_values():
    g, passed = W.gate_pass(0.0, np.array([1.0, -2.0]))
    assert g == 0.5 and passed.tolist() == [0.5, -1.0]
    g, passed = W.gate_pass(np.log(3.0), np.array([4.0]))  # sigma(log 3) = 3/4
    assert np.isclose(g, 0.75) and np.allclose(passed, [3.0])
    g, passed = W.gate_pass(np.array([-50.0, 50.0]), np.array([1.0, 1.0]))
    assert passed[0] < 1e-20 and passed[1] == 1.0
    assert np.all((0 <= g) & (g <= 1))


def test_gate_figure_updates_in_place():
    fig = W.gate_figure(0.0)
    art = fig.lstm_course_artists
    W.update_gate_figure(fig, 2.0)
    g = 1 / (1 + np.exp(-2.0))
    assert np.allclose(art["dot"].get_data(), ([2.0], [g]))
    assert np.allclose([b.get_height() for b in art["bars"]], g * W.DEFAULT_VECTOR)
    assert "0.881" in art["title"].get_text()
    assert len(fig.axes) == 2  # nothing was added


def test_param_count_figure_updates_in_place():
    fig = W.param_count_figure(32, 128)
    W.update_param_count_figure(fig, 300, 512)
    art = fig.lstm_course_artists
    widths = [b.get_width() for b in art["bars"]]
    assert widths == [counting.param_count(k, 300, 512) for k in counting.KINDS]
    assert art["texts"][2].get_text().strip() == f"{counting.param_count('lstm', 300, 512):,}"


def test_gate_widget_holds_the_state_and_mounts_on_the_site():
    w = W.gate_widget(pre_activation=1.5, v=[0.5, -1.0])
    assert (w.a, w.v, w.steps) == (1.5, [0.5, -1.0], 1000)
    w.a = -2.0                                     # what the front end writes back
    data, _ = w._repr_mimebundle_()
    assert data["text/plain"] == "GateWidget(a=-2.0, steps=1000)"
    html = data["text/html"]
    assert html.startswith('<div class="lstm-widget" data-lstm-module="gate" data-state="')
    assert "&quot;a&quot;:-2.0" in html and w.model_id not in html and " at 0x" not in html
    assert data == W.gate_widget(-2.0, [0.5, -1.0])._repr_mimebundle_()[0] | {
        "application/vnd.jupyter.widget-view+json": data["application/vnd.jupyter.widget-view+json"]}
    assert 'export default' in w._esm and "function gatePass" in w._esm


@pytest.mark.parametrize("kwargs", [{"pre_activation": np.nan}, {"v": []}, {"steps": 0}])
def test_gate_widget_rejects_bad_input(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs)).split("_")[0]):
        W.gate_widget(**kwargs)


def test_param_count_widget_holds_the_sizes():
    w = W.param_count_widget(D=10, H=20)
    w.H = 30                                       # what the front end writes back
    assert repr(w) == "ParamCountWidget(D=10, H=30)"
    assert 'data-lstm-module="params"' in w.mount_html() and "&quot;H&quot;:30" in w.mount_html()
    for bad in ({"D": 0}, {"H": 2.5}, {"D": 2000}):
        with pytest.raises(ValueError):
            W.param_count_widget(**bad)


@pytest.mark.parametrize("bad", [np.nan, [1.0, 2.0]])
def test_gate_figure_rejects_bad_pre_activation(bad):
    with pytest.raises(ValueError, match="pre_activation"):
        W.gate_figure(bad)

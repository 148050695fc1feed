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


def test_widgets_react_to_sliders():
    pytest.importorskip("ipywidgets")
    w = W.gate_widget(pre_activation=0.0)
    slider, summary, image = w.children
    before = image.value
    slider.value = 4.0
    assert "0.9820" in summary.value and image.value != before
    assert "<sup>1,000</sup>" in summary.value
    w = W.param_count_widget(D=10, H=20)
    d, h, summary, image = w.children
    h.value = 30
    assert f"{counting.param_count('lstm', 10, 30):,}" in summary.value


@pytest.mark.parametrize("bad", [np.nan, [1.0, 2.0]])
def test_gate_figure_rejects_bad_pre_activation(bad):
    with pytest.raises(ValueError, match="pre_activation"):
        W.gate_figure(bad)

"""The walk-through's plots: gate heatmaps and MSE against length."""
import numpy as np
import pytest

from lstm_course import plots


def test_gate_heatmaps_draws_one_panel_per_key():
    rng = np.random.default_rng(0)
    T, H = 12, 6
    gates = {k: rng.uniform(0, 1, (T, H)) for k in ("f", "i", "o")}
    gates["c"] = rng.normal(0, 2, (T, H))
    words = [f"w{t}" for t in range(T)]
    fig = plots.gate_heatmaps(gates, words, [0, 3, 5], ["a", "b", "c"], marks=[4])
    panels = [ax for ax in fig.axes if ax.get_images()]
    assert len(panels) == 4
    img = panels[3].get_images()[0]
    assert img.get_array().shape == (3, T)
    assert np.max(np.abs(img.get_array())) <= 2.0       # cell state clipped
    assert [t.get_text() for t in panels[-1].get_xticklabels()] == words
    assert [t.get_text() for t in panels[0].get_yticklabels()] == ["a", "b", "c"]


def test_gate_heatmaps_rejects_bad_input():
    g = {k: np.zeros((5, 4)) for k in ("f", "i", "o", "c")}
    with pytest.raises(ValueError, match="shape"):
        plots.gate_heatmaps(g, ["w"] * 6, [0])
    with pytest.raises(ValueError, match="H > 4"):
        plots.gate_heatmaps(g, ["w"] * 5, [4])
    with pytest.raises(ValueError, match="missing"):
        plots.gate_heatmaps({"f": g["f"]}, ["w"] * 5, [0])
    with pytest.raises(ValueError, match="labels"):
        plots.gate_heatmaps(g, ["w"] * 5, [0, 1], ["one"])


def test_mse_vs_length_plot():
    fig = plots.mse_vs_length_plot([10, 20, 40], {"rnn": [0.1, 0.15, 0.16], "lstm": [0.01, 0.005, 0.004]},
                                   1 / 6, solved=0.01)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 4  # two models, baseline, solved
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["rnn", "lstm"]
    with pytest.raises(ValueError, match="curves"):
        plots.mse_vs_length_plot([10, 20], {"rnn": [0.1]}, 1 / 6)


def test_mse_vs_length_plot_shows_every_seed():
    rnn = np.array([[0.02, 0.03, 0.01], [0.12, 0.15, 0.14]])   # (len(lengths), S)
    lstm = np.array([[0.004, 0.006, 0.005], [0.003, 0.008, 0.002]])
    fig = plots.mse_vs_length_plot([10, 40], {"rnn": rnn, "lstm": lstm}, 1 / 6, solved=0.01)
    ax = fig.axes[0]
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), rnn.mean(axis=1))
    np.testing.assert_allclose(lines[1].get_ydata(), lstm.mean(axis=1))
    np.testing.assert_allclose(lines[2 + 3].get_ydata(), lstm[:, 0])   # then 3 dots per model
    assert len(lines) == 2 + 6 + 2                                     # lines, dots, baseline, solved
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["rnn", "lstm"]
    with pytest.raises(ValueError, match="S seeds"):
        plots.mse_vs_length_plot([10, 40], {"rnn": np.zeros((3, 3))}, 1 / 6)

"""The gate explorer: pure math against lstm.lstm_step, in-place figure updates, widget wiring."""
import numpy as np
import pytest

from lstm_course import diagrams, lstm
from lstm_course.widgets import explorer as E


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _params_with_gates(f, i, c_tilde, o, D=2):
    """LSTMParams whose gates take exactly the given values whatever the input."""
    H = len(f)
    b = np.concatenate([_logit(np.asarray(i)), _logit(np.asarray(f)), np.arctanh(np.asarray(c_tilde)),
                        _logit(np.asarray(o))])  # rows i, f, g, o
    return lstm.LSTMParams(W_ih=np.zeros((4 * H, D)), W_hh=np.zeros((4 * H, H)), b_ih=b,
                           b_hh=np.zeros(4 * H))


def test_cell_step_matches_lstm_step():
    rng = np.random.default_rng(0)
    H = 5
    f, i, o = (rng.uniform(0.02, 0.98, H) for _ in range(3))
    c_tilde = rng.uniform(-0.95, 0.95, H)
    c_prev = rng.uniform(-2, 2, H)
    p = _params_with_gates(f, i, c_tilde, o)
    x = rng.normal(size=(1, 2))
    h_ref, c_ref, gates = lstm.lstm_step(x, (rng.normal(size=(1, H)), c_prev[None]), p, return_gates=True)
    assert np.allclose(gates["f"][0], f) and np.allclose(gates["g"][0], c_tilde)
    out = E.cell_step(f, i, c_tilde, o, c_prev)
    assert np.allclose(out["C"], c_ref[0], atol=1e-12)
    assert np.allclose(out["h"], h_ref[0], atol=1e-12)
    assert np.allclose(out["tanh_C"], np.tanh(c_ref[0]))
    assert np.allclose(out["kept"], f * c_prev) and np.allclose(out["written"], i * c_tilde)
    assert np.allclose(out["kept"] + out["written"], out["C"])


def test_cell_step_scalars_and_example():
    out = E.cell_step(1.0, 0.5, 0.4, 1.0, 0.3)
    assert float(out["C"]) == pytest.approx(0.5) and float(out["h"]) == pytest.approx(np.tanh(0.5))
    with pytest.raises(ValueError, match="c_prev"):
        E.cell_step(1.0, 0.5, 0.4, 1.0, np.nan)


def test_run_schedule_matches_lstm_forward():
    rng = np.random.default_rng(1)
    T, H = 10, 3
    sch = {"f": rng.uniform(0.05, 0.95, (T, H)), "i": rng.uniform(0.05, 0.95, (T, H)),
           "c_tilde": rng.uniform(-0.9, 0.9, (T, H)), "o": rng.uniform(0.05, 0.95, (T, H))}
    c0 = rng.uniform(-1, 1, H)
    res = E.run_schedule(sch, c0)
    assert res["C"].shape == (T + 1, H) and res["h"].shape == (T, H)
    c = c0[None]
    h = np.zeros((1, H))
    for t in range(T):  # one lstm_step per schedule step, gates set through the biases
        p = _params_with_gates(sch["f"][t], sch["i"][t], sch["c_tilde"][t], sch["o"][t])
        h, c = lstm.lstm_step(np.zeros((1, 2)), (h, c), p)
        assert np.allclose(res["C"][t + 1], c[0], atol=1e-12)
        assert np.allclose(res["h"][t], h[0], atol=1e-12)


def test_presets_do_what_they_say():
    assert set(E.PRESETS) == {"remember", "overwrite", "forget", "leak"}
    for name in E.PRESETS:
        sch = E.preset_schedule(name)
        assert all(sch[k].shape == (10,) for k in E.SCHEDULE_KEYS)
        sch["f"][0] = -1  # a copy: the preset itself is untouched
        assert E.PRESETS[name]["f"][0] != -1
    C = {n: E.run_schedule(E.PRESETS[n])["C"] for n in E.PRESETS}
    assert np.allclose(C["remember"], 0.9)
    assert np.allclose(E.run_schedule(E.PRESETS["remember"])["h"][:-1], 0.0)
    assert np.allclose(C["overwrite"][5:], -0.8) and np.allclose(C["overwrite"][:5], 0.9)
    assert np.allclose(C["forget"][5:], 0.0)
    assert np.allclose(C["leak"], 0.9 * 0.7 ** np.arange(11))


def test_run_schedule_rejects_bad_input():
    with pytest.raises(ValueError, match="missing"):
        E.run_schedule({"f": np.ones(3)}, 0.0)
    with pytest.raises(ValueError, match="shape"):
        E.run_schedule({"f": np.ones(3), "i": np.ones(2), "c_tilde": np.ones(3), "o": np.ones(3)}, 0.0)
    with pytest.raises(ValueError, match="c0"):
        E.run_schedule({k: np.ones(3) for k in E.SCHEDULE_KEYS})
    with pytest.raises(ValueError, match="name"):
        E.preset_schedule("nope")


def test_cell_flows_in_range_and_keys():
    fl = E.cell_flows(0.9, 0.1, -0.8, 0.5, 1.5)
    assert set(fl) == set(diagrams.FLOW_KEYS)
    assert all(0.0 <= v <= 1.0 for v in fl.values())
    assert fl["forget"] == pytest.approx(0.9) and fl["candidate"] == pytest.approx(0.8)
    assert fl["cell_in"] == pytest.approx(1.5 / E.C_SCALE)
    assert fl["cell_kept"] == pytest.approx(0.9 * 1.5 / E.C_SCALE)
    assert E.cell_flows(1, 1, 1, 1, 10)["cell_out"] == 1.0  # clipped
    with pytest.raises(ValueError, match="one number"):
        E.cell_flows(np.ones(2), 1, 1, 1, 1)


def test_explorer_figure_updates_in_place():
    fig = E.explorer_figure()
    art = fig.lstm_course_artists
    n_artists = len(fig.axes[0].get_children())
    v = {k: np.array(a, float) for k, a in E.DEFAULT_STEP.items()}
    v["f"][1] = 0.5
    E.update_explorer_figure(fig, v, unit=1)
    s = E.cell_step(v["f"], v["i"], v["c_tilde"], v["o"], v["c_prev"])
    heights = [b.get_height() for b in art["bars"][1]]
    assert np.allclose(heights, [v["c_prev"][1], s["kept"][1], s["written"][1], s["C"][1],
                                 s["tanh_C"][1], s["h"][1]])
    assert fig.lstm_flows["forget"] == pytest.approx(0.5)
    assert "unit 2" in art["title"].get_text()
    assert len(fig.axes[0].get_children()) == n_artists  # nothing added


def test_sequence_figure_updates_in_place():
    fig = E.sequence_figure("remember", step=3)
    art = fig.lstm_course_artists
    sch = E.preset_schedule("leak")
    E.update_sequence_figure(fig, sch, step=7)
    assert np.allclose(art["C"].get_ydata(), 0.9 * 0.7 ** np.arange(11))
    assert [b.get_height() for b in art["gates"]["f"]] == pytest.approx([0.7] * 10)
    assert art["shades"][0].get_visible()
    big = {k: np.ones(10) for k in E.SCHEDULE_KEYS}   # counts up to 10.9: limits grow
    E.update_sequence_figure(fig, big, c0=0.9)
    assert art["ax_c"].get_ylim()[1] > 10.9
    with pytest.raises(ValueError, match="step"):
        E.update_sequence_figure(fig, sch, step=11)


def test_widgets_hold_the_state_and_mount_on_the_site():
    w = E.explorer_widget(unit=1)
    assert w.values["f"] == E.DEFAULT_STEP["f"].tolist() and w.unit == 1
    assert w.geometry == __import__("lstm_course").diagrams.geometry("lstm_cell")
    w.values = {**w.values, "o": [0.0, 0.0, 0.0]}     # what the front end writes back
    assert np.allclose(w.step()["h"], 0.0)
    data, _ = w._repr_mimebundle_()
    assert data["text/plain"] == "ExplorerWidget(unit=1)"
    assert 'data-lstm-module="explorer"' in data["text/html"] and w.model_id not in data["text/html"]
    with pytest.raises(ValueError, match="unit"):
        E.explorer_widget(unit=3)

    w = E.sequence_widget("remember")
    assert set(w.presets) == set(E.PRESETS) and w.schedule["c0"] == 0.9
    w.schedule = {**w.presets["leak"]}
    assert np.isclose(w.result()["C"][-1], 0.9 * 0.7 ** 10)
    assert repr(w) == "SequenceWidget(preset='remember', step=1)"
    with pytest.raises(ValueError, match="name"):
        E.sequence_widget("nothing")

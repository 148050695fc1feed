"""Widgets of chapters 1-2: pure compute functions, in-place figure updates, thin layouts."""
import numpy as np
import pytest

from lstm_course import gradients, rnn
from lstm_course.widgets import recurrence as wr


@pytest.fixture
def setup():
    rng = np.random.default_rng(0)
    p = rnn.init_params(3, 5, rng)
    x = rng.uniform(-1, 1, size=(6, 3))
    return p, x


def test_unrolled_states_equal_rnn_forward(setup):
    p, x = setup
    hs = wr.unrolled_states(x, p)
    want, _ = rnn.rnn_forward(x[None], p)
    assert hs.shape == (7, 5)
    np.testing.assert_array_equal(hs[0], 0.0)
    np.testing.assert_allclose(hs[1:], want[0], rtol=1e-12, atol=1e-14)
    h0 = np.full(5, 0.3)
    want0, _ = rnn.rnn_forward(x[None], p, state=h0[None])
    np.testing.assert_allclose(wr.unrolled_states(x, p, h0)[1:], want0[0], rtol=1e-12, atol=1e-14)


def test_state_figure_updates_in_place(setup):
    p, x = setup
    hs = wr.unrolled_states(x, p)
    fig = wr.state_figure(x, hs, t=2)
    art = fig.lstm_course_artists
    n_artists = len(fig.axes[1].get_children())
    wr.update_state_figure(fig, 4)
    img = art["im_h"].get_array()
    assert not np.isnan(np.asarray(img[:, :5], dtype=float)).any()  # h_0 .. h_4 shown
    assert np.all(np.ma.getmaskarray(img[:, 5:]) | np.isnan(np.ma.getdata(img[:, 5:])))  # future blank
    np.testing.assert_allclose([b.get_width() for b in art["now"]], hs[4])
    np.testing.assert_allclose([b.get_width() for b in art["prev"]], hs[3])
    assert art["boxes"][0].get_x() == pytest.approx(3.5)
    assert "t = 4" in art["title"].get_text()
    assert len(fig.axes[1].get_children()) == n_artists  # nothing was added
    wr.update_state_figure(fig, 0)
    assert "h_0" in art["title"].get_text()


def test_state_stepper_holds_the_weights_and_the_step(setup, capsys):
    p, x = setup
    w = wr.state_stepper(x, p, t=1)
    assert np.array_equal(w.W_hh, p.W_hh) and np.array_equal(w.x, x) and len(w.cmap) > 10
    w.t = 5                                        # what the front end writes back
    assert repr(w) == "StateStepperWidget(t=5)" and capsys.readouterr().out == ""
    assert 'data-lstm-module="stepper"' in w.mount_html()
    with pytest.raises(ValueError, match="t"):
        wr.state_stepper(x, p, t=len(x) + 1)


def test_gradient_curve_vanishes_and_explodes():
    ks, small = wr.gradient_curve(0.5)
    _, large = wr.gradient_curve(2.5)
    assert ks.tolist() == list(range(61))
    assert small[0] == 1.0 and large[0] == 1.0
    assert small[-1] < 1e-12 < 1e3 < large[-1]
    np.testing.assert_array_equal(wr.gradient_curve(0.5)[1], small)  # deterministic


def test_gradient_curve_matches_gradients_module():
    ks, r = wr.gradient_curve(1.3, input_scale=0.2, H=8, T=10, B=2, D=3, seed=4)
    rng = np.random.default_rng(4)
    p = gradients.scale_spectral_radius(rnn.init_params(3, 8, rng), 1.3)
    x = 0.2 * rng.standard_normal((2, 10, 3))
    np.testing.assert_allclose(r, gradients.hidden_grad_ratios("rnn", p, x, ks=ks, rng=rng))


def test_gradient_figure_and_widget():
    fig = wr.gradient_figure(0.8, 0.5, H=8, T=20)
    art = fig.lstm_course_artists
    wr.update_gradient_figure(fig, 1.7, 0.1)
    _, want = wr.gradient_curve(1.7, 0.1, H=8, T=20)
    np.testing.assert_allclose(art["measured"].get_ydata(), want)
    np.testing.assert_allclose(art["power"].get_ydata(), 1.7 ** np.arange(21))
    assert "1.70" in art["title"].get_text()

    w = wr.gradient_widget(1.0, 0.5, H=8, T=20)
    net = wr.gradient_net(H=8, T=20)
    assert np.array_equal(w.net["noise"], net["noise"]) and w.net["rho0"] == net["rho0"]
    w.radius = 2.0                                 # what the front end writes back
    np.testing.assert_array_equal(w.curve()[1], wr.gradient_curve(2.0, 0.5, H=8, T=20)[1])
    assert repr(w) == "GradientWidget(radius=2.0, input_scale=0.5)"


def test_errors_are_clear(setup):
    p, x = setup
    hs = wr.unrolled_states(x, p)
    with pytest.raises(ValueError, match="t: expected an integer step in \\[0, 6\\]"):
        wr.state_figure(x, hs, t=7)
    with pytest.raises(ValueError, match="x: expected one sequence"):
        wr.unrolled_states(x[None], p)
    with pytest.raises(ValueError, match="hs: expected"):
        wr.state_figure(x, hs[:-1])
    with pytest.raises(ValueError, match="input_scale"):
        wr.gradient_curve(1.0, input_scale=-1.0)


def test_result_plots_draw_the_numbers_given():
    from lstm_course import plots

    fig = plots.accuracy_vs_gap_plot([0, 10, 20], [1.0, 0.9, 0.3], 0.25, label="rnn")
    line = fig.axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), [1.0, 0.9, 0.3])
    fig = plots.gradient_ratio_plot(np.arange(3), {"a": [1, 0.1, 0.01], "b": [1, 2, 4]})
    assert [ln.get_label() for ln in fig.axes[0].lines[:2]] == ["a", "b"]
    fig = plots.state_difference_plot([0.5, 0.1, 0.01])
    np.testing.assert_allclose(fig.axes[0].lines[0].get_xdata(), [1, 2, 3])
    with pytest.raises(ValueError, match="gaps, accuracy"):
        plots.accuracy_vs_gap_plot([0, 1], [1.0], 0.25)
    with pytest.raises(ValueError, match="curves\\['a'\\]"):
        plots.gradient_ratio_plot(np.arange(3), {"a": [1, 2]})
    with pytest.raises(ValueError, match="diff"):
        plots.state_difference_plot([-1.0])


def test_accuracy_vs_gap_plot_shows_every_seed():
    from lstm_course import plots

    acc = np.array([[1.0, 1.0, 1.0], [0.3, 0.25, 1.0], [0.2, 0.25, 0.3]])  # (G, S)
    fig = plots.accuracy_vs_gap_plot([0, 10, 20], acc, 0.25, label="rnn")
    ax = fig.axes[0]
    mean, *dots = [ln for ln in ax.lines if ln.get_linestyle() != "--"]
    np.testing.assert_allclose(mean.get_ydata(), acc.mean(axis=1))
    assert len(dots) == 3                                      # one hollow dot series per seed
    for s, d in enumerate(dots):
        np.testing.assert_allclose(d.get_ydata(), acc[:, s])
        assert np.all(np.abs(d.get_xdata() - [0, 10, 20]) < 1)  # nudged sideways, not moved
    assert len({tuple(d.get_xdata()) for d in dots}) == 3      # equal values stay visible
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["rnn"]
    with pytest.raises(ValueError, match="gaps, accuracy"):
        plots.accuracy_vs_gap_plot([0, 1], np.zeros((3, 2)), 0.25)
    fig = plots.accuracy_vs_gap_plot([5, 30], acc[:2], 0.25, linestyle=":")
    assert fig.axes[0].lines[0].get_linestyle() == ":"

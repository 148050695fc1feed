"""Depth-Gated LSTM and Clockwork RNN (``lstm_course.more_variants``)."""
import numpy as np
import pytest

from lstm_course import lstm, rnn
from lstm_course import more_variants as mv
from lstm_course.activations import sigmoid


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# ----------------------------------------------------------------------------- depth gated

def test_depth_gated_shapes(rng):
    p = mv.init_depth_gated_params(3, 5, 3, rng)
    x = rng.normal(size=(2, 7, 3))
    hs, states, gates = mv.depth_gated_forward(x, p, return_gates=True)
    assert hs.shape == (2, 7, 5)
    assert len(states) == 3 and all(h.shape == c.shape == (2, 5) for h, c in states)
    assert len(gates["d"]) == 2 and gates["d"][0].shape == (2, 7, 5)
    assert len(gates["c"]) == 3 and np.allclose(gates["c"][-1][:, -1], states[-1][1])
    assert np.allclose(hs[:, -1], states[-1][0])


def test_depth_gate_shut_is_a_stacked_lstm(rng):
    # d_t = sigma(-1000) = 0 exactly: c^{(L+1)} = f * c_prev + i * C~, a stacked LSTM
    p = mv.init_depth_gated_params(3, 4, 3, rng, depth_bias=-1000.0)
    x = rng.normal(size=(2, 6, 3))
    hs, states, gates = mv.depth_gated_forward(x, p, return_gates=True)
    assert all(np.all(d == 0) for d in gates["d"])
    hs_ref, states_ref = mv.stacked_lstm_forward(x, p.layers)
    np.testing.assert_allclose(hs, hs_ref, rtol=0, atol=1e-14)
    for (h, c), (h2, c2) in zip(states, states_ref):
        np.testing.assert_allclose(c, c2, rtol=0, atol=1e-14)


def test_one_layer_is_an_lstm(rng):
    p = mv.init_depth_gated_params(3, 4, 1, rng)
    x = rng.normal(size=(2, 5, 3))
    hs, _ = mv.depth_gated_forward(x, p)
    np.testing.assert_allclose(hs, lstm.lstm_forward(x, p.layers[0])[0], atol=1e-14)


def test_depth_gated_hand_checked(rng):
    # two layers, H = 1, D = 1, one step from zero state, weights chosen by hand
    def layer(D, wi, bias):
        return lstm.LSTMParams(np.full((4, D), wi), np.zeros((4, 1)),
                               np.array(bias, float), np.zeros(4))
    low = layer(1, 0.0, [0.0, 0.0, 1.0, 0.0])   # i = f = o = 1/2, C~ = tanh(1)
    up = layer(1, 0.0, [0.0, 0.0, -1.0, 0.0])   # i = f = o = 1/2, C~ = tanh(-1)
    gate = mv.DepthGate(np.zeros((1, 1)), np.zeros(1), np.array([2.0]), np.array([0.5]))
    p = mv.DepthGatedParams((low, up), (gate,))
    (h1, c1), (h2, c2) = mv.depth_gated_step(np.array([[0.3]]), None, p)
    c_low = 0.5 * np.tanh(1.0)                       # f * 0 + i * C~
    d = sigmoid(0.5 + 2.0 * c_low)                   # b_d + w_ld * c_t^{(L)}
    c_up = d * c_low + 0.5 * np.tanh(-1.0)           # d * c_low + f * 0 + i * C~
    assert c1[0, 0] == pytest.approx(c_low, abs=1e-15)
    assert c2[0, 0] == pytest.approx(c_up, abs=1e-15)
    assert h2[0, 0] == pytest.approx(0.5 * np.tanh(c_up), abs=1e-15)


def test_depth_gated_step_equals_forward(rng):
    p = mv.init_depth_gated_params(2, 3, 2, rng)
    x = rng.normal(size=(1, 4, 2))
    states = None
    for t in range(4):
        states = mv.depth_gated_step(x[:, t], states, p)
    _, final = mv.depth_gated_forward(x, p)
    for (h, c), (h2, c2) in zip(states, final):
        np.testing.assert_allclose(c, c2, atol=1e-15)


def test_depth_gated_errors(rng):
    p = mv.init_depth_gated_params(3, 4, 2, rng)
    with pytest.raises(ValueError, match="D=3"):
        mv.depth_gated_forward(np.zeros((1, 2, 5)), p)
    with pytest.raises(ValueError, match="one DepthGate per layer"):
        mv.depth_gated_forward(np.zeros((1, 2, 3)), p._replace(gates=()))
    wide = lstm.init_params(4, 6, rng)
    with pytest.raises(ValueError, match="same|H=4"):
        mv.depth_gated_forward(np.zeros((1, 2, 3)), p._replace(layers=(p.layers[0], wide)))
    with pytest.raises(ValueError, match="states"):
        mv.depth_gated_step(np.zeros((1, 3)), [None], p)
    with pytest.raises(TypeError, match="DepthGatedParams"):
        mv.depth_gated_step(np.zeros((1, 3)), None, p.layers[0])


# ----------------------------------------------------------------------------- clockwork

def test_clockwork_mask_and_active():
    m = mv.clockwork_mask(6, (1, 2, 4))
    assert m.shape == (6, 6)
    assert np.all(m[:2] == 1) and np.all(m[2:4, :2] == 0) and np.all(m[2:4, 2:] == 1)
    assert np.all(m[4:, :4] == 0) and np.all(m[4:, 4:] == 1)
    assert mv.clockwork_active(1, (1, 2, 4)).tolist() == [True, False, False]
    assert mv.clockwork_active(4, (1, 2, 4)).tolist() == [True, True, True]
    assert mv.clockwork_active(6, (1, 2, 4)).tolist() == [True, True, False]


def test_clockwork_shapes_and_schedule(rng):
    p = mv.init_clockwork_params(3, 3, 2, rng)
    assert p.periods == (1, 2, 4)
    hs, h_T, active = mv.clockwork_forward(rng.normal(size=(2, 8, 3)), p,
                                           return_active=True)
    assert hs.shape == (2, 8, 6) and h_T.shape == (2, 6) and active.shape == (8, 3)
    assert active[:, 0].all() and active[:, 1].tolist() == [False, True] * 4
    assert active[:, 2].tolist() == [False, False, False, True] * 2


def test_clockwork_only_active_modules_change(rng):
    p = mv.init_clockwork_params(2, 3, 2, rng)
    x = rng.normal(size=(4, 16, 2))
    h0 = rng.normal(size=(4, 6)) * 0.5
    hs, _, active = mv.clockwork_forward(x, p, state=h0, return_active=True)
    prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)   # h_{t-1}
    changed = np.abs(hs - prev).reshape(4, 16, 3, 2).max(axis=(0, 3)) > 0  # (T, g)
    assert np.array_equal(changed, active)


def test_clockwork_hand_checked():
    # two modules of one unit, periods 1 and 2; W_hh upper triangular
    p = mv.ClockworkParams(W_ih=np.array([[1.0], [0.5]]),
                           W_hh=np.array([[0.5, 1.0], [0.0, 2.0]]),
                           b=np.zeros(2), periods=(1, 2))
    x = np.array([[[1.0], [0.0], [-1.0]]])
    hs, _ = mv.clockwork_forward(x, p)
    h1 = [np.tanh(1.0), 0.0]                              # t=1: only module 0
    h2 = [np.tanh(0.5 * h1[0]), np.tanh(2.0 * 0.0)]       # t=2: both
    h3 = [np.tanh(0.5 * h2[0] + h2[1] - 1.0), h2[1]]      # t=3: module 0 reads 1
    np.testing.assert_allclose(hs[0], [h1, h2, h3], atol=1e-15)


def test_clockwork_single_module_is_a_tanh_rnn(rng):
    p = mv.init_clockwork_params(3, 1, 4, rng)
    x = rng.normal(size=(2, 5, 3))
    q = rnn.RNNParams(p.W_ih, p.W_hh, p.b, np.zeros(4))
    np.testing.assert_allclose(mv.clockwork_forward(x, p)[0], rnn.rnn_forward(x, q)[0],
                               atol=1e-14)


def test_clockwork_errors(rng):
    p = mv.init_clockwork_params(2, 2, 2, rng)
    bad = p._replace(W_hh=np.ones((4, 4)))
    with pytest.raises(ValueError, match="slower modules"):
        mv.clockwork_forward(np.zeros((1, 3, 2)), bad)
    with pytest.raises(ValueError, match="increasing"):
        mv.clockwork_mask(4, (2, 1))
    with pytest.raises(ValueError, match="multiple"):
        mv.clockwork_mask(5, (1, 2))
    with pytest.raises(ValueError, match="t: expected"):
        mv.clockwork_active(0, (1, 2))
    with pytest.raises(ValueError, match="D=2"):
        mv.clockwork_forward(np.zeros((1, 3, 5)), p)
    with pytest.raises(ValueError, match="periods"):
        mv.init_clockwork_params(2, 3, 2, rng, periods=(1, 2))


def _torch_depth_gated(x, p, states):
    """The Depth Gated LSTM's forward in torch (float64), written from its equations, for
    an exact check of ``depth_gated_backward`` by autograd."""
    import torch

    def T(a):
        return torch.tensor(a, dtype=torch.float64, requires_grad=True)

    layers = [[T(a) for a in lp] for lp in p.layers]
    gates = [[T(a) for a in g] for g in p.gates]
    xs = T(x)
    st = [(T(h), T(c)) for h, c in states]
    leaves = (xs, layers, gates, st)
    hs = []
    cur = list(st)
    for t in range(x.shape[1]):
        inp, c_below, new = xs[:, t], None, []
        for L, (h, c) in enumerate(cur):
            W_ih, W_hh, b_ih, b_hh = layers[L]
            a = inp @ W_ih.T + b_ih + h @ W_hh.T + b_hh
            i, f, g, o = a.chunk(4, dim=1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c_new = f * c + i * g
            if L > 0:
                W_xd, w_cd, w_ld, b_d = gates[L - 1]
                d = torch.sigmoid(b_d + inp @ W_xd.T + w_cd * c + w_ld * c_below)
                c_new = d * c_below + c_new
            h_new = o * torch.tanh(c_new)
            new.append((h_new, c_new))
            inp, c_below = h_new, c_new
        cur = new
        hs.append(cur[-1][0])
    return torch.stack(hs, dim=1), cur, leaves


@pytest.mark.parametrize("n_layers", [2, 3])
def test_depth_gated_backward_equals_autograd(n_layers):
    """Exact (1e-10) against torch's autograd: a finite-difference check has to stop at
    about 1e-7 on entries whose true gradient is tiny."""
    rng = np.random.default_rng(7)
    B, T_, D, H = 2, 4, 3, 4
    p = mv.init_depth_gated_params(D, H, n_layers, rng)
    x = rng.standard_normal((B, T_, D))
    states = [(rng.standard_normal((B, H)), rng.standard_normal((B, H))) for _ in range(n_layers)]
    R = rng.standard_normal((B, T_, H))
    dT = [(rng.standard_normal((B, H)), rng.standard_normal((B, H))) for _ in range(n_layers)]
    hs_t, final, (xs, layers, gates, st) = _torch_depth_gated(x, p, states)
    import torch
    loss = (torch.tensor(R) * hs_t).sum() + sum((torch.tensor(a) * h).sum() + (torch.tensor(b) * c).sum()
                                                for (a, b), (h, c) in zip(dT, final))
    loss.backward()
    out = mv.depth_gated_forward(x, p, states, return_cache=True)
    np.testing.assert_allclose(out.hs, hs_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    dx, dp, d0 = mv.depth_gated_backward(R, out.cache, dT)
    np.testing.assert_allclose(dx, xs.grad.numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(dp.layers, layers):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b.grad.numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(dp.gates, gates):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (dh, dc), (h, c) in zip(d0, st):
        np.testing.assert_allclose(dh, h.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(dc, c.grad.numpy(), rtol=1e-10, atol=1e-12)

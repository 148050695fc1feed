"""Tests of lstm_course.lstm: nn.LSTM parity, step = sequence, finite differences, bad input."""
import numpy as np
import pytest
import torch

from lstm_course import lstm
from lstm_course.gradcheck import GradcheckError, check_gradients

TOL = {np.float64: 1e-10, np.float32: 1e-5}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
TORCH_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
SHAPES = [(1, 1, 1, 1), (3, 5, 4, 6), (1, 4, 3, 1), (2, 1, 5, 3), (2, 6, 2, 7), (4, 30, 8, 16)]  # (B, T, D, H)


def _data(B, T, D, H, seed=0, dtype=np.float64, forget_bias=0.0):
    rng = np.random.default_rng(seed)
    p = lstm.init_params(D, H, rng, forget_bias=forget_bias)
    x, h0, c0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    R, R2, R3 = rng.normal(size=(B, T, H)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    cast = lambda a: a.astype(dtype)
    return lstm.LSTMParams(*map(cast, p)), cast(x), (cast(h0), cast(c0)), cast(R), cast(R2), cast(R3)


def _nn_lstm(p, dtype):
    H4, D = p.W_ih.shape
    m = torch.nn.LSTM(D, H4 // 4, batch_first=True).to(TORCH_DTYPE[dtype])
    with torch.no_grad():
        for name, a in zip(TORCH_NAMES, p):
            getattr(m, name).copy_(torch.from_numpy(np.asarray(a, dtype=dtype)))
    return m


def _close(ours, theirs, tol, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol, err_msg=what)


# ----------------------------------------------------------------------------- params


def test_init_params_shapes_range_and_reproducibility():
    p = lstm.init_params(3, 5, np.random.default_rng(1))
    assert isinstance(p, lstm.LSTMParams)
    assert [a.shape for a in p] == [(20, 3), (20, 5), (20,), (20,)]
    assert all(a.dtype == np.float64 and np.abs(a).max() <= 1 / np.sqrt(5) for a in p)
    q = lstm.init_params(3, 5, np.random.default_rng(1))
    assert all(np.array_equal(a, b) for a, b in zip(p, q))
    assert lstm.init_params(2, 2, np.random.default_rng(0), dtype=np.float32).W_hh.dtype == np.float32


def test_forget_bias_shifts_only_the_f_block_of_b_ih():
    p = lstm.init_params(3, 4, np.random.default_rng(2))
    q = lstm.init_params(3, 4, np.random.default_rng(2), forget_bias=1.0)
    np.testing.assert_allclose(q.b_ih[4:8] - p.b_ih[4:8], 1.0)
    np.testing.assert_array_equal(np.delete(q.b_ih, range(4, 8)), np.delete(p.b_ih, range(4, 8)))
    for a, b in zip(p[:2] + (p.b_hh,), q[:2] + (q.b_hh,)):
        np.testing.assert_array_equal(a, b)
    _, b_f = lstm.gate_weights(q, "f")
    np.testing.assert_allclose(b_f, lstm.gate_weights(p, "f")[1] + 1.0)


@pytest.mark.parametrize("gate", ["i", "f", "g", "o"])
def test_gate_weights_is_the_articles_view(gate):
    p, x, (h0, c0), *_ = _data(2, 1, 3, 4, seed=5)
    _, _, gates = lstm.lstm_forward(x, p, (h0, c0), return_gates=True)
    W, b = lstm.gate_weights(p, gate)
    assert W.shape == (4, 4 + 3) and b.shape == (4,)
    pre = np.concatenate([h0, x[:, 0]], axis=1) @ W.T + b  # W . [h_{t-1}, x_t] + b
    act = np.tanh(pre) if gate == "g" else 1 / (1 + np.exp(-pre))
    np.testing.assert_allclose(gates[gate][:, 0], act, atol=1e-14)
    np.testing.assert_array_equal(lstm.gate_weights(p, "C")[0], lstm.gate_weights(p, "g")[0])


# ----------------------------------------------------------------------------- nn.LSTM parity


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("B,T,D,H", SHAPES)
def test_matches_nn_lstm_outputs_and_every_gradient(B, T, D, H, dtype):
    p, x, (h0, c0), R, R2, R3 = _data(B, T, D, H, seed=B * 1000 + T * 100 + D * 10 + H, dtype=dtype)
    tol = TOL[dtype]
    m = _nn_lstm(p, dtype)
    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0[None].copy()).requires_grad_()  # (1, B, H): layers first
    c0t = torch.from_numpy(c0[None].copy()).requires_grad_()
    out, (h_n, c_n) = m(xt, (h0t, c0t))
    loss = (out * torch.from_numpy(R)).sum() + (h_n[0] * torch.from_numpy(R2)).sum() \
        + (c_n[0] * torch.from_numpy(R3)).sum()
    loss.backward()

    hs, (h_T, c_T), cache = lstm.lstm_forward(x, p, (h0, c0), return_cache=True)
    dx, dp, (dh0, dc0) = lstm.lstm_backward(R, cache, (R2, R3))
    _close(hs, out, tol, "hs")
    _close(h_T, h_n[0], tol, "h_T")
    _close(c_T, c_n[0], tol, "c_T")
    _close(dx, xt.grad, tol, "dx")
    _close(dh0, h0t.grad[0], tol, "dh0")
    _close(dc0, c0t.grad[0], tol, "dc0")
    assert isinstance(dp, lstm.LSTMParams)
    for field, name in zip(lstm.LSTMParams._fields, TORCH_NAMES):
        _close(getattr(dp, field), getattr(m, name).grad, tol, field)
    for a in (hs, h_T, c_T, dx, dh0, dc0, *dp):
        assert a.dtype == dtype


def test_default_state_is_zeros_like_nn_lstm():
    p, x, *_ = _data(2, 4, 3, 5)
    out, (h_n, c_n) = _nn_lstm(p, np.float64)(torch.from_numpy(x))
    hs, (h_T, c_T) = lstm.lstm_forward(x, p)
    _close(hs, out, 1e-12, "hs")
    _close(c_T, c_n[0], 1e-12, "c_T")


def test_float32_input_casts_float64_params():
    p, x, state, R, R2, R3 = _data(2, 3, 3, 4)
    x32 = x.astype(np.float32)
    hs, (h_T, c_T), cache = lstm.lstm_forward(x32, p, state, return_cache=True)
    dx, dp, (dh0, dc0) = lstm.lstm_backward(R, cache, (R2, R3))
    assert all(a.dtype == np.float32 for a in (hs, h_T, c_T, dx, dh0, dc0, *dp))
    np.testing.assert_allclose(hs, lstm.lstm_forward(x32.astype(np.float64), p, state)[0], atol=1e-5)


def test_inputs_are_not_modified():
    p, x, (h0, c0), R, R2, R3 = _data(2, 3, 3, 4)
    before = [a.copy() for a in (*p, x, h0, c0, R, R2, R3)]
    _, _, cache = lstm.lstm_forward(x, p, (h0, c0), return_cache=True)
    lstm.lstm_backward(R, cache, (R2, R3))
    for a, b in zip((*p, x, h0, c0, R, R2, R3), before):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- steps and gates


def test_stepping_one_step_at_a_time_equals_the_whole_sequence():
    p, x, (h0, c0), *_ = _data(3, 6, 2, 5, seed=3)
    hs, (h_T, c_T), gates = lstm.lstm_forward(x, p, (h0, c0), return_gates=True)
    h, c = h0, c0
    for t in range(x.shape[1]):
        h, c, g = lstm.lstm_step(x[:, t], (h, c), p, return_gates=True)
        np.testing.assert_allclose(h, hs[:, t], rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(c, gates["c"][:, t], rtol=1e-13, atol=1e-14)
        for k in "ifgo":
            np.testing.assert_allclose(g[k], gates[k][:, t], rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(h, h_T, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(c, c_T, rtol=1e-13, atol=1e-14)
    assert len(lstm.lstm_step(x[:, 0], None, p)) == 2  # None is the zero state


def test_return_flags_and_gate_values():
    p, x, state, *_ = _data(2, 4, 3, 5)
    plain = lstm.lstm_forward(x, p, state)
    assert len(plain) == 2 and len(plain[1]) == 2
    hs, (h_T, c_T), cache, gates = lstm.lstm_forward(x, p, state, return_cache=True, return_gates=True)
    assert isinstance(cache, lstm.LSTMCache)
    assert set(gates) == {"i", "f", "g", "o", "c"}
    assert all(v.shape == (2, 4, 5) for v in gates.values())
    for k in "ifo":
        assert ((gates[k] > 0) & (gates[k] < 1)).all()
    assert (np.abs(gates["g"]) < 1).all()
    np.testing.assert_allclose(hs, gates["o"] * np.tanh(gates["c"]), atol=1e-15)  # h_t = o_t * tanh(C_t)
    c_prev = np.concatenate([state[1][:, None], gates["c"][:, :-1]], axis=1)
    np.testing.assert_allclose(gates["c"], gates["f"] * c_prev + gates["i"] * gates["g"], atol=1e-15)
    np.testing.assert_array_equal(c_T, gates["c"][:, -1])


def test_saturated_gates_raise_no_warning():
    p, x, state, *_ = _data(2, 3, 3, 4)
    p = lstm.LSTMParams(*(a * 1e4 for a in p))
    hs, _ = lstm.lstm_forward(x * 1e3, p, state)  # pytest -W error turns any warning into a failure
    assert np.isfinite(hs).all()


# ----------------------------------------------------------------------------- finite differences


@pytest.mark.parametrize("B,T,D,H", [(2, 3, 3, 4), (1, 1, 2, 1)])
def test_backward_matches_finite_differences(B, T, D, H):
    p, x, (h0, c0), R, R2, R3 = _data(B, T, D, H, seed=9, forget_bias=0.5)

    def loss():
        hs, (h_T, c_T) = lstm.lstm_forward(x, p, (h0, c0))
        return np.sum(hs * R) + np.sum(h_T * R2) + np.sum(c_T * R3)

    _, _, cache = lstm.lstm_forward(x, p, (h0, c0), return_cache=True)
    dx, dp, (dh0, dc0) = lstm.lstm_backward(R, cache, (R2, R3))
    arrays = {**p._asdict(), "x": x, "h0": h0, "c0": c0}
    grads = {**dp._asdict(), "x": dx, "h0": dh0, "c0": dc0}
    # eps=1e-5: central differences then err ~1e-9; with 1e-6 rounding alone nears 1e-7 on tiny entries.
    errors = check_gradients(loss, arrays, grads, eps=1e-5, tol=1e-7)
    assert max(errors.values()) < 1e-7


def test_finite_differences_catch_a_broken_backward():
    p, x, (h0, c0), R, R2, R3 = _data(2, 3, 3, 4, seed=9)

    def loss():
        hs, (h_T, c_T) = lstm.lstm_forward(x, p, (h0, c0))
        return np.sum(hs * R) + np.sum(h_T * R2) + np.sum(c_T * R3)

    _, _, cache = lstm.lstm_forward(x, p, (h0, c0), return_cache=True)
    _, dp, _ = lstm.lstm_backward(R, cache, (R2, R3))
    # A classic bug: the f and i blocks of the gradient swapped (gate order i, f, g, o).
    broken = np.concatenate([dp.W_hh[4:8], dp.W_hh[:4], dp.W_hh[8:]])
    with pytest.raises(GradcheckError, match="W_hh"):
        check_gradients(loss, {"W_hh": p.W_hh}, {"W_hh": broken}, eps=1e-5)


def test_dstate_entries_may_be_none():
    p, x, state, R, R2, R3 = _data(2, 3, 3, 4)
    _, _, cache = lstm.lstm_forward(x, p, state, return_cache=True)
    a = lstm.lstm_backward(R, cache, (None, R3))
    b = lstm.lstm_backward(R, cache, (np.zeros_like(R2), R3))
    np.testing.assert_array_equal(a[0], b[0])
    c = lstm.lstm_backward(R, cache)
    d = lstm.lstm_backward(R, cache, (None, None))
    np.testing.assert_array_equal(c[2][1], d[2][1])


# ----------------------------------------------------------------------------- bad input

_P = lstm.init_params(3, 4, np.random.default_rng(0))
_X = np.zeros((2, 5, 3))
_S = (np.zeros((2, 4)), np.zeros((2, 4)))
_nan = _X.copy()
_nan[0, 1, 2] = np.nan
_inf = _X.copy()
_inf[1, 0, 0] = -np.inf

BAD_FORWARD = [
    ("2-D x", lambda: lstm.lstm_forward(np.zeros((5, 3)), _P), ValueError, r"x: expected a 3-D array.*\(5, 3\)"),
    ("4-D x", lambda: lstm.lstm_forward(np.zeros((1, 2, 5, 3)), _P), ValueError, r"x: expected a 3-D array"),
    ("D mismatch", lambda: lstm.lstm_forward(np.zeros((2, 5, 4)), _P), ValueError, r"x: expected input size D=3.*\(2, 5, 4\)"),
    ("T = 0", lambda: lstm.lstm_forward(np.zeros((2, 0, 3)), _P), ValueError, r"x: expected at least one time step"),
    ("int x", lambda: lstm.lstm_forward(np.zeros((2, 5, 3), dtype=int), _P), TypeError, r"x: expected a float32 or float64.*int"),
    ("str x", lambda: lstm.lstm_forward("abc", _P), TypeError, r"x: expected a float32 or float64 array, got str"),
    ("object x", lambda: lstm.lstm_forward(np.array([[[None]]]), _P), TypeError, r"x: .*object"),
    ("NaN x", lambda: lstm.lstm_forward(_nan, _P), ValueError, r"x: expected finite values, got 1 NaN"),
    ("inf x", lambda: lstm.lstm_forward(_inf, _P), ValueError, r"x: expected finite values, got 0 NaN and 1 inf"),
    ("state not a pair", lambda: lstm.lstm_forward(_X, _P, np.zeros((2, 4))), TypeError, r"state: expected a pair \(h, c\)"),
    ("state triple", lambda: lstm.lstm_forward(_X, _P, _S + (_S[0],)), TypeError, r"state: expected a pair.*length 3"),
    ("h0 wrong H", lambda: lstm.lstm_forward(_X, _P, (np.zeros((2, 5)), _S[1])), ValueError, r"state\[0\] \(h\): expected shape \(B, H\) = \(2, 4\), got \(2, 5\)"),
    ("c0 wrong B", lambda: lstm.lstm_forward(_X, _P, (_S[0], np.zeros((3, 4)))), ValueError, r"state\[1\] \(c\): expected shape .* got \(3, 4\)"),
    ("h0 1-D", lambda: lstm.lstm_forward(_X, _P, (np.zeros(4), _S[1])), ValueError, r"state\[0\] \(h\): expected shape"),
    ("W_hh wrong", lambda: lstm.lstm_forward(_X, _P._replace(W_hh=np.zeros((16, 5)))), ValueError, r"params.W_hh: expected shape \(4\*H, H\)"),
    ("W_ih disagrees", lambda: lstm.lstm_forward(_X, _P._replace(W_ih=np.zeros((12, 3)))), ValueError, r"params.W_ih: expected shape \(16, D\).*\(12, 3\)"),
    ("b_hh disagrees", lambda: lstm.lstm_forward(_X, _P._replace(b_hh=np.zeros(12))), ValueError, r"params.b_hh: expected shape \(16,\).*\(12,\)"),
    ("int params", lambda: lstm.lstm_forward(_X, _P._replace(b_ih=np.zeros(16, dtype=int))), TypeError, r"params.b_ih: expected a float32 or float64"),
    ("not params", lambda: lstm.lstm_forward(_X, (1, 2, 3)), TypeError, r"params: expected LSTM params"),
    ("step x 3-D", lambda: lstm.lstm_step(_X, _S, _P), ValueError, r"x_t: expected a 2-D array \(B, D\)"),
    ("step state", lambda: lstm.lstm_step(_X[:, 0], _S[0], _P), TypeError, r"state: expected a pair"),
]


@pytest.mark.parametrize("call,exc,match", [c[1:] for c in BAD_FORWARD], ids=[c[0] for c in BAD_FORWARD])
def test_bad_input_raises_a_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("D,H,exc", [(0, 4, ValueError), (3, 0, ValueError), (-1, 4, ValueError),
                                     (3, 2.5, TypeError), (True, 4, TypeError)])
def test_init_params_refuses_bad_sizes(D, H, exc):
    with pytest.raises(exc, match="D|H"):
        lstm.init_params(D, H, np.random.default_rng(0))


def test_init_params_refuses_bad_rng_and_bias():
    with pytest.raises(TypeError, match="rng: expected a numpy Generator"):
        lstm.init_params(3, 4, 0)
    with pytest.raises(ValueError, match="forget_bias"):
        lstm.init_params(3, 4, np.random.default_rng(0), forget_bias=np.nan)
    with pytest.raises(ValueError, match="gate: expected one of"):
        lstm.gate_weights(_P, "x")


def test_backward_refuses_bad_gradients():
    _, _, cache = lstm.lstm_forward(_X, _P, return_cache=True)
    with pytest.raises(ValueError, match=r"dhs: expected shape \(2, 5, 4\).*got \(2, 4, 4\)"):
        lstm.lstm_backward(np.zeros((2, 4, 4)), cache)
    with pytest.raises(ValueError, match=r"dhs: expected shape"):
        lstm.lstm_backward(np.zeros((2, 5)), cache)
    with pytest.raises(TypeError, match=r"dstate: expected None or a pair"):
        lstm.lstm_backward(np.zeros((2, 5, 4)), cache, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"dstate\[1\] \(dc_T\): expected shape \(2, 4\)"):
        lstm.lstm_backward(np.zeros((2, 5, 4)), cache, (None, np.zeros((1, 4))))
    with pytest.raises(TypeError, match=r"cache: expected the LSTMCache"):
        lstm.lstm_backward(np.zeros((2, 5, 4)), {"x": _X})
    with pytest.raises(ValueError, match=r"dhs: expected finite"):
        lstm.lstm_backward(np.full((2, 5, 4), np.nan), cache)

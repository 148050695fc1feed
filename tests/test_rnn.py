"""Tests of lstm_course.rnn: nn.RNN parity (tanh and relu), step = sequence, finite differences, bad input."""
import numpy as np
import pytest
import torch

from lstm_course import rnn
from lstm_course.gradcheck import check_gradients

TOL = {np.float64: 1e-10, np.float32: 1e-5}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
TORCH_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
SHAPES = [(1, 1, 1, 1), (3, 5, 4, 6), (1, 4, 3, 1), (2, 1, 5, 3), (2, 6, 2, 7), (4, 30, 8, 16)]  # (B, T, D, H)
ARRAYS = ("W_ih", "W_hh", "b_ih", "b_hh")


def _data(B, T, D, H, seed=0, dtype=np.float64, nonlinearity="tanh"):
    rng = np.random.default_rng(seed)
    p = rnn.init_params(D, H, rng, nonlinearity=nonlinearity)
    x, h0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H))
    R, R2 = rng.normal(size=(B, T, H)), rng.normal(size=(B, H))
    cast = lambda a: a.astype(dtype)
    p = rnn.RNNParams(*(cast(getattr(p, f)) for f in ARRAYS), nonlinearity=nonlinearity)
    return p, cast(x), cast(h0), cast(R), cast(R2)


def _nn_rnn(p, dtype):
    H, D = p.W_ih.shape
    m = torch.nn.RNN(D, H, nonlinearity=p.nonlinearity, batch_first=True).to(TORCH_DTYPE[dtype])
    with torch.no_grad():
        for name, f in zip(TORCH_NAMES, ARRAYS):
            getattr(m, name).copy_(torch.from_numpy(np.asarray(getattr(p, f), dtype=dtype)))
    return m


def _close(ours, theirs, tol, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol, err_msg=what)


def test_init_params_shapes_range_and_nonlinearity():
    p = rnn.init_params(3, 5, np.random.default_rng(1), nonlinearity="relu")
    assert isinstance(p, rnn.RNNParams) and p.nonlinearity == "relu"
    assert [getattr(p, f).shape for f in ARRAYS] == [(5, 3), (5, 5), (5,), (5,)]
    assert all(np.abs(getattr(p, f)).max() <= 1 / np.sqrt(5) for f in ARRAYS)
    assert rnn.init_params(2, 2, np.random.default_rng(0)).nonlinearity == "tanh"
    assert rnn.init_params(2, 2, np.random.default_rng(0), dtype=np.float32).W_ih.dtype == np.float32


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("B,T,D,H", SHAPES)
def test_matches_nn_rnn_outputs_and_every_gradient(B, T, D, H, dtype, nonlinearity):
    p, x, h0, R, R2 = _data(B, T, D, H, seed=B * 1000 + T * 100 + D * 10 + H, dtype=dtype, nonlinearity=nonlinearity)
    tol = TOL[dtype]
    m = _nn_rnn(p, dtype)
    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0[None].copy()).requires_grad_()  # (1, B, H): layers first
    out, h_n = m(xt, h0t)
    ((out * torch.from_numpy(R)).sum() + (h_n[0] * torch.from_numpy(R2)).sum()).backward()

    hs, h_T, cache = rnn.rnn_forward(x, p, h0, return_cache=True)
    dx, dp, dh0 = rnn.rnn_backward(R, cache, R2)
    _close(hs, out, tol, "hs")
    _close(h_T, h_n[0], tol, "h_T")
    _close(dx, xt.grad, tol, "dx")
    _close(dh0, h0t.grad[0], tol, "dh0")
    assert isinstance(dp, rnn.RNNParams) and dp.nonlinearity == nonlinearity
    for field, name in zip(ARRAYS, TORCH_NAMES):
        _close(getattr(dp, field), getattr(m, name).grad, tol, field)
    for a in (hs, h_T, dx, dh0, *dp[:4]):
        assert a.dtype == dtype


def test_default_state_is_zeros_like_nn_rnn():
    p, x, *_ = _data(2, 4, 3, 5)
    out, h_n = _nn_rnn(p, np.float64)(torch.from_numpy(x))
    hs, h_T = rnn.rnn_forward(x, p)
    _close(hs, out, 1e-12, "hs")
    _close(h_T, h_n[0], 1e-12, "h_T")


def test_float32_input_casts_float64_params_and_inputs_stay_unmodified():
    p, x, h0, R, R2 = _data(2, 3, 3, 4)
    before = [a.copy() for a in (*p[:4], x, h0, R, R2)]
    hs, h_T, cache = rnn.rnn_forward(x.astype(np.float32), p, h0, return_cache=True)
    dx, dp, dh0 = rnn.rnn_backward(R, cache, R2)
    assert all(a.dtype == np.float32 for a in (hs, h_T, dx, dh0, *dp[:4]))
    for a, b in zip((*p[:4], x, h0, R, R2), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_stepping_one_step_at_a_time_equals_the_whole_sequence(nonlinearity):
    p, x, h0, *_ = _data(3, 6, 2, 5, seed=3, nonlinearity=nonlinearity)
    hs, h_T, gates = rnn.rnn_forward(x, p, h0, return_gates=True)
    assert set(gates) == {"h_pre"} and gates["h_pre"].shape == hs.shape
    h = h0
    for t in range(x.shape[1]):
        h, g = rnn.rnn_step(x[:, t], h, p, return_gates=True)
        np.testing.assert_allclose(h, hs[:, t], rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(g["h_pre"], gates["h_pre"][:, t], rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(h, h_T, rtol=1e-13, atol=1e-14)
    act = np.tanh if nonlinearity == "tanh" else (lambda a: np.maximum(a, 0))
    np.testing.assert_allclose(hs, act(gates["h_pre"]), atol=1e-15)
    assert rnn.rnn_step(x[:, 0], None, p).shape == (3, 5)


def test_plain_calls_return_exactly_the_contract():
    p, x, h0, *_ = _data(2, 3, 3, 4)
    assert len(rnn.rnn_forward(x, p)) == 2
    assert len(rnn.rnn_forward(x, p, h0, return_cache=True)) == 3
    assert len(rnn.rnn_forward(x, p, h0, return_cache=True, return_gates=True)) == 4
    assert isinstance(rnn.rnn_forward(x, p, h0, return_cache=True, return_gates=True)[2], rnn.RNNCache)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("B,T,D,H", [(2, 4, 3, 4), (1, 1, 2, 1)])
def test_backward_matches_finite_differences(B, T, D, H, nonlinearity):
    p, x, h0, R, R2 = _data(B, T, D, H, seed=9, nonlinearity=nonlinearity)

    def loss():
        hs, h_T = rnn.rnn_forward(x, p, h0)
        return np.sum(hs * R) + np.sum(h_T * R2)

    _, _, cache = rnn.rnn_forward(x, p, h0, return_cache=True)
    if nonlinearity == "relu":  # finite differences are only meaningful away from the kink
        assert np.abs(rnn.rnn_forward(x, p, h0, return_gates=True)[2]["h_pre"]).min() > 1e-3
    dx, dp, dh0 = rnn.rnn_backward(R, cache, R2)
    arrays = {f: getattr(p, f) for f in ARRAYS} | {"x": x, "h0": h0}
    grads = {f: getattr(dp, f) for f in ARRAYS} | {"x": dx, "h0": dh0}
    # eps=1e-5: central differences then err ~1e-9; with 1e-6 rounding alone nears 1e-7 on tiny entries.
    errors = check_gradients(loss, arrays, grads, eps=1e-5, tol=1e-7)
    assert max(errors.values()) < 1e-7


# ----------------------------------------------------------------------------- bad input

_P = rnn.init_params(3, 4, np.random.default_rng(0))
_X = np.zeros((2, 5, 3))
_nan = _X.copy()
_nan[0, 0, 0] = np.nan

BAD = [
    ("2-D x", lambda: rnn.rnn_forward(np.zeros((5, 3)), _P), ValueError, r"x: expected a 3-D array.*add a batch axis"),
    ("D mismatch", lambda: rnn.rnn_forward(np.zeros((2, 5, 2)), _P), ValueError, r"x: expected input size D=3"),
    ("T = 0", lambda: rnn.rnn_forward(np.zeros((2, 0, 3)), _P), ValueError, r"x: expected at least one time step"),
    ("int x", lambda: rnn.rnn_forward(np.zeros((2, 5, 3), dtype=np.int64), _P), TypeError, r"x: expected a float32 or float64.*int64"),
    ("str x", lambda: rnn.rnn_forward("x", _P), TypeError, r"x: expected a float32 or float64 array, got str"),
    ("object x", lambda: rnn.rnn_forward(np.empty((2, 5, 3), dtype=object), _P), TypeError, r"x: .*object"),
    ("NaN x", lambda: rnn.rnn_forward(_nan, _P), ValueError, r"x: expected finite values"),
    ("pair state", lambda: rnn.rnn_forward(_X, _P, (np.zeros((2, 4)), np.zeros((2, 4)))), TypeError, r"state: expected one array of shape \(2, 4\)"),
    ("state wrong H", lambda: rnn.rnn_forward(_X, _P, np.zeros((2, 3))), ValueError, r"state: expected shape \(B, H\) = \(2, 4\), got \(2, 3\)"),
    ("W_hh not square", lambda: rnn.rnn_forward(_X, _P._replace(W_hh=np.zeros((4, 5)))), ValueError, r"params.W_hh: expected shape \(1\*H, H\)"),
    ("b_ih disagrees", lambda: rnn.rnn_forward(_X, _P._replace(b_ih=np.zeros(5))), ValueError, r"params.b_ih: expected shape \(4,\)"),
    ("W_ih disagrees", lambda: rnn.rnn_forward(_X, _P._replace(W_ih=np.zeros((5, 3)))), ValueError, r"params.W_ih: expected shape \(4, D\)"),
    ("nonlinearity", lambda: rnn.rnn_forward(_X, _P._replace(nonlinearity="sigmoid")), ValueError, r"params.nonlinearity: expected one of \['tanh', 'relu'\], got 'sigmoid'"),
    ("init nonlinearity", lambda: rnn.init_params(3, 4, np.random.default_rng(0), nonlinearity="gelu"), ValueError, r"nonlinearity: expected one of"),
    ("init D=0", lambda: rnn.init_params(0, 4, np.random.default_rng(0)), ValueError, r"D: expected a positive integer, got 0"),
    ("init H<0", lambda: rnn.init_params(3, -2, np.random.default_rng(0)), ValueError, r"H: expected a positive integer, got -2"),
    ("init rng", lambda: rnn.init_params(3, 4, 42), TypeError, r"rng: expected a numpy Generator"),
    ("step x", lambda: rnn.rnn_step(np.zeros(3), None, _P), ValueError, r"x_t: expected a 2-D array"),
    ("step h", lambda: rnn.rnn_step(np.zeros((2, 3)), np.zeros((1, 4)), _P), ValueError, r"h_prev: expected shape \(B, H\) = \(2, 4\)"),
]


@pytest.mark.parametrize("call,exc,match", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_raises_a_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_backward_refuses_bad_gradients():
    _, _, cache = rnn.rnn_forward(_X, _P, return_cache=True)
    with pytest.raises(ValueError, match=r"dhs: expected shape \(2, 5, 4\).*got \(2, 5, 3\)"):
        rnn.rnn_backward(np.zeros((2, 5, 3)), cache)
    with pytest.raises(ValueError, match=r"dstate: expected shape \(2, 4\)"):
        rnn.rnn_backward(np.zeros((2, 5, 4)), cache, np.zeros((4,)))
    with pytest.raises(TypeError, match=r"dstate: expected None or one array"):
        rnn.rnn_backward(np.zeros((2, 5, 4)), cache, (np.zeros((2, 4)),))
    with pytest.raises(TypeError, match=r"cache: expected the RNNCache"):
        rnn.rnn_backward(np.zeros((2, 5, 4)), None)

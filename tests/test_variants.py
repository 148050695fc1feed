"""Tests of lstm_course.variants: peephole (full, diagonal) and coupled-gate LSTMs."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_course import variants as V
from lstm_course.lstm import LSTMParams
from lstm_course.gradcheck import check_gradients

# See tests/test_gru.py: eps=1e-5 keeps rounding error well below the 1e-7 bar.
EPS = 1e-5
# The measure is elementwise (|a - n| / (|a| + |n|)), so an entry whose true gradient
# happens to be ~1e-5 sits at ~1e-7 from rounding alone; about one random draw in ten
# has such an entry. This seed has none (all errors ~2e-8). The torch-autograd tests
# check the same gradients to 1e-10 on other draws, so no seed hides a wrong rule.
GRADCHECK_SEED = 3
KINDS = ["full", "diagonal", "coupled"]


def _params(kind, D, H, rng):
    if kind == "coupled":
        return V.init_coupled_params(D, H, rng)
    return V.init_peephole_params(D, H, rng, diagonal=(kind == "diagonal"))


def _fns(kind):
    if kind == "coupled":
        return V.coupled_step, V.coupled_forward, V.coupled_backward
    return V.peephole_step, V.peephole_forward, V.peephole_backward


def _data(kind, B, T, D, H, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    p = _params(kind, D, H, rng)
    x, h0, c0 = (rng.normal(size=s).astype(dtype) for s in ((B, T, D), (B, H), (B, H)))
    R, R2, R3 = (rng.normal(size=s).astype(dtype) for s in ((B, T, H), (B, H), (B, H)))
    return p, x, (h0, c0), (R, R2, R3)


# ----------------------------------------------------------------------------- torch references


def _torch_peephole(x, p, h0, c0, output_sees_old_cell=False):
    """The article's peephole LSTM, written with concatenations and torch autograd.

    f = sigma(W_f . [C_{t-1}, h_{t-1}, x_t] + b_f), i likewise,
    o = sigma(W_o . [C_t, h_{t-1}, x_t] + b_o). A diagonal peephole is diag(w).
    """
    W_ih, W_hh, b_ih, b_hh, W_ci, W_cf, W_co = p
    H = W_hh.shape[1]
    full = lambda w: torch.diag(w) if w.dim() == 1 else w  # noqa: E731
    blk = lambda a, k: a[k * H:(k + 1) * H]  # noqa: E731
    W_i = torch.cat([full(W_ci), blk(W_hh, 0), blk(W_ih, 0)], dim=1)  # (H, H + H + D)
    W_f = torch.cat([full(W_cf), blk(W_hh, 1), blk(W_ih, 1)], dim=1)
    W_C = torch.cat([blk(W_hh, 2), blk(W_ih, 2)], dim=1)  # (H, H + D)
    W_o = torch.cat([full(W_co), blk(W_hh, 3), blk(W_ih, 3)], dim=1)
    b_i, b_f, b_C, b_o = (blk(b_ih, k) + blk(b_hh, k) for k in range(4))
    h, C, outs = h0, c0, []
    for t in range(x.shape[1]):
        hx = torch.cat([h, x[:, t]], dim=1)
        f = torch.sigmoid(torch.cat([C, hx], dim=1) @ W_f.T + b_f)
        i = torch.sigmoid(torch.cat([C, hx], dim=1) @ W_i.T + b_i)
        C_tilde = torch.tanh(hx @ W_C.T + b_C)
        C_old, C = C, f * C + i * C_tilde
        o = torch.sigmoid(torch.cat([C_old if output_sees_old_cell else C, hx], dim=1) @ W_o.T + b_o)
        h = o * torch.tanh(C)
        outs.append(h)
    return torch.stack(outs, dim=1), h, C


def _torch_coupled(x, p, h0, c0):
    """C_t = f_t * C_{t-1} + (1 - f_t) * C~_t, from the article's equations."""
    W_ih, W_hh, b_ih, b_hh = p
    H = W_hh.shape[1]
    W = [torch.cat([W_hh[k * H:(k + 1) * H], W_ih[k * H:(k + 1) * H]], dim=1) for k in range(3)]
    b = [b_ih[k * H:(k + 1) * H] + b_hh[k * H:(k + 1) * H] for k in range(3)]
    h, C, outs = h0, c0, []
    for t in range(x.shape[1]):
        hx = torch.cat([h, x[:, t]], dim=1)
        f = torch.sigmoid(hx @ W[0].T + b[0])
        C_tilde = torch.tanh(hx @ W[1].T + b[1])
        o = torch.sigmoid(hx @ W[2].T + b[2])
        C = f * C + (1 - f) * C_tilde
        h = o * torch.tanh(C)
        outs.append(h)
    return torch.stack(outs, dim=1), h, C


def _torch_run(kind, p, x, state, grads, **kw):
    pt = [torch.from_numpy(np.array(a)).requires_grad_() for a in p]
    xt = torch.from_numpy(x.copy()).requires_grad_()
    h0t, c0t = (torch.from_numpy(s.copy()).requires_grad_() for s in state)
    ref = _torch_coupled if kind == "coupled" else _torch_peephole
    out, h, c = ref(xt, pt, h0t, c0t, **kw)
    R, R2, R3 = (torch.from_numpy(g) for g in grads)
    ((out * R).sum() + (h * R2).sum() + (c * R3).sum()).backward()
    return out, h, c, xt.grad, pt, h0t.grad, c0t.grad


def _close(a, b, tol=1e-10, what=""):
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=what)


# ----------------------------------------------------------------------------- params


def test_init_shapes_range_and_kinds():
    rng = np.random.default_rng(0)
    full = V.init_peephole_params(3, 5, rng)
    diag = V.init_peephole_params(3, 5, rng, diagonal=True)
    coup = V.init_coupled_params(3, 5, rng)
    assert [a.shape for a in full] == [(20, 3), (20, 5), (20,), (20,), (5, 5), (5, 5), (5, 5)]
    assert [a.shape for a in diag] == [(20, 3), (20, 5), (20,), (20,), (5,), (5,), (5,)]
    assert [a.shape for a in coup] == [(15, 3), (15, 5), (15,), (15,)]
    k = 1 / np.sqrt(5)
    assert all(np.abs(a).max() <= k for a in (*full, *diag, *coup))
    assert V.init_coupled_params(2, 2, rng, dtype=np.float32).W_hh.dtype == np.float32


def test_params_from_lstm():
    rng = np.random.default_rng(0)
    lp = LSTMParams(*V.init_peephole_params(2, 3, rng)[:4])  # an LSTM's i, f, g, o blocks
    pp = V.peephole_params_from_lstm(lp, diagonal=True)
    assert pp.W_ci.shape == (3,) and not pp.W_co.any()
    assert V.peephole_params_from_lstm(lp).W_cf.shape == (3, 3)
    cp = V.coupled_params_from_lstm(lp)
    np.testing.assert_array_equal(cp.W_ih, lp.W_ih[3:])
    np.testing.assert_array_equal(cp.b_hh, lp.b_hh[3:])


# ----------------------------------------------------------------------------- against torch


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("B,T,D,H", [(3, 4, 2, 5), (1, 1, 1, 1), (2, 3, 4, 1)])
def test_matches_torch_autograd_of_the_article_equations(kind, B, T, D, H):
    p, x, state, grads = _data(kind, B, T, D, H, seed=B + 10 * T + 100 * D + 1000 * H)
    _, forward, backward = _fns(kind)
    hs, (h_T, c_T), cache = forward(x, p, state, return_cache=True)
    dx, dp, (dh0, dc0) = backward(grads[0], cache, grads[1:])
    out, h, c, gx, pt, gh0, gc0 = _torch_run(kind, p, x, state, grads)
    _close(hs, out, what="hs")
    _close(h_T, h, what="h_T")
    _close(c_T, c, what="c_T")
    _close(dx, gx, what="dx")
    _close(dh0, gh0, what="dh0")
    _close(dc0, gc0, what="dc0")
    for f, t in zip(type(p)._fields, pt):
        _close(getattr(dp, f), t.grad, what=f)


@pytest.mark.parametrize("diagonal", [False, True])
def test_peephole_output_gate_sees_the_new_cell_state(diagonal):
    kind = "diagonal" if diagonal else "full"
    p, x, state, grads = _data(kind, 2, 4, 3, 4, seed=9)
    hs, _ = V.peephole_forward(x, p, state)
    new = _torch_run(kind, p, x, state, grads)[0].detach().numpy()
    old = _torch_run(kind, p, x, state, grads, output_sees_old_cell=True)[0].detach().numpy()
    _close(hs, new)
    assert np.abs(hs - old).max() > 1e-3  # the check can tell C_t from C_{t-1}


@pytest.mark.parametrize("diagonal", [False, True])
def test_zero_peepholes_give_nn_lstm(diagonal):
    B, T, D, H = 2, 5, 3, 4
    m = torch.nn.LSTM(D, H, batch_first=True).double()
    ws = [getattr(m, n).detach().numpy().copy() for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")]
    p = V.peephole_params_from_lstm(LSTMParams(*ws), diagonal=diagonal)
    rng = np.random.default_rng(0)
    x, h0, c0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    out, (h_n, c_n) = m(torch.from_numpy(x), (torch.from_numpy(h0[None]), torch.from_numpy(c0[None])))
    hs, (h_T, c_T) = V.peephole_forward(x, p, (h0, c0))
    _close(hs, out, 1e-12)
    _close(h_T, h_n[0], 1e-12)
    _close(c_T, c_n[0], 1e-12)


def test_diagonal_peepholes_equal_full_diagonal_matrices():
    p, x, state, _ = _data("diagonal", 2, 4, 3, 5, seed=1)
    full = p._replace(W_ci=np.diag(p.W_ci), W_cf=np.diag(p.W_cf), W_co=np.diag(p.W_co))
    hs_d, (h_d, c_d) = V.peephole_forward(x, p, state)
    hs_f, (h_f, c_f) = V.peephole_forward(x, full, state)
    _close(hs_d, hs_f, 1e-14)
    _close(c_d, c_f, 1e-14)


def test_coupled_is_an_lstm_with_input_gate_one_minus_f():
    p, x, state, _ = _data("coupled", 2, 3, 2, 3, seed=4)
    hs, (h_T, c_T), gates = V.coupled_forward(x, p, state, return_gates=True)
    np.testing.assert_array_equal(gates["i"], 1 - gates["f"])
    c_prev = np.concatenate([state[1][:, None], gates["c"][:, :-1]], axis=1)
    _close(gates["c"], gates["f"] * c_prev + gates["i"] * gates["g"], 1e-14)
    _close(hs, gates["o"] * np.tanh(gates["c"]), 1e-14)


# ----------------------------------------------------------------------------- steps, gradients, dtypes


@pytest.mark.parametrize("kind", KINDS)
def test_stepping_equals_whole_sequence(kind):
    step, forward, _ = _fns(kind)
    p, x, state, _ = _data(kind, 3, 5, 2, 4, seed=12)
    hs, (h_T, c_T) = forward(x, p, state)
    h, c = state
    for t in range(x.shape[1]):
        h, c = step(x[:, t], (h, c), p)
        np.testing.assert_allclose(h, hs[:, t], rtol=0, atol=1e-14)
    np.testing.assert_allclose(c, c_T, rtol=0, atol=1e-14)
    h1, c1 = step(x[:, 0], None, p)
    _, (h1_seq, c1_seq) = forward(x[:, :1], p)
    np.testing.assert_allclose(h1, h1_seq, atol=1e-15)
    np.testing.assert_allclose(c1, c1_seq, atol=1e-15)


@pytest.mark.parametrize("kind", KINDS)
def test_finite_differences(kind):
    _, forward, backward = _fns(kind)
    p, x, (h0, c0), (R, R2, R3) = _data(kind, 2, 3, 3, 4, seed=GRADCHECK_SEED)

    def loss():
        hs, (h_T, c_T) = forward(x, p, (h0, c0))
        return np.sum(hs * R) + np.sum(h_T * R2) + np.sum(c_T * R3)

    _, _, cache = forward(x, p, (h0, c0), return_cache=True)
    dx, dp, (dh0, dc0) = backward(R, cache, (R2, R3))
    arrays = {"x": x, "h0": h0, "c0": c0, **p._asdict()}
    analytic = {"x": dx, "h0": dh0, "c0": dc0, **dp._asdict()}
    errors = check_gradients(loss, arrays, analytic, eps=EPS, tol=1e-7)
    assert len(errors) == 3 + len(p)


@pytest.mark.parametrize("kind", KINDS)
def test_float32_in_float32_out(kind):
    _, forward, backward = _fns(kind)
    p, x, state, grads = _data(kind, 2, 3, 2, 3, seed=8)
    x32 = x.astype(np.float32)
    hs, (h_T, c_T), cache = forward(x32, p, state, return_cache=True)  # float64 params, state
    dx, dp, (dh0, dc0) = backward(grads[0], cache, grads[1:])
    assert all(a.dtype == np.float32 for a in (hs, h_T, c_T, dx, dh0, dc0, *dp))
    hs64, _ = forward(x32.astype(np.float64), p, state)
    np.testing.assert_allclose(hs, hs64, atol=1e-5)
    ref = _torch_run(kind, p, x32.astype(np.float64), state, grads)
    np.testing.assert_allclose(dx, ref[3].numpy(), atol=1e-5)


@pytest.mark.parametrize("kind", KINDS)
def test_return_orders_gates_and_dstate(kind):
    step, forward, backward = _fns(kind)
    p, x, state, (R, R2, R3) = _data(kind, 2, 3, 2, 4, seed=3)
    plain = forward(x, p, state)
    assert len(plain) == 2 and len(plain[1]) == 2
    hs, (h_T, c_T), cache, gates = forward(x, p, state, return_cache=True, return_gates=True)
    keys = {"f", "g", "o", "i", "c"}
    assert set(gates) == keys and all(g.shape == (2, 3, 4) for g in gates.values())
    _, _, gates_only = forward(x, p, state, return_gates=True)
    assert set(gates_only) == keys
    h, c, g1 = step(x[:, 0], state, p, return_gates=True)
    np.testing.assert_allclose(g1["o"], gates["o"][:, 0], atol=1e-15)
    # dstate: None is zero, entries may be None, and dh_T adds to dhs[:, -1].
    a = backward(R, cache)
    b = backward(R, cache, (None, None))
    np.testing.assert_array_equal(a[0], b[0])
    R_moved = R.copy()
    R_moved[:, -1] += R2
    np.testing.assert_allclose(backward(R, cache, (R2, None))[0], backward(R_moved, cache)[0], atol=1e-14)


# ----------------------------------------------------------------------------- bad input

_RNG = np.random.default_rng(0)
_PF = V.init_peephole_params(3, 4, _RNG)
_PD = V.init_peephole_params(3, 4, _RNG, diagonal=True)
_PC = V.init_coupled_params(3, 4, _RNG)
_X = _RNG.normal(size=(2, 5, 3))
_S = (np.zeros((2, 4)), np.zeros((2, 4)))
FORWARDS = [(V.peephole_forward, _PF), (V.peephole_forward, _PD), (V.coupled_forward, _PC)]
IDS = ["full", "diagonal", "coupled"]


def _bad_x(value, idx=(0, 1, 2)):
    x = _X.copy()
    x[idx] = value
    return x


@pytest.mark.parametrize("fp", FORWARDS, ids=IDS)
@pytest.mark.parametrize("x, exc, match", [
    (_X[0], ValueError, r"x: expected a 3-D array \(B, T, D\), got shape \(5, 3\)"),
    (_X.astype(np.int32), TypeError, r"x: .*got dtype int32"),
    ("x", TypeError, r"x: .*got str"),
    (np.array([[[None]]], dtype=object), TypeError, r"x: .*object"),
    (_bad_x(np.nan), ValueError, r"x: expected finite values, got 1 NaN"),
    (_bad_x(np.inf), ValueError, r"x: expected finite values, got 0 NaN and 1 inf"),
    (np.zeros((2, 0, 3)), ValueError, r"x: expected at least one time step"),
    (np.zeros((2, 4, 2)), ValueError, r"x: expected input size D=3 .*got shape \(2, 4, 2\)"),
])
def test_bad_x(fp, x, exc, match):
    forward, p = fp
    with pytest.raises(exc, match=match):
        forward(x, p)


@pytest.mark.parametrize("fp", FORWARDS, ids=IDS)
@pytest.mark.parametrize("state, exc, match", [
    (np.zeros((2, 4)), TypeError, r"state: expected a pair \(h, c\)"),
    (np.zeros((2, 2, 4)), TypeError, r"state: expected a pair \(h, c\)"),
    ((np.zeros((2, 4)),) * 3, TypeError, r"state: expected a pair \(h, c\).*of length 3"),
    ((np.zeros((2, 4)), np.zeros((2, 5))), ValueError,
     r"state\[1\] \(c\): expected shape \(B, H\) = \(2, 4\), got \(2, 5\)"),
    ((np.zeros((1, 2, 4)), np.zeros((2, 4))), ValueError, r"state\[0\] \(h\): expected shape"),
    ((np.zeros((2, 4)), np.full((2, 4), np.nan)), ValueError, r"state\[1\] \(c\): expected finite"),
    ((np.zeros((2, 4), dtype=int), np.zeros((2, 4))), TypeError, r"state\[0\] \(h\): .*int"),
])
def test_bad_state(fp, state, exc, match):
    forward, p = fp
    with pytest.raises(exc, match=match):
        forward(_X, p, state)


@pytest.mark.parametrize("p, exc, match", [
    (_PF._replace(W_co=np.zeros((4,))), ValueError, r"params: expected W_ci, W_cf, W_co all full"),
    (_PF._replace(W_ci=np.zeros((5, 5))), ValueError, r"params.W_ci: expected shape \(4, 4\) \(full\) or \(4,\)"),
    (_PD._replace(W_cf=np.zeros((3,))), ValueError, r"params.W_cf: expected shape .* got \(3,\)"),
    (_PD._replace(W_co=np.full((4,), np.nan)), ValueError, r"params.W_co: expected finite"),
    (_PD._replace(W_ci=np.zeros(4, dtype=int)), TypeError, r"params.W_ci: .*int"),
    (_PF._replace(W_hh=np.zeros((12, 4))), ValueError, r"params.W_hh: expected shape \(4\*H, H\)"),
    (_PF._replace(b_ih=np.zeros(15)), ValueError, r"params.b_ih: expected shape \(16,\)"),
    (_PF._replace(W_ih=np.zeros((16, 2))), ValueError, r"x: expected input size D=2"),
    (tuple(_PF), TypeError, r"params: expected peephole LSTM params with fields"),
    (_PC, TypeError, r"params: expected peephole LSTM params with fields.*missing"),
])
def test_bad_peephole_params(p, exc, match):
    with pytest.raises(exc, match=match):
        V.peephole_forward(_X, p)


@pytest.mark.parametrize("p, exc, match", [
    (V.CoupledParams(*_PF[:4]), ValueError,
     r"params.W_hh: expected shape \(3\*H, H\) for a coupled-gate LSTM, got \(16, 4\)"),
    (_PC._replace(W_ih=np.zeros((12, 3, 1))), ValueError, r"params.W_ih: expected shape \(12, D\)"),
    (_PC._replace(b_hh=np.zeros(13)), ValueError, r"params.b_hh: expected shape \(12,\)"),
    (_PC._replace(W_ih=np.full((12, 3), np.inf)), ValueError, r"params.W_ih: expected finite"),
])
def test_bad_coupled_params(p, exc, match):
    with pytest.raises(exc, match=match):
        V.coupled_forward(_X, p)


@pytest.mark.parametrize("kind", KINDS)
def test_bad_backward_input(kind):
    _, forward, backward = _fns(kind)
    p = {"full": _PF, "diagonal": _PD, "coupled": _PC}[kind]
    _, _, cache = forward(_X, p, _S, return_cache=True)
    dhs = np.zeros((2, 5, 4))
    with pytest.raises(ValueError, match=r"dhs: expected shape \(2, 5, 4\) \(the forward output's\), got \(2, 5, 3\)"):
        backward(np.zeros((2, 5, 3)), cache)
    with pytest.raises(ValueError, match=r"dhs: expected finite"):
        backward(np.full((2, 5, 4), np.inf), cache)
    with pytest.raises(TypeError, match=r"dstate: expected None or a pair \(dh_T, dc_T\)"):
        backward(dhs, cache, np.zeros((2, 4)))
    with pytest.raises(TypeError, match=r"dstate: .*of length 3"):
        backward(dhs, cache, (None, None, None))
    with pytest.raises(ValueError, match=r"dstate\[1\] \(dc_T\): expected shape \(2, 4\).*got \(4,\)"):
        backward(dhs, cache, (None, np.zeros(4)))
    with pytest.raises(TypeError, match=r"dstate\[0\] \(dh_T\): .*int"):
        backward(dhs, cache, (np.zeros((2, 4), dtype=int), None))
    other = V.coupled_forward if kind != "coupled" else V.peephole_forward
    _, _, wrong = other(_X, _PC if kind != "coupled" else _PF, return_cache=True)
    with pytest.raises(TypeError, match=r"cache: expected the (Coupled|Peephole)Cache from .*_forward.*got (Coupled|Peephole)Cache"):
        backward(dhs, wrong)
    with pytest.raises(TypeError, match=r"cache: expected the \w*Cache"):
        backward(dhs, None)


@pytest.mark.parametrize("init", [
    lambda D, H, rng: V.init_peephole_params(D, H, rng),
    lambda D, H, rng: V.init_peephole_params(D, H, rng, diagonal=True),
    V.init_coupled_params,
], ids=IDS)
def test_bad_init(init):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"D: expected a positive integer, got 0"):
        init(0, 3, rng)
    with pytest.raises(ValueError, match=r"H: expected a positive integer, got -2"):
        init(3, -2, rng)
    with pytest.raises(TypeError, match=r"H: expected a positive integer, got 3.0"):
        init(3, 3.0, rng)
    with pytest.raises(TypeError, match=r"rng: expected a numpy Generator"):
        init(3, 3, 42)


def test_bad_init_options():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match=r"diagonal: expected True or False, got 'yes'"):
        V.init_peephole_params(2, 3, rng, diagonal="yes")
    with pytest.raises(TypeError, match=r"dtype: expected float32 or float64"):
        V.init_coupled_params(2, 3, rng, dtype=np.int16)


@pytest.mark.parametrize("step, p", [(V.peephole_step, _PF), (V.peephole_step, _PD), (V.coupled_step, _PC)], ids=IDS)
def test_bad_step_input(step, p):
    with pytest.raises(ValueError, match=r"x_t: expected a 2-D array \(B, D\), got shape \(2, 5, 3\)"):
        step(_X, None, p)
    with pytest.raises(ValueError, match=r"x_t: expected input size D=3 .*got shape \(2, 2\)"):
        step(np.zeros((2, 2)), None, p)
    with pytest.raises(TypeError, match=r"state: expected a pair \(h, c\)"):
        step(_X[:, 0], np.zeros((2, 4)), p)
    with pytest.raises(ValueError, match=r"x_t: expected finite"):
        step(np.full((2, 3), np.nan), None, p)


@pytest.mark.parametrize("fp", FORWARDS, ids=IDS)
def test_saturated_inputs_raise_no_warning(fp):
    forward, p = fp
    hs, (h, c) = forward(_X * 1e4, p)  # -W error turns any overflow warning into a failure
    assert np.isfinite(hs).all() and np.isfinite(c).all()


def test_forget_bias_shifts_only_the_f_block():
    H = 3
    p0 = V.init_peephole_params(2, H, np.random.default_rng(0), diagonal=True)
    p1 = V.init_peephole_params(2, H, np.random.default_rng(0), diagonal=True, forget_bias=1.0)
    np.testing.assert_allclose(p1.b_ih - p0.b_ih, np.r_[np.zeros(H), np.ones(H), np.zeros(2 * H)])
    np.testing.assert_array_equal(p1.b_hh, p0.b_hh)
    c0 = V.init_coupled_params(2, H, np.random.default_rng(0))
    c1 = V.init_coupled_params(2, H, np.random.default_rng(0), forget_bias=2.0, dtype=np.float32)
    np.testing.assert_allclose(c1.b_ih - c0.b_ih, np.r_[2 * np.ones(H), np.zeros(2 * H)], atol=1e-6)
    # one policy with lstm.init_params: a wrong type is a TypeError, a wrong value a ValueError
    for bad, exc in ((np.nan, ValueError), (np.inf, ValueError), ("1", TypeError), (None, TypeError)):
        with pytest.raises(exc, match=r"forget_bias: expected a (finite )?number"):
            V.init_coupled_params(2, H, np.random.default_rng(0), forget_bias=bad)
        with pytest.raises(exc, match=r"forget_bias: expected a (finite )?number"):
            V.init_peephole_params(2, H, np.random.default_rng(0), forget_bias=bad)


def test_same_seed_same_lstm_weights_as_lstm_init():
    lstm = pytest.importorskip("lstm_course.lstm")
    q = lstm.init_params(3, 4, np.random.default_rng(5), forget_bias=1.0)
    p = V.init_peephole_params(3, 4, np.random.default_rng(5), forget_bias=1.0)
    for a, b in zip(p[:4], q):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", KINDS)
def test_editing_returned_arrays_does_not_corrupt_backward(kind):
    _, forward, backward = _fns(kind)
    p, x, state, (R, R2, R3) = _data(kind, 2, 3, 2, 3, seed=1)
    hs, _, cache, gates = forward(x, p, state, return_cache=True, return_gates=True)
    ref = backward(R, cache, (R2, R3))[0].copy()
    hs[:] = 0
    for g in gates.values():
        g[:] = 0.5
    np.testing.assert_array_equal(backward(R, cache, (R2, R3))[0], ref)


def test_bad_params_from_lstm():
    with pytest.raises(ValueError, match=r"params.W_hh: expected shape \(4\*H, H\) for a LSTM"):
        V.coupled_params_from_lstm(_PC)
    with pytest.raises(TypeError, match=r"params: expected LSTM params with fields"):
        V.peephole_params_from_lstm((1, 2, 3, 4))
    with pytest.raises(TypeError, match=r"diagonal: expected True or False"):
        V.peephole_params_from_lstm(LSTMParams(*_PF[:4]), diagonal=None)

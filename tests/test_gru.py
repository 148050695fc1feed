"""Tests of lstm_course.gru: nn.GRU parity, the article's form, BPTT, bad input."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_course import gru
from lstm_course.gradcheck import check_gradients

TOL = {np.float64: 1e-10, np.float32: 1e-5}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
# Central differences with eps=1e-5 balance truncation and rounding error best for
# these small cells; with 1e-6 rounding alone reaches ~1e-7 on tiny gradient entries.
EPS = 1e-5
# The measure is elementwise (|a - n| / (|a| + |n|)), so an entry whose true gradient
# happens to be ~1e-5 sits at ~1e-7 from rounding alone; about one random draw in ten
# has such an entry. This seed has none (all errors ~2e-8). The torch-autograd tests
# check the same gradients to 1e-10 on other draws, so no seed hides a wrong rule.
GRADCHECK_SEED = 3


def _data(B, T, D, H, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    p = gru.init_params(D, H, rng)
    x = rng.normal(size=(B, T, D)).astype(dtype)
    h0 = rng.normal(size=(B, H)).astype(dtype)
    R = rng.normal(size=(B, T, H)).astype(dtype)
    R2 = rng.normal(size=(B, H)).astype(dtype)
    return p, x, h0, R, R2


def _nn_gru(p: gru.GRUParams, dtype) -> torch.nn.GRU:
    H3, D = p.W_ih.shape
    m = torch.nn.GRU(D, H3 // 3, batch_first=True).to(TORCH_DTYPE[dtype])
    with torch.no_grad():
        for name, a in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), p):
            getattr(m, name).copy_(torch.from_numpy(np.asarray(a, dtype=dtype)))
    return m


def _torch_article_gru(x, p, h0):
    """The article's GRU written from its equations, with autograd tensors.

    z = sigma(W_z . [h, x] + b_z), r likewise,
    h~ = tanh(W . [r * h, x] + b), h = (1 - z) * h + z * h~.
    """
    W_ih, W_hh, b_ih, b_hh = p
    H = W_hh.shape[1]
    W_r = torch.cat([W_hh[:H], W_ih[:H]], dim=1)  # (H, H + D), columns h then x
    W_z = torch.cat([W_hh[H:2 * H], W_ih[H:2 * H]], dim=1)
    W = torch.cat([W_hh[2 * H:], W_ih[2 * H:]], dim=1)
    b_r, b_z, b = (b_ih[k * H:(k + 1) * H] + b_hh[k * H:(k + 1) * H] for k in range(3))
    h, outs = h0, []
    for t in range(x.shape[1]):
        hx = torch.cat([h, x[:, t]], dim=1)
        z = torch.sigmoid(hx @ W_z.T + b_z)
        r = torch.sigmoid(hx @ W_r.T + b_r)
        h_tilde = torch.tanh(torch.cat([r * h, x[:, t]], dim=1) @ W.T + b)
        h = (1 - z) * h + z * h_tilde
        outs.append(h)
    return torch.stack(outs, dim=1), h


def _assert_close(a, b, tol, what):
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=what)


# ----------------------------------------------------------------------------- params


def test_init_params_shapes_range_and_seed():
    p = gru.init_params(3, 5, np.random.default_rng(1))
    assert isinstance(p, gru.GRUParams)
    assert [a.shape for a in p] == [(15, 3), (15, 5), (15,), (15,)]
    k = 1 / np.sqrt(5)
    assert all(a.dtype == np.float64 and np.abs(a).max() <= k for a in p)
    q = gru.init_params(3, 5, np.random.default_rng(1))
    assert all(np.array_equal(a, b) for a, b in zip(p, q))
    assert gru.init_params(2, 2, np.random.default_rng(0), dtype=np.float32).W_ih.dtype == np.float32


def test_torch_to_article_z_negates_only_z_and_is_an_involution():
    p = gru.init_params(3, 4, np.random.default_rng(0))
    before = [a.copy() for a in p]
    q = gru.torch_to_article_z(p)
    assert all(np.array_equal(a, b) for a, b in zip(p, before))  # input untouched
    for a, b in zip(p, q):
        np.testing.assert_array_equal(b[4:8], -a[4:8])
        np.testing.assert_array_equal(b[:4], a[:4])
        np.testing.assert_array_equal(b[8:], a[8:])
    back = gru.article_to_torch_z(q)
    assert all(np.array_equal(a, b) for a, b in zip(p, back))


# ----------------------------------------------------------------------------- nn.GRU parity

SHAPES = [(3, 5, 4, 6), (1, 1, 1, 1), (1, 4, 3, 1), (2, 1, 5, 3), (2, 3, 2, 2)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("B,T,D,H", SHAPES)
def test_torch_form_matches_nn_gru(B, T, D, H, dtype):
    p, x, h0, R, R2 = _data(B, T, D, H, seed=B * 100 + T * 10 + D + H, dtype=dtype)
    p = gru.GRUParams(*(a.astype(dtype) for a in p))
    tol = TOL[dtype]
    m = _nn_gru(p, dtype)
    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0[None].copy()).requires_grad_()  # (1, B, H): layers first
    out, h_n = m(xt, h0t)
    ((out * torch.from_numpy(R)).sum() + (h_n[0] * torch.from_numpy(R2)).sum()).backward()

    hs, h_T, cache = gru.gru_forward(x, p, h0, form="torch", return_cache=True)
    dx, dp, dh0 = gru.gru_backward(R, cache, R2)
    _assert_close(hs, out, tol, "hs")
    _assert_close(h_T, h_n[0], tol, "h_T")
    _assert_close(dx, xt.grad, tol, "dx")
    _assert_close(dh0, h0t.grad[0], tol, "dh0")
    for f, name in zip(gru.GRUParams._fields, ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")):
        _assert_close(getattr(dp, f), getattr(m, name).grad, tol, f)
    for a in (hs, h_T, dx, dh0, *dp):
        assert a.dtype == dtype


def test_zero_initial_state_matches_nn_gru_default():
    p, x, _, _, _ = _data(2, 4, 3, 5)
    out, h_n = _nn_gru(p, np.float64)(torch.from_numpy(x))
    hs, h_T = gru.gru_forward(x, p)
    _assert_close(hs, out, 1e-12, "hs")
    _assert_close(h_T, h_n[0], 1e-12, "h_T")


def test_float32_input_with_float64_params_computes_in_float32():
    p, x, h0, R, R2 = _data(2, 3, 3, 4)
    x32 = x.astype(np.float32)
    hs, h_T, cache = gru.gru_forward(x32, p, h0, return_cache=True)
    dx, dp, dh0 = gru.gru_backward(R, cache, R2)
    assert all(a.dtype == np.float32 for a in (hs, h_T, dx, dh0, *dp))
    hs64, _ = gru.gru_forward(x32.astype(np.float64), p, h0)
    np.testing.assert_allclose(hs, hs64, atol=1e-5)


# ----------------------------------------------------------------------------- the article's form


def test_article_form_matches_torch_autograd_of_the_article_equations():
    B, T, D, H = 3, 4, 2, 5
    p, x, h0, R, R2 = _data(B, T, D, H, seed=7)
    hs, h_T, cache = gru.gru_forward(x, p, h0, form="article", return_cache=True)
    dx, dp, dh0 = gru.gru_backward(R, cache, R2)

    pt = [torch.from_numpy(a.copy()).requires_grad_() for a in p]
    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0).requires_grad_()
    out, h_last = _torch_article_gru(xt, pt, h0t)
    ((out * torch.from_numpy(R)).sum() + (h_last * torch.from_numpy(R2)).sum()).backward()

    _assert_close(hs, out, 1e-10, "hs")
    _assert_close(h_T, h_last, 1e-10, "h_T")
    _assert_close(dx, xt.grad, 1e-10, "dx")
    _assert_close(dh0, h0t.grad, 1e-10, "dh0")
    for f, t in zip(gru.GRUParams._fields, pt):
        _assert_close(getattr(dp, f), t.grad, 1e-10, f)


def test_article_form_differs_from_nn_gru_even_after_z_conversion():
    p, x, h0, _, _ = _data(2, 6, 3, 4, seed=3)
    hs_torch, _ = gru.gru_forward(x, p, h0, form="torch")
    out, _ = _nn_gru(p, np.float64)(torch.from_numpy(x), torch.from_numpy(h0[None].copy()))
    _assert_close(hs_torch, out, 1e-10, "torch form is nn.GRU")
    hs_same, _ = gru.gru_forward(x, p, h0, form="article")
    hs_conv, _ = gru.gru_forward(x, gru.torch_to_article_z(p), h0, form="article")
    assert np.abs(hs_same - hs_torch).max() > 1e-2  # z reversed and r moved
    assert np.abs(hs_conv - hs_torch).max() > 1e-3  # r moved: no weights undo that


def test_after_z_conversion_only_the_place_of_r_differs():
    p, x, h0, _, _ = _data(2, 5, 3, 4, seed=4)
    H = 4
    q = gru.torch_to_article_z(p)
    _, _, g_t = gru.gru_forward(x, p, h0, form="torch", return_gates=True)
    _, _, g_a = gru.gru_forward(x, q, h0, form="article", return_gates=True)
    # First step: both see the same h0, so the gates line up exactly.
    np.testing.assert_allclose(g_a["z"][:, 0], 1 - g_t["z"][:, 0], atol=1e-15)
    np.testing.assert_allclose(g_a["r"][:, 0], g_t["r"][:, 0], atol=0)
    # Force r = 1 (sigmoid(60) is 1.0 in float64): the forms then coincide.
    b_ih = p.b_ih.copy()
    b_ih[:H] = 60.0
    p1 = p._replace(b_ih=b_ih)
    hs_t, hT_t = gru.gru_forward(x, p1, h0, form="torch")
    hs_a, hT_a = gru.gru_forward(x, gru.torch_to_article_z(p1), h0, form="article")
    np.testing.assert_allclose(hs_a, hs_t, atol=1e-14)
    np.testing.assert_allclose(hT_a, hT_t, atol=1e-14)


# ----------------------------------------------------------------------------- steps, gates, gradients


@pytest.mark.parametrize("form", gru.FORMS)
def test_stepping_equals_whole_sequence(form):
    p, x, h0, _, _ = _data(3, 5, 2, 4, seed=11)
    hs, h_T = gru.gru_forward(x, p, h0, form=form)
    h = h0
    for t in range(x.shape[1]):
        h = gru.gru_step(x[:, t], h, p, form=form)
        np.testing.assert_allclose(h, hs[:, t], rtol=0, atol=1e-14)
    np.testing.assert_array_equal(h_T, hs[:, -1])
    np.testing.assert_allclose(gru.gru_step(x[:, 0], None, p, form), gru.gru_forward(x[:, :1], p, form=form)[1],
                               atol=1e-15)


@pytest.mark.parametrize("form", gru.FORMS)
def test_finite_differences(form):
    p, x, h0, R, R2 = _data(2, 3, 3, 4, seed=GRADCHECK_SEED)

    def loss():
        hs, h_T = gru.gru_forward(x, p, h0, form=form)
        return np.sum(hs * R) + np.sum(h_T * R2)

    _, _, cache = gru.gru_forward(x, p, h0, form=form, return_cache=True)
    dx, dp, dh0 = gru.gru_backward(R, cache, R2)
    arrays = {"x": x, "h0": h0, **p._asdict()}
    analytic = {"x": dx, "h0": dh0, **dp._asdict()}
    errors = check_gradients(loss, arrays, analytic, eps=EPS, tol=1e-7)
    assert set(errors) == {"x", "h0", "W_ih", "W_hh", "b_ih", "b_hh"}


@pytest.mark.parametrize("form", gru.FORMS)
def test_gates_and_return_orders(form):
    p, x, h0, _, _ = _data(2, 3, 2, 4, seed=2)
    plain = gru.gru_forward(x, p, h0, form=form)
    assert len(plain) == 2
    hs, h_T, cache, gates = gru.gru_forward(x, p, h0, form=form, return_cache=True, return_gates=True)
    assert isinstance(cache, gru.GRUCache) and isinstance(gates, dict)
    cand = "n" if form == "torch" else "h_tilde"
    assert set(gates) == {"r", "z", cand}
    assert all(g.shape == (2, 3, 4) for g in gates.values())
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    z, n = gates["z"], gates[cand]
    expected = (1 - z) * n + z * h_prev if form == "torch" else (1 - z) * h_prev + z * n
    np.testing.assert_allclose(hs, expected, atol=1e-14)
    hs2, _, gates2 = gru.gru_forward(x, p, h0, form=form, return_gates=True)
    np.testing.assert_array_equal(hs2, hs)
    h1, g1 = gru.gru_step(x[:, 0], h0, p, form=form, return_gates=True)
    np.testing.assert_allclose(g1["z"], gates["z"][:, 0], atol=1e-15)
    assert h1.shape == (2, 4)


def test_dstate_none_means_zero_and_adds_to_last_dhs():
    p, x, h0, R, R2 = _data(2, 3, 2, 3, seed=6)
    _, _, cache = gru.gru_forward(x, p, h0, return_cache=True)
    a = gru.gru_backward(R, cache)
    b = gru.gru_backward(R, cache, np.zeros((2, 3)))
    for u, v in zip((a[0], a[2], *a[1]), (b[0], b[2], *b[1])):
        np.testing.assert_array_equal(u, v)
    R_moved = R.copy()
    R_moved[:, -1] += R2
    c = gru.gru_backward(R, cache, R2)
    d = gru.gru_backward(R_moved, cache)
    np.testing.assert_allclose(c[0], d[0], atol=1e-14)


# ----------------------------------------------------------------------------- bad input

_P = gru.init_params(3, 4, np.random.default_rng(0))
_X = np.random.default_rng(1).normal(size=(2, 5, 3))


def _nan_x():
    x = _X.copy()
    x[0, 1, 2] = np.nan
    return x


def _inf_x():
    x = _X.copy()
    x[1, 0, 0] = -np.inf
    return x


@pytest.mark.parametrize("x, exc, match", [
    (_X[0], ValueError, r"x: expected a 3-D array \(B, T, D\), got shape \(5, 3\)"),
    (_X[..., None], ValueError, r"x: expected a 3-D array"),
    (_X.astype(np.int64), TypeError, r"x: .*got dtype int64"),
    ("abc", TypeError, r"x: .*got str"),
    (np.array([[["a"]]], dtype=object), TypeError, r"x: .*object"),
    (_nan_x(), ValueError, r"x: expected finite values, got 1 NaN"),
    (_inf_x(), ValueError, r"x: expected finite values, got 0 NaN and 1 inf"),
    (np.zeros((2, 0, 3)), ValueError, r"x: expected at least one time step"),
    (np.zeros((0, 4, 3)), ValueError, r"x: expected batch size"),
    (np.zeros((2, 4, 5)), ValueError, r"x: expected input size D=3 .*got shape \(2, 4, 5\)"),
])
def test_bad_x(x, exc, match):
    with pytest.raises(exc, match=match):
        gru.gru_forward(x, _P)


@pytest.mark.parametrize("state, exc, match", [
    (np.zeros((2, 5)), ValueError, r"state: expected shape \(B, H\) = \(2, 4\), got \(2, 5\)"),
    (np.zeros((1, 2, 4)), ValueError, r"state: expected shape \(B, H\)"),  # nn.GRU's (layers, B, H)
    (np.zeros((3, 4)), ValueError, r"state: expected shape \(B, H\) = \(2, 4\), got \(3, 4\)"),
    ((np.zeros((2, 4)), np.zeros((2, 4))), TypeError, r"state: expected one array.*no cell state"),
    (np.zeros((2, 4), dtype=np.int32), TypeError, r"state: .*int32"),
    (np.full((2, 4), np.nan), ValueError, r"state: expected finite values"),
])
def test_bad_state(state, exc, match):
    with pytest.raises(exc, match=match):
        gru.gru_forward(_X, _P, state)


def _with(**kw):
    return _P._replace(**kw)


@pytest.mark.parametrize("p, exc, match", [
    (_with(W_hh=np.zeros((12, 5))), ValueError, r"params.W_hh: expected shape \(3\*H, H\)"),
    (_with(W_ih=np.zeros((9, 3))), ValueError, r"params.W_ih: expected shape \(12, D\) .*got \(9, 3\)"),
    (_with(b_ih=np.zeros(11)), ValueError, r"params.b_ih: expected shape \(12,\)"),
    (_with(b_hh=np.zeros((12, 1))), ValueError, r"params.b_hh: expected shape \(12,\)"),
    (_with(W_ih=np.zeros((12, 3), dtype=np.int64)), TypeError, r"params.W_ih: .*int64"),
    (_with(W_hh=np.full((12, 4), np.inf)), ValueError, r"params.W_hh: expected finite"),
    (tuple(_P), TypeError, r"params: expected GRU params with fields"),
    (gru.GRUParams(np.zeros((16, 3)), np.zeros((16, 4)), np.zeros(16), np.zeros(16)), ValueError,
     r"params.W_hh: expected shape \(3\*H, H\) for a GRU, got \(16, 4\)"),  # LSTM-sized
])
def test_bad_params(p, exc, match):
    with pytest.raises(exc, match=match):
        gru.gru_forward(_X, p)


@pytest.mark.parametrize("form", ["pytorch", "Torch", "", None, 1])
def test_unknown_form(form):
    pattern = r"form: expected one of \['torch', 'article'\], got " + repr(form).replace("(", r"\(")
    with pytest.raises(ValueError, match=pattern):
        gru.gru_forward(_X, _P, form=form)
    with pytest.raises(ValueError, match=r"form: expected one of"):
        gru.gru_step(_X[:, 0], None, _P, form=form)


@pytest.mark.parametrize("args, exc, match", [
    ((0, 4), ValueError, r"D: expected a positive integer, got 0"),
    ((3, -1), ValueError, r"H: expected a positive integer, got -1"),
    ((3, 2.5), TypeError, r"H: expected a positive integer, got 2.5"),
    ((True, 4), TypeError, r"D: expected a positive integer"),
    (("3", 4), TypeError, r"D: expected a positive integer"),
])
def test_bad_init_sizes(args, exc, match):
    with pytest.raises(exc, match=match):
        gru.init_params(*args, np.random.default_rng(0))


def test_bad_init_rng_and_dtype():
    with pytest.raises(TypeError, match=r"rng: expected a numpy Generator"):
        gru.init_params(3, 4, 0)
    with pytest.raises(TypeError, match=r"dtype: expected float32 or float64, got int64"):
        gru.init_params(3, 4, np.random.default_rng(0), dtype=np.int64)


def test_bad_step_input():
    with pytest.raises(ValueError, match=r"x_t: expected a 2-D array \(B, D\), got shape \(2, 5, 3\)"):
        gru.gru_step(_X, None, _P)
    with pytest.raises(ValueError, match=r"x_t: expected input size D=3"):
        gru.gru_step(np.zeros((2, 4)), None, _P)
    with pytest.raises(ValueError, match=r"h_prev: expected shape \(B, H\) = \(2, 4\), got \(4,\)"):
        gru.gru_step(_X[:, 0], np.zeros(4), _P)
    with pytest.raises(TypeError, match=r"x_t: .*int64"):
        gru.gru_step(np.zeros((2, 3), dtype=np.int64), None, _P)


def test_bad_backward_input():
    _, _, cache = gru.gru_forward(_X, _P, return_cache=True)
    with pytest.raises(ValueError, match=r"dhs: expected shape \(2, 5, 4\) \(the forward output's\), got \(2, 4, 4\)"):
        gru.gru_backward(np.zeros((2, 4, 4)), cache)
    with pytest.raises(ValueError, match=r"dhs: expected shape \(2, 5, 4\).*got \(5, 4\)"):
        gru.gru_backward(np.zeros((5, 4)), cache)
    with pytest.raises(ValueError, match=r"dhs: expected finite"):
        gru.gru_backward(np.full((2, 5, 4), np.nan), cache)
    with pytest.raises(ValueError, match=r"dstate: expected shape \(2, 4\).*got \(1, 2, 4\)"):
        gru.gru_backward(np.zeros((2, 5, 4)), cache, np.zeros((1, 2, 4)))
    with pytest.raises(TypeError, match=r"cache: expected the GRUCache from gru_forward"):
        gru.gru_backward(np.zeros((2, 5, 4)), (np.zeros(3),))
    with pytest.raises(TypeError, match=r"cache: expected the GRUCache from gru_forward"):
        gru.gru_backward(np.zeros((2, 5, 4)), {"kind": "lstm"})


def test_saturated_inputs_raise_no_warning():
    # Run under -W error: any overflow warning would fail the test.
    hs, _ = gru.gru_forward(_X * 1e4, _P, form="torch")
    hs2, _ = gru.gru_forward(_X * 1e4, _P, form="article")
    assert np.isfinite(hs).all() and np.isfinite(hs2).all()


@pytest.mark.parametrize("form", gru.FORMS)
def test_editing_returned_arrays_does_not_corrupt_backward(form):
    p, x, h0, R, R2 = _data(2, 3, 2, 3, seed=1)
    hs, h_T, cache, gates = gru.gru_forward(x, p, h0, form=form, return_cache=True, return_gates=True)
    ref = gru.gru_backward(R, cache, R2)[0].copy()
    hs[:] = 0
    h_T[:] = 0
    for g in gates.values():
        g[:] = 0.5
    np.testing.assert_array_equal(gru.gru_backward(R, cache, R2)[0], ref)

"""Tests of lstm_course.variants specific to the peephole (full, diagonal) and coupled-gate LSTMs.

Torch autograd of the article's equations, step = sequence, finite differences,
float32, forget_bias and bad input are checked for every cell in
tests/test_cell_contract.py; here are each variant's own equations and options.
"""
from __future__ import annotations

import _torch_refs as refs
import numpy as np
import pytest
import torch

from lstm_course import variants as V
from lstm_course.lstm import LSTMParams

KINDS = ["full", "diagonal", "coupled"]


def _data(kind, B, T, D, H, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "coupled":
        p = V.init_coupled_params(D, H, rng)
    else:
        p = V.init_peephole_params(D, H, rng, diagonal=(kind == "diagonal"))
    x, h0, c0 = (rng.normal(size=s) for s in ((B, T, D), (B, H), (B, H)))
    return p, x, (h0, c0)


def _close(a, b, tol=1e-10):
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


# ----------------------------------------------------------------------------- params


def test_peephole_weights_are_full_or_diagonal():
    rng = np.random.default_rng(0)
    full = V.init_peephole_params(3, 5, rng)
    diag = V.init_peephole_params(3, 5, rng, diagonal=True)
    assert [a.shape for a in full[4:]] == [(5, 5)] * 3
    assert [a.shape for a in diag[4:]] == [(5,)] * 3


def test_params_from_lstm():
    rng = np.random.default_rng(0)
    lp = LSTMParams(*V.init_peephole_params(2, 3, rng)[:4])  # an LSTM's i, f, g, o blocks
    pp = V.peephole_params_from_lstm(lp, diagonal=True)
    assert pp.W_ci.shape == (3,) and not pp.W_co.any()
    assert V.peephole_params_from_lstm(lp).W_cf.shape == (3, 3)
    cp = V.coupled_params_from_lstm(lp)
    np.testing.assert_array_equal(cp.W_ih, lp.W_ih[3:])
    np.testing.assert_array_equal(cp.b_hh, lp.b_hh[3:])


def test_same_seed_same_lstm_weights_as_lstm_init():
    lstm = pytest.importorskip("lstm_course.lstm")
    q = lstm.init_params(3, 4, np.random.default_rng(5), forget_bias=1.0)
    p = V.init_peephole_params(3, 4, np.random.default_rng(5), forget_bias=1.0)
    for a, b in zip(p[:4], q):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- each variant's equations


@pytest.mark.parametrize("diagonal", [False, True])
def test_peephole_output_gate_sees_the_new_cell_state(diagonal):
    p, x, state = _data("diagonal" if diagonal else "full", 2, 4, 3, 4, seed=9)
    hs, _ = V.peephole_forward(x, p, state)
    args = (torch.from_numpy(x), [torch.from_numpy(a) for a in p], tuple(map(torch.from_numpy, state)))
    _close(hs, refs.peephole(*args)[0])
    old = refs.peephole(*args, output_sees_old_cell=True)[0].numpy()
    assert np.abs(hs - old).max() > 1e-3  # the check can tell C_t from C_{t-1}


@pytest.mark.parametrize("diagonal", [False, True])
def test_zero_peepholes_give_nn_lstm(diagonal):
    B, T, D, H = 2, 5, 3, 4
    m = torch.nn.LSTM(D, H, batch_first=True).double()
    p = V.peephole_params_from_lstm(LSTMParams(*(getattr(m, n).detach().numpy().copy() for n in refs.NN_NAMES)),
                                    diagonal=diagonal)
    rng = np.random.default_rng(0)
    x, h0, c0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    out, (h_n, c_n) = m(torch.from_numpy(x), (torch.from_numpy(h0[None]), torch.from_numpy(c0[None])))
    hs, (h_T, c_T) = V.peephole_forward(x, p, (h0, c0))
    _close(hs, out, 1e-12)
    _close(h_T, h_n[0], 1e-12)
    _close(c_T, c_n[0], 1e-12)


def test_diagonal_peepholes_equal_full_diagonal_matrices():
    p, x, state = _data("diagonal", 2, 4, 3, 5, seed=1)
    full = p._replace(W_ci=np.diag(p.W_ci), W_cf=np.diag(p.W_cf), W_co=np.diag(p.W_co))
    hs_d, (h_d, c_d) = V.peephole_forward(x, p, state)
    hs_f, (h_f, c_f) = V.peephole_forward(x, full, state)
    _close(hs_d, hs_f, 1e-14)
    _close(c_d, c_f, 1e-14)


def test_coupled_is_an_lstm_with_input_gate_one_minus_f():
    p, x, state = _data("coupled", 2, 3, 2, 3, seed=4)
    hs, (h_T, c_T), gates = V.coupled_forward(x, p, state, return_gates=True)
    np.testing.assert_array_equal(gates["i"], 1 - gates["f"])
    c_prev = np.concatenate([state[1][:, None], gates["c"][:, :-1]], axis=1)
    _close(gates["c"], gates["f"] * c_prev + gates["i"] * gates["g"], 1e-14)
    _close(hs, gates["o"] * np.tanh(gates["c"]), 1e-14)


@pytest.mark.parametrize("kind", KINDS)
def test_gates_are_the_lstms(kind):
    p, x, state = _data(kind, 2, 3, 2, 4, seed=3)
    forward = V.coupled_forward if kind == "coupled" else V.peephole_forward
    assert set(forward(x, p, state, return_gates=True).gates) == {"f", "g", "o", "i", "c"}


# ----------------------------------------------------------------------------- bad input of one variant

_RNG = np.random.default_rng(0)
_PF = V.init_peephole_params(3, 4, _RNG)
_PD = V.init_peephole_params(3, 4, _RNG, diagonal=True)
_PC = V.init_coupled_params(3, 4, _RNG)
_X = _RNG.normal(size=(2, 5, 3))


@pytest.mark.parametrize("p, exc, match", [
    (_PF._replace(W_co=np.zeros((4,))), ValueError, r"params: expected W_ci, W_cf, W_co all full"),
    (_PF._replace(W_ci=np.zeros((5, 5))), ValueError, r"params.W_ci: expected shape \(4, 4\) \(full\) or \(4,\)"),
    (_PD._replace(W_cf=np.zeros((3,))), ValueError, r"params.W_cf: expected shape .* got \(3,\)"),
    (_PD._replace(W_co=np.full((4,), np.nan)), ValueError, r"params.W_co: expected finite"),
    (_PD._replace(W_ci=np.zeros(4, dtype=int)), TypeError, r"params.W_ci: .*int"),
    (_PC, TypeError, r"params: expected peephole LSTM params with fields.*missing"),
])
def test_bad_peephole_params(p, exc, match):
    with pytest.raises(exc, match=match):
        V.peephole_forward(_X, p)


def test_peephole_sized_params_are_refused_by_the_coupled_cell():
    with pytest.raises(ValueError, match=r"params.W_hh: expected shape \(3\*H, H\) for a coupled-gate LSTM, "
                                         r"got \(16, 4\)"):
        V.coupled_forward(_X, V.CoupledParams(*_PF[:4]))


def test_bad_init_options():
    with pytest.raises(TypeError, match=r"diagonal: expected True or False, got 'yes'"):
        V.init_peephole_params(2, 3, np.random.default_rng(0), diagonal="yes")


def test_bad_params_from_lstm():
    with pytest.raises(ValueError, match=r"params.W_hh: expected shape \(4\*H, H\) for a LSTM"):
        V.coupled_params_from_lstm(_PC)
    with pytest.raises(TypeError, match=r"params: expected LSTM params with fields"):
        V.peephole_params_from_lstm((1, 2, 3, 4))
    with pytest.raises(TypeError, match=r"diagonal: expected True or False"):
        V.peephole_params_from_lstm(LSTMParams(*_PF[:4]), diagonal=None)

"""Tests of lstm_course.lstm specific to the LSTM: gate_weights, the gates' equations, a broken backward.

nn.LSTM parity, step = sequence, finite differences, float32, forget_bias and bad input
are checked for every cell in tests/test_cell_contract.py.
"""
import numpy as np
import pytest

from lstm_course import lstm
from lstm_course.gradcheck import GradcheckError, check_gradients


def _data(B, T, D, H, seed=0):
    rng = np.random.default_rng(seed)
    p = lstm.init_params(D, H, rng)
    x, h0, c0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    R, R2, R3 = rng.normal(size=(B, T, H)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    return p, x, (h0, c0), R, R2, R3


# ----------------------------------------------------------------------------- params


def test_forget_bias_shows_in_the_f_gates_bias():
    p = lstm.init_params(3, 4, np.random.default_rng(2))
    q = lstm.init_params(3, 4, np.random.default_rng(2), forget_bias=1.0)
    np.testing.assert_allclose(lstm.gate_weights(q, "f")[1], lstm.gate_weights(p, "f")[1] + 1.0)


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


# ----------------------------------------------------------------------------- gates and gradients


def test_gate_values_follow_the_equations():
    p, x, state, *_ = _data(2, 4, 3, 5)
    hs, (h_T, c_T), gates = lstm.lstm_forward(x, p, state, return_gates=True)
    assert set(gates) == {"i", "f", "g", "o", "c"}
    assert all(v.shape == (2, 4, 5) for v in gates.values())
    for k in "ifo":
        assert ((gates[k] > 0) & (gates[k] < 1)).all()
    assert (np.abs(gates["g"]) < 1).all()
    np.testing.assert_allclose(hs, gates["o"] * np.tanh(gates["c"]), atol=1e-15)  # h_t = o_t * tanh(C_t)
    c_prev = np.concatenate([state[1][:, None], gates["c"][:, :-1]], axis=1)
    np.testing.assert_allclose(gates["c"], gates["f"] * c_prev + gates["i"] * gates["g"], atol=1e-15)
    np.testing.assert_array_equal(c_T, gates["c"][:, -1])


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


def test_gate_weights_refuses_an_unknown_gate():
    with pytest.raises(ValueError, match="gate: expected one of"):
        lstm.gate_weights(lstm.init_params(3, 4, np.random.default_rng(0)), "x")

"""Tests of lstm_course.rnn specific to the RNN: its nonlinearity option and its equation.

nn.RNN parity (tanh and relu), step = sequence, finite differences, float32 and bad
input are checked for every cell in tests/test_cell_contract.py.
"""
import numpy as np
import pytest

from lstm_course import rnn


def test_init_params_takes_a_nonlinearity_tanh_by_default():
    p = rnn.init_params(3, 5, np.random.default_rng(1), nonlinearity="relu")
    assert isinstance(p, rnn.RNNParams) and p.nonlinearity == "relu"
    assert rnn.init_params(2, 2, np.random.default_rng(0)).nonlinearity == "tanh"


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_h_is_the_nonlinearity_of_the_pre_activation(nonlinearity):
    rng = np.random.default_rng(3)
    p = rnn.init_params(2, 5, rng, nonlinearity=nonlinearity)
    x, h0 = rng.normal(size=(3, 6, 2)), rng.normal(size=(3, 5))
    hs, _, gates = rnn.rnn_forward(x, p, h0, return_gates=True)
    assert set(gates) == {"h_pre"}
    act = np.tanh if nonlinearity == "tanh" else (lambda a: np.maximum(a, 0))
    np.testing.assert_allclose(hs, act(gates["h_pre"]), atol=1e-15)
    _, dp, _ = rnn.rnn_backward(np.ones_like(hs), rnn.rnn_forward(x, p, h0, return_cache=True).cache)
    assert dp.nonlinearity == nonlinearity


_P = rnn.init_params(3, 4, np.random.default_rng(0))


def test_an_unknown_nonlinearity_is_refused():
    with pytest.raises(ValueError, match=r"params.nonlinearity: expected one of \['tanh', 'relu'\], got 'sigmoid'"):
        rnn.rnn_forward(np.zeros((2, 5, 3)), _P._replace(nonlinearity="sigmoid"))
    with pytest.raises(ValueError, match=r"nonlinearity: expected one of"):
        rnn.init_params(3, 4, np.random.default_rng(0), nonlinearity="gelu")

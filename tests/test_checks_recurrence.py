"""The chapter 1-2 self-checks pass the reference and name each known mistake."""
import numpy as np
import pytest

from lstm_course import rnn
from lstm_course.checks import CheckFailed
from lstm_course.checks import recurrence as check


def test_rnn_step_passes_reference(capsys):
    def good(x_t, h_prev, W, b):
        return np.tanh(np.concatenate([h_prev, x_t], axis=1) @ W.T + b)

    check.rnn_step(good)
    assert capsys.readouterr().out == "rnn_step: all 5 checks passed.\n"


def test_unroll_passes_reference(capsys):
    def good(x, p, h0):
        h, hs = h0, []
        for t in range(x.shape[1]):
            h = rnn.rnn_step(x[:, t], h, p)
            hs.append(h)
        return np.stack(hs, axis=1)

    check.unroll(good)
    assert capsys.readouterr().out == "unroll: all 4 checks passed.\n"


def test_tanh_step_backward_passes_reference(capsys):
    check.tanh_step_backward(lambda dh, h, W: (dh * (1 - h ** 2)) @ W)
    assert capsys.readouterr().out == "tanh_step_backward: all 4 checks passed.\n"


def test_rnn_step_input_first_passes_reference(capsys):
    def good(x_t, h_prev, W, b):
        return np.tanh(np.concatenate([x_t, h_prev], axis=1) @ W.T + b)

    check.rnn_step_input_first(good)
    assert capsys.readouterr().out == "rnn_step_input_first: all 5 checks passed.\n"


def test_input_first_is_the_package_step_with_its_blocks_swapped():
    rng = np.random.default_rng(0)
    p = rnn.init_params(3, 4, rng)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    W = np.concatenate([p.W_ih, p.W_hh], axis=1)
    assert np.allclose(check._ref_step_input_first(x, h, W, p.b_ih + p.b_hh), rnn.rnn_step(x, h, p))


def test_unimplemented_stub_and_wrong_shape():
    def stub(*args):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="not implemented yet"):
        check.rnn_step(stub)
    with pytest.raises(CheckFailed, match="shape"):
        check.tanh_step_backward(lambda dh, h, W: dh.sum(axis=0))
    with pytest.raises(CheckFailed, match="return"):
        check.unroll(lambda x, p, h0: None)


def test_transposed_weights_report_the_error():
    with pytest.raises(CheckFailed, match="raised ValueError"):
        check.rnn_step(lambda x, h, W, b: np.tanh(np.concatenate([h, x], 1) @ W + b))

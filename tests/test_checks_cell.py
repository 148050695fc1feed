"""The walk-through's self-checks pass correct answers and name each known mistake."""
import numpy as np
import pytest

from lstm_course.activations import sigmoid
from lstm_course.checks import CheckFailed
from lstm_course.checks import cell as check


def good_update(f, i, c, o, cp):
    c_t = f * cp + i * c
    return c_t, o * np.tanh(c_t)


def make_step(order="ifgo", act_f=sigmoid, act_i=sigmoid, act_o=sigmoid, act_g=np.tanh, concat="hx",
              old_c=False, use_o=True, swap=False, bias=True, h_tanh=True, swap_out=False):
    def step(x_t, h_prev, c_prev, W, b):
        H = h_prev.shape[1]
        z = np.concatenate([h_prev, x_t] if concat == "hx" else [x_t, h_prev], axis=1)
        a = z @ W.T + (b if bias else 0)
        blk = dict(zip(order, np.split(a, 4, axis=1)))
        f, i, g, o = act_f(blk["f"]), act_i(blk["i"]), act_g(blk["g"]), act_o(blk["o"])
        if swap:
            f, i = i, f
        c_t = f * c_prev + i * g
        s = c_prev if old_c else c_t
        s = np.tanh(s) if h_tanh else s
        h_t = o * s if use_o else s
        return (c_t, h_t) if swap_out else (h_t, c_t)
    return step


def test_references_pass(capsys):
    check.cell_update(good_update)
    check.lstm_cell_step(make_step())
    out = capsys.readouterr().out.splitlines()
    assert out == ["cell_update: all 2 checks passed.", "lstm_cell_step: all 3 checks passed."]


def test_reference_is_lstm_step():
    rng = np.random.default_rng(0)
    x, h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    W, b = rng.normal(size=(16, 7)), rng.normal(size=16)
    h1, c1 = check.reference_cell_step(x, h, c, W, b)
    h2, c2 = make_step()(x, h, c, W, b)
    assert np.allclose(h1, h2) and np.allclose(c1, c2)


@pytest.mark.parametrize("wrong,hint", [
    (lambda f, i, c, o, cp: (i * cp + f * c, o * np.tanh(i * cp + f * c)), "swapped"),
    (lambda f, i, c, o, cp: (f * cp + i * c, o * np.tanh(cp)), "old cell state"),
    (lambda f, i, c, o, cp: (f * cp + i * c, np.tanh(f * cp + i * c)), "output gate"),
    (lambda f, i, c, o, cp: (f * cp + i * c, o * (f * cp + i * c)), "missing the tanh"),
    (lambda f, i, c, o, cp: (f * cp + c, o * np.tanh(f * cp + c)), "input gate is missing"),
    (lambda f, i, c, o, cp: (cp + i * c, o * np.tanh(cp + i * c)), "forget gate is missing"),
    (lambda f, i, c, o, cp: good_update(f, i, c, o, cp)[::-1], "wrong order"),
    (lambda f, i, c, o, cp: (f * cp + i * c,), "2 value"),
    (lambda f, i, c, o, cp: None, "return"),
])
def test_cell_update_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.cell_update(wrong)


@pytest.mark.parametrize("kwargs,hint", [
    (dict(order="ifog"), "i, f, o, g"),
    (dict(order="figo"), "swapped"),
    (dict(swap=True), "swapped"),
    (dict(act_f=np.tanh), "forget gate uses tanh"),
    (dict(act_i=np.tanh), "input gate uses tanh"),
    (dict(act_o=np.tanh), "output gate uses tanh"),
    (dict(act_f=np.tanh, act_i=np.tanh, act_o=np.tanh), "every layer uses tanh"),
    (dict(act_g=sigmoid), "candidate uses the sigmoid"),
    (dict(old_c=True), "old cell state"),
    (dict(use_o=False), "output gate is forgotten"),
    (dict(h_tanh=False), "missing the tanh"),
    (dict(concat="xh"), r"\[x_t, h_\{t-1\}\]"),
    (dict(bias=False), "bias"),
    (dict(swap_out=True), "wrong order"),
])
def test_lstm_cell_step_mistakes(kwargs, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.lstm_cell_step(make_step(**kwargs))


def test_not_implemented():
    def stub(*args):
        raise NotImplementedError
    with pytest.raises(CheckFailed, match="not implemented"):
        check.lstm_cell_step(stub)


def tf_step(order="ijfo", rows="xh", fb="f", swap_out=False):
    def step(x_t, h_prev, c_prev, kernel, bias, forget_bias):
        z = np.concatenate([x_t, h_prev] if rows == "xh" else [h_prev, x_t], axis=1)
        a = dict(zip(order, np.split(z @ kernel + bias, 4, axis=1)))
        if fb:
            a[fb] = a[fb] + forget_bias
        c_t = sigmoid(a["f"]) * c_prev + sigmoid(a["i"]) * np.tanh(a["j"])
        h_t = sigmoid(a["o"]) * np.tanh(c_t)
        return (c_t, h_t) if swap_out else (h_t, c_t)
    return step


def test_tf_reference_passes(capsys):
    check.tf_cell_step(tf_step())
    assert capsys.readouterr().out.strip() == "tf_cell_step: all 3 checks passed."


def test_tf_reference_is_the_torch_cell():
    """TensorFlow 1's layout moved into PyTorch's: the same step as torch.nn.LSTMCell."""
    torch = pytest.importorskip("torch")
    from lstm_course import torch_bridge

    rng = np.random.default_rng(1)
    B, D, H = 2, 3, 4
    x, h, c = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    kernel, bias = rng.normal(size=(D + H, 4 * H)), rng.normal(size=4 * H)
    h1, c1 = check.reference_tf_step(x, h, c, kernel, bias, 1.0)
    cell = torch_bridge.to_torch(check._tf_to_params(kernel, bias, 1.0, D), cell=True)
    with torch.no_grad():
        h2, c2 = cell(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))
    assert np.allclose(h1, h2.numpy()) and np.allclose(c1, c2.numpy())
    h3, c3 = tf_step()(x, h, c, kernel, bias, 1.0)
    assert np.allclose(h1, h3) and np.allclose(c1, c3)


@pytest.mark.parametrize("kwargs,hint", [
    (dict(order="ifjo"), "PyTorch's order"),
    (dict(order="ifoj"), "cs231n"),
    (dict(rows="hx"), "rows"),
    (dict(fb=None), "forget_bias is missing"),
    (dict(fb="i"), "wrong block"),
    (dict(swap_out=True), "wrong order"),
])
def test_tf_mistakes_are_named(kwargs, hint):
    with pytest.raises(CheckFailed, match=hint):
        check.tf_cell_step(tf_step(**kwargs))

"""Self-checks for the exercises of the chapter "Step-by-Step LSTM Walk Through".

``cell_update(fn)``     the reader's ``fn(f, i, c_tilde, o, c_prev) -> (c_t, h_t)``: the
                        cell update and the output, given the gate values::

                            C_t = f_t * C_{t-1} + i_t * C~_t,   h_t = o_t * tanh(C_t)

``lstm_cell_step(fn)``  the reader's ``fn(x_t, h_prev, c_prev, W, b) -> (h_t, c_t)``: a
                        whole LSTM step in the article's notation. ``W: (4H, H + D)``
                        acts on ``[h_{t-1}, x_t]`` (columns: h first, then x), ``b: (4H,)``;
                        the row blocks are in PyTorch's order i, f, g, o (g is C~).
                        The reference is ``lstm.lstm_step`` on the same weights.

``tf_cell_step(fn)``    the reader's ``fn(x_t, h_prev, c_prev, kernel, bias, forget_bias)
                        -> (h_t, c_t)`` in TensorFlow 1's ``BasicLSTMCell`` layout:
                        ``kernel: (D + H, 4H)`` multiplies ``[x_t, h_{t-1}]`` from the
                        right (rows: x first, then h), ``bias: (4H,)``, column blocks in
                        the order i, j (the candidate C~), f, o, and the number
                        ``forget_bias`` added to the forget gate's pre-activation.
                        The reference is ``lstm.lstm_step`` on the same weights moved
                        into PyTorch's layout.

Each prints ``"<name>: all N checks passed."`` or raises ``CheckFailed`` with a hint
that names the likely mistake: f and i swapped, tanh where a sigmoid belongs,
C_{t-1} instead of C_t in h_t, o_t forgotten, the row order i, f, o, g instead of
PyTorch's i, f, g, o, [x, h] instead of [h, x], and others.
"""
from __future__ import annotations

import numpy as np

from . import Case, Mistake, run_check
from .. import lstm
from ..activations import sigmoid, tanh

__all__ = ["cell_update", "lstm_cell_step", "reference_cell_step", "reference_tf_step",
           "tf_cell_step"]


# ---- the cell update and the output ---------------------------------------------------

def _ref_update(f, i, c_tilde, o, c_prev):
    c_t = f * c_prev + i * c_tilde
    return c_t, o * tanh(c_t)


def _update_cases():
    rng = np.random.default_rng(5)
    B, H = 2, 4
    gate = lambda: rng.uniform(0.05, 0.95, size=(B, H))  # noqa: E731
    return [
        # first: random values, on which every listed mistake gives a different result
        Case((gate(), gate(), rng.uniform(-1, 1, (B, H)), gate(), rng.uniform(-2, 2, (B, H))),
             "random gates, a batch of 2 with 4 units"),
        Case((np.array([1.0, 0.0, 0.5]), np.array([0.0, 1.0, 0.5]), np.array([0.3, -0.7, 0.4]),
              np.array([1.0, 1.0, 0.5]), np.array([0.8, 0.8, -0.6])),
             "keep unit 1, overwrite unit 2, mix unit 3"),
    ]


def _update_mistakes():
    return [
        Mistake("f_t and i_t are swapped: the forget gate multiplies the old state C_{t-1}, "
                "the input gate the candidate C~_t.",
                lambda f, i, c, o, cp: ((i * cp + f * c), o * tanh(i * cp + f * c))),
        Mistake("h_t uses the old cell state: it reads the NEW state C_t.",
                lambda f, i, c, o, cp: (f * cp + i * c, o * tanh(cp))),
        Mistake("h_t is missing the output gate.",
                lambda f, i, c, o, cp: (f * cp + i * c, tanh(f * cp + i * c))),
        Mistake("h_t is missing the tanh: the cell state is squashed before the output gate scales it.",
                lambda f, i, c, o, cp: (f * cp + i * c, o * (f * cp + i * c))),
        Mistake("the input gate is missing: the candidate is added as it is.",
                lambda f, i, c, o, cp: (f * cp + c, o * tanh(f * cp + c))),
        Mistake("the forget gate is missing: C_{t-1} is kept whole.",
                lambda f, i, c, o, cp: (cp + i * c, o * tanh(cp + i * c))),
        Mistake("the cell update multiplies where it should add (chapter 4's cell update).",
                lambda f, i, c, o, cp: (f * cp * i * c, o * tanh(f * cp * i * c))),
        Mistake("the outputs are in the wrong order: return (c_t, h_t).",
                lambda f, i, c, o, cp: _ref_update(f, i, c, o, cp)[::-1]),
    ]


def cell_update(fn) -> None:
    """Check ``fn(f, i, c_tilde, o, c_prev) -> (c_t, h_t)`` against the article's equations."""
    run_check(fn, _ref_update, _update_cases(), name="cell_update", output_names=["c_t", "h_t"],
              mistakes=_update_mistakes())


# ---- a whole step ------------------------------------------------------------------

def reference_cell_step(x_t, h_prev, c_prev, W, b):
    """``lstm.lstm_step`` on ``W = [W_hh | W_ih]`` (4H, H + D) and ``b`` (4H,); returns (h_t, c_t)."""
    H = h_prev.shape[1]
    p = lstm.LSTMParams(W_ih=W[:, H:], W_hh=W[:, :H], b_ih=b, b_hh=np.zeros_like(b))
    return lstm.lstm_step(x_t, (h_prev, c_prev), p)


def _blocks(W, b, H, order="ifgo"):
    """The four (W_k, b_k) blocks, named i, f, g, o, read in ``order``."""
    return {name: (W[k * H:(k + 1) * H], b[k * H:(k + 1) * H]) for k, name in enumerate(order)}


def _wrong_step(*, order="ifgo", act=None, concat="hx", h_from="new", use_o=True, swap_fi=False,
                bias=True, h_tanh=True, out_order="hc"):
    act = {"i": sigmoid, "f": sigmoid, "g": tanh, "o": sigmoid, **(act or {})}

    def step(x_t, h_prev, c_prev, W, b):
        H = h_prev.shape[1]
        z = np.concatenate([h_prev, x_t] if concat == "hx" else [x_t, h_prev], axis=1)
        blocks = _blocks(W, b if bias else np.zeros_like(b), H, order)
        g = {k: act[k](z @ Wk.T + bk) for k, (Wk, bk) in blocks.items()}
        f, i = (g["i"], g["f"]) if swap_fi else (g["f"], g["i"])
        c_t = f * c_prev + i * g["g"]
        c_out = c_t if h_from == "new" else c_prev
        s = tanh(c_out) if h_tanh else c_out
        h_t = g["o"] * s if use_o else s
        return (h_t, c_t) if out_order == "hc" else (c_t, h_t)

    return step


def _step_mistakes():
    return [
        Mistake("the row blocks are read as i, f, o, g: PyTorch's order is i, f, g, o, so the "
                "candidate C~ (g) is the third block and the output gate the fourth.",
                _wrong_step(order="ifog")),
        # reading the blocks as f, i, g, o and swapping f and i in the update give the
        # same numbers, so one hint names both
        Mistake("f_t and i_t are swapped: the forget gate must multiply C_{t-1} and the input "
                "gate the candidate; and PyTorch's row order starts with the input gate: "
                "i, f, g, o.", _wrong_step(swap_fi=True)),
        Mistake("the forget gate uses tanh: gates use the sigmoid, so that they lie between 0 "
                "and 1.", _wrong_step(act={"f": tanh})),
        Mistake("the input gate uses tanh: gates use the sigmoid, so that they lie between 0 "
                "and 1.", _wrong_step(act={"i": tanh})),
        Mistake("the output gate uses tanh: gates use the sigmoid, so that they lie between 0 "
                "and 1.", _wrong_step(act={"o": tanh})),
        Mistake("every layer uses tanh: only the candidate C~_t does; the three gates use the "
                "sigmoid.", _wrong_step(act={"i": tanh, "f": tanh, "o": tanh})),
        Mistake("the candidate uses the sigmoid: it is a tanh layer, "
                    "values between -1 and 1.", _wrong_step(act={"g": sigmoid})),
        Mistake("h_t uses the old cell state: it reads the new state C_t.",
                _wrong_step(h_from="old")),
        Mistake("the output gate is forgotten: h_t is what it lets through.", _wrong_step(use_o=False)),
        Mistake("h_t is missing the tanh: the cell state is squashed before the output gate scales it.",
                _wrong_step(h_tanh=False)),
        Mistake("the concatenation is [x_t, h_{t-1}]: W's columns read h_{t-1} first, then x_t.",
                _wrong_step(concat="xh")),
        Mistake("the bias b is missing: add it to every block's pre-activation.",
                _wrong_step(bias=False)),
        Mistake("the outputs are in the wrong order: return (h_t, c_t).",
                _wrong_step(out_order="ch")),
    ]


def _step_cases():
    rng = np.random.default_rng(7)
    B, D, H = 2, 3, 4
    W = rng.normal(0, 0.8, size=(4 * H, H + D))
    b = rng.normal(0, 0.5, size=4 * H)
    cases = [Case((rng.normal(size=(B, D)), rng.normal(0, 0.5, (B, H)), rng.normal(0, 1, (B, H)), W, b),
                  "random weights, B=2, D=3, H=4")]
    W1 = rng.normal(0, 0.8, size=(4, 1 + 2))
    cases.append(Case((np.array([[1.0, -0.5]]), np.array([[0.3]]), np.array([[0.9]]), W1,
                       np.array([0.1, 2.0, -0.3, 0.4])), "one unit, D=2"))
    cases.append(Case((np.zeros((1, D)), np.zeros((1, H)), np.ones((1, H)), np.zeros((4 * H, H + D)),
                       np.concatenate([np.full(H, -30.0), np.full(H, 30.0), np.zeros(H), np.full(H, 30.0)])),
                      "forget gate open, input gate shut: C_t = C_{t-1}"))
    return cases


def lstm_cell_step(fn) -> None:
    """Check ``fn(x_t, h_prev, c_prev, W, b) -> (h_t, c_t)`` against ``lstm.lstm_step``.

    x_t: (B, D); h_prev, c_prev: (B, H); W: (4H, H + D) on [h_{t-1}, x_t]; b: (4H,);
    row blocks i, f, g, o.
    """
    run_check(fn, reference_cell_step, _step_cases(), name="lstm_cell_step",
              output_names=["h_t", "c_t"], mistakes=_step_mistakes())


# ---- the same step in another framework's layout -------------------------------------

def _tf_to_params(kernel, bias, forget_bias, D):
    """TensorFlow 1's (kernel (D + H, 4H), bias (4H,), forget_bias) as ``lstm.LSTMParams``."""
    H = kernel.shape[1] // 4
    cols = dict(zip("ijfo", np.split(kernel, 4, axis=1)))      # each (D + H, H)
    bs = dict(zip("ijfo", np.split(bias, 4)))                   # each (H,)
    bs["f"] = bs["f"] + forget_bias
    order = "ifjo"                                              # PyTorch's i, f, g, o
    W = np.concatenate([cols[k].T for k in order])              # (4H, D + H)
    return lstm.LSTMParams(W_ih=W[:, :D], W_hh=W[:, D:], b_ih=np.concatenate([bs[k] for k in order]),
                           b_hh=np.zeros(4 * H))


def reference_tf_step(x_t, h_prev, c_prev, kernel, bias, forget_bias):
    """``lstm.lstm_step`` on TensorFlow 1's ``BasicLSTMCell`` weights; returns (h_t, c_t)."""
    p = _tf_to_params(kernel, bias, forget_bias, x_t.shape[1])
    return lstm.lstm_step(x_t, (h_prev, c_prev), p)


def _wrong_tf(*, order="ijfo", rows="xh", fb="f", out_order="hc"):
    def step(x_t, h_prev, c_prev, kernel, bias, forget_bias):
        z = np.concatenate([x_t, h_prev] if rows == "xh" else [h_prev, x_t], axis=1)
        a = dict(zip(order, np.split(z @ kernel + bias, 4, axis=1)))
        if fb:
            a[fb] = a[fb] + forget_bias
        c_t = sigmoid(a["f"]) * c_prev + sigmoid(a["i"]) * tanh(a["j"])
        h_t = sigmoid(a["o"]) * tanh(c_t)
        return (h_t, c_t) if out_order == "hc" else (c_t, h_t)

    return step


def _tf_mistakes():
    return [
        Mistake("the column blocks are read in PyTorch's order i, f, g, o: this layout puts the "
                "candidate second and the forget gate third.", _wrong_tf(order="ifjo")),
        Mistake("the column blocks are read as i, f, o, g (cs231n's order): this layout puts the "
                "candidate second and the forget gate third.", _wrong_tf(order="ifoj")),
        Mistake("the kernel's rows are read as [h_{t-1}, x_t]: its first D rows multiply the "
                "input x_t.", _wrong_tf(rows="hx")),
        Mistake("forget_bias is missing: this layout adds it to the forget gate's "
                "pre-activation, outside the bias vector.", _wrong_tf(fb=None)),
        Mistake("forget_bias is added to the wrong block: it belongs to the forget gate's "
                "pre-activation only.", _wrong_tf(fb="i")),
        Mistake("the outputs are in the wrong order: return (h_t, c_t).", _wrong_tf(out_order="ch")),
    ]


def _tf_cases():
    rng = np.random.default_rng(11)
    B, D, H = 2, 3, 4
    cases = [Case((rng.normal(size=(B, D)), rng.normal(0, 0.5, (B, H)), rng.normal(0, 1, (B, H)),
                   rng.normal(0, 0.8, (D + H, 4 * H)), rng.normal(0, 0.5, 4 * H), 1.0),
                  "random weights, B=2, D=3, H=4, forget_bias 1")]
    cases.append(Case((np.array([[1.0, -0.5]]), np.array([[0.3]]), np.array([[0.9]]),
                       rng.normal(0, 0.8, (2 + 1, 4)), np.array([0.1, -0.3, 2.0, 0.4]), 0.5),
                      "one unit, D=2, forget_bias 0.5"))
    cases.append(Case((rng.normal(size=(3, 2)), rng.normal(0, 0.5, (3, 5)), rng.normal(0, 1, (3, 5)),
                       rng.normal(0, 0.6, (2 + 5, 20)), rng.normal(0, 0.5, 20), 0.0),
                      "B=3, D=2, H=5, forget_bias 0"))
    return cases


def tf_cell_step(fn) -> None:
    """Check ``fn(x_t, h_prev, c_prev, kernel, bias, forget_bias) -> (h_t, c_t)``, TensorFlow 1's layout.

    x_t: (B, D); h_prev, c_prev: (B, H); kernel: (D + H, 4H) on [x_t, h_{t-1}]; bias: (4H,);
    column blocks i, j, f, o; forget_bias: a number added to the forget gate.
    """
    run_check(fn, reference_tf_step, _tf_cases(), name="tf_cell_step",
              output_names=["h_t", "c_t"], mistakes=_tf_mistakes())

"""Self-checks for the exercises of the chapters "LSTM Networks" and "The Core Idea Behind LSTMs".

``lstm_param_count(fn)``   the reader's ``fn(D, H) -> int``: parameters of ``torch.nn.LSTM``
                          (one layer), ``4 * H * (D + H + 2)``.
``stacked_lstm_param_count(fn)`` the reader's ``fn(D, H, num_layers) -> int``: parameters
                          of ``torch.nn.LSTM(D, H, num_layers)``; layer k > 0 reads layer k-1's h,
                          so ``4H(D + H + 2) + (num_layers - 1) * 4H(2H + 2)``.
``gate(fn)``               the reader's ``fn(a, v) -> array``: a gate with pre-activation
                          ``a`` applied to the vector ``v``, ``sigma(a) * v``.
``gate_preactivation(fn)`` the reader's ``fn(g) -> array``: the pre-activation that makes a
                          gate output ``g``, the logit ``log(g / (1 - g))``.

Each prints ``"<name>: all N checks passed."`` or raises ``CheckFailed`` with a hint
that names the likely mistake.
"""
from __future__ import annotations

import numpy as np

from . import Case, Mistake, run_check
from ..activations import sigmoid
from ..counting import param_count

__all__ = ["lstm_param_count", "stacked_lstm_param_count", "gate", "gate_preactivation"]


# ---- parameter count (chapter "LSTM Networks") ---------------------------------------

def _ref_lstm_count(D, H):
    return param_count("lstm", D, H)


_COUNT_CASES = [
    Case((10, 20), "D=10, H=20"),  # first: every listed mistake gives a different number here
    Case((1, 1), "D=1, H=1"),
    Case((20, 10), "D=20, H=10 (D and H swapped)"),
    Case((300, 512), "D=300, H=512"),
]

_COUNT_MISTAKES = [
    Mistake("the count is right without the biases: the bias vectors are missing.",
            lambda D, H: 4 * H * (D + H)),
    Mistake("you counted one bias vector per block, as the article writes b_f, but torch.nn.LSTM "
            "stores two (b_ih and b_hh, kept for cuDNN compatibility): count both.",
            lambda D, H: 4 * H * (D + H + 1)),
    Mistake("you counted 3 blocks (the three gates), but the LSTM has 4 learned layers: the gates "
            "i, f, o and the tanh candidate g (the article's C~).",
            lambda D, H: 3 * H * (D + H + 2)),
    Mistake("that is a plain RNN's count: an LSTM has 4 blocks of rows (i, f, g, o), each the size of the RNN's.",
            lambda D, H: H * (D + H + 2)),
    Mistake("the recurrent weights W_hh (4H x H) are missing: every block also reads h_{t-1}.",
            lambda D, H: 4 * H * (D + 2)),
    Mistake("the input weights W_ih (4H x D) are missing: every block also reads x_t.",
            lambda D, H: 4 * H * (H + 2)),
    Mistake("the recurrent weights look like D x D: W_hh maps h_{t-1} (size H) to 4H rows, so it is 4H x H.",
            lambda D, H: 4 * H * D + 4 * D * D + 8 * H),
]


def lstm_param_count(fn) -> None:
    """Check ``fn(D, H)``: the number of parameters of a one-layer ``torch.nn.LSTM``."""

    def student(D, H):
        out = fn(D, H)
        if isinstance(out, (bool, np.bool_)) or not isinstance(out, (int, np.integer, float, np.floating)):
            raise TypeError(f"expected a number, got {type(out).__name__}")
        return out

    run_check(student, _ref_lstm_count, _COUNT_CASES, name="lstm_param_count",
              output_names=["count"], mistakes=_COUNT_MISTAKES, rtol=0, atol=0)


# ---- a stack of LSTM layers (chapter "LSTM Networks") -------------------------------

def _ref_stacked_count(D, H, L):
    return param_count("lstm", D, H) + (L - 1) * param_count("lstm", H, H)


_STACKED_CASES = [
    Case((10, 20, 2), "D=10, H=20, 2 layers"),  # first: every listed mistake gives a different number here
    Case((1, 1, 1), "D=1, H=1, 1 layer"),
    Case((20, 10, 3), "D=20, H=10, 3 layers"),
    Case((300, 512, 4), "D=300, H=512, 4 layers"),
]

_STACKED_MISTAKES = [
    Mistake("every layer in your count reads an input of size D: only the first layer reads x_t; "
            "layer k > 0 reads the hidden state h of the layer below, a vector of size H.",
            lambda D, H, L: L * 4 * H * (D + H + 2)),
    Mistake("that is one layer's count: num_layers stacks that many LSTM layers, each with its own weights.",
            lambda D, H, L: 4 * H * (D + H + 2)),
    Mistake("you counted one bias vector per block; torch.nn.LSTM stores two in every layer (b_ih and b_hh).",
            lambda D, H, L: 4 * H * (D + H + 1) + (L - 1) * 4 * H * (2 * H + 1)),
    Mistake("the layers above the first look like they have no input weights W_ih: each reads the "
            "h of the layer below through its own W_ih of shape (4H, H).",
            lambda D, H, L: 4 * H * (D + H + 2) + (L - 1) * 4 * H * (H + 2)),
    Mistake("your count has one layer too many: num_layers includes the first layer, so "
            "num_layers - 1 layers sit on top of it.",
            lambda D, H, L: 4 * H * (D + H + 2) + L * 4 * H * (2 * H + 2)),
]


def stacked_lstm_param_count(fn) -> None:
    """Check ``fn(D, H, num_layers)``: the number of parameters of ``torch.nn.LSTM(D, H, num_layers)``."""

    def student(D, H, L):
        out = fn(D, H, L)
        if isinstance(out, (bool, np.bool_)) or not isinstance(out, (int, np.integer, float, np.floating)):
            raise TypeError(f"expected a number, got {type(out).__name__}")
        return out

    run_check(student, _ref_stacked_count, _STACKED_CASES, name="stacked_lstm_param_count",
              output_names=["count"], mistakes=_STACKED_MISTAKES, rtol=0, atol=0)


# ---- a gate (chapter "The Core Idea Behind LSTMs") -----------------------------------

def _ref_gate(a, v):
    return sigmoid(a) * v


def _gate_cases():
    rng = np.random.default_rng(1)
    v = np.array([0.8, -0.5, 0.3, 1.0])
    return [
        Case((np.array([-6.0, -1.0, 1.0, 6.0]), v), "pre-activations from -6 to 6"),  # tells the mistakes apart
        Case((np.array([0.0, 0.0, 0.0, 0.0]), v), "pre-activation 0 everywhere"),
        Case((rng.normal(0, 3, size=(2, 5)), rng.normal(size=(2, 5))), "a batch, shape (2, 5)"),
    ]


_GATE_MISTAKES = [
    Mistake("the values look like tanh(a) * v: a gate uses the sigmoid, whose output lies between 0 "
            "(let nothing through) and 1 (let everything through).", lambda a, v: np.tanh(a) * v),
    Mistake("the values look like sigma(a) + v: a gate multiplies, elementwise; adding cannot block anything.",
            lambda a, v: sigmoid(a) + v),
    Mistake("the sigmoid is missing: you returned a * v; squash a with the sigmoid first.",
            lambda a, v: a * v),
    Mistake("you returned the gate value sigma(a) alone: multiply it by v to get what passes.",
            lambda a, v: sigmoid(a)),
    Mistake("the gate is reversed: you returned (1 - sigma(a)) * v, which is sigma(-a) * v.",
            lambda a, v: (1 - sigmoid(a)) * v),
    Mistake("you took the matrix product: a gate acts elementwise, use * not @ or np.dot.",
            lambda a, v: sigmoid(a) @ v),
    Mistake("the values look like (1 + tanh(a)) / 2 * v: the range 0 to 1 is right, but the slope at "
            "zero is twice the sigmoid's (1/2 instead of 1/4): scale the pre-activation first.",
            lambda a, v: (1 + np.tanh(a)) / 2 * v),
]


def gate(fn) -> None:
    """Check ``fn(a, v)``: what passes a gate with pre-activation ``a``, that is ``sigma(a) * v``."""
    run_check(fn, _ref_gate, _gate_cases(), name="gate", output_names=["passed"], mistakes=_GATE_MISTAKES)


# ---- inverting a gate ------------------------------------------------------------------

def _ref_logit(g):
    g = np.asarray(g, dtype=float)
    return np.log(g) - np.log1p(-g)


_LOGIT_CASES = [
    Case((np.array([0.1, 0.731, 0.9, 0.99]),), "g from 0.1 to 0.99"),  # first: tells the mistakes apart
    Case((np.array([0.5]),), "g = 0.5"),
    Case((np.array([0.999, 0.99999]),), "g very close to 1"),
]

_LOGIT_MISTAKES = [
    Mistake("the sign is flipped: a gate value above 0.5 needs a positive pre-activation.",
            lambda g: -_ref_logit(g)),
    Mistake("you returned log(g): that inverts exp, not the sigmoid; write the sigmoid's "
            "equation out and solve it for a step by step.", lambda g: np.log(g)),
    Mistake("you inverted tanh (arctanh) instead of the sigmoid.",
            lambda g: np.arctanh(g)),
    Mistake("you applied the sigmoid to g instead of inverting it.", lambda g: sigmoid(g)),
    Mistake("you returned log(1 - g): solve the sigmoid's equation for a and check your answer "
            "by applying the sigmoid to it.",
            lambda g: np.log1p(-g)),
]


def gate_preactivation(fn) -> None:
    """Check ``fn(g)``: the pre-activation ``a`` with ``sigma(a) = g`` (the logit of ``g``)."""
    run_check(fn, _ref_logit, _LOGIT_CASES, name="gate_preactivation", output_names=["a"],
              mistakes=_LOGIT_MISTAKES, rtol=1e-6, atol=1e-6)

"""Self-checks for the exercises of "Recurrent Neural Networks" and "The Problem of Long-Term Dependencies".

``rnn_step(fn)``            the reader's ``fn(x_t, h_prev, W, b) -> h_t``: one RNN step in the
                           article's notation, ``h_t = tanh(W . [h_{t-1}, x_t] + b)``, with the
                           concatenated ``W: (H, H + D)`` and ``b: (H,)``.
``rnn_step_input_first(fn)`` the reader's ``fn(x_t, h_prev, W, b) -> h_t`` for the other common
                           layout, ``h_t = tanh(W . [x_t, h_{t-1}] + b)``: ``W: (H, D + H)`` with the
                           columns for ``x_t`` first.
``unroll(fn)``              the reader's ``fn(x, p, h0) -> hs``: the loop over time, every state
                           ``h_1 .. h_T`` as ``(B, T, H)``, equal to ``rnn.rnn_forward``.
``tanh_step_backward(fn)``  the reader's ``fn(dh_t, h_t, W_hh) -> dh_prev``: one step of
                           backpropagation through a tanh RNN,
                           ``dL/dh_{t-1} = ((1 - h_t^2) * dL/dh_t) W_hh``.

Each prints ``"<name>: all N checks passed."`` or raises ``CheckFailed`` with a hint
that names the likely mistake.
"""
from __future__ import annotations

import numpy as np

from . import Case, Mistake, run_check
from .. import rnn
from ..activations import sigmoid

__all__ = ["rnn_step", "rnn_step_input_first", "unroll", "tanh_step_backward"]


# ---- one step in the article's notation (chapter "Recurrent Neural Networks") ----------

def _split_params(W, b, D):
    """The article's ``W = [W_hh | W_ih]`` and ``b`` as ``rnn.RNNParams`` (b all in b_ih)."""
    H = W.shape[0]
    return rnn.RNNParams(W[:, H:], W[:, :H], b, np.zeros_like(b))


def _ref_step(x_t, h_prev, W, b):
    return rnn.rnn_step(x_t, h_prev, _split_params(W, b, x_t.shape[1]))


def _step_cases():
    rng = np.random.default_rng(7)

    def case(B, D, H, what, zero_h=False):
        x = rng.normal(size=(B, D))
        h = np.zeros((B, H)) if zero_h else rng.uniform(-0.9, 0.9, size=(B, H))
        W = rng.normal(scale=0.6, size=(H, H + D))
        b = rng.normal(scale=0.5, size=H)
        return Case((x, h, W, b), what)

    return [
        case(2, 3, 4, "B=2, D=3, H=4"),  # first: every listed mistake gives different values here
        case(1, 1, 1, "B=1, D=1, H=1"),
        case(3, 5, 2, "B=3, D=5, H=2 (more inputs than hidden units)"),
        case(2, 4, 4, "B=2, D=H=4"),
        case(2, 3, 4, "h_prev all zeros (the first step)", zero_h=True),
    ]


def _concat_hx(x, h):
    return np.concatenate([h, x], axis=1)  # (B, H + D): h first, as in [h_{t-1}, x_t]


_STEP_MISTAKES = [
    Mistake("you concatenated [x_t, h_{t-1}]: the article's order is [h_{t-1}, x_t] (h first), "
            "and W's first H columns are the ones that multiply h_{t-1}.",
            lambda x, h, W, b: np.tanh(np.concatenate([x, h], axis=1) @ W.T + b)),
    Mistake("the values look like a sigmoid: a plain RNN's layer is tanh, "
            "so h_t lies in (-1, 1), not (0, 1).",
            lambda x, h, W, b: sigmoid(_concat_hx(x, h) @ W.T + b)),
    Mistake("the nonlinearity is missing: the new state is squashed (the RNN's equation in chapter 1).",
            lambda x, h, W, b: _concat_hx(x, h) @ W.T + b),
    Mistake("that is a ReLU, max(0, .): the article's RNN uses tanh.",
            lambda x, h, W, b: np.maximum(_concat_hx(x, h) @ W.T + b, 0)),
    Mistake("the bias b is missing: add it before the tanh.",
            lambda x, h, W, b: np.tanh(_concat_hx(x, h) @ W.T)),
    Mistake("the bias was added after the tanh: it belongs inside.",
            lambda x, h, W, b: np.tanh(_concat_hx(x, h) @ W.T) + b),
    Mistake("h_{t-1} has no effect in your step: concatenate it with x_t, so the "
            "network can carry information forward.",
            lambda x, h, W, b: np.tanh(x @ W[:, W.shape[0]:].T + b)),
]


def rnn_step(fn) -> None:
    """Check ``fn(x_t, h_prev, W, b) -> h_t``: ``tanh(W . [h_{t-1}, x_t] + b)``.

    x_t: (B, D); h_prev: (B, H); W: (H, H + D), columns for h first, then x; b: (H,).
    The reference is ``rnn.rnn_step`` with ``W_hh = W[:, :H]`` and ``W_ih = W[:, H:]``.
    """
    run_check(fn, _ref_step, _step_cases(), name="rnn_step", output_names=["h_t"],
              mistakes=_STEP_MISTAKES)


# ---- the same step with the input first (chapter "Recurrent Neural Networks") -------

def _ref_step_input_first(x_t, h_prev, W, b):
    D = x_t.shape[1]
    return rnn.rnn_step(x_t, h_prev, rnn.RNNParams(W[:, :D], W[:, D:], b, np.zeros_like(b)))


def _concat_xh(x, h):
    return np.concatenate([x, h], axis=1)  # (B, D + H): x first, as in [x_t, h_{t-1}]


_INPUT_FIRST_MISTAKES = [
    Mistake("you concatenated [h_{t-1}, x_t], the essay's order: in this layout W's first D "
            "columns multiply x_t, so the input comes first.",
            lambda x, h, W, b: np.tanh(np.concatenate([h, x], axis=1) @ W.T + b)),
    Mistake("the values look like a sigmoid: the plain RNN's layer is tanh, so h_t lies in (-1, 1).",
            lambda x, h, W, b: sigmoid(_concat_xh(x, h) @ W.T + b)),
    Mistake("the nonlinearity is missing: the new state is squashed by tanh.",
            lambda x, h, W, b: _concat_xh(x, h) @ W.T + b),
    Mistake("the bias b is missing: add it before the tanh.",
            lambda x, h, W, b: np.tanh(_concat_xh(x, h) @ W.T)),
    Mistake("h_{t-1} has no effect in your step: the last H columns of W multiply it.",
            lambda x, h, W, b: np.tanh(x @ W[:, :x.shape[1]].T + b)),
    Mistake("x_t has no effect in your step: the first D columns of W multiply it.",
            lambda x, h, W, b: np.tanh(h @ W[:, x.shape[1]:].T + b)),
]


def rnn_step_input_first(fn) -> None:
    """Check ``fn(x_t, h_prev, W, b) -> h_t``: ``tanh(W . [x_t, h_{t-1}] + b)``.

    x_t: (B, D); h_prev: (B, H); W: (H, D + H), columns for x first, then h; b: (H,).
    The reference is ``rnn.rnn_step`` with ``W_ih = W[:, :D]`` and ``W_hh = W[:, D:]``.
    """
    run_check(fn, _ref_step_input_first, _step_cases(), name="rnn_step_input_first",
              output_names=["h_t"], mistakes=_INPUT_FIRST_MISTAKES)


# ---- the loop over time (chapter "Recurrent Neural Networks") ------------------------

def _ref_unroll(x, p, h0):
    return rnn.rnn_forward(x, p, state=h0)[0]


def _unroll_cases():
    rng = np.random.default_rng(11)

    def case(B, T, D, H, what, zero_h=False):
        p = rnn.init_params(D, H, rng)
        x = rng.normal(size=(B, T, D))
        h0 = np.zeros((B, H)) if zero_h else rng.uniform(-0.9, 0.9, size=(B, H))
        return Case((x, p, h0), what)

    return [
        case(2, 5, 3, 4, "B=2, T=5, D=3, H=4, a non-zero h0"),
        case(1, 1, 2, 3, "a single time step"),
        case(3, 6, 2, 2, "B=3, T=6, D=H=2"),
        case(2, 4, 3, 4, "h0 all zeros", zero_h=True),
    ]


def _unroll_shifted(x, p, h0):
    hs = [h0]
    for t in range(x.shape[1] - 1):
        hs.append(rnn.rnn_step(x[:, t], hs[-1], p))
    return np.stack(hs, axis=1)


def _unroll_no_carry(x, p, h0):
    return np.stack([rnn.rnn_step(x[:, t], h0, p) for t in range(x.shape[1])], axis=1)


def _unroll_zero_start(x, p, h0):
    return rnn.rnn_forward(x, p)[0]


def _unroll_reversed(x, p, h0):
    return rnn.rnn_forward(x[:, ::-1], p, state=h0)[0][:, ::-1]


def _unroll_final_only(x, p, h0):
    hT = rnn.rnn_forward(x, p, state=h0)[1]
    return np.repeat(hT[:, None, :], x.shape[1], axis=1)


_UNROLL_MISTAKES = [
    Mistake("your states are shifted by one step: you stored h_{t-1} (starting with h0) instead of "
            "h_t. Store the state *after* each step, so hs[:, 0] is h_1 and hs[:, -1] is h_T.",
            _unroll_shifted),
    Mistake("every step starts from h0: each step must read the previous step's output.",
            _unroll_no_carry),
    Mistake("your loop ignores h0 and starts from zeros: start from the h0 you were given.",
            _unroll_zero_start),
    Mistake("you ran through time backwards: go from the first step to the last, in order.",
            _unroll_reversed),
    Mistake("every entry holds the final state h_T: append a copy of h after each step, "
            "not the same variable at the end.",
            _unroll_final_only),
]


def unroll(fn) -> None:
    """Check ``fn(x, p, h0) -> hs``: ``x: (B, T, D)``, ``h0: (B, H)`` -> ``hs: (B, T, H)``."""
    run_check(fn, _ref_unroll, _unroll_cases(), name="unroll", output_names=["hs"],
              mistakes=_UNROLL_MISTAKES)


# ---- one step back (chapter "The Problem of Long-Term Dependencies") -----------------

def _ref_backward(dh, h, W_hh):
    return (dh * (1 - h * h)) @ W_hh  # (B, H) @ (H, H)


def _backward_cases():
    rng = np.random.default_rng(5)

    def case(B, H, what, scale=0.8):
        dh = rng.normal(size=(B, H))
        h = np.tanh(rng.normal(size=(B, H)))
        W = rng.normal(scale=scale, size=(H, H))
        return Case((dh, h, W), what)

    return [
        case(2, 4, "B=2, H=4"),  # first: every listed mistake gives different values here
        case(1, 1, "B=1, H=1"),
        case(3, 6, "B=3, H=6"),
        case(2, 3, "large weights", scale=3.0),
    ]


_BACKWARD_MISTAKES = [
    Mistake("the tanh's slope is missing: the gradient passes back through the tanh before "
            "the matrix product (chapter 2's backward step).",
            lambda dh, h, W: dh @ W),
    Mistake("you multiplied by W_hh^T: look at how the forward step applies W_hh; the way back "
            "transposes that.",
            lambda dh, h, W: (dh * (1 - h * h)) @ W.T),
    Mistake("tanh' was applied again to h_t: h_t is already the tanh's output, so its slope "
            "is written with h_t itself.",
            lambda dh, h, W: (dh * (1 - np.tanh(h) ** 2)) @ W),
    Mistake("h_t * (1 - h_t) is the sigmoid's derivative, not the tanh's.",
            lambda dh, h, W: (dh * h * (1 - h)) @ W),
    Mistake("the tanh's slope was applied after the matrix product: it belongs to step t's "
            "pre-activation, so it comes first.",
            lambda dh, h, W: (dh @ W) * (1 - h * h)),
]


def tanh_step_backward(fn) -> None:
    """Check ``fn(dh_t, h_t, W_hh) -> dh_prev``: ``((1 - h_t^2) * dh_t) @ W_hh``.

    dh_t: (B, H) the gradient dL/dh_t; h_t: (B, H) the step's output; W_hh: (H, H).
    """
    run_check(fn, _ref_backward, _backward_cases(), name="tanh_step_backward",
              output_names=["dh_prev"], mistakes=_BACKWARD_MISTAKES)

"""Self-checks for the exercises of the chapter "Variants on LSTMs".

``peephole_step(fn)``   the reader's ``fn(x_t, h_prev, C_prev, p) -> (h_t, C_t)``: one
                        step of an LSTM with diagonal peepholes
                        (``variants.PeepholeParams`` with ``(H,)`` peephole weights):
                        the forget and input gates look at ``C_{t-1}``, the output
                        gate at the new ``C_t`` (Gers & Schmidhuber 2000).
``peephole_article(fn)`` the reader's ``fn(x_t, h_prev, C_prev, W, b, peep) -> (h_t, C_t)``:
                        the same step in the article's layout, one matrix ``W (4H, H + D)``
                        acting on ``[h_{t-1}, x_t]`` with row blocks in the order i, f, o, g
                        and one bias ``b (4H,)``, with peepholes only on the gates named in
                        the dict ``peep`` (keys among "i", "f", "o", values ``(H,)``).
``coupled_update(fn)``  the reader's ``fn(f_t, C_prev, C_tilde) -> C_t``: the cell
                        update with coupled forget and input gates,
                        ``C_t = f_t * C_{t-1} + (1 - f_t) * C~_t``.

Each prints ``"<name>: all N checks passed."`` or raises ``CheckFailed`` with a hint
that names the likely mistake.
"""
from __future__ import annotations

import numpy as np

from . import Case, Mistake, run_check
from .. import variants
from ..activations import sigmoid, tanh

__all__ = ["peephole_step", "peephole_article", "coupled_update"]


# ---- peephole step ----------------------------------------------------------------

def _ref_peephole(x_t, h_prev, C_prev, p):
    return variants.peephole_step(x_t, (h_prev, C_prev), p)


def _pre(x_t, h_prev, p):
    """The four pre-activations W_k . [h_{t-1}, x_t] + b_k, blocks i, f, g, o."""
    a = x_t @ p.W_ih.T + p.b_ih + h_prev @ p.W_hh.T + p.b_hh  # (B, 4H)
    return np.split(a, 4, axis=1)


def _peephole_variant(out_sees="new", use_peep=True, tanh_out=True, f_sees="old",
                      swap_if=False):
    def step(x_t, h_prev, C_prev, p):
        a_i, a_f, a_g, a_o = _pre(x_t, h_prev, p)
        k = 1.0 if use_peep else 0.0
        i = sigmoid(a_i + k * p.W_ci * C_prev)
        f = sigmoid(a_f + k * p.W_cf * C_prev)
        if swap_if:
            i, f = f, i
        C = f * C_prev + i * tanh(a_g)
        o = sigmoid(a_o + k * p.W_co * (C if out_sees == "new" else C_prev))
        return o * (tanh(C) if tanh_out else C), C
    return step


def _peephole_cases():
    rng = np.random.default_rng(6)
    D, H = 3, 4
    p = variants.init_peephole_params(D, H, rng, diagonal=True)
    # strong peepholes and a large old cell state, so every mistake shows
    strong = p._replace(W_ci=rng.uniform(-2, 2, H), W_cf=rng.uniform(-2, 2, H),
                        W_co=rng.uniform(-2, 2, H))
    C_big = rng.uniform(-2, 2, (2, H))
    return [
        Case((rng.normal(size=(2, D)), rng.normal(size=(2, H)) * 0.5, C_big, strong),
             "B=2, D=3, H=4, strong peepholes"),
        Case((rng.normal(size=(1, D)), np.zeros((1, H)), np.zeros((1, H)), p),
             "zero state (the peepholes see nothing yet)"),
        Case((rng.normal(size=(5, D)), rng.normal(size=(5, H)), rng.normal(size=(5, H)), p),
             "a batch of 5"),
    ]


_PEEPHOLE_MISTAKES = [
    Mistake("the output gate peeks at the old cell state C_{t-1}; it should see the NEW "
            "C_t, so compute C_t first.",
            _peephole_variant(out_sees="old")),
    Mistake("that is an LSTM without peepholes: each gate's pre-activation also gets a term "
            "from the cell state (the peephole equations of chapter 7).", _peephole_variant(use_peep=False)),
    Mistake("h_t skips the tanh: the cell state passes through tanh before the output gate.", _peephole_variant(tanh_out=False)),
    Mistake("the input and forget gates are swapped: the rows of p.W_ih come in the "
            "blocks i, f, g, o (PyTorch's order), and W_ci belongs to i, W_cf to f.",
            _peephole_variant(swap_if=True)),
]


def peephole_step(fn) -> None:
    """Check ``fn(x_t, h_prev, C_prev, p) -> (h_t, C_t)``: one peephole-LSTM step."""
    run_check(fn, _ref_peephole, _peephole_cases(), name="peephole_step",
              output_names=["h_t", "C_t"], mistakes=_PEEPHOLE_MISTAKES)


# ---- peephole step in the article's layout, peepholes on some gates -----------------

def _article_variant(order="ifog", concat="hx", out_sees="new", swap_peep=False, tanh_out=True):
    """The step in the article's layout; the keywords build the known mistakes."""
    def step(x_t, h_prev, C_prev, W, b, peep):
        H = h_prev.shape[1]
        z = np.concatenate([h_prev, x_t] if concat == "hx" else [x_t, h_prev], axis=1)
        a = z @ W.T + b                                           # (B, 4H)
        blocks = dict(zip(order, np.split(a, 4, axis=1)))
        zero = np.zeros(H)
        w_i, w_f = peep.get("i", zero), peep.get("f", zero)
        if swap_peep:
            w_i, w_f = w_f, w_i
        f = sigmoid(blocks["f"] + w_f * C_prev)                   # sees C_{t-1}
        i = sigmoid(blocks["i"] + w_i * C_prev)                   # sees C_{t-1}
        C = f * C_prev + i * tanh(blocks["g"])
        o = sigmoid(blocks["o"] + peep.get("o", zero) * (C if out_sees == "new" else C_prev))
        return o * (tanh(C) if tanh_out else C), C
    return step


_ref_article = _article_variant()


def _article_cases():
    rng = np.random.default_rng(8)
    D, H = 3, 4                      # D != H, so [x, h] and [h, x] give different numbers

    def args(B, peep_gates, scale=1.0):
        W = rng.uniform(-1, 1, (4 * H, H + D))
        b = rng.uniform(-0.5, 0.5, 4 * H)
        peep = {k: rng.uniform(-2, 2, H) for k in peep_gates}
        return (rng.normal(size=(B, D)), rng.normal(size=(B, H)) * 0.5,
                rng.uniform(-2, 2, (B, H)) * scale, W, b, peep)

    return [
        Case(args(2, "fo"), "B=2, D=3, H=4, peepholes on f and o only"),
        Case(args(3, "ifo"), "peepholes on all three gates"),
        Case(args(2, "o"), "a peephole on the output gate only"),
        Case(args(2, "if"), "peepholes on i and f only"),
        Case(args(1, ""), "no peepholes at all: a standard LSTM"),
    ]


_ARTICLE_MISTAKES = [
    Mistake("the row blocks were read in PyTorch's order i, f, g, o; here W and b come in the "
            "order i, f, o, g, so the candidate is the LAST block.", _article_variant(order="ifgo")),
    Mistake("the concatenation is [x_t, h_{t-1}]; the article writes [h_{t-1}, x_t], so the first "
            "H columns of W multiply h_{t-1}.", _article_variant(concat="xh")),
    Mistake("both the block order and the concatenation are PyTorch's habits, not this layout's: "
            "blocks i, f, o, g, and W acts on [h_{t-1}, x_t].",
            _article_variant(order="ifgo", concat="xh")),
    Mistake("the output gate peeks at the old cell state C_{t-1}; it should see the NEW C_t, so "
            "compute C_t first.", _article_variant(out_sees="old")),
    Mistake("the peepholes of the input and forget gates are swapped: peep['i'] belongs to i_t, "
            "peep['f'] to f_t.", _article_variant(swap_peep=True)),
    Mistake("h_t skips the tanh: the cell state passes through tanh before the output gate.",
            _article_variant(tanh_out=False)),
]


def peephole_article(fn) -> None:
    """Check ``fn(x_t, h_prev, C_prev, W, b, peep) -> (h_t, C_t)``: a peephole step in the
    article's layout (``W (4H, H + D)`` on ``[h_{t-1}, x_t]``, blocks i, f, o, g) with
    peepholes only on the gates that ``peep`` names."""

    def student(x_t, h_prev, C_prev, W, b, peep):
        return fn(x_t.copy(), h_prev.copy(), C_prev.copy(), W.copy(), b.copy(),
                  {k: v.copy() for k, v in peep.items()})

    run_check(student, _ref_article, _article_cases(), name="peephole_article",
              output_names=["h_t", "C_t"], mistakes=_ARTICLE_MISTAKES)


# ---- coupled update -----------------------------------------------------------------

def _ref_coupled(f_t, C_prev, C_tilde):
    return f_t * C_prev + (1 - f_t) * C_tilde


def _coupled_cases():
    rng = np.random.default_rng(7)
    return [
        Case((np.array([0.9, 0.2, 0.6, 0.05]), np.array([0.8, -0.5, 0.3, 1.5]),
              np.array([-0.4, 0.7, 0.9, -0.2])), "four units, gates from 0.05 to 0.9"),
        Case((np.ones(3), np.array([0.1, 0.2, 0.3]), np.array([5.0, 5.0, 5.0])),
             "f = 1: keep everything"),
        Case((sigmoid(rng.normal(size=(2, 5))), rng.normal(size=(2, 5)),
              np.tanh(rng.normal(size=(2, 5)))), "a batch, shape (2, 5)"),
    ]


_COUPLED_MISTAKES = [
    Mistake("f_t and 1 - f_t are swapped: f_t says how much of the OLD cell is kept.",
            lambda f, C, Ct: (1 - f) * C + f * Ct),
    Mistake("the write is not coupled: C~_t enters whole, as if i_t were 1. Coupling writes "
            "only the share that was forgotten.",
            lambda f, C, Ct: f * C + Ct),
    Mistake("f_t scales both terms; the new value is written with the complement of f_t, "
            "so that the two shares add up to one.",
            lambda f, C, Ct: f * (C + Ct)),
    Mistake("the old cell is not gated: C_{t-1} must be scaled by f_t as well.",
            lambda f, C, Ct: C + (1 - f) * Ct),
]


def coupled_update(fn) -> None:
    """Check ``fn(f_t, C_prev, C_tilde) -> C_t`` for coupled forget and input gates."""
    run_check(fn, _ref_coupled, _coupled_cases(), name="coupled_update",
              output_names=["C_t"], mistakes=_COUPLED_MISTAKES)

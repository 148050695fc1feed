"""Self-checks for the graded coursework (``coursework/``) and for readers without nbgrader.

Every check tries the reader's function on several cases, edge cases included, and
says in words what is wrong. Use them as ``from lstm_course.checks import coursework
as check`` and then ``check.forget_gate(my_forget_gate)``.

The gates in the article's notation, with ``W_k: (H, H + D)`` whose first ``H``
columns multiply ``h_{t-1}`` and ``b_k: (H,)``:

``forget_gate(fn)``   ``fn(x_t, h_prev, W_f, b_f) -> f_t = sigma(W_f . [h_{t-1}, x_t] + b_f)``
``input_gate(fn)``    ``fn(x_t, h_prev, W_i, b_i) -> i_t = sigma(W_i . [h_{t-1}, x_t] + b_i)``
``candidate(fn)``     ``fn(x_t, h_prev, W_C, b_C) -> C~_t = tanh(W_C . [h_{t-1}, x_t] + b_C)``
``output_gate(fn)``   ``fn(x_t, h_prev, W_o, b_o) -> o_t = sigma(W_o . [h_{t-1}, x_t] + b_o)``
``cell_update(fn)``   ``fn(f_t, i_t, c_tilde, c_prev) -> C_t = f_t * C_{t-1} + i_t * C~_t``
``hidden_state(fn)``  ``fn(o_t, c_t) -> h_t = o_t * tanh(C_t)``

A whole step in PyTorch's layout (``torch.nn.LSTMCell``: rows of ``W_ih (4H, D)``,
``W_hh (4H, H)``, ``b_ih``, ``b_hh (4H,)`` in the blocks i, f, g, o):

``lstm_step(fn)``     ``fn(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h_t, c_t)``

Two variants (chapter "Variants on LSTMs"), parameters as in ``lstm_course.variants``:

``full_peephole_step(fn)`` ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)``, peephole matrices (H, H)
``coupled_step(fn)``  ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)``, ``i_t = 1 - f_t``

And one tool for backpropagation through time:

``numerical_gradient(fn)``  ``fn(f, a, eps) -> grad``: central differences, ``a``
                            perturbed in place and restored.

And for the recurrent network of the first chapters:

``influence(fn)``     ``fn(x, p, h0, delta) -> (T,)``: how much nudging the first input
                      moves each later state of a tanh RNN (``rnn.RNNParams``).

``with_parts(check_fn, fn, name=(part_fn, part_check), ...)`` runs ``check_fn(fn)`` and,
if it fails, also names which of the earlier answers ``fn`` is built from fails its
own check.

Each prints ``"<name>: all N checks passed."`` or raises ``CheckFailed`` with a hint
that names the likely mistake.
"""
from __future__ import annotations

import functools

import numpy as np

from . import Case, CheckFailed, Mistake, run_check
from .. import gradcheck, lstm, variants
from ..activations import sigmoid

__all__ = ["forget_gate", "input_gate", "candidate", "output_gate", "cell_update",
           "hidden_state", "lstm_step", "full_peephole_step", "coupled_step",
           "numerical_gradient"]


def _shape_hints(fn, name, layout):
    """Wrap ``fn`` so a shape error in a matrix product comes back with a hint."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            text = str(exc)
            if "matmul" in text or "shapes" in text or "broadcast" in text:
                raise ValueError(f"a shape mismatch ({text}). {layout}") from None
            raise
    return wrapped


# ---- one gate in the article's notation -------------------------------------------

_ARTICLE_LAYOUT = ("W has shape (H, H + D) and [h_{t-1}, x_t] has shape (B, H + D), so "
                   "compute np.concatenate([h_prev, x_t], axis=1) @ W.T + b; "
                   "W itself (not W.T) would need the inputs on its other side.")


def _hx(x, h):
    return np.concatenate([h, x], axis=1)


def _layer(act):
    return lambda x, h, W, b: act(_hx(x, h) @ W.T + b)


def _gate_cases(seed):
    rng = np.random.default_rng(seed)

    def case(B, D, H, what, zero_h=False, big=False):
        x = rng.normal(size=(B, D))
        h = np.zeros((B, H)) if zero_h else rng.uniform(-0.9, 0.9, size=(B, H))
        W = rng.normal(scale=3.0 if big else 0.6, size=(H, H + D))
        b = rng.normal(scale=0.5, size=H)
        return Case((x, h, W, b), what)

    return [
        case(2, 3, 4, "B=2, D=3, H=4"),  # first: every listed mistake differs here
        case(1, 1, 1, "B=1, D=1, H=1"),
        case(3, 5, 2, "B=3, D=5, H=2 (more inputs than hidden units)"),
        case(2, 2, 5, "B=2, D=2, H=5 (more hidden units than inputs)"),
        case(2, 3, 4, "h_prev all zeros (the first step)", zero_h=True),
        case(2, 3, 4, "large weights (a saturated layer)", big=True),
    ]


def _layer_mistakes(act_name):
    right = sigmoid if act_name == "sigmoid" else np.tanh
    other, other_name = (np.tanh, "tanh") if act_name == "sigmoid" else (sigmoid, "sigmoid")
    why = ("a gate's values must lie between 0 (let nothing through) and 1 (let everything "
           "through)" if act_name == "sigmoid" else
           "the candidate values C~_t must be able to be negative, in (-1, 1)")
    return [
        Mistake(f"the values look like {other_name}: this layer uses the {act_name}, because "
                f"{why}.", _layer(other)),
        Mistake("you concatenated [x_t, h_{t-1}]: the article's order is [h_{t-1}, x_t] "
                "(h first), and W's first H columns multiply h_{t-1}.",
                lambda x, h, W, b: right(np.concatenate([x, h], axis=1) @ W.T + b)),
        Mistake("the bias b is missing: add it before the nonlinearity.",
                lambda x, h, W, b: right(_hx(x, h) @ W.T)),
        Mistake(f"the {act_name} is missing: you returned the pre-activation "
                "W . [h_{t-1}, x_t] + b.", _layer(lambda a: a)),
        Mistake("the bias was added after the nonlinearity: it belongs inside.",
                lambda x, h, W, b: right(_hx(x, h) @ W.T) + b),
        Mistake("h_{t-1} has no effect: the layer reads the concatenation of h_{t-1} and x_t.",
                lambda x, h, W, b: right(x @ W[:, W.shape[0]:].T + b)),
        Mistake("x_t has no effect: the layer reads the concatenation of h_{t-1} and x_t.",
                lambda x, h, W, b: right(h @ W[:, :W.shape[0]].T + b)),
    ]


def _check_layer(fn, name, symbol, act_name, seed):
    ref = _layer(sigmoid if act_name == "sigmoid" else np.tanh)
    run_check(_shape_hints(fn, name, _ARTICLE_LAYOUT), ref, _gate_cases(seed), name=name,
              output_names=[symbol], mistakes=_layer_mistakes(act_name))


def forget_gate(fn) -> None:
    """Check ``fn(x_t, h_prev, W_f, b_f) -> f_t = sigma(W_f . [h_{t-1}, x_t] + b_f)``.

    x_t: (B, D); h_prev: (B, H); W_f: (H, H + D), columns for h first; b_f: (H,).
    """
    _check_layer(fn, "forget_gate", "f_t", "sigmoid", 31)


def input_gate(fn) -> None:
    """Check ``fn(x_t, h_prev, W_i, b_i) -> i_t = sigma(W_i . [h_{t-1}, x_t] + b_i)``."""
    _check_layer(fn, "input_gate", "i_t", "sigmoid", 32)


def output_gate(fn) -> None:
    """Check ``fn(x_t, h_prev, W_o, b_o) -> o_t = sigma(W_o . [h_{t-1}, x_t] + b_o)``."""
    _check_layer(fn, "output_gate", "o_t", "sigmoid", 33)


def candidate(fn) -> None:
    """Check ``fn(x_t, h_prev, W_C, b_C) -> C~_t = tanh(W_C . [h_{t-1}, x_t] + b_C)``."""
    _check_layer(fn, "candidate", "C~_t", "tanh", 34)


# ---- the cell update and the output ------------------------------------------------

def _update_cases():
    rng = np.random.default_rng(41)

    def case(B, H, what, f=None, i=None, zero_c=False):
        ff = rng.uniform(0.05, 0.95, size=(B, H)) if f is None else np.full((B, H), f)
        ii = rng.uniform(0.05, 0.95, size=(B, H)) if i is None else np.full((B, H), i)
        g = rng.uniform(-0.95, 0.95, size=(B, H))
        c = np.zeros((B, H)) if zero_c else rng.normal(scale=1.5, size=(B, H))
        return Case((ff, ii, g, c), what)

    return [
        case(2, 4, "B=2, H=4"),  # first: every listed mistake differs here
        case(1, 1, "B=1, H=1"),
        case(2, 3, "forget gate fully open, input gate shut (f=1, i=0): C_t = C_{t-1}",
             f=1.0, i=0.0),
        case(2, 3, "forget gate shut, input gate open (f=0, i=1): C_t = C~_t", f=0.0, i=1.0),
        case(2, 3, "C_{t-1} all zeros", zero_c=True),
    ]


_UPDATE_MISTAKES = [
    Mistake("the forget and input gates are swapped: f_t scales the old state C_{t-1} "
            "and i_t scales the new candidate C~_t.",
            lambda f, i, g, c: i * c + f * g),
    Mistake("the old state is missing: C_t = f_t * C_{t-1} + i_t * C~_t keeps part of C_{t-1}.",
            lambda f, i, g, c: i * g),
    Mistake("the new candidate is missing: add i_t * C~_t to what the forget gate keeps.",
            lambda f, i, g, c: f * c),
    Mistake("you squashed C_t with tanh: the cell state is updated linearly, "
            "C_t = f_t * C_{t-1} + i_t * C~_t, with no nonlinearity (tanh comes only in h_t).",
            lambda f, i, g, c: np.tanh(f * c + i * g)),
    Mistake("you added the gates instead of multiplying: a gate scales a vector "
            "elementwise, f_t * C_{t-1}.",
            lambda f, i, g, c: (f + c) + (i + g)),
    Mistake("you multiplied the two terms: the cell update adds them, "
            "f_t * C_{t-1} + i_t * C~_t.",
            lambda f, i, g, c: (f * c) * (i * g)),
    Mistake("you coupled the gates, (1 - f_t) * C~_t: in the standard LSTM the input gate "
            "i_t is learned on its own.",
            lambda f, i, g, c: f * c + (1 - f) * g),
]


def cell_update(fn) -> None:
    """Check ``fn(f_t, i_t, c_tilde, c_prev) -> C_t = f_t * C_{t-1} + i_t * C~_t``, all (B, H)."""
    run_check(fn, lambda f, i, g, c: f * c + i * g, _update_cases(), name="cell_update",
              output_names=["C_t"],
              mistakes=_UPDATE_MISTAKES)


def _hidden_cases():
    rng = np.random.default_rng(43)
    return [
        Case((rng.uniform(0.05, 0.95, size=(2, 4)), rng.normal(scale=1.5, size=(2, 4))),
             "B=2, H=4"),
        Case((np.array([[0.5]]), np.array([[0.7]])), "B=1, H=1"),
        Case((np.ones((2, 3)), rng.normal(scale=2.0, size=(2, 3))),
             "output gate fully open (o=1): h_t = tanh(C_t)"),
        Case((rng.uniform(0.05, 0.95, size=(2, 3)), np.full((2, 3), 8.0)),
             "a large cell state (C_t = 8): h_t stays below 1"),
    ]


_HIDDEN_MISTAKES = [
    Mistake("the tanh is missing: h_t = o_t * tanh(C_t); without it h_t is unbounded.",
            lambda o, c: o * c),
    Mistake("you applied tanh after the product: h_t = o_t * tanh(C_t), not tanh(o_t * C_t).",
            lambda o, c: np.tanh(o * c)),
    Mistake("you used the sigmoid of C_t: the cell state is squashed with tanh, so h_t can "
            "be negative.", lambda o, c: o * sigmoid(c)),
    Mistake("you returned tanh(C_t) without the output gate: multiply by o_t.",
            lambda o, c: np.tanh(c)),
    Mistake("you added the output gate: it multiplies, h_t = o_t * tanh(C_t).",
            lambda o, c: o + np.tanh(c)),
]


def hidden_state(fn) -> None:
    """Check ``fn(o_t, c_t) -> h_t = o_t * tanh(C_t)``, both (B, H)."""
    run_check(fn, lambda o, c: o * np.tanh(c), _hidden_cases(), name="hidden_state",
              output_names=["h_t"],
              mistakes=_HIDDEN_MISTAKES)


# ---- a whole step in PyTorch's layout ----------------------------------------------

_TORCH_LAYOUT = ("PyTorch's layout: W_ih is (4H, D) and W_hh is (4H, H), so the "
                 "pre-activations are x_t @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, "
                 "shape (B, 4H), split into four blocks of H columns: i, f, g, o.")


def _wrong_step(*, order="ifgo", swap_fi=False, g_act=np.tanh, gate_act=sigmoid,
                h_from="new", b_hh=True, b_ih=True, h_tanh=True, swap_out=False):
    def step(x, h, c, W_ih, W_hh, bi, bh):
        H = h.shape[1]
        a = x @ W_ih.T + h @ W_hh.T
        if b_ih:
            a = a + bi
        if b_hh:
            a = a + bh
        blocks = {k: a[:, n * H:(n + 1) * H] for n, k in enumerate(order)}
        i, f = gate_act(blocks["i"]), gate_act(blocks["f"])
        g, o = g_act(blocks["g"]), gate_act(blocks["o"])
        if swap_fi:
            i, f = f, i
        c_new = f * c + i * g
        src = c_new if h_from == "new" else c
        h_new = o * (np.tanh(src) if h_tanh else src)
        return (c_new, h_new) if swap_out else (h_new, c_new)
    return step


_STEP_MISTAKES = [
    Mistake("the row blocks are read in the order i, f, o, g: PyTorch stores them as "
            "i, f, g, o (input gate, forget gate, candidate g = C~, output gate).",
            _wrong_step(order="ifog")),
    Mistake("the forget and input gates are swapped: in PyTorch's layout the first block "
            "of H rows is the input gate i, the second the forget gate f; f_t scales C_{t-1}.",
            _wrong_step(swap_fi=True)),
    Mistake("the gates use tanh: i, f and o are sigmoids; only the candidate g uses tanh.",
            _wrong_step(gate_act=np.tanh)),
    Mistake("the candidate g uses a sigmoid: it is tanh, so it can write negative values.",
            _wrong_step(g_act=sigmoid)),
    Mistake("h_t was computed from C_{t-1}: update the cell first, then "
            "h_t = o_t * tanh(C_t) with the new C_t.", _wrong_step(h_from="old")),
    Mistake("the bias b_hh is missing: PyTorch adds both biases, b_ih and b_hh.",
            _wrong_step(b_hh=False)),
    Mistake("the bias b_ih is missing: PyTorch adds both biases, b_ih and b_hh.",
            _wrong_step(b_ih=False)),
    Mistake("the tanh in the output is missing: h_t = o_t * tanh(C_t).",
            _wrong_step(h_tanh=False)),
    Mistake("you returned (c_t, h_t): return h_t first, then c_t, as torch.nn.LSTMCell does.",
            _wrong_step(swap_out=True)),
]


def _step_cases(seed=51):
    rng = np.random.default_rng(seed)

    def case(B, D, H, what, zero_state=False, scale=0.5):
        W_ih = rng.normal(scale=scale, size=(4 * H, D))
        W_hh = rng.normal(scale=scale, size=(4 * H, H))
        b_ih = rng.normal(scale=0.3, size=4 * H)
        b_hh = rng.normal(scale=0.3, size=4 * H)
        x = rng.normal(size=(B, D))
        h = np.zeros((B, H)) if zero_state else rng.uniform(-0.9, 0.9, size=(B, H))
        c = np.zeros((B, H)) if zero_state else rng.normal(size=(B, H))
        return Case((x, h, c, W_ih, W_hh, b_ih, b_hh), what)

    return [
        case(2, 3, 4, "B=2, D=3, H=4"),  # first: every listed mistake differs here
        case(1, 1, 1, "B=1, D=1, H=1"),
        case(3, 5, 2, "B=3, D=5, H=2"),
        case(2, 4, 4, "D = H = 4 (transposed weights would still fit some shapes)"),
        case(2, 3, 4, "the first step: h_prev and c_prev all zeros", zero_state=True),
        case(2, 3, 4, "large weights (saturated gates)", scale=3.0),
    ]


def lstm_step(fn) -> None:
    """Check ``fn(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h_t, c_t)``.

    PyTorch's ``nn.LSTMCell`` layout: ``W_ih: (4H, D)``, ``W_hh: (4H, H)``, biases
    ``(4H,)``, row blocks i, f, g, o. The reference is ``lstm.lstm_step``, which is
    tested against torch.
    """
    def reference(x, h, c, W_ih, W_hh, b_ih, b_hh):
        return lstm.lstm_step(x, (h, c), lstm.LSTMParams(W_ih, W_hh, b_ih, b_hh))

    run_check(_shape_hints(fn, "lstm_step", _TORCH_LAYOUT), reference, _step_cases(),
              name="lstm_step", output_names=["h_t", "c_t"], mistakes=_STEP_MISTAKES)


# ---- variants ------------------------------------------------------------------------

def _full_peephole(*, out_sees="new", use_peep=True, transposed=False, diagonal_only=False):
    """A full-matrix peephole step; each flag switches on one known mistake."""
    def peep(c, W):
        if diagonal_only:
            return c * np.diag(W)
        return c @ (W if transposed else W.T)

    def step(x, h, c, p):
        H = h.shape[1]
        a = x @ p.W_ih.T + p.b_ih + h @ p.W_hh.T + p.b_hh  # (B, 4H), blocks i, f, g, o
        k = 1.0 if use_peep else 0.0
        i = sigmoid(a[:, :H] + k * peep(c, p.W_ci))
        f = sigmoid(a[:, H:2 * H] + k * peep(c, p.W_cf))
        c_new = f * c + i * np.tanh(a[:, 2 * H:3 * H])
        o = sigmoid(a[:, 3 * H:] + k * peep(c_new if out_sees == "new" else c, p.W_co))
        return o * np.tanh(c_new), c_new
    return step


_PEEPHOLE_MISTAKES = [
    Mistake("the output gate peeks at C_{t-1}: the forget and input gates look at the old "
            "state, but the output gate looks at the state of this step, so compute that first.",
            _full_peephole(out_sees="old")),
    Mistake("the peephole terms are missing: each gate's pre-activation also gets a term from "
            "the cell state.", _full_peephole(use_peep=False)),
    Mistake("the peephole matrices are applied transposed: W_ci maps the cell state C (B, H) to "
            "H pre-activations the way W_hh maps h_{t-1}.", _full_peephole(transposed=True)),
    Mistake("only the diagonal of the peephole matrices is used: here every unit's gate sees "
            "the whole cell state, not only its own cell.", _full_peephole(diagonal_only=True)),
]


def _variant_step_cases(seed: int, make_params) -> list:
    """Cases ``(x_t, h_prev, c_prev, p)`` for a variant's step; ``make_params(D, H, rng)``."""
    rng = np.random.default_rng(seed)

    def case(B, D, H, what, zero_state=False):
        p = make_params(D, H, rng)
        x = rng.normal(size=(B, D))
        h = np.zeros((B, H)) if zero_state else rng.uniform(-0.9, 0.9, size=(B, H))
        c = np.zeros((B, H)) if zero_state else rng.normal(scale=1.5, size=(B, H))
        return Case((x, h, c, p), what)

    return [
        case(2, 3, 4, "B=2, D=3, H=4"),
        case(1, 1, 1, "B=1, D=1, H=1"),
        case(3, 2, 5, "B=3, D=2, H=5"),
        case(2, 3, 4, "the first step: zero state", zero_state=True),
    ]


def _peephole_cases():
    def params(D, H, rng):
        p = variants.init_peephole_params(D, H, rng, diagonal=False)
        return p._replace(W_ci=rng.normal(size=(H, H)), W_cf=rng.normal(size=(H, H)),
                          W_co=rng.normal(size=(H, H)))  # large enough to matter

    return _variant_step_cases(61, params)


def full_peephole_step(fn) -> None:
    """Check ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)`` for a peephole LSTM with full matrices.

    ``p`` is a ``variants.PeepholeParams`` with ``W_ci, W_cf, W_co`` of shape ``(H, H)``:
    the gate of every unit sees the whole cell state.
    """
    run_check(_shape_hints(fn, "full_peephole_step", _TORCH_LAYOUT),
              lambda x, h, c, p: variants.peephole_step(x, (h, c), p),
              _peephole_cases(), name="full_peephole_step", output_names=["h_t", "c_t"],
              mistakes=_PEEPHOLE_MISTAKES)


def _coupled_wrong(*, order="fgo", write="1-f", h_from="new"):
    def step(x, h, c, p):
        H = h.shape[1]
        a = x @ p.W_ih.T + p.b_ih + h @ p.W_hh.T + p.b_hh
        blk = {k: a[:, n * H:(n + 1) * H] for n, k in enumerate(order)}
        f, g, o = sigmoid(blk["f"]), np.tanh(blk["g"]), sigmoid(blk["o"])
        i = {"1-f": 1 - f, "f": f, "1": 1.0}[write]
        c_new = f * c + i * g
        return o * np.tanh(c_new if h_from == "new" else c), c_new
    return step


_COUPLED_MISTAKES = [
    Mistake("the candidate is scaled by f_t: in the coupled cell what is written is "
            "(1 - f_t) * C~_t, so the cell writes exactly as much as it forgets.",
            _coupled_wrong(write="f")),
    Mistake("the candidate is not scaled at all: write (1 - f_t) * C~_t.",
            _coupled_wrong(write="1")),
    Mistake("the row blocks are read in the wrong order: the coupled cell's blocks are "
            "f, g, o (an LSTM's i, f, g, o with i removed).", _coupled_wrong(order="gfo")),
    Mistake("the row blocks are read as f, o, g: the coupled cell's order is f, g, o.",
            _coupled_wrong(order="fog")),
    Mistake("h_t was computed from C_{t-1}: use the new C_t.", _coupled_wrong(h_from="old")),
]


def _coupled_cases():
    def params(D, H, rng):
        p = variants.init_coupled_params(D, H, rng)
        return p._replace(b_ih=rng.normal(size=3 * H))

    return _variant_step_cases(71, params)


def coupled_step(fn) -> None:
    """Check ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)``: ``C_t = f_t C_{t-1} + (1 - f_t) C~_t``.

    ``p`` is a ``variants.CoupledParams`` (row blocks f, g, o).
    """
    run_check(_shape_hints(fn, "coupled_step", _TORCH_LAYOUT),
              lambda x, h, c, p: variants.coupled_step(x, (h, c), p),
              _coupled_cases(), name="coupled_step", output_names=["h_t", "c_t"],
              mistakes=_COUPLED_MISTAKES)


# ---- finite differences -------------------------------------------------------------

def _quadratic(a):
    """A scalar function of ``a`` with a known, non-trivial gradient."""
    w = np.linspace(-1.0, 1.0, a.size).reshape(a.shape)
    return lambda: float(np.sum(w * a ** 3) + np.sum(np.sin(a)))


def _numgrad_cases():
    rng = np.random.default_rng(81)
    return [
        Case((rng.normal(size=(3, 4)), 1e-2), "a (3, 4) array, eps = 1e-2"),
        Case((rng.normal(size=5), 1e-5), "a vector, eps = 1e-5"),
        Case((np.array([[0.5]]), 1e-3), "a single entry"),
    ]


def _forward_diff(a, eps):
    a = a.copy()
    f = _quadratic(a)
    grad = np.zeros_like(a)
    for k in np.ndindex(a.shape):
        old = a[k]
        f0 = f()
        a[k] = old + eps
        grad[k] = (f() - f0) / eps
        a[k] = old
    return grad


_NUMGRAD_MISTAKES = [
    Mistake("that is a forward difference, (f(a + eps) - f(a)) / eps: use the central "
            "difference (f(a + eps) - f(a - eps)) / (2 eps), whose error shrinks like eps**2.",
            _forward_diff),
]


def numerical_gradient(fn) -> None:
    """Check ``fn(f, a, eps) -> grad``: central differences of the scalar ``f()``.

    ``f`` takes no argument and reads ``a``, which ``fn`` perturbs in place one entry at
    a time; ``a`` must hold its original values when ``fn`` returns.
    """
    def student(a, eps):
        a = a.copy()
        before = a.copy()
        out = fn(_quadratic(a), a, eps)
        if not np.array_equal(a, before):
            raise CheckFailed("`a` was left changed: restore each entry after perturbing "
                              "it (a[k] = old), so f() sees the original values again.")
        return out

    def reference(a, eps):
        a = a.copy()
        return gradcheck.numerical_gradient(_quadratic(a), a, eps)

    run_check(student, reference, _numgrad_cases(), name="numerical_gradient",
              output_names=["grad"], mistakes=_NUMGRAD_MISTAKES, rtol=1e-6, atol=1e-9)


# ---- the recurrent network of the first chapters (assignment "recurrence") -----------

def _article_params(W, b):
    """The article's ``W (H, H + D)``, ``b (H,)`` as ``rnn.RNNParams`` (h columns first)."""
    from .. import rnn
    H = W.shape[0]
    return rnn.RNNParams(W_ih=W[:, H:], W_hh=W[:, :H], b_ih=b, b_hh=np.zeros_like(b))


def _run_article(x, W, b, h0, *, carry=True, with_h0=False, act=np.tanh, order="hx"):
    """Every state of a tanh RNN in the article's notation; each flag is one known mistake."""
    h, hs = h0, [h0] if with_h0 else []
    for t in range(x.shape[1]):
        prev = h if carry else h0
        hx = np.concatenate([prev, x[:, t]] if order == "hx" else [x[:, t], prev], axis=1)
        h = act(hx @ W.T + b)
        hs.append(h)
    return np.stack(hs, axis=1)


def _rnn_cases(seed):
    from .. import gradients, rnn
    rng = np.random.default_rng(seed)

    def case(B, T, D, H, what, zero_h0=False, radius=0.9):
        p = gradients.scale_spectral_radius(rnn.init_params(D, H, rng), radius)
        W = np.concatenate([p.W_hh, p.W_ih], axis=1)  # (H, H + D)
        b = rng.normal(scale=0.3, size=H)
        x = rng.normal(size=(B, T, D))
        h0 = np.zeros((B, H)) if zero_h0 else rng.uniform(-0.5, 0.5, size=(B, H))
        return Case((x, W, b, h0), what)

    return [
        case(3, 6, 2, 4, "B=3, T=6, D=2, H=4"),
        case(1, 1, 1, 1, "B=1, T=1, D=1, H=1"),
        case(2, 9, 3, 3, "D = H = 3 (a swapped concatenation would still fit)"),
        case(2, 5, 4, 5, "h0 all zeros", zero_h0=True),
        case(2, 7, 3, 2, "spectral radius 1.5", radius=1.5),
    ]


_RUN_MISTAKES = [
    Mistake("every step starts again from h0: each step must read the state the step before "
            "it produced.", lambda x, W, b, h0: _run_article(x, W, b, h0, carry=False)),
    Mistake("the states are off by one: return h_1 .. h_T, without h_0.",
            lambda x, W, b, h0: _run_article(x, W, b, h0, with_h0=True)[:, :-1]),
    Mistake("the concatenation is in the wrong order: W's first H columns multiply h_{t-1}.",
            lambda x, W, b, h0: _run_article(x, W, b, h0, order="xh")),
    Mistake("the nonlinearity is missing: each new state is squashed.",
            lambda x, W, b, h0: _run_article(x, W, b, h0, act=lambda a: a)),
]


def run_rnn(fn) -> None:
    """Check ``fn(x, W, b, h0) -> hs``: every state h_1 .. h_T of a tanh RNN, (B, T, H).

    x: (B, T, D); W: (H, H + D), the article's matrix (columns for h_{t-1} first); b: (H,);
    h0: (B, H).
    """
    from .. import rnn

    def student(x, W, b, h0):
        before = x.copy()
        out = fn(x, W, b, h0)
        if not np.array_equal(x, before):
            raise CheckFailed("your function changed the caller's x.")
        return out

    run_check(_shape_hints(student, "run_rnn", _ARTICLE_LAYOUT),
              lambda x, W, b, h0: rnn.rnn_forward(x, _article_params(W, b), state=h0)[0],
              _rnn_cases(92), name="run_rnn", output_names=["hs"], mistakes=_RUN_MISTAKES)


def _influence_of(x, W, b, h0, delta, *, step=0, divide=True):
    from .. import rnn
    p = _article_params(W, b)
    hs = rnn.rnn_forward(x, p, state=h0)[0]
    x2 = x.copy()
    x2[:, step, :] += delta
    hs2 = rnn.rnn_forward(x2, p, state=h0)[0]
    d = np.linalg.norm(hs2 - hs, axis=-1).mean(axis=0)  # (T,)
    return d / delta if divide else d


def _influence_cases():
    cases = _rnn_cases(91)
    deltas = [1e-3, 1e-3, 1e-3, 0.1, 1e-2]
    return [Case(c.args + (d,), c.description + f", delta = {d:g}") for c, d in zip(cases, deltas)]


_INFLUENCE_MISTAKES = [
    Mistake("the result depends on the size of the nudge: it should be a sensitivity.",
            lambda x, W, b, h0, d: _influence_of(x, W, b, h0, d, divide=False)),
    Mistake("you nudged the last input x[:, -1]: nudge the first one, x[:, 0], and watch how "
            "its effect fades over the following steps.",
            lambda x, W, b, h0, d: _influence_of(x, W, b, h0, d, step=-1)),
]


def influence(fn) -> None:
    """Check ``fn(x, W, b, h0, delta) -> (T,)``: how much nudging ``x[:, 0]`` moves each state.

    Entry ``t`` is the batch mean of ``||h'_{t+1} - h_{t+1}|| / delta``, where ``h'`` is
    the run with ``delta`` added to every feature of the first input. ``x`` must be
    left unchanged.
    """
    def student(x, W, b, h0, delta):
        before = x.copy()
        out = fn(x, W, b, h0, delta)
        if not np.array_equal(x, before):
            raise CheckFailed("your function changed the caller's x: nudge a copy "
                              "(x2 = x.copy()), not x itself.")
        return out

    run_check(student, lambda x, W, b, h0, d: _influence_of(x, W, b, h0, d), _influence_cases(),
              name="influence", output_names=["influence"], mistakes=_INFLUENCE_MISTAKES,
              rtol=1e-5, atol=1e-9)


__all__ += ["run_rnn", "influence"]


# ---- backpropagation through a whole sequence (assignment "bptt") ---------------------

def _sequence_variant(dhs, x, p, h0, c0, *, carry_c=True, carry_h=True, **step_flags):
    """Chain a readable one-step backward over the sequence; flags switch on one mistake."""
    from .bptt import _step_backward_variant
    T = x.shape[1]
    hs, cs = [h0], [c0]
    for t in range(T):
        h, c = lstm.lstm_step(x[:, t], (hs[-1], cs[-1]), p)
        hs.append(h)
        cs.append(c)
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    dx = np.zeros_like(x)
    dW_ih, dW_hh, db = np.zeros_like(p.W_ih), np.zeros_like(p.W_hh), np.zeros_like(p.b_ih)
    for t in reversed(range(T)):
        dh = dhs[:, t] + (dh_next if carry_h else 0)
        dxt, dh_next, dc_prev, gW_ih, gW_hh, gb = _step_backward_variant(
            dh, dc_next if carry_c else np.zeros_like(c0), x[:, t], hs[t], cs[t], p, **step_flags)
        dc_next = dc_prev
        dx[:, t] = dxt
        dW_ih, dW_hh, db = dW_ih + gW_ih, dW_hh + gW_hh, db + gb
    return dx, dW_ih, dW_hh, db, dh_next, dc_next


def _sequence_cases():
    rng = np.random.default_rng(25)

    def case(B, T, D, H, what, last_only=False, zero_state=False):
        p = lstm.init_params(D, H, rng)
        p = lstm.LSTMParams(*(2.0 * a for a in p))  # gates far from 1/2: mistakes show
        x = rng.normal(size=(B, T, D))
        h0 = np.zeros((B, H)) if zero_state else rng.uniform(-0.9, 0.9, size=(B, H))
        c0 = np.zeros((B, H)) if zero_state else rng.normal(size=(B, H))
        dhs = rng.normal(size=(B, T, H))
        if last_only:
            dhs[:, :-1] = 0.0
        return Case((dhs, x, p, h0, c0), what)

    return [
        case(2, 4, 3, 4, "B=2, T=4, D=3, H=4"),
        case(1, 1, 1, 1, "B=1, T=1, D=1, H=1"),
        case(3, 6, 2, 3, "a gradient on the last state only", last_only=True),
        case(2, 5, 3, 2, "h0 = c0 = 0", zero_state=True),
    ]


_SEQUENCE_MISTAKES = [
    Mistake("the gradient along the cell state is not carried from one step to the one "
            "before: what your step sends to C_{t-1} must arrive at step t-1.",
            lambda *a: _sequence_variant(*a, carry_c=False)),
    Mistake("the gradient along the hidden state is not carried from one step to the one "
            "before: h_{t-1} feeds the loss directly and through step t, and both add up.",
            lambda *a: _sequence_variant(*a, carry_h=False)),
    Mistake("your step backward forgets the path from h_t into C_t.",
            lambda *a: _sequence_variant(*a, tanh_path=False)),
    Mistake("the sigmoid slopes of the gates are missing.",
            lambda *a: _sequence_variant(*a, gate_slopes=False)),
    Mistake("the slope of the candidate's tanh is missing.",
            lambda *a: _sequence_variant(*a, candidate_slope=None)),
    Mistake("the pre-activation gradients are stacked in the article's order f, i, C~, o; "
            "the parameters use PyTorch's row blocks i, f, g, o.",
            lambda *a: _sequence_variant(*a, order="figo")),
]


def sequence_backward(fn) -> None:
    """Check ``fn(dhs, x, p, h0, c0) -> (dx, dW_ih, dW_hh, db, dh0, dc0)``.

    dhs: (B, T, H), the gradient reaching every h_t from the loss; x: (B, T, D);
    p: lstm.LSTMParams; h0, c0: (B, H). Returns dx (B, T, D), dW_ih (4H, D), dW_hh (4H, H),
    db (4H,) (the gradient of either bias), dh0 and dc0 (B, H). The truth is
    ``lstm.lstm_backward``.
    """
    def reference(dhs, x, p, h0, c0):
        _, _, cache = lstm.lstm_forward(x, p, state=(h0, c0), return_cache=True)
        dx, dp, (dh0, dc0) = lstm.lstm_backward(dhs, cache)
        return dx, dp.W_ih, dp.W_hh, dp.b_ih, dh0, dc0

    run_check(fn, reference, _sequence_cases(), name="sequence_backward",
              output_names=["dx", "dW_ih", "dW_hh", "db", "dh0", "dc0"],
              mistakes=_SEQUENCE_MISTAKES)


__all__ += ["sequence_backward"]


# ---- a check that points at a broken earlier part ------------------------------------

def with_parts(check_fn, fn, *, defer: bool = False, **parts) -> None:
    """Run ``check_fn(fn)``; if it fails, also say which of the parts ``fn`` uses fails.

    ``parts`` maps a name to ``(part_fn, part_check)``, for example
    ``gate=(forget_gate, check.forget_gate)``. A function built from earlier answers often
    fails only because one of them is wrong; the message then says which one to fix first.
    With ``defer=True`` that case does not fail: it prints what to fix, because the graded
    version of this test runs ``fn`` with correct earlier parts (one mistake costs points
    once, in the test of the part that has it).
    """
    import contextlib
    import io

    try:
        check_fn(fn)
    except CheckFailed as exc:
        broken = []
        for name, (part_fn, part_check) in parts.items():
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    part_check(part_fn)
            except CheckFailed as part_exc:
                broken.append(f"{name} fails its own check ({part_exc})")
        if broken and defer:
            print(f"Not checked here, because {'; '.join(broken)}. Fix that first. When the "
                  "notebook is graded, this test runs your function with correct versions of "
                  "the earlier parts, so that mistake is not charged twice.")
            return
        if broken:
            raise CheckFailed(f"{exc} Your function uses earlier parts, and "
                              + "; ".join(broken) + ". Fix that first.") from None
        raise


__all__ += ["with_parts"]

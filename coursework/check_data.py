"""Write the stored cases of the coursework self-checks (instructor side, not in the package).

    python coursework/check_data.py          # from the repository's root folder

The visible self-checks of ``lstm_course.checks.coursework`` compare a student's function
with stored values, so that the package handed to students holds no code that solves a
graded function. This script makes those values: for every check it draws the cases,
computes the expected outputs with the references below (the package's library
functions, tested against PyTorch, and short reference code) and the output of every
known mistake, and writes them to ``lstm_course/checks/data/coursework.json``: inputs,
expected outputs and wrong outputs, numbers only. The hints stay in
``lstm_course/checks/coursework.py``, keyed by the mistake names used here.

``tests/test_checks_coursework.py`` regenerates the data and compares it with the stored
file, so a change here without a rerun fails the tests.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lstm_course import gradcheck, gradients, lstm, rnn, variants  # noqa: E402
from lstm_course.activations import sigmoid  # noqa: E402
from lstm_course.checks.coursework import _quadratic as quadratic  # noqa: E402

OUT = ROOT / "lstm_course" / "checks" / "data" / "coursework.json"


# ---- one gate in the article's notation ----------------------------------------------

def _hx(x, h):
    return np.concatenate([h, x], axis=1)


def layer(act):
    return lambda x, h, W, b: act(_hx(x, h) @ W.T + b)


def gate_cases(seed):
    rng = np.random.default_rng(seed)

    def case(B, D, H, what, zero_h=False, big=False):
        x = rng.normal(size=(B, D))
        h = np.zeros((B, H)) if zero_h else rng.uniform(-0.9, 0.9, size=(B, H))
        W = rng.normal(scale=3.0 if big else 0.6, size=(H, H + D))
        b = rng.normal(scale=0.5, size=H)
        return (x, h, W, b), what

    return [
        case(2, 3, 4, "B=2, D=3, H=4"),
        case(1, 1, 1, "B=1, D=1, H=1"),
        case(3, 5, 2, "B=3, D=5, H=2 (more inputs than hidden units)"),
        case(2, 2, 5, "B=2, D=2, H=5 (more hidden units than inputs)"),
        case(2, 3, 4, "h_prev all zeros (the first step)", zero_h=True),
        case(2, 3, 4, "large weights (a saturated layer)", big=True),
    ]


def layer_mistakes(act_name):
    right = sigmoid if act_name == "sigmoid" else np.tanh
    other = np.tanh if act_name == "sigmoid" else sigmoid
    return {
        "other_activation": layer(other),
        "x_first": lambda x, h, W, b: right(np.concatenate([x, h], axis=1) @ W.T + b),
        "no_bias": lambda x, h, W, b: right(_hx(x, h) @ W.T),
        "no_activation": layer(lambda a: a),
        "bias_outside": lambda x, h, W, b: right(_hx(x, h) @ W.T) + b,
        "no_h": lambda x, h, W, b: right(x @ W[:, W.shape[0]:].T + b),
        "no_x": lambda x, h, W, b: right(h @ W[:, :W.shape[0]].T + b),
    }


# ---- the cell update and the output --------------------------------------------------

def update_cases():
    rng = np.random.default_rng(41)

    def case(B, H, what, f=None, i=None, zero_c=False):
        ff = rng.uniform(0.05, 0.95, size=(B, H)) if f is None else np.full((B, H), f)
        ii = rng.uniform(0.05, 0.95, size=(B, H)) if i is None else np.full((B, H), i)
        g = rng.uniform(-0.95, 0.95, size=(B, H))
        c = np.zeros((B, H)) if zero_c else rng.normal(scale=1.5, size=(B, H))
        return (ff, ii, g, c), what

    return [
        case(2, 4, "B=2, H=4"),
        case(1, 1, "B=1, H=1"),
        case(2, 3, "forget gate fully open, input gate shut (f=1, i=0): C_t = C_{t-1}",
             f=1.0, i=0.0),
        case(2, 3, "forget gate shut, input gate open (f=0, i=1): C_t = C~_t", f=0.0, i=1.0),
        case(2, 3, "C_{t-1} all zeros", zero_c=True),
    ]


UPDATE_MISTAKES = {
    "swapped": lambda f, i, g, c: i * c + f * g,
    "no_old_state": lambda f, i, g, c: i * g,
    "no_candidate": lambda f, i, g, c: f * c,
    "squashed": lambda f, i, g, c: np.tanh(f * c + i * g),
    "added_gates": lambda f, i, g, c: (f + c) + (i + g),
    "multiplied_terms": lambda f, i, g, c: (f * c) * (i * g),
    "coupled": lambda f, i, g, c: f * c + (1 - f) * g,
}


def hidden_cases():
    rng = np.random.default_rng(43)
    return [
        ((rng.uniform(0.05, 0.95, size=(2, 4)), rng.normal(scale=1.5, size=(2, 4))), "B=2, H=4"),
        ((np.array([[0.5]]), np.array([[0.7]])), "B=1, H=1"),
        ((np.ones((2, 3)), rng.normal(scale=2.0, size=(2, 3))),
         "output gate fully open (o=1): h_t = tanh(C_t)"),
        ((rng.uniform(0.05, 0.95, size=(2, 3)), np.full((2, 3), 8.0)),
         "a large cell state (C_t = 8): h_t stays below 1"),
    ]


HIDDEN_MISTAKES = {
    "no_tanh": lambda o, c: o * c,
    "tanh_after_product": lambda o, c: np.tanh(o * c),
    "sigmoid": lambda o, c: o * sigmoid(c),
    "no_output_gate": lambda o, c: np.tanh(c),
    "added_output_gate": lambda o, c: o + np.tanh(c),
}


# ---- a whole step in PyTorch's layout ------------------------------------------------

def wrong_step(*, order="ifgo", swap_fi=False, g_act=np.tanh, gate_act=sigmoid,
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


STEP_MISTAKES = {
    "order_ifog": wrong_step(order="ifog"),
    "swap_fi": wrong_step(swap_fi=True),
    "tanh_gates": wrong_step(gate_act=np.tanh),
    "sigmoid_candidate": wrong_step(g_act=sigmoid),
    "h_from_old": wrong_step(h_from="old"),
    "no_b_hh": wrong_step(b_hh=False),
    "no_b_ih": wrong_step(b_ih=False),
    "no_output_tanh": wrong_step(h_tanh=False),
    "swap_out": wrong_step(swap_out=True),
}


def step_cases(seed=51):
    rng = np.random.default_rng(seed)

    def case(B, D, H, what, zero_state=False, scale=0.5):
        W_ih = rng.normal(scale=scale, size=(4 * H, D))
        W_hh = rng.normal(scale=scale, size=(4 * H, H))
        b_ih = rng.normal(scale=0.3, size=4 * H)
        b_hh = rng.normal(scale=0.3, size=4 * H)
        x = rng.normal(size=(B, D))
        h = np.zeros((B, H)) if zero_state else rng.uniform(-0.9, 0.9, size=(B, H))
        c = np.zeros((B, H)) if zero_state else rng.normal(size=(B, H))
        return (x, h, c, W_ih, W_hh, b_ih, b_hh), what

    return [
        case(2, 3, 4, "B=2, D=3, H=4"),
        case(1, 1, 1, "B=1, D=1, H=1"),
        case(3, 5, 2, "B=3, D=5, H=2"),
        case(2, 4, 4, "D = H = 4 (transposed weights would still fit some shapes)"),
        case(2, 3, 4, "the first step: h_prev and c_prev all zeros", zero_state=True),
        case(2, 3, 4, "large weights (saturated gates)", scale=3.0),
    ]


def step_reference(x, h, c, W_ih, W_hh, b_ih, b_hh):
    return lstm.lstm_step(x, (h, c), lstm.LSTMParams(W_ih, W_hh, b_ih, b_hh))


# ---- a step in cs231n's layout and the converters from and to PyTorch's -------------------
# cs231n: Wx (D, 4H), Wh (H, 4H), b (4H,), columns in blocks i, f, o, g;
# PyTorch: W_ih (4H, D), W_hh (4H, H), b_ih, b_hh (4H,), rows in blocks i, f, g, o.

def _swap_go(a, H, axis):
    """Swap the last two blocks of H along ``axis`` (i, f, g, o <-> i, f, o, g)."""
    i, f, u, v = np.split(a, 4, axis=axis)
    return np.concatenate([i, f, v, u], axis=axis)


def from_torch_reference(W_ih, W_hh, b_ih, b_hh):
    H = W_hh.shape[1]
    return (_swap_go(W_ih, H, 0).T.copy(), _swap_go(W_hh, H, 0).T.copy(),
            _swap_go(b_ih + b_hh, H, 0))


def to_torch_reference(Wx, Wh, b):  # the whole bias in b_ih; the check compares b_ih + b_hh
    H = Wh.shape[0]
    return (_swap_go(Wx, H, 1).T.copy(), _swap_go(Wh, H, 1).T.copy(), _swap_go(b, H, 0),
            np.zeros_like(b))


def cs231n_reference(x, h, c, Wx, Wh, b):
    return step_reference(x, h, c, *to_torch_reference(Wx, Wh, b))


def cs231n_wrong(**flags):
    """A step in cs231n's layout with one of wrong_step's mistakes."""
    def step(x, h, c, Wx, Wh, b):
        return wrong_step(**flags)(x, h, c, *to_torch_reference(Wx, Wh, b))
    return step


def cs231n_read_as_torch(x, h, c, Wx, Wh, b):
    """The column blocks read in PyTorch's order i, f, g, o."""
    return step_reference(x, h, c, Wx.T, Wh.T, b, np.zeros_like(b))


CS231N_MISTAKES = {
    "order_ifgo": cs231n_read_as_torch,
    "swap_fi": cs231n_wrong(swap_fi=True),
    "h_from_old": cs231n_wrong(h_from="old"),
    "no_output_tanh": cs231n_wrong(h_tanh=False),
    "swap_out": cs231n_wrong(swap_out=True),
}


def cs231n_cases(seed=55):
    cases = []
    for (x, h, c, W_ih, W_hh, b_ih, b_hh), what in step_cases(seed):
        Wx, Wh, b = from_torch_reference(W_ih, W_hh, b_ih, b_hh)
        cases.append(((x, h, c, Wx, Wh, b), what))
    return cases


def torch_param_cases(seed=57):
    return [(args[3:], what) for args, what in step_cases(seed)]


FROM_TORCH_MISTAKES = {
    "no_reorder": lambda W_ih, W_hh, b_ih, b_hh: (W_ih.T.copy(), W_hh.T.copy(), b_ih + b_hh),
    "one_bias": lambda W_ih, W_hh, b_ih, b_hh: from_torch_reference(W_ih, W_hh, b_ih, 0 * b_hh),
}


def cs231n_param_cases(seed=59):
    return [(args[3:], what) for args, what in cs231n_cases(seed)]


def _bias_summed(fn):
    """to_torch as its check sees it: (W_ih, W_hh, b_ih + b_hh); any split of b is right."""
    def summed(Wx, Wh, b):
        W_ih, W_hh, b_ih, b_hh = fn(Wx, Wh, b)
        return W_ih, W_hh, b_ih + b_hh
    return summed


TO_TORCH_MISTAKES = {
    "no_reorder": lambda Wx, Wh, b: (Wx.T.copy(), Wh.T.copy(), b),
    "bias_twice": _bias_summed(lambda Wx, Wh, b: (*to_torch_reference(Wx, Wh, b)[:3],
                                                  to_torch_reference(Wx, Wh, b)[2])),
}


# ---- variants --------------------------------------------------------------------------

def full_peephole(*, out_sees="new", use_peep=True, transposed=False, diagonal_only=False):
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


PEEPHOLE_MISTAKES = {
    "out_sees_old": full_peephole(out_sees="old"),
    "no_peepholes": full_peephole(use_peep=False),
    "transposed": full_peephole(transposed=True),
    "diagonal_only": full_peephole(diagonal_only=True),
}


def variant_step_cases(seed, make_params):
    rng = np.random.default_rng(seed)

    def case(B, D, H, what, zero_state=False):
        p = make_params(D, H, rng)
        x = rng.normal(size=(B, D))
        h = np.zeros((B, H)) if zero_state else rng.uniform(-0.9, 0.9, size=(B, H))
        c = np.zeros((B, H)) if zero_state else rng.normal(scale=1.5, size=(B, H))
        return (x, h, c, p), what

    return [
        case(2, 3, 4, "B=2, D=3, H=4"),
        case(1, 1, 1, "B=1, D=1, H=1"),
        case(3, 2, 5, "B=3, D=2, H=5"),
        case(2, 3, 4, "the first step: zero state", zero_state=True),
    ]


def peephole_cases():
    def params(D, H, rng):
        p = variants.init_peephole_params(D, H, rng, diagonal=False)
        return p._replace(W_ci=rng.normal(size=(H, H)), W_cf=rng.normal(size=(H, H)),
                          W_co=rng.normal(size=(H, H)))  # large enough to matter

    return variant_step_cases(61, params)


def coupled_wrong(*, order="fgo", write="1-f", h_from="new"):
    def step(x, h, c, p):
        H = h.shape[1]
        a = x @ p.W_ih.T + p.b_ih + h @ p.W_hh.T + p.b_hh
        blk = {k: a[:, n * H:(n + 1) * H] for n, k in enumerate(order)}
        f, g, o = sigmoid(blk["f"]), np.tanh(blk["g"]), sigmoid(blk["o"])
        i = {"1-f": 1 - f, "f": f, "1": 1.0}[write]
        c_new = f * c + i * g
        return o * np.tanh(c_new if h_from == "new" else c), c_new
    return step


COUPLED_MISTAKES = {
    "write_f": coupled_wrong(write="f"),
    "write_all": coupled_wrong(write="1"),
    "order_gfo": coupled_wrong(order="gfo"),
    "order_fog": coupled_wrong(order="fog"),
    "h_from_old": coupled_wrong(h_from="old"),
}


def coupled_cases():
    def params(D, H, rng):
        p = variants.init_coupled_params(D, H, rng)
        return p._replace(b_ih=rng.normal(size=3 * H))

    return variant_step_cases(71, params)


# ---- finite differences ----------------------------------------------------------------

def numgrad_cases():
    rng = np.random.default_rng(81)
    return [
        ((rng.normal(size=(3, 4)), 1e-2), "a (3, 4) array, eps = 1e-2"),
        ((rng.normal(size=5), 1e-5), "a vector, eps = 1e-5"),
        ((np.array([[0.5]]), 1e-3), "a single entry"),
    ]


def numgrad_reference(a, eps):
    a = a.copy()
    return gradcheck.numerical_gradient(quadratic(a), a, eps)


def forward_diff(a, eps):
    a = a.copy()
    f = quadratic(a)
    grad = np.zeros_like(a)
    for k in np.ndindex(a.shape):
        old = a[k]
        f0 = f()
        a[k] = old + eps
        grad[k] = (f() - f0) / eps
        a[k] = old
    return grad


NUMGRAD_MISTAKES = {"forward_difference": forward_diff}


# ---- the recurrent network of the first chapters ------------------------------------------

def article_params(W, b):
    H = W.shape[0]
    return rnn.RNNParams(W_ih=W[:, H:], W_hh=W[:, :H], b_ih=b, b_hh=np.zeros_like(b))


def run_article(x, W, b, h0, *, carry=True, with_h0=False, act=np.tanh, order="hx"):
    """Every state of a tanh RNN in the article's notation; each flag is one known mistake."""
    h, hs = h0, [h0] if with_h0 else []
    for t in range(x.shape[1]):
        prev = h if carry else h0
        hx = np.concatenate([prev, x[:, t]] if order == "hx" else [x[:, t], prev], axis=1)
        h = act(hx @ W.T + b)
        hs.append(h)
    return np.stack(hs, axis=1)


def rnn_cases(seed):
    rng = np.random.default_rng(seed)

    def case(B, T, D, H, what, zero_h0=False, radius=0.9):
        p = gradients.scale_spectral_radius(rnn.init_params(D, H, rng), radius)
        W = np.concatenate([p.W_hh, p.W_ih], axis=1)  # (H, H + D)
        b = rng.normal(scale=0.3, size=H)
        x = rng.normal(size=(B, T, D))
        h0 = np.zeros((B, H)) if zero_h0 else rng.uniform(-0.5, 0.5, size=(B, H))
        return (x, W, b, h0), what

    return [
        case(3, 6, 2, 4, "B=3, T=6, D=2, H=4"),
        case(1, 1, 1, 1, "B=1, T=1, D=1, H=1"),
        case(2, 9, 3, 3, "D = H = 3 (a swapped concatenation would still fit)"),
        case(2, 5, 4, 5, "h0 all zeros", zero_h0=True),
        case(2, 7, 3, 2, "spectral radius 1.5", radius=1.5),
    ]


RUN_MISTAKES = {
    "restarts": lambda x, W, b, h0: run_article(x, W, b, h0, carry=False),
    "off_by_one": lambda x, W, b, h0: run_article(x, W, b, h0, with_h0=True)[:, :-1],
    "x_first": lambda x, W, b, h0: run_article(x, W, b, h0, order="xh"),
    "no_tanh": lambda x, W, b, h0: run_article(x, W, b, h0, act=lambda a: a),
}


def run_reference(x, W, b, h0):
    return rnn.rnn_forward(x, article_params(W, b), state=h0)[0]


def influence_of(x, W, b, h0, delta, *, step=0, divide=True):
    p = article_params(W, b)
    hs = rnn.rnn_forward(x, p, state=h0)[0]
    x2 = x.copy()
    x2[:, step, :] += delta
    hs2 = rnn.rnn_forward(x2, p, state=h0)[0]
    d = np.linalg.norm(hs2 - hs, axis=-1).mean(axis=0)  # (T,)
    return d / delta if divide else d


def influence_cases():
    deltas = [1e-3, 1e-3, 1e-3, 0.1, 1e-2]
    return [(args + (d,), what + f", delta = {d:g}")
            for (args, what), d in zip(rnn_cases(91), deltas)]


INFLUENCE_MISTAKES = {
    "not_divided": lambda x, W, b, h0, d: influence_of(x, W, b, h0, d, divide=False),
    "last_input": lambda x, W, b, h0, d: influence_of(x, W, b, h0, d, step=-1),
}


# ---- backpropagation through a whole sequence -------------------------------------------

def sequence_variant(dhs, x, p, h0, c0, *, carry_c=True, carry_h=True, **step_flags):
    """Chain a readable one-step backward over the sequence; flags switch on one mistake."""
    from lstm_course.checks.bptt import _step_backward_variant
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


def sequence_cases():
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
        return (dhs, x, p, h0, c0), what

    return [
        case(2, 4, 3, 4, "B=2, T=4, D=3, H=4"),
        case(1, 1, 1, 1, "B=1, T=1, D=1, H=1"),
        case(3, 6, 2, 3, "a gradient on the last state only", last_only=True),
        case(2, 5, 3, 2, "h0 = c0 = 0", zero_state=True),
    ]


def sequence_reference(dhs, x, p, h0, c0):
    _, _, cache = lstm.lstm_forward(x, p, state=(h0, c0), return_cache=True)
    dx, dp, (dh0, dc0) = lstm.lstm_backward(dhs, cache)
    return dx, dp.W_ih, dp.W_hh, dp.b_ih, dh0, dc0


SEQUENCE_MISTAKES = {
    "c_not_carried": lambda *a: sequence_variant(*a, carry_c=False),
    "h_not_carried": lambda *a: sequence_variant(*a, carry_h=False),
    "no_tanh_path": lambda *a: sequence_variant(*a, tanh_path=False),
    "no_gate_slopes": lambda *a: sequence_variant(*a, gate_slopes=False),
    "no_candidate_slope": lambda *a: sequence_variant(*a, candidate_slope=None),
    "order_figo": lambda *a: sequence_variant(*a, order="figo"),
}


# ---- every check: (cases, reference, mistakes) ------------------------------------------------

CHECKS = {
    "forget_gate": (gate_cases(31), layer(sigmoid), layer_mistakes("sigmoid")),
    "input_gate": (gate_cases(32), layer(sigmoid), layer_mistakes("sigmoid")),
    "output_gate": (gate_cases(33), layer(sigmoid), layer_mistakes("sigmoid")),
    "candidate": (gate_cases(34), layer(np.tanh), layer_mistakes("tanh")),
    "cell_update": (update_cases(), lambda f, i, g, c: f * c + i * g, UPDATE_MISTAKES),
    "hidden_state": (hidden_cases(), lambda o, c: o * np.tanh(c), HIDDEN_MISTAKES),
    "lstm_step": (step_cases(), step_reference, STEP_MISTAKES),
    "cs231n_step": (cs231n_cases(), cs231n_reference, CS231N_MISTAKES),
    "from_torch": (torch_param_cases(), from_torch_reference, FROM_TORCH_MISTAKES),
    "to_torch": (cs231n_param_cases(), _bias_summed(to_torch_reference), TO_TORCH_MISTAKES),
    "full_peephole_step": (peephole_cases(),
                           lambda x, h, c, p: variants.peephole_step(x, (h, c), p),
                           PEEPHOLE_MISTAKES),
    "coupled_step": (coupled_cases(), lambda x, h, c, p: variants.coupled_step(x, (h, c), p),
                     COUPLED_MISTAKES),
    "numerical_gradient": (numgrad_cases(), numgrad_reference, NUMGRAD_MISTAKES),
    "run_rnn": (rnn_cases(92), run_reference, RUN_MISTAKES),
    "influence": (influence_cases(), lambda x, W, b, h0, d: influence_of(x, W, b, h0, d),
                  INFLUENCE_MISTAKES),
    "sequence_backward": (sequence_cases(), sequence_reference, SEQUENCE_MISTAKES),
}


# ---- numbers only: arrays, floats, tuples and the package's parameter tuples ------------------

def encode(v):
    if isinstance(v, tuple) and hasattr(v, "_fields"):
        return {"params": type(v).__name__, "fields": {f: encode(getattr(v, f)) for f in v._fields}}
    if isinstance(v, (tuple, list)):
        return {"tuple": [encode(u) for u in v]}
    if isinstance(v, np.ndarray):
        return {"shape": list(v.shape), "data": [float(u) for u in v.ravel()]}
    if isinstance(v, (float, int, np.floating, np.integer)):
        return float(v)
    raise TypeError(f"cannot store {type(v).__name__}")


def build() -> dict:
    data = {}
    for name, (cases, reference, mistakes) in CHECKS.items():
        stored = []
        for args, what in cases:
            wrong = {}
            for key, fn in mistakes.items():
                try:
                    wrong[key] = encode(fn(*args))
                except Exception:  # a mistake model that does not apply to this case
                    wrong[key] = None
            stored.append({"description": what, "args": [encode(a) for a in args],
                           "want": encode(reference(*args)), "wrong": wrong})
        data[name] = {"mistakes": list(mistakes), "cases": stored}
    return data


def main() -> None:
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(build(), separators=(",", ":")) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()

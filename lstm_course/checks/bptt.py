"""Self-checks for the exercises of the appendix "Backpropagation through time for the LSTM".

Notation: ``dv`` is dL/dv, the gradient of the loss with respect to ``v``, with v's shape.

``cell_grad(fn)``             the reader's ``fn(dh_t, dc_next, o_t, tanh_c_t) -> dc_t``: the
                              total gradient reaching the cell state ``C_t``, the sum of the
                              path through ``h_t = o_t * tanh(C_t)`` and of ``dc_next``, the
                              gradient arriving from step t+1 (``dC_{t+1} * f_{t+1}``).
``cell_update_backward(fn)``  the reader's ``fn(dc_t, f_t, i_t, g_t, c_prev) -> (df_t, di_t,
                              dg_t, dc_prev)``: back through ``C_t = f_t * C_{t-1} + i_t * C~_t``
                              (``g_t`` is the candidate C~_t), to the gate *activations*.
``lstm_step_backward(fn)``    the reader's ``fn(dh_t, dc_next, x_t, h_prev, c_prev, p) ->
                              (dx_t, dh_prev, dc_prev, dW_ih, dW_hh, db)``: one whole step,
                              parameters in PyTorch's layout (``lstm.LSTMParams``, gates i, f, g,
                              o); ``db`` is the gradient of either bias (both get the same one).
``lstm_step_backward_cs231n(fn)``  the same step in cs231n's layout: the reader's ``fn(dh_t,
                              dc_next, x_t, h_prev, c_prev, Wx, Wh, b) -> (dx_t, dh_prev, dc_prev,
                              dWx, dWh, db)`` with ``Wx (D, 4H)``, ``Wh (H, 4H)``, one bias ``b (4H,)``
                              and column blocks i, f, o, g; compared in float64 with
                              ``lstm.lstm_step_backward`` on the same weights, converted.
``clip_by_global_norm(fn)``   the reader's ``fn(grads, max_norm) -> (clipped, norm)`` for a list
                              of arrays, equal to ``clipping.clip_by_global_norm``.

Each prints ``"<name>: all N checks passed."`` or raises ``CheckFailed`` with a hint
that names the likely mistake.
"""
from __future__ import annotations

import numpy as np

from . import Case, Mistake, run_check
from .. import clipping, lstm

__all__ = ["cell_grad", "cell_update_backward", "lstm_step_backward", "lstm_step_backward_cs231n",
           "clip_by_global_norm"]


# ---- the two paths into dC_t --------------------------------------------------------------

def _ref_cell_grad(dh, dc_next, o, tanh_c):
    return dc_next + dh * o * (1 - tanh_c ** 2)


def _cell_grad_cases():
    rng = np.random.default_rng(21)

    def case(B, H, what, zero_next=False, zero_dh=False):
        dh = np.zeros((B, H)) if zero_dh else rng.normal(size=(B, H))
        dc_next = np.zeros((B, H)) if zero_next else rng.normal(size=(B, H))
        o = rng.uniform(0.05, 0.95, size=(B, H))
        tanh_c = rng.uniform(-0.95, 0.95, size=(B, H))
        return Case((dh, dc_next, o, tanh_c), what)

    return [
        case(2, 4, "B=2, H=4"),  # first: every listed mistake gives different values here
        case(1, 1, "B=1, H=1"),
        case(3, 5, "B=3, H=5"),
        case(2, 3, "the last step: nothing arrives from step t+1 (dc_next = 0)", zero_next=True),
        case(2, 3, "no gradient on h_t (dh_t = 0)", zero_dh=True),
    ]


_CELL_GRAD_MISTAKES = [
    Mistake("you forgot the path through tanh(C_t): h_t also depends on C_t, so the gradient "
            "reaching h_t adds a second term to dC_t (the appendix's equation for dC_t).",
            lambda dh, dcn, o, tc: dcn),
    Mistake("you forgot to add the gradient arriving from the next step: C_t also feeds C_{t+1}, "
            "and what step t+1 sends back (dc_next) belongs in dC_t too.",
            lambda dh, dcn, o, tc: dh * o * (1 - tc ** 2)),
    Mistake("the slope of the tanh is missing on the path from h_t into C_t.",
            lambda dh, dcn, o, tc: dcn + dh * o),
    Mistake("you multiplied by tanh(C_t) itself instead of the tanh's slope.",
            lambda dh, dcn, o, tc: dcn + dh * o * tc),
    Mistake("the slope of the tanh is almost right: check the power of tanh(C_t) in its derivative.",
            lambda dh, dcn, o, tc: dcn + dh * o * (1 - tc)),
    Mistake("the output gate is missing: the path from h_t into C_t passes through it.",
            lambda dh, dcn, o, tc: dcn + dh * (1 - tc ** 2)),
    Mistake("that is the gradient of the output gate, not of the cell state.",
            lambda dh, dcn, o, tc: dh * tc),
]


def cell_grad(fn) -> None:
    """Check ``fn(dh_t, dc_next, o_t, tanh_c_t) -> dc_t``, all (B, H).

    ``dc_t = dc_next + dh_t * o_t * (1 - tanh_c_t ** 2)``.
    """
    run_check(fn, _ref_cell_grad, _cell_grad_cases(), name="cell_grad", output_names=["dc_t"],
              mistakes=_CELL_GRAD_MISTAKES)


# ---- back through the cell update ---------------------------------------------------------

def _ref_cell_update(dc, f, i, g, c_prev):
    return dc * c_prev, dc * g, dc * i, dc * f


def _cell_update_cases():
    rng = np.random.default_rng(22)

    def case(B, H, what, zero_c=False):
        dc = rng.normal(size=(B, H))
        f, i = rng.uniform(0.05, 0.95, size=(2, B, H))
        g = rng.uniform(-0.95, 0.95, size=(B, H))
        c_prev = np.zeros((B, H)) if zero_c else rng.normal(size=(B, H))
        return Case((dc, f, i, g, c_prev), what)

    return [
        case(2, 4, "B=2, H=4"),
        case(1, 1, "B=1, H=1"),
        case(3, 5, "B=3, H=5"),
        case(2, 3, "the first step, C_0 = 0", zero_c=True),
    ]


def _c_new(f, i, g, c_prev):
    return f * c_prev + i * g


_CELL_UPDATE_MISTAKES = [
    Mistake("df_t uses the new cell state C_t; the forget gate multiplies the *previous* one.",
            lambda dc, f, i, g, cp: (dc * _c_new(f, i, g, cp), dc * g, dc * i, dc * f)),
    Mistake("di_t and dC~_t are swapped: in a product, the gradient of each factor carries "
            "the other factor.",
            lambda dc, f, i, g, cp: (dc * cp, dc * i, dc * g, dc * f)),
    Mistake("dC_{t-1} is missing the forget gate: C_{t-1} enters C_t through it.",
            lambda dc, f, i, g, cp: (dc * cp, dc * g, dc * i, dc)),
    Mistake("each gate got its own value as gradient factor: in a product, the gradient of one "
            "factor carries the *other* factor.",
            lambda dc, f, i, g, cp: (dc * f, dc * i, dc * g, dc * f)),
    Mistake("dC_{t-1} was multiplied by C_{t-1}: differentiate the forget term with respect to "
            "C_{t-1}, not with respect to f_t.",
            lambda dc, f, i, g, cp: (dc * cp, dc * g, dc * i, dc * cp)),
]


def cell_update_backward(fn) -> None:
    """Check ``fn(dc_t, f_t, i_t, g_t, c_prev) -> (df_t, di_t, dg_t, dc_prev)``, all (B, H).

    Back through ``C_t = f_t * C_{t-1} + i_t * g_t`` to the gate activations.
    """
    run_check(fn, _ref_cell_update, _cell_update_cases(), name="cell_update_backward",
              output_names=["df_t", "di_t", "dg_t (dC~_t)", "dc_prev"], mistakes=_CELL_UPDATE_MISTAKES)


# ---- one whole step -----------------------------------------------------------------------

def _ref_step_backward(dh, dc_next, x, h_prev, c_prev, p):
    """The package's BPTT over one step: the truth the reader is compared with."""
    _, _, cache = lstm.lstm_forward(x[:, None], p, state=(h_prev, c_prev), return_cache=True)
    dx, dp, (dh0, dc0) = lstm.lstm_backward(np.zeros_like(dh)[:, None], cache, dstate=(dh, dc_next))
    return dx[:, 0], dh0, dc0, dp.W_ih, dp.W_hh, dp.b_ih


def _step_backward_variant(dh, dc_next, x, h_prev, c_prev, p, *, tanh_path=True, next_grad=True,
                           df_uses_c_new=False, swap_i_g=False, dc_prev_times_f=True,
                           candidate_slope="tanh", gate_slopes=True, order="ifgo"):
    """A readable one-step backward; the keyword flags switch on one known mistake each."""
    h_t, c_t, gates = lstm.lstm_step(x, (h_prev, c_prev), p, return_gates=True)
    i, f, g, o = gates["i"], gates["f"], gates["g"], gates["o"]
    tanh_c = np.tanh(c_t)
    do = dh * tanh_c
    dc = (dc_next if next_grad else 0) + (dh * o * (1 - tanh_c ** 2) if tanh_path else 0)
    df = dc * (c_t if df_uses_c_new else c_prev)
    di, dg = (dc * i, dc * g) if swap_i_g else (dc * g, dc * i)
    dc_prev = dc * f if dc_prev_times_f else dc
    if gate_slopes:
        di, df, do = di * i * (1 - i), df * f * (1 - f), do * o * (1 - o)
    if candidate_slope == "tanh":
        dg = dg * (1 - g ** 2)
    elif candidate_slope == "sigmoid":
        dg = dg * g * (1 - g)
    blocks = {"i": di, "f": df, "g": dg, "o": do}
    da = np.concatenate([blocks[k] for k in order], axis=1)  # (B, 4H)
    dx = da @ p.W_ih  # (B, D)
    dh_prev = da @ p.W_hh  # (B, H)
    return dx, dh_prev, dc_prev, da.T @ x, da.T @ h_prev, da.sum(axis=0)


def _mistake(**flags):
    return lambda *args: _step_backward_variant(*args, **flags)


def _step_cases(seed=23):
    rng = np.random.default_rng(seed)

    def case(B, D, H, what, zero_next=False, zero_state=False):
        p = lstm.init_params(D, H, rng)
        # larger weights than PyTorch's default, so every gate is far from 1/2 and each
        # known mistake changes the result clearly
        p = lstm.LSTMParams(*(2.0 * a for a in p))
        x = rng.normal(size=(B, D))
        h_prev = np.zeros((B, H)) if zero_state else rng.uniform(-0.9, 0.9, size=(B, H))
        c_prev = np.zeros((B, H)) if zero_state else rng.normal(size=(B, H))
        dh = rng.normal(size=(B, H))
        dc_next = np.zeros((B, H)) if zero_next else rng.normal(size=(B, H))
        return Case((dh, dc_next, x, h_prev, c_prev, p), what)

    return [
        case(2, 3, 4, "B=2, D=3, H=4"),  # first: every listed mistake gives different values here
        case(1, 1, 1, "B=1, D=1, H=1"),
        case(3, 5, 2, "B=3, D=5, H=2"),
        case(2, 3, 4, "the last step: nothing arrives from step t+1 (dc_next = 0)", zero_next=True),
        case(2, 2, 3, "the first step: h_0 = C_0 = 0", zero_state=True),
    ]


# Mistakes in the chain rule itself, the same in any layout: (hint, flags of the variant).
_CHAIN_RULE_SLIPS = [
    ("you forgot the path through tanh(C_t) into dC_t: h_t depends on C_t too "
     "(the appendix's equation for dC_t).", dict(tanh_path=False)),
    ("you forgot to add the gradient arriving from the next step: dC_t must include "
     "dc_next (the cell state also feeds step t+1).", dict(next_grad=False)),
    ("df_t used C_t instead of C_{t-1}: the forget gate multiplies the previous cell "
     "state.", dict(df_uses_c_new=True)),
    ("di_t and dC~_t are swapped: in a product, the gradient of each factor carries the other.",
     dict(swap_i_g=True)),
    ("dc_prev is missing the forget gate: C_{t-1} enters C_t through it.", dict(dc_prev_times_f=False)),
    ("the candidate C~_t is a tanh, but its slope was taken as a sigmoid's.",
     dict(candidate_slope="sigmoid")),
    ("the slope of the candidate's tanh is missing.", dict(candidate_slope=None)),
    ("the sigmoid slopes of the gates i_t, f_t and o_t are missing.", dict(gate_slopes=False)),
]

_STEP_MISTAKES = [Mistake(hint, _mistake(**flags)) for hint, flags in _CHAIN_RULE_SLIPS] + [
    Mistake("the pre-activation gradients are stacked in the article's order f, i, C~, o; "
            "the parameters use PyTorch's row blocks i, f, g, o.",
            _mistake(order="figo")),
]


def lstm_step_backward(fn) -> None:
    """Check ``fn(dh_t, dc_next, x_t, h_prev, c_prev, p) -> (dx_t, dh_prev, dc_prev, dW_ih, dW_hh, db)``.

    dh_t: (B, H), the total gradient reaching h_t; dc_next: (B, H), the gradient
    reaching C_t from step t+1; x_t: (B, D); h_prev, c_prev: (B, H); p: lstm.LSTMParams.
    Returns dx_t (B, D), dh_prev (B, H), dc_prev (B, H), dW_ih (4H, D), dW_hh (4H, H),
    db (4H,). The reference is ``lstm.lstm_backward`` over a one-step sequence.
    """
    run_check(fn, _ref_step_backward, _step_cases(), name="lstm_step_backward",
              output_names=["dx_t", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db"],
              mistakes=_STEP_MISTAKES)


# ---- one whole step in cs231n's layout ----------------------------------------------------

# cs231n's column blocks i, f, o, g, named by their places among PyTorch's row blocks i, f, g, o
_CS231N_BLOCKS = (0, 1, 3, 2)


def _rows(H, blocks):
    """Indices of PyTorch's rows (blocks of H) taken block by block in the order ``blocks``."""
    return np.concatenate([np.arange(k * H, (k + 1) * H) for k in blocks])  # (4H,)


def _to_cs231n(p, blocks=_CS231N_BLOCKS):
    """LSTMParams -> ``(Wx (D, 4H), Wh (H, 4H), b (4H,))``; cs231n's one bias is b_ih + b_hh."""
    rows = _rows(p.W_hh.shape[1], blocks)
    return p.W_ih[rows].T, p.W_hh[rows].T, (p.b_ih + p.b_hh)[rows]


def _from_cs231n(Wx, Wh, b, blocks=_CS231N_BLOCKS):
    """``(Wx, Wh, b)`` -> LSTMParams computing the same step, all of b in b_ih."""
    rows = _rows(Wh.shape[0], blocks)
    W_ih, W_hh, b_ih = np.empty_like(Wx.T), np.empty_like(Wh.T), np.empty_like(b)
    W_ih[rows], W_hh[rows], b_ih[rows] = Wx.T, Wh.T, b  # (4H, D), (4H, H), (4H,)
    return lstm.LSTMParams(W_ih, W_hh, b_ih, np.zeros_like(b))


def _grads_to_cs231n(dx, dh_prev, dc_prev, dW_ih, dW_hh, db, blocks=_CS231N_BLOCKS,
                     transposed=False, bias_factor=1):
    """One step's gradients in PyTorch's layout -> cs231n's (``db`` is either bias's gradient)."""
    rows = _rows(dh_prev.shape[1], blocks)
    dWx, dWh = (dW_ih[rows], dW_hh[rows]) if transposed else (dW_ih[rows].T, dW_hh[rows].T)
    return dx, dh_prev, dc_prev, dWx, dWh, bias_factor * db[rows]


def _ref_step_backward_cs231n(dh, dc_next, x, h_prev, c_prev, Wx, Wh, b):
    """``lstm.lstm_step_backward`` on the same weights, its gradients converted to cs231n's layout."""
    p = _from_cs231n(Wx, Wh, b)
    dx, dp, (dh_prev, dc_prev) = lstm.lstm_step_backward((dh, dc_next), x, (h_prev, c_prev), p)
    return _grads_to_cs231n(dx, dh_prev, dc_prev, dp.W_ih, dp.W_hh, dp.b_ih)


def _cs231n_mistake(blocks=_CS231N_BLOCKS, transposed=False, bias_factor=1, **flags):
    """A cs231n-layout step backward with one known mistake.

    ``blocks``: the order in which the reader takes cs231n's column blocks to be;
    ``transposed``: weight gradients returned in PyTorch's shapes; ``bias_factor``: db
    scaled; ``flags``: a slip of the chain rule (``_step_backward_variant``).
    """
    def fn(dh, dc_next, x, h_prev, c_prev, Wx, Wh, b):
        p = _from_cs231n(Wx, Wh, b, blocks)
        out = _step_backward_variant(dh, dc_next, x, h_prev, c_prev, p, **flags)
        return _grads_to_cs231n(*out, blocks=blocks, transposed=transposed, bias_factor=bias_factor)

    return fn


def _cs231n_cases():
    """The cases of ``lstm_step_backward`` (other random numbers), weights in cs231n's layout."""
    return [Case((*case.args[:5], *_to_cs231n(case.args[5])), case.description)
            for case in _step_cases(seed=25)]


_CS231N_MISTAKES = [
    Mistake("you read the column blocks in the package's order i, f, g, o: in cs231n's layout "
            "they are i, f, o, g, so the third block is the output gate (a sigmoid) and the last "
            "one the candidate C~_t (a tanh).",
            _cs231n_mistake(blocks=(0, 1, 2, 3))),
    Mistake("the gates are right, but the pre-activation gradients are stacked in the package's "
            "order i, f, g, o: stack them like cs231n's columns, i, f, o, g, so that each block "
            "meets its own gate's weights.",
            _cs231n_mistake(order="ifog")),
    Mistake("dWx and dWh have the package's shapes, (4H, D) and (4H, H): in cs231n's layout the "
            "weights are Wx (D, 4H) and Wh (H, 4H), and a gradient has its weight's shape "
            "(x_t^T da and h_{t-1}^T da).",
            _cs231n_mistake(transposed=True)),
    Mistake("db is twice the bias gradient: cs231n has one bias, which enters each "
            "pre-activation once, so db is da summed over the batch, once (the package's two "
            "biases each get this same gradient; it is not their sum).",
            _cs231n_mistake(bias_factor=2)),
] + [Mistake(hint, _cs231n_mistake(**flags)) for hint, flags in _CHAIN_RULE_SLIPS]


def lstm_step_backward_cs231n(fn) -> None:
    """Check ``fn(dh_t, dc_next, x_t, h_prev, c_prev, Wx, Wh, b) -> (dx_t, dh_prev, dc_prev, dWx, dWh, db)``.

    cs231n's layout: ``a = x_t @ Wx + h_prev @ Wh + b`` with Wx (D, 4H), Wh (H, 4H), b (4H,),
    column blocks i, f, o, g. dh_t, dc_next, h_prev, c_prev: (B, H); x_t: (B, D). Returns
    dx_t (B, D), dh_prev (B, H), dc_prev (B, H), dWx (D, 4H), dWh (H, 4H), db (4H,). The
    reference is ``lstm.lstm_step_backward`` on the same weights, converted, in float64.
    """
    run_check(fn, _ref_step_backward_cs231n, _cs231n_cases(), name="lstm_step_backward_cs231n",
              output_names=["dx_t", "dh_prev", "dc_prev", "dWx", "dWh", "db"],
              mistakes=_CS231N_MISTAKES)


# ---- clipping by global norm --------------------------------------------------------------

def _flat(out):
    """(clipped list, norm) -> (*clipped, norm), so every array is compared on its own."""
    clipped, norm = out
    return (*clipped, norm)


def _ref_clip(grads, max_norm):
    return _flat(clipping.clip_by_global_norm(grads, max_norm))


def _clip_cases():
    rng = np.random.default_rng(24)

    def grads(scale):
        return [scale * rng.normal(size=s) for s in ((4, 3), (4, 4), (4,))]

    return [
        Case((grads(10.0), 1.0), "large gradients, max_norm = 1"),
        Case((grads(0.05), 1.0), "small gradients (norm below max_norm: unchanged)"),
        Case((grads(1e6), 5.0), "exploded gradients, max_norm = 5"),
        Case(([np.array([3.0, 4.0])], 1.0), "a single vector (3, 4)"),
    ]


def _clip_each(grads, m):
    out = [a * min(1.0, m / (np.linalg.norm(a) + 1e-6)) for a in grads]
    return (*out, float(np.sqrt(sum((a ** 2).sum() for a in grads))))


_CLIP_MISTAKES = [
    Mistake("each array was clipped by its own norm; clipping by *global* norm rescales all "
            "arrays by one common factor, computed from the norm of all of them together.",
            _clip_each),
    Mistake("that is clipping by value (every entry on its own), which changes the direction; "
            "clipping by global norm rescales all arrays together, keeping the direction.",
            lambda grads, m: (*[np.clip(a, -m, m) for a in grads], float(np.sqrt(sum((a ** 2).sum() for a in grads))))),
    Mistake("gradients whose norm is already below max_norm must stay as they are: the common "
            "factor is never above 1.",
            lambda grads, m: _flat(([a * (m / (clipping.global_norm(grads) + 1e-6)) for a in grads],
                                    clipping.global_norm(grads)))),
    Mistake("the returned norm should be the norm *before* clipping.",
            lambda grads, m: _flat((lambda c: (c[0], clipping.global_norm(c[0])))(
                clipping.clip_by_global_norm(grads, m)))),
    Mistake("the returned norm is squared: take the square root of the sum of squares.",
            lambda grads, m: _flat((clipping.clip_by_global_norm(grads, m)[0], clipping.global_norm(grads) ** 2))),
]


def clip_by_global_norm(fn) -> None:
    """Check ``fn(grads, max_norm) -> (clipped, norm)``: grads a list of arrays, clipped a list
    of the same shapes, norm the global norm before clipping (a float).

    The scale factor is ``min(1, max_norm / (norm + 1e-6))``, as in PyTorch's ``clip_grad_norm_``.
    """
    def flat_fn(grads, max_norm):
        out = fn([a.copy() for a in grads], max_norm)
        if out is None or not isinstance(out, (tuple, list)) or len(out) != 2:
            return out
        clipped, norm = out
        if isinstance(clipped, np.ndarray) or not isinstance(clipped, (list, tuple)):
            raise TypeError(f"clipped should be a list of arrays, got {type(clipped).__name__}")
        return (*clipped, norm)

    if not callable(fn):
        run_check(fn, _ref_clip, [], name="clip_by_global_norm")  # raises the usual TypeError
    run_check(flat_fn, _ref_clip, _clip_cases(), name="clip_by_global_norm",
              output_names=["clipped[0]", "clipped[1]", "clipped[2]", "norm"], mistakes=_CLIP_MISTAKES,
              rtol=1e-6, atol=1e-10)

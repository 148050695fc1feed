"""Gated Recurrent Unit (GRU), Cho et al. (2014), in two forms on one set of weights.

Parameters use PyTorch's ``nn.GRU`` layout: ``W_ih (3H, D)``, ``W_hh (3H, H)``,
``b_ih (3H,)``, ``b_hh (3H,)``, row blocks **r, z, n** in that order. Write
``a_k = W_ik x_t + b_ik + W_hk h_{t-1} + b_hk`` for the block ``k``.

``form="torch"`` is exactly ``nn.GRU``::

    r_t = sigma(a_r)                      z_t = sigma(a_z)
    n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}

``form="article"`` is the GRU of Cho et al. (2014) as the article writes it::

    r_t = sigma(a_r)                      z_t = sigma(a_z)
    h~_t = tanh(W_in x_t + b_in + W_hn (r_t * h_{t-1}) + b_hn)
    h_t = (1 - z_t) * h_{t-1} + z_t * h~_t

The two forms differ in two places:

(a) **The meaning of z.** In the article form the z block *is* the article's
    ``z_t``: the share of the new candidate. In the torch form it is the share of the
    old state, so ``z_article = 1 - z_torch``. Because ``1 - sigma(a) = sigma(-a)``,
    negating the z rows and biases converts one into the other exactly:
    ``torch_to_article_z(p)`` does that (it is its own inverse).
(b) **Where r sits.** PyTorch resets ``W_hn h + b_hn`` *after* the matrix product;
    the article resets ``h`` *before* it. No change of weights turns one into the
    other, so the outputs differ.

The article form reads the z block as the article's ``z_t``, so that its update
line is the article's equation letter for letter. The price is one call when the
weights come from ``nn.GRU`` (or from the torch form): convert z first. The
chapter's story on one set of weights ``p`` then reads::

    hs_t, _, g_t = gru_forward(x, p, form="torch", return_gates=True)
    hs_a, _, g_a = gru_forward(x, torch_to_article_z(p), form="article", return_gates=True)
    # (a) is undone by the conversion: at t = 0, g_a["z"] == 1 - g_t["z"], g_a["r"] == g_t["r"]
    # (b) remains: hs_a != hs_t. Force r = 1 (b_ir = 60) and the two agree exactly.

Passing ``nn.GRU`` weights to ``form="article"`` without the conversion changes
both (a) and (b).

In the article form ``b_hn`` sits outside the reset, so ``b_in + b_hn`` act as one
bias (the article shows no biases at all).

Every forward can also return the gate activations (``return_gates=True``), a
dict of ``(B, T, H)`` arrays: ``"r"``, ``"z"`` and ``"n"`` (torch form) or
``"h_tilde"`` (article form). ``z`` is always the value the form itself uses.

Shapes: ``B`` batch, ``T`` time steps, ``D`` input size, ``H`` hidden size; inputs
are batch-first ``x: (B, T, D)``. Parameters are cast to ``x``'s dtype (float32 or
float64) and every output and gradient comes back in that dtype.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as V
from . import cells
from .activations import sigmoid, tanh

__all__ = [
    "GRUParams",
    "GRUCache",
    "FORMS",
    "init_params",
    "torch_to_article_z",
    "article_to_torch_z",
    "gru_step",
    "gru_step_backward",
    "gru_forward",
    "gru_backward",
]

FORMS = ("torch", "article")
_FIELDS = ("W_ih", "W_hh", "b_ih", "b_hh")


class GRUParams(NamedTuple):
    """GRU parameters in PyTorch's layout; row blocks r, z, n.

    W_ih: (3H, D)   W_hh: (3H, H)   b_ih: (3H,)   b_hh: (3H,)
    """

    W_ih: np.ndarray
    W_hh: np.ndarray
    b_ih: np.ndarray
    b_hh: np.ndarray


class GRUCache(NamedTuple):
    """What ``gru_backward`` needs from the forward pass. Arrays are time-major."""

    x_tm: np.ndarray  # (T, B, D) the inputs
    params: GRUParams  # cast to x's dtype
    hs_tm: np.ndarray  # (T+1, B, H) h_0 .. h_T
    form: str


# ----------------------------------------------------------------------------- helpers


def _cast_params(p, dtype) -> tuple[GRUParams, int, int]:
    """Validate ``p`` and return it as float arrays of ``dtype`` with ``(D, H)``."""
    D, H = V.check_params(p, _FIELDS, 3, kind="GRU")
    q = GRUParams(*(V.as_float_array(getattr(p, f), f"params.{f}", dtype=dtype) for f in _FIELDS))
    return q, D, H


def _check_form(form) -> str:
    if not isinstance(form, str):
        raise ValueError(f"form: expected one of {list(FORMS)}, got {form!r}")
    return V.check_choice(form, "form", FORMS)


def _check_step(x_t, h_prev, p, form):
    """Validate one step's arguments; return them cast to x_t's dtype."""
    form = _check_form(form)
    x_t = V.check_step_input(x_t, "x_t")
    p, D, H = _cast_params(p, x_t.dtype)
    V.check_input_size(x_t, "x_t", D)
    h_prev = V.check_single_state(h_prev, x_t.shape[0], H, x_t.dtype, name="h_prev")
    return x_t, h_prev, p, form


# ----------------------------------------------------------------------------- params


def init_params(D: int, H: int, rng: np.random.Generator, dtype=np.float64) -> GRUParams:
    """PyTorch's initialisation: every entry ``U(-1/sqrt(H), 1/sqrt(H))``.

    >>> p = init_params(3, 4, np.random.default_rng(0))
    >>> p.W_ih.shape, p.W_hh.shape, p.b_ih.shape
    ((12, 3), (12, 4), (12,))
    """
    D, H = V.check_size(D, "D"), V.check_size(H, "H")
    rng = V.check_rng(rng)
    dtype = V.check_dtype(dtype)
    k = 1.0 / np.sqrt(H)
    shapes = ((3 * H, D), (3 * H, H), (3 * H,), (3 * H,))
    return GRUParams(*(rng.uniform(-k, k, size=s).astype(dtype) for s in shapes))


def torch_to_article_z(p: GRUParams) -> GRUParams:
    """Negate the z rows and biases, so that ``sigma(new a_z) = 1 - sigma(old a_z)``.

    Applied to ``nn.GRU`` weights it gives weights whose z block is the article's
    update gate ``z_t`` (the share of the new candidate). The map is its own inverse.
    Only the z gate changes: r, n and the placement of r are untouched, so
    ``gru_forward(x, torch_to_article_z(p), form="article")`` differs from
    ``gru_forward(x, p, form="torch")`` only by where r sits.
    """
    V.check_params(p, _FIELDS, 3, kind="GRU")
    H = np.shape(p.W_hh)[1]
    out = []
    for f in _FIELDS:
        a = np.array(getattr(p, f), copy=True)
        a[H:2 * H] = -a[H:2 * H]  # the z block
        out.append(a)
    return GRUParams(*out)


article_to_torch_z = torch_to_article_z  # negation is an involution


# ----------------------------------------------------------------------------- one step


def _step(x_t, h_prev, p: GRUParams, form: str):
    """Unchecked core of ``gru_step``: returns h_t and the gates ``(r, z, n)``, each (B, H)."""
    W_ir, W_iz, W_in = np.split(p.W_ih, 3)  # each (H, D)
    W_hr, W_hz, W_hn = np.split(p.W_hh, 3)  # each (H, H)
    b_ir, b_iz, b_in = np.split(p.b_ih, 3)  # each (H,)
    b_hr, b_hz, b_hn = np.split(p.b_hh, 3)
    r = sigmoid(x_t @ W_ir.T + b_ir + h_prev @ W_hr.T + b_hr)  # (B, H)
    z = sigmoid(x_t @ W_iz.T + b_iz + h_prev @ W_hz.T + b_hz)  # (B, H)
    if form == "torch":
        n = tanh(x_t @ W_in.T + b_in + r * (h_prev @ W_hn.T + b_hn))  # reset after the product
        h_t = (1 - z) * n + z * h_prev
    else:
        n = tanh(x_t @ W_in.T + b_in + (r * h_prev) @ W_hn.T + b_hn)  # reset before it: h~_t
        h_t = (1 - z) * h_prev + z * n
    return h_t, (r, z, n)


def _gates_dict(r, z, n, form: str) -> dict:
    return {"r": r, "z": z, ("n" if form == "torch" else "h_tilde"): n}


def gru_step(x_t, h_prev, p: GRUParams, form: str = "torch", return_gates: bool = False):
    """One GRU step: ``h_t = gru_step(x_t, h_prev, p, form)``.

    x_t: (B, D)   h_prev: (B, H) or None (zeros)   returns h_t: (B, H)
    With ``return_gates=True`` returns ``(h_t, gates)``, gates a dict of ``(B, H)``
    arrays ``"r"``, ``"z"``, ``"n"`` (torch) or ``"h_tilde"`` (article).
    """
    x_t, h_prev, p, form = _check_step(x_t, h_prev, p, form)
    h_t, (r, z, n) = _step(x_t, h_prev, p, form)
    if return_gates:
        return h_t, _gates_dict(r, z, n, form)
    return h_t


def _step_backward(dh_t, x_t, h_prev, p: GRUParams, form: str):
    """Unchecked core of ``gru_step_backward``; recomputes the step's forward."""
    _, (r, z, n) = _step(x_t, h_prev, p, form)
    W_hn = np.split(p.W_hh, 3)[2]  # (H, H)
    if form == "torch":
        # h_t = (1 - z) * n + z * h_{t-1};  n = tanh(a_n + r * hn),  hn = W_hn h_{t-1} + b_hn
        hn = h_prev @ W_hn.T + np.split(p.b_hh, 3)[2]  # (B, H)
        dz = dh_t * (h_prev - n)
        da_n = dh_t * (1 - z) * (1 - n ** 2)  # (B, H)
        dr = da_n * hn
        dhn = da_n * r  # the gradient of W_hn h_{t-1} + b_hn
        dh_prev = dh_t * z
        h_in = h_prev  # what W_hn multiplies
    else:
        # h_t = (1 - z) * h_{t-1} + z * h~;  h~ = tanh(a_n + W_hn (r * h_{t-1}) + b_hn)
        dz = dh_t * (n - h_prev)
        da_n = dh_t * z * (1 - n ** 2)
        drh = da_n @ W_hn  # (B, H): the gradient of r * h_{t-1}
        dr = drh * h_prev
        dhn = da_n
        dh_prev = dh_t * (1 - z) + drh * r
        h_in = r * h_prev
    da_r = dr * r * (1 - r)  # sigma' = s (1 - s)
    da_z = dz * z * (1 - z)
    dxp = np.concatenate([da_r, da_z, da_n], axis=1)  # (B, 3H): d(x_t W_ih^T + b_ih)
    dhp_rz = np.concatenate([da_r, da_z], axis=1)  # (B, 2H): d(h_{t-1} W_h{r,z}^T + b_h{r,z})
    dh_prev = dh_prev + dhp_rz @ p.W_hh[:2 * len(W_hn)]
    if form == "torch":
        dh_prev = dh_prev + dhn @ W_hn
    dW_hh = np.concatenate([dhp_rz.T @ h_prev, dhn.T @ h_in])  # (3H, H)
    db_hh = np.concatenate([dhp_rz.sum(axis=0), dhn.sum(axis=0)])  # (3H,)
    dp = GRUParams(dxp.T @ x_t, dW_hh, dxp.sum(axis=0), db_hh)
    return dxp @ p.W_ih, dp, dh_prev


def gru_step_backward(dh_t, x_t, h_prev, p: GRUParams, form: str = "torch"):
    """Backward of one ``gru_step``: ``dx_t, dp, dh_prev = gru_step_backward(dh_t, x_t, h_prev, p, form)``.

    dh_t: (B, H), the total gradient reaching h_t. Returns dx_t (B, D), dp a GRUParams
    of gradients, dh_prev (B, H).
    """
    x_t, h_prev, p, form = _check_step(x_t, h_prev, p, form)
    dh_t = V.check_grad(dh_t, "dh_t", h_prev.shape, x_t.dtype)
    return _step_backward(dh_t, x_t, h_prev, p, form)


# ----------------------------------------------------------------------------- sequence


def _core_step(x_t, h, p, form):
    h_t, (r, z, n) = _step(x_t, h, p, form)
    return h_t, _gates_dict(r, z, n, form)


def gru_forward(x, p: GRUParams, state=None, form: str = "torch",
                return_cache: bool = False, return_gates: bool = False):
    """Run a GRU over a whole sequence.

    x: (B, T, D)   state: h0 (B, H) or None (zeros)
    Returns ``Forward(hs, state)``: ``hs (B, T, H)``, ``state = h_T (B, H)``; then a
    ``cache`` field (for ``gru_backward``) if ``return_cache``, then ``gates`` (dict
    of ``(B, T, H)`` arrays) if ``return_gates``, in that order.
    """
    form = _check_form(form)
    x = V.check_sequence(x, "x")
    p, D, H = _cast_params(p, x.dtype)
    V.check_input_size(x, "x", D)
    h0 = V.check_single_state(state, x.shape[0], H, x.dtype)
    x_tm = cells.time_major(x)  # (T, B, D)
    hs, gates = cells.run_steps(_core_step, x_tm, h0, p, form)
    hs_tm = np.stack(hs)  # (T+1, B, H) h_0 .. h_T
    return cells.forward_result(cells.batch_major(hs_tm[1:]), hs[-1],
                                GRUCache(x_tm, p, hs_tm, form) if return_cache else None,
                                cells.stack_gates(gates) if return_gates else None)


def gru_backward(dhs, cache: GRUCache, dstate=None):
    """Backpropagation through time for ``gru_forward``: the step backward, chained.

    dhs: (B, T, H), gradient of the loss w.r.t. ``hs``; dstate: ``dh_T (B, H)`` or None.
    Returns ``dx (B, T, D), dp (GRUParams), dh0 (B, H)`` in ``x``'s dtype.
    The form is taken from the cache.
    """
    x_tm, p, hs_tm, form = V.check_cache(cache, GRUCache, "gru_forward")
    T, B, _ = x_tm.shape
    H = hs_tm.shape[2]
    dhs = V.check_grad(dhs, "dhs", (B, T, H), x_tm.dtype)
    dh = V.check_single_grad(dstate, B, H, x_tm.dtype)
    dx_tm, dp, dh0 = cells.backprop_steps(_step_backward, cells.time_major(dhs), x_tm, hs_tm, dh, p, form)
    return cells.batch_major(dx_tm), dp, dh0

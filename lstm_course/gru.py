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

The two forms differ in two places (course brief, section 3):

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
from .activations import sigmoid, tanh

__all__ = [
    "GRUParams",
    "FORMS",
    "init_params",
    "torch_to_article_z",
    "article_to_torch_z",
    "gru_step",
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


# ----------------------------------------------------------------------------- params


def init_params(D: int, H: int, rng: np.random.Generator, dtype=np.float64) -> GRUParams:
    """PyTorch's initialisation: every entry ``U(-1/sqrt(H), 1/sqrt(H))``.

    >>> p = init_params(3, 4, np.random.default_rng(0))
    >>> p.W_ih.shape, p.W_hh.shape, p.b_ih.shape
    ((12, 3), (12, 4), (12,))
    """
    D, H = V.check_size(D, "D"), V.check_size(H, "H")
    rng = V.check_rng(rng)
    dtype = np.dtype(dtype)
    if dtype not in V.FLOAT_DTYPES:
        raise TypeError(f"dtype: expected float32 or float64, got {dtype}")
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


def _step(xp_t, h, p: GRUParams, H: int, form: str):
    """One step from the input projection ``xp_t = x_t W_ih^T + b_ih: (B, 3H)``.

    Returns ``h_t`` and the values backward needs.
    """
    hp = h @ p.W_hh.T + p.b_hh  # (B, 3H)
    r = sigmoid(xp_t[:, :H] + hp[:, :H])  # (B, H)
    z = sigmoid(xp_t[:, H:2 * H] + hp[:, H:2 * H])  # (B, H)
    if form == "torch":
        hn = hp[:, 2 * H:]  # (B, H): W_hn h + b_hn, reset after the product
        n = tanh(xp_t[:, 2 * H:] + r * hn)
        h_new = (1 - z) * n + z * h
        aux = hn
    else:
        rh = r * h  # (B, H): reset before the product
        n = tanh(xp_t[:, 2 * H:] + rh @ p.W_hh[2 * H:].T + p.b_hh[2 * H:])
        h_new = (1 - z) * h + z * n
        aux = rh
    return h_new, r, z, n, aux


def _gates_dict(r, z, n, form: str) -> dict:
    return {"r": r, "z": z, ("n" if form == "torch" else "h_tilde"): n}


def gru_step(x_t, h_prev, p: GRUParams, form: str = "torch", return_gates: bool = False):
    """One GRU step: ``h_t = gru_step(x_t, h_prev, p, form)``.

    x_t: (B, D)   h_prev: (B, H) or None (zeros)   returns h_t: (B, H)
    With ``return_gates=True`` returns ``(h_t, gates)``, gates a dict of ``(B, H)``
    arrays ``"r"``, ``"z"``, ``"n"`` (torch) or ``"h_tilde"`` (article).
    """
    form = _check_form(form)
    x_t = V.check_step_input(x_t, "x_t")
    p, D, H = _cast_params(p, x_t.dtype)
    if x_t.shape[1] != D:
        raise ValueError(f"x_t: expected input size D={D} (from the params' W_ih), got shape {x_t.shape}")
    h = V.check_single_state(h_prev, x_t.shape[0], H, x_t.dtype, name="h_prev")
    xp_t = x_t @ p.W_ih.T + p.b_ih  # (B, 3H)
    h_new, r, z, n, _ = _step(xp_t, h, p, H, form)
    if return_gates:
        return h_new, _gates_dict(r, z, n, form)
    return h_new


# ----------------------------------------------------------------------------- sequence


def gru_forward(x, p: GRUParams, state=None, form: str = "torch",
                return_cache: bool = False, return_gates: bool = False):
    """Run a GRU over a whole sequence.

    x: (B, T, D)   state: h0 (B, H) or None (zeros)
    Returns ``hs (B, T, H), h_T (B, H)``, then ``cache`` if ``return_cache``, then
    ``gates`` (dict of ``(B, T, H)`` arrays) if ``return_gates``, in that order.
    """
    form = _check_form(form)
    x = V.check_sequence(x, "x")
    p, D, H = _cast_params(p, x.dtype)
    if x.shape[2] != D:
        raise ValueError(f"x: expected input size D={D} (from the params' W_ih), got shape {x.shape}")
    B, T, _ = x.shape
    h0 = V.check_single_state(state, B, H, x.dtype)

    xp = x @ p.W_ih.T + p.b_ih  # (B, T, 3H): input projections of all steps at once
    hs = np.empty((B, T, H), dtype=x.dtype)
    r = np.empty_like(hs)
    z = np.empty_like(hs)
    n = np.empty_like(hs)
    aux = np.empty_like(hs)  # torch: W_hn h + b_hn; article: r * h
    h = h0
    for t in range(T):
        h, r[:, t], z[:, t], n[:, t], aux[:, t] = _step(xp[:, t], h, p, H, form)
        hs[:, t] = h
    if not return_cache:
        out = [hs, h]
    else:  # the caller gets copies, so editing hs or the gates cannot corrupt backward
        out = [hs.copy(), h, {"kind": "gru", "form": form, "x": x, "p": p, "h0": h0, "hs": hs,
                              "r": r, "z": z, "n": n, "aux": aux}]
        r, z, n = r.copy(), z.copy(), n.copy()
    if return_gates:
        out.append(_gates_dict(r, z, n, form))
    return tuple(out)


def gru_backward(dhs, cache: dict, dstate=None):
    """Backpropagation through time for ``gru_forward``.

    dhs: (B, T, H), gradient of the loss w.r.t. ``hs``; dstate: ``dh_T (B, H)`` or None.
    Returns ``dx (B, T, D), dp (GRUParams), dh0 (B, H)`` in ``x``'s dtype.
    The form is taken from the cache.
    """
    if not isinstance(cache, dict) or cache.get("kind") != "gru":
        raise TypeError(f"cache: expected the cache of gru_forward(..., return_cache=True), "
                        f"got {type(cache).__name__}")
    form, x, p, h0, hs = cache["form"], cache["x"], cache["p"], cache["h0"], cache["hs"]
    r, z, n, aux = cache["r"], cache["z"], cache["n"], cache["aux"]
    B, T, H = hs.shape
    dhs = V.check_grad(dhs, "dhs", hs.shape, x.dtype)
    dh = (np.zeros((B, H), dtype=x.dtype) if dstate is None
          else V.check_grad(dstate, "dstate", (B, H), x.dtype).copy())

    dxp = np.empty((B, T, 3 * H), dtype=x.dtype)  # dL/d(x W_ih^T + b_ih)
    dW_hh = np.zeros_like(p.W_hh)
    db_hh = np.zeros_like(p.b_hh)
    W_hr_z = p.W_hh[:2 * H]  # (2H, H)
    W_hn = p.W_hh[2 * H:]  # (H, H)
    for t in reversed(range(T)):
        dh = dh + dhs[:, t]  # (B, H): total gradient reaching h_t
        h_prev = hs[:, t - 1] if t > 0 else h0
        r_t, z_t, n_t, aux_t = r[:, t], z[:, t], n[:, t], aux[:, t]
        if form == "torch":
            dn = dh * (1 - z_t)
            dz = dh * (h_prev - n_t)
            dh_prev = dh * z_t
            da_n = dn * (1 - n_t * n_t)
            dr = da_n * aux_t  # aux = W_hn h + b_hn
            dhn = da_n * r_t  # gradient of W_hn h + b_hn
        else:
            dn = dh * z_t
            dz = dh * (n_t - h_prev)
            dh_prev = dh * (1 - z_t)
            da_n = dn * (1 - n_t * n_t)
            drh = da_n @ W_hn  # (B, H): gradient of r * h
            dr = drh * h_prev
            dh_prev = dh_prev + drh * r_t
            dhn = da_n
        da_r = dr * r_t * (1 - r_t)
        da_z = dz * z_t * (1 - z_t)
        da_rz = np.concatenate([da_r, da_z], axis=1)  # (B, 2H)
        dxp[:, t] = np.concatenate([da_rz, da_n], axis=1)  # (B, 3H)
        dW_hh[:2 * H] += da_rz.T @ h_prev
        if form == "torch":
            dW_hh[2 * H:] += dhn.T @ h_prev
            dh_prev = dh_prev + da_rz @ W_hr_z + dhn @ W_hn
        else:
            dW_hh[2 * H:] += dhn.T @ aux_t  # aux = r * h
            dh_prev = dh_prev + da_rz @ W_hr_z
        db_hh[:2 * H] += da_rz.sum(axis=0)
        db_hh[2 * H:] += dhn.sum(axis=0)
        dh = dh_prev

    dx = dxp @ p.W_ih  # (B, T, D)
    dW_ih = np.einsum("btk,btd->kd", dxp, x)  # (3H, D)
    db_ih = dxp.sum(axis=(0, 1))  # (3H,)
    return dx, GRUParams(dW_ih, dW_hh, db_ih, db_hh), dh

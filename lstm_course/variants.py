"""Two LSTM variants from the article: peephole connections and coupled gates.

Both keep PyTorch's LSTM layout for the ordinary weights (``W_ih``, ``W_hh``,
``b_ih``, ``b_hh``) and write ``a_k = W_ik x_t + b_ik + W_hk h_{t-1} + b_hk`` for
the gate block ``k``.

**Peephole LSTM** (Gers & Schmidhuber 2000, "Recurrent nets that time and count"),
in the article's form: the forget and input gates look at the *old* cell state, the
output gate at the *new* one::

    i_t = sigma(a_i + P_i(C_{t-1}))       f_t = sigma(a_f + P_f(C_{t-1}))
    C~_t = tanh(a_g)                     C_t = f_t * C_{t-1} + i_t * C~_t
    o_t = sigma(a_o + P_o(C_t))          h_t = o_t * tanh(C_t)

The article's ``W_f . [C_{t-1}, h_{t-1}, x_t] + b_f`` is ``[W_cf | W_hf | W_if]`` with
``b_f = b_if + b_hf``. Rows of ``W_ih (4H, D)`` and ``W_hh (4H, H)`` are in the blocks
i, f, g, o (PyTorch's order). The peephole weights ``W_ci, W_cf, W_co`` come in two
kinds, chosen by ``init_peephole_params(..., diagonal=...)`` and recognised from
their shapes:

* full, ``(H, H)``: ``P(C) = C @ W^T``, the full matrix of the article's figure
  (concatenating C to the gate's input);
* diagonal, ``(H,)``: ``P(C) = W * C``, each unit sees only its own cell, as in
  Gers & Schmidhuber's paper and most libraries.

**Coupled forget and input gates**: the input gate is replaced by ``1 - f_t``, so
the cell writes exactly as much as it forgets::

    f_t = sigma(a_f)   C~_t = tanh(a_g)   o_t = sigma(a_o)
    C_t = f_t * C_{t-1} + (1 - f_t) * C~_t        h_t = o_t * tanh(C_t)

Its parameters have no i block at all: ``W_ih (3H, D)``, ``W_hh (3H, H)``, ``b_ih``,
``b_hh (3H,)``, row blocks **f, g, o** (an LSTM's i, f, g, o with i removed). Keeping
a dead i block would leave parameters with zero gradient and blur the point that
coupling saves a quarter of the gate weights; ``coupled_params_from_lstm`` drops the
block from an LSTM's params.

Greff et al. (2017) found that neither coupling the gates nor removing the
peepholes costs much accuracy.

Return orders (mirroring ``lstm.lstm_forward`` / ``lstm.lstm_backward``)::

    h_t, c_t[, gates]                    = peephole_step(x_t, state, p[, return_gates])
    hs, (h_T, c_T)[, cache][, gates]     = peephole_forward(x, p, state, return_cache, return_gates)
    dx, dp, (dh0, dc0)                   = peephole_backward(dhs, cache, dstate)

and the same for ``coupled_*``. ``gates`` is a dict of ``(B, T, H)`` arrays (``(B, H)``
for a step): ``"i", "f", "g", "o"`` and the cell states ``"c"``; for the coupled cell
``"i"`` is the implied input gate ``1 - f``, not a learned one.

Shapes: ``B`` batch, ``T`` steps, ``D`` input size, ``H`` hidden size; ``x: (B, T, D)``
batch-first; ``state = (h0, c0)``, each ``(B, H)``, or None for zeros. Parameters are
cast to ``x``'s dtype (float32 or float64); outputs and gradients come back in it.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as V
from .activations import sigmoid, tanh

__all__ = [
    "PeepholeParams",
    "CoupledParams",
    "init_peephole_params",
    "init_coupled_params",
    "peephole_params_from_lstm",
    "coupled_params_from_lstm",
    "peephole_step",
    "peephole_forward",
    "peephole_backward",
    "coupled_step",
    "coupled_forward",
    "coupled_backward",
]

_BASE = ("W_ih", "W_hh", "b_ih", "b_hh")
_PEEP = ("W_ci", "W_cf", "W_co")


class PeepholeParams(NamedTuple):
    """Peephole LSTM parameters.

    W_ih: (4H, D)   W_hh: (4H, H)   b_ih, b_hh: (4H,)   row blocks i, f, g, o
    W_ci, W_cf, W_co: (H, H) full peepholes, or (H,) diagonal ones (all three alike)
    """

    W_ih: np.ndarray
    W_hh: np.ndarray
    b_ih: np.ndarray
    b_hh: np.ndarray
    W_ci: np.ndarray
    W_cf: np.ndarray
    W_co: np.ndarray


class CoupledParams(NamedTuple):
    """Coupled-gate LSTM parameters.

    W_ih: (3H, D)   W_hh: (3H, H)   b_ih, b_hh: (3H,)   row blocks f, g, o
    """

    W_ih: np.ndarray
    W_hh: np.ndarray
    b_ih: np.ndarray
    b_hh: np.ndarray


# ----------------------------------------------------------------------------- helpers


def _uniform(rng, H: int, shapes, dtype):
    k = 1.0 / np.sqrt(H)  # PyTorch's U(-1/sqrt(H), 1/sqrt(H))
    return [rng.uniform(-k, k, size=s).astype(dtype) for s in shapes]


def _check_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in V.FLOAT_DTYPES:
        raise TypeError(f"dtype: expected float32 or float64, got {dtype}")
    return dtype


def _cast_peephole(p, dtype) -> tuple[PeepholeParams, int, int, bool]:
    """Validate peephole params; return them in ``dtype`` with ``(D, H, diagonal)``."""
    D, H = V.check_params(p, _BASE + _PEEP, 4, kind="peephole LSTM")
    peeps = [V.as_float_array(getattr(p, f), f"params.{f}", dtype=dtype) for f in _PEEP]
    for f, w in zip(_PEEP, peeps):
        if w.shape not in ((H, H), (H,)):
            raise ValueError(f"params.{f}: expected shape ({H}, {H}) (full) or ({H},) (diagonal) "
                             f"to match W_hh's H={H}, got {w.shape}")
    if len({w.ndim for w in peeps}) != 1:
        got = ", ".join(f"{f} {w.shape}" for f, w in zip(_PEEP, peeps))
        raise ValueError(f"params: expected W_ci, W_cf, W_co all full (H, H) or all diagonal (H,), got {got}")
    for f, w in zip(_PEEP, peeps):
        V.check_finite(w, f"params.{f}")
    base = [V.as_float_array(getattr(p, f), f"params.{f}", dtype=dtype) for f in _BASE]
    return PeepholeParams(*base, *peeps), D, H, peeps[0].ndim == 1


def _cast_coupled(p, dtype) -> tuple[CoupledParams, int, int]:
    D, H = V.check_params(p, _BASE, 3, kind="coupled-gate LSTM")
    return CoupledParams(*(V.as_float_array(getattr(p, f), f"params.{f}", dtype=dtype) for f in _BASE)), D, H


def _check_x(x: np.ndarray, D: int) -> np.ndarray:
    """The input size of an already validated ``x: (B, T, D)`` must match the params'."""
    if x.shape[2] != D:
        raise ValueError(f"x: expected input size D={D} (from the params' W_ih), got shape {x.shape}")
    return x


def _check_x_t(x_t: np.ndarray, D: int) -> np.ndarray:
    """Likewise for an already validated ``x_t: (B, D)``."""
    if x_t.shape[1] != D:
        raise ValueError(f"x_t: expected input size D={D} (from the params' W_ih), got shape {x_t.shape}")
    return x_t


def _check_dstate(dstate, B: int, H: int, dtype):
    """``dstate`` is None or a pair ``(dh_T, dc_T)``; either entry may be None."""
    zeros = lambda: np.zeros((B, H), dtype=dtype)  # noqa: E731
    if dstate is None:
        return zeros(), zeros()
    if isinstance(dstate, np.ndarray) or not isinstance(dstate, (tuple, list)) or len(dstate) != 2:
        extra = f" of length {len(dstate)}" if isinstance(dstate, (tuple, list)) else ""
        raise TypeError(f"dstate: expected None or a pair (dh_T, dc_T) of arrays each of shape ({B}, {H}), "
                        f"got {V._describe(dstate)}{extra}")
    dh, dc = dstate
    dh = zeros() if dh is None else V.check_grad(dh, "dstate[0] (dh_T)", (B, H), dtype).copy()
    dc = zeros() if dc is None else V.check_grad(dc, "dstate[1] (dc_T)", (B, H), dtype).copy()
    return dh, dc


def _check_cache(cache, kind: str, fn: str) -> dict:
    if not isinstance(cache, dict) or cache.get("kind") != kind:
        got = f"a {cache.get('kind')} cache" if isinstance(cache, dict) and "kind" in cache else type(cache).__name__
        raise TypeError(f"cache: expected the cache of {fn}(..., return_cache=True), got {got}")
    return cache


def _peep(c, W, diagonal: bool):
    """The peephole term: ``W * c`` (diagonal) or ``c @ W^T`` (full). c: (B, H)."""
    return c * W if diagonal else c @ W.T


def _peep_back(da, W, diagonal: bool):
    """Gradient of the peephole term w.r.t. the cell state."""
    return da * W if diagonal else da @ W


def _peep_wgrad(da, c, diagonal: bool):
    """Gradient of the peephole term w.r.t. its weights, summed over the batch."""
    return (da * c).sum(axis=0) if diagonal else da.T @ c


# ----------------------------------------------------------------------------- params


def _check_forget_bias(forget_bias) -> float:
    if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float, np.floating, np.integer)) \
            or not np.isfinite(forget_bias):
        raise ValueError(f"forget_bias: expected a finite number, got {forget_bias!r}")
    return float(forget_bias)


def init_peephole_params(D: int, H: int, rng: np.random.Generator, diagonal: bool = False,
                         forget_bias: float = 0.0, dtype=np.float64) -> PeepholeParams:
    """Every entry ``U(-1/sqrt(H), 1/sqrt(H))``, peepholes included.

    ``diagonal=False`` gives full ``(H, H)`` peephole matrices (the article's
    figure); ``diagonal=True`` gives ``(H,)`` vectors (Gers & Schmidhuber 2000).
    ``forget_bias`` is added to the f block of ``b_ih``, as in ``lstm.init_params``.
    The four LSTM arrays are drawn first, in the LSTM's order, so the same seed gives
    the same ``W_ih, W_hh, b_ih, b_hh`` as ``lstm.init_params``.
    """
    D, H = V.check_size(D, "D"), V.check_size(H, "H")
    rng, dtype = V.check_rng(rng), _check_dtype(dtype)
    if not isinstance(diagonal, (bool, np.bool_)):
        raise TypeError(f"diagonal: expected True or False, got {diagonal!r}")
    forget_bias = _check_forget_bias(forget_bias)
    ps = (H,) if diagonal else (H, H)
    arrays = _uniform(rng, H, [(4 * H, D), (4 * H, H), (4 * H,), (4 * H,), ps, ps, ps], np.float64)
    arrays[2][H:2 * H] += forget_bias  # b_if
    return PeepholeParams(*(a.astype(dtype) for a in arrays))


def init_coupled_params(D: int, H: int, rng: np.random.Generator, forget_bias: float = 0.0,
                        dtype=np.float64) -> CoupledParams:
    """Every entry ``U(-1/sqrt(H), 1/sqrt(H))``; blocks f, g, o.

    ``forget_bias`` is added to the f block of ``b_ih`` (rows 0:H here).
    """
    D, H = V.check_size(D, "D"), V.check_size(H, "H")
    rng, dtype = V.check_rng(rng), _check_dtype(dtype)
    forget_bias = _check_forget_bias(forget_bias)
    arrays = _uniform(rng, H, [(3 * H, D), (3 * H, H), (3 * H,), (3 * H,)], np.float64)
    arrays[2][:H] += forget_bias  # b_if
    return CoupledParams(*(a.astype(dtype) for a in arrays))


def peephole_params_from_lstm(p, diagonal: bool = False) -> PeepholeParams:
    """An LSTM's params (blocks i, f, g, o) with zero peepholes added.

    With zero peepholes the peephole LSTM computes exactly the standard LSTM, so
    a chapter can start from trained LSTM weights and switch the peepholes on.
    """
    D, H = V.check_params(p, _BASE, 4, kind="LSTM")
    if not isinstance(diagonal, (bool, np.bool_)):
        raise TypeError(f"diagonal: expected True or False, got {diagonal!r}")
    base = [np.array(getattr(p, f), copy=True) for f in _BASE]
    ps = (H,) if diagonal else (H, H)
    return PeepholeParams(*base, *(np.zeros(ps, dtype=base[0].dtype) for _ in _PEEP))


def coupled_params_from_lstm(p) -> CoupledParams:
    """Drop the input-gate rows (block i) from an LSTM's params (blocks i, f, g, o)."""
    D, H = V.check_params(p, _BASE, 4, kind="LSTM")
    return CoupledParams(*(np.array(getattr(p, f)[H:], copy=True) for f in _BASE))


# ----------------------------------------------------------------------------- peephole


def _peephole_cell(xp_t, h, c, p: PeepholeParams, H: int, diagonal: bool):
    """One step from ``xp_t = x_t W_ih^T + b_ih: (B, 4H)``; returns h, c, i, f, g, o."""
    a = xp_t + h @ p.W_hh.T + p.b_hh  # (B, 4H)
    i = sigmoid(a[:, :H] + _peep(c, p.W_ci, diagonal))  # sees C_{t-1}
    f = sigmoid(a[:, H:2 * H] + _peep(c, p.W_cf, diagonal))  # sees C_{t-1}
    g = tanh(a[:, 2 * H:3 * H])
    c_new = f * c + i * g
    o = sigmoid(a[:, 3 * H:] + _peep(c_new, p.W_co, diagonal))  # sees the new C_t
    h_new = o * tanh(c_new)
    return h_new, c_new, i, f, g, o


def peephole_step(x_t, state, p: PeepholeParams, return_gates: bool = False):
    """One peephole-LSTM step: ``h_t, c_t = peephole_step(x_t, (h_prev, c_prev), p)``.

    x_t: (B, D)   state: pair of (B, H) or None   returns h_t, c_t: (B, H)
    With ``return_gates=True`` also returns a dict of ``(B, H)`` arrays i, f, g, o, c.
    """
    x_t = V.check_step_input(x_t, "x_t")
    p, D, H, diagonal = _cast_peephole(p, x_t.dtype)
    x_t = _check_x_t(x_t, D)
    h, c = V.check_lstm_state(state, x_t.shape[0], H, x_t.dtype)
    h, c, i, f, g, o = _peephole_cell(x_t @ p.W_ih.T + p.b_ih, h, c, p, H, diagonal)
    if return_gates:
        return h, c, {"i": i, "f": f, "g": g, "o": o, "c": c}
    return h, c


def peephole_forward(x, p: PeepholeParams, state=None, return_cache: bool = False,
                     return_gates: bool = False):
    """Run a peephole LSTM over a sequence.

    x: (B, T, D)   state: (h0, c0) each (B, H), or None (zeros)
    Returns ``hs (B, T, H), (h_T, c_T)``, then ``cache`` if ``return_cache``, then
    ``gates`` (dict of ``(B, T, H)``: i, f, g, o, c) if ``return_gates``.
    """
    x = V.check_sequence(x, "x")
    p, D, H, diagonal = _cast_peephole(p, x.dtype)
    x = _check_x(x, D)
    B, T, _ = x.shape
    h0, c0 = V.check_lstm_state(state, B, H, x.dtype)

    xp = x @ p.W_ih.T + p.b_ih  # (B, T, 4H)
    hs = np.empty((B, T, H), dtype=x.dtype)
    cs, gi, gf, gg, go = (np.empty_like(hs) for _ in range(5))
    h, c = h0, c0
    for t in range(T):
        h, c, gi[:, t], gf[:, t], gg[:, t], go[:, t] = _peephole_cell(xp[:, t], h, c, p, H, diagonal)
        hs[:, t], cs[:, t] = h, c
    out = [hs, (h, c)]
    if return_cache:
        out.append({"kind": "peephole", "x": x, "p": p, "diagonal": diagonal, "h0": h0, "c0": c0,
                    "hs": hs, "cs": cs, "i": gi, "f": gf, "g": gg, "o": go})
        # the caller gets copies, so editing hs or the gates cannot corrupt backward
        out[0], gi, gf, gg, go, cs = (a.copy() for a in (hs, gi, gf, gg, go, cs))
    if return_gates:
        out.append({"i": gi, "f": gf, "g": gg, "o": go, "c": cs})
    return tuple(out)


def peephole_backward(dhs, cache: dict, dstate=None):
    """Backpropagation through time for ``peephole_forward``.

    dhs: (B, T, H)   dstate: ``(dh_T, dc_T)`` or None (either entry may be None)
    Returns ``dx (B, T, D), dp (PeepholeParams), (dh0, dc0)``.
    """
    cache = _check_cache(cache, "peephole", "peephole_forward")
    x, p, diagonal, hs, cs = cache["x"], cache["p"], cache["diagonal"], cache["hs"], cache["cs"]
    gi, gf, gg, go = cache["i"], cache["f"], cache["g"], cache["o"]
    B, T, H = hs.shape
    dhs = V.check_grad(dhs, "dhs", hs.shape, x.dtype)
    dh, dc = _check_dstate(dstate, B, H, x.dtype)

    da = np.empty((B, T, 4 * H), dtype=x.dtype)  # dL/d(gate pre-activations)
    dW_hh = np.zeros_like(p.W_hh)
    dW_ci, dW_cf, dW_co = (np.zeros_like(w) for w in (p.W_ci, p.W_cf, p.W_co))
    for t in reversed(range(T)):
        dh = dh + dhs[:, t]
        h_prev = hs[:, t - 1] if t > 0 else cache["h0"]
        c_prev = cs[:, t - 1] if t > 0 else cache["c0"]
        c, i, f, g, o = cs[:, t], gi[:, t], gf[:, t], gg[:, t], go[:, t]
        tc = np.tanh(c)
        da_o = dh * tc * o * (1 - o)
        # C_t reaches the loss through h_t, through the output gate's peephole and
        # (via dc) through the next step.
        dc = dc + dh * o * (1 - tc * tc) + _peep_back(da_o, p.W_co, diagonal)
        da_i = dc * g * i * (1 - i)
        da_f = dc * c_prev * f * (1 - f)
        da_g = dc * i * (1 - g * g)
        dW_co += _peep_wgrad(da_o, c, diagonal)
        dW_ci += _peep_wgrad(da_i, c_prev, diagonal)
        dW_cf += _peep_wgrad(da_f, c_prev, diagonal)
        da_t = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (B, 4H)
        da[:, t] = da_t
        dW_hh += da_t.T @ h_prev
        dc = dc * f + _peep_back(da_i, p.W_ci, diagonal) + _peep_back(da_f, p.W_cf, diagonal)
        dh = da_t @ p.W_hh

    dx = da @ p.W_ih  # (B, T, D)
    dW_ih = np.einsum("btk,btd->kd", da, x)  # (4H, D)
    db = da.sum(axis=(0, 1))  # (4H,): b_ih and b_hh get the same gradient
    dp = PeepholeParams(dW_ih, dW_hh, db, db.copy(), dW_ci, dW_cf, dW_co)
    return dx, dp, (dh, dc)


# ----------------------------------------------------------------------------- coupled


def _coupled_cell(xp_t, h, c, p: CoupledParams, H: int):
    """One step from ``xp_t = x_t W_ih^T + b_ih: (B, 3H)``; returns h, c, f, g, o."""
    a = xp_t + h @ p.W_hh.T + p.b_hh  # (B, 3H)
    f = sigmoid(a[:, :H])
    g = tanh(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:])
    c_new = f * c + (1 - f) * g  # what is forgotten is replaced
    h_new = o * tanh(c_new)
    return h_new, c_new, f, g, o


def coupled_step(x_t, state, p: CoupledParams, return_gates: bool = False):
    """One coupled-gate LSTM step: ``h_t, c_t = coupled_step(x_t, (h_prev, c_prev), p)``.

    x_t: (B, D)   state: pair of (B, H) or None   returns h_t, c_t: (B, H)
    With ``return_gates=True`` also returns a dict of ``(B, H)`` arrays f, g, o,
    i (= 1 - f) and c.
    """
    x_t = V.check_step_input(x_t, "x_t")
    p, D, H = _cast_coupled(p, x_t.dtype)
    x_t = _check_x_t(x_t, D)
    h, c = V.check_lstm_state(state, x_t.shape[0], H, x_t.dtype)
    h, c, f, g, o = _coupled_cell(x_t @ p.W_ih.T + p.b_ih, h, c, p, H)
    if return_gates:
        return h, c, {"f": f, "g": g, "o": o, "i": 1 - f, "c": c}
    return h, c


def coupled_forward(x, p: CoupledParams, state=None, return_cache: bool = False,
                    return_gates: bool = False):
    """Run a coupled-gate LSTM over a sequence.

    x: (B, T, D)   state: (h0, c0) each (B, H), or None (zeros)
    Returns ``hs (B, T, H), (h_T, c_T)``, then ``cache`` if ``return_cache``, then
    ``gates`` (dict of ``(B, T, H)``: f, g, o, i = 1 - f, c) if ``return_gates``.
    """
    x = V.check_sequence(x, "x")
    p, D, H = _cast_coupled(p, x.dtype)
    x = _check_x(x, D)
    B, T, _ = x.shape
    h0, c0 = V.check_lstm_state(state, B, H, x.dtype)

    xp = x @ p.W_ih.T + p.b_ih  # (B, T, 3H)
    hs = np.empty((B, T, H), dtype=x.dtype)
    cs, gf, gg, go = (np.empty_like(hs) for _ in range(4))
    h, c = h0, c0
    for t in range(T):
        h, c, gf[:, t], gg[:, t], go[:, t] = _coupled_cell(xp[:, t], h, c, p, H)
        hs[:, t], cs[:, t] = h, c
    out = [hs, (h, c)]
    if return_cache:
        out.append({"kind": "coupled", "x": x, "p": p, "h0": h0, "c0": c0,
                    "hs": hs, "cs": cs, "f": gf, "g": gg, "o": go})
        out[0], gf, gg, go, cs = (a.copy() for a in (hs, gf, gg, go, cs))  # see peephole_forward
    if return_gates:
        out.append({"f": gf, "g": gg, "o": go, "i": 1 - gf, "c": cs})
    return tuple(out)


def coupled_backward(dhs, cache: dict, dstate=None):
    """Backpropagation through time for ``coupled_forward``.

    dhs: (B, T, H)   dstate: ``(dh_T, dc_T)`` or None (either entry may be None)
    Returns ``dx (B, T, D), dp (CoupledParams), (dh0, dc0)``.
    """
    cache = _check_cache(cache, "coupled", "coupled_forward")
    x, p, hs, cs = cache["x"], cache["p"], cache["hs"], cache["cs"]
    gf, gg, go = cache["f"], cache["g"], cache["o"]
    B, T, H = hs.shape
    dhs = V.check_grad(dhs, "dhs", hs.shape, x.dtype)
    dh, dc = _check_dstate(dstate, B, H, x.dtype)

    da = np.empty((B, T, 3 * H), dtype=x.dtype)
    dW_hh = np.zeros_like(p.W_hh)
    for t in reversed(range(T)):
        dh = dh + dhs[:, t]
        h_prev = hs[:, t - 1] if t > 0 else cache["h0"]
        c_prev = cs[:, t - 1] if t > 0 else cache["c0"]
        c, f, g, o = cs[:, t], gf[:, t], gg[:, t], go[:, t]
        tc = np.tanh(c)
        da_o = dh * tc * o * (1 - o)
        dc = dc + dh * o * (1 - tc * tc)
        da_f = dc * (c_prev - g) * f * (1 - f)  # f both keeps C_{t-1} and blocks C~_t
        da_g = dc * (1 - f) * (1 - g * g)
        da_t = np.concatenate([da_f, da_g, da_o], axis=1)  # (B, 3H)
        da[:, t] = da_t
        dW_hh += da_t.T @ h_prev
        dc = dc * f
        dh = da_t @ p.W_hh

    dx = da @ p.W_ih  # (B, T, D)
    dW_ih = np.einsum("btk,btd->kd", da, x)  # (3H, D)
    db = da.sum(axis=(0, 1))  # (3H,)
    return dx, CoupledParams(dW_ih, dW_hh, db, db.copy()), (dh, dc)

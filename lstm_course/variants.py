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

Return orders (the contract of ``cells``, as ``lstm.lstm_forward`` / ``lstm.lstm_backward``)::

    h_t, c_t[, gates]                    = peephole_step(x_t, state, p[, return_gates])
    dx_t, dp, (dh_prev, dc_prev)         = peephole_step_backward((dh_t, dc_t), x_t, state, p)
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
from . import cells
from .activations import sigmoid, tanh

__all__ = [
    "PeepholeParams",
    "PeepholeCache",
    "CoupledParams",
    "CoupledCache",
    "init_peephole_params",
    "init_coupled_params",
    "peephole_params_from_lstm",
    "coupled_params_from_lstm",
    "peephole_step",
    "peephole_step_backward",
    "peephole_forward",
    "peephole_backward",
    "coupled_step",
    "coupled_step_backward",
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


class PeepholeCache(NamedTuple):
    """What ``peephole_backward`` needs from the forward pass. Arrays are time-major."""

    x_tm: np.ndarray  # (T, B, D) the inputs
    params: PeepholeParams  # cast to x's dtype
    hs_tm: np.ndarray  # (T+1, B, H) h_0 .. h_T
    cs_tm: np.ndarray  # (T+1, B, H) c_0 .. c_T


class CoupledCache(NamedTuple):
    """What ``coupled_backward`` needs from the forward pass. Arrays are time-major."""

    x_tm: np.ndarray  # (T, B, D)
    params: CoupledParams  # cast to x's dtype
    hs_tm: np.ndarray  # (T+1, B, H)
    cs_tm: np.ndarray  # (T+1, B, H)


# ----------------------------------------------------------------------------- helpers


def _uniform(rng, H: int, shapes, dtype):
    k = 1.0 / np.sqrt(H)  # PyTorch's U(-1/sqrt(H), 1/sqrt(H))
    return [rng.uniform(-k, k, size=s).astype(dtype) for s in shapes]


def _cast_peephole(p, dtype) -> tuple[PeepholeParams, int, int]:
    """Validate peephole params; return them in ``dtype`` with ``(D, H)``."""
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
    return PeepholeParams(*base, *peeps), D, H


def _cast_coupled(p, dtype) -> tuple[CoupledParams, int, int]:
    D, H = V.check_params(p, _BASE, 3, kind="coupled-gate LSTM")
    return CoupledParams(*(V.as_float_array(getattr(p, f), f"params.{f}", dtype=dtype) for f in _BASE)), D, H


def _check_step(cast, x_t, state, p):
    """Validate one step's arguments; return them cast to x_t's dtype."""
    x_t = V.check_step_input(x_t, "x_t")
    p, D, H = cast(p, x_t.dtype)
    V.check_input_size(x_t, "x_t", D)
    return x_t, V.check_lstm_state(state, x_t.shape[0], H, x_t.dtype), p


def _step_backward(cast, step_backward, dstate, x_t, state, p):
    """The public step backward both variants share: validate, then the unchecked one."""
    x_t, state, p = _check_step(cast, x_t, state, p)
    return step_backward(V.check_pair_grad(dstate, *state[0].shape, x_t.dtype), x_t, state, p)


def _forward(cast, step, cache_cls, x, p, state, return_cache, return_gates):
    """The sequence forward both variants share: validate once, then loop the unchecked step."""
    x = V.check_sequence(x, "x")
    p, D, H = cast(p, x.dtype)
    V.check_input_size(x, "x", D)
    state = V.check_lstm_state(state, x.shape[0], H, x.dtype)
    x_tm = cells.time_major(x)  # (T, B, D)
    states, gates = cells.run_steps(step, x_tm, state, p)
    hs_tm = np.stack([h for h, _ in states])  # (T+1, B, H) h_0 .. h_T
    cs_tm = np.stack([c for _, c in states])  # (T+1, B, H) c_0 .. c_T
    return cells.forward_result(cells.batch_major(hs_tm[1:]), states[-1],
                                cache_cls(x_tm, p, hs_tm, cs_tm) if return_cache else None,
                                cells.stack_gates(gates) if return_gates else None)


def _backward(step_backward, cache_cls, forward, dhs, cache, dstate):
    """The sequence backward both variants share: the step backward, chained."""
    x_tm, p, hs_tm, cs_tm = V.check_cache(cache, cache_cls, forward)
    T, B, _ = x_tm.shape
    H = hs_tm.shape[2]
    dhs = V.check_grad(dhs, "dhs", (B, T, H), x_tm.dtype)
    dstate = V.check_pair_grad(dstate, B, H, x_tm.dtype)
    states = list(zip(hs_tm, cs_tm))  # states[t] = (h_t, c_t), the state before step t+1
    dx_tm, dp, dstate0 = cells.backprop_steps(step_backward, cells.time_major(dhs), x_tm, states, dstate, p)
    return cells.batch_major(dx_tm), dp, dstate0


def _peep(c, W):
    """The peephole term: ``W * c`` (diagonal, W: (H,)) or ``c @ W^T`` (full, W: (H, H)). c: (B, H)."""
    return c * W if W.ndim == 1 else c @ W.T


def _peep_back(da, W):
    """Gradient of the peephole term w.r.t. the cell state."""
    return da * W if W.ndim == 1 else da @ W


def _peep_wgrad(da, c, W):
    """Gradient of the peephole term w.r.t. its weights W, summed over the batch."""
    return (da * c).sum(axis=0) if W.ndim == 1 else da.T @ c


# ----------------------------------------------------------------------------- params


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
    rng, dtype = V.check_rng(rng), V.check_dtype(dtype)
    V.check_flag(diagonal, "diagonal")
    forget_bias = V.check_number(forget_bias, "forget_bias")
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
    rng, dtype = V.check_rng(rng), V.check_dtype(dtype)
    forget_bias = V.check_number(forget_bias, "forget_bias")
    arrays = _uniform(rng, H, [(3 * H, D), (3 * H, H), (3 * H,), (3 * H,)], np.float64)
    arrays[2][:H] += forget_bias  # b_if
    return CoupledParams(*(a.astype(dtype) for a in arrays))


def peephole_params_from_lstm(p, diagonal: bool = False) -> PeepholeParams:
    """An LSTM's params (blocks i, f, g, o) with zero peepholes added.

    With zero peepholes the peephole LSTM computes exactly the standard LSTM, so
    a chapter can start from trained LSTM weights and switch the peepholes on.
    """
    D, H = V.check_params(p, _BASE, 4, kind="LSTM")
    V.check_flag(diagonal, "diagonal")
    base = [np.array(getattr(p, f), copy=True) for f in _BASE]
    ps = (H,) if diagonal else (H, H)
    return PeepholeParams(*base, *(np.zeros(ps, dtype=base[0].dtype) for _ in _PEEP))


def coupled_params_from_lstm(p) -> CoupledParams:
    """Drop the input-gate rows (block i) from an LSTM's params (blocks i, f, g, o)."""
    D, H = V.check_params(p, _BASE, 4, kind="LSTM")
    return CoupledParams(*(np.array(getattr(p, f)[H:], copy=True) for f in _BASE))


def _affine_backward(da, x_t, h_prev, p):
    """Back through ``a = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh``; da: (B, nH).

    Returns dx_t (B, D), dh_prev (B, H), dW_ih, dW_hh and db (the same for both biases).
    """
    return da @ p.W_ih, da @ p.W_hh, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)


# ----------------------------------------------------------------------------- peephole


def _peephole_step(x_t, state, p: PeepholeParams):
    """Unchecked core of ``peephole_step``: returns ``(h_t, c_t)`` and the gates."""
    h_prev, c_prev = state
    a = x_t @ p.W_ih.T + p.b_ih + h_prev @ p.W_hh.T + p.b_hh  # (B, 4H)
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)  # each (B, H)
    i_t = sigmoid(a_i + _peep(c_prev, p.W_ci))  # sees C_{t-1}
    f_t = sigmoid(a_f + _peep(c_prev, p.W_cf))  # sees C_{t-1}
    g_t = tanh(a_g)
    c_t = f_t * c_prev + i_t * g_t
    o_t = sigmoid(a_o + _peep(c_t, p.W_co))  # sees the new C_t
    h_t = o_t * tanh(c_t)
    return (h_t, c_t), {"i": i_t, "f": f_t, "g": g_t, "o": o_t, "c": c_t}


def peephole_step(x_t, state, p: PeepholeParams, return_gates: bool = False):
    """One peephole-LSTM step: ``h_t, c_t = peephole_step(x_t, (h_prev, c_prev), p)``.

    x_t: (B, D)   state: pair of (B, H) or None   returns h_t, c_t: (B, H)
    With ``return_gates=True`` also returns a dict of ``(B, H)`` arrays i, f, g, o, c.
    """
    (h_t, c_t), gates = _peephole_step(*_check_step(_cast_peephole, x_t, state, p))
    return (h_t, c_t, gates) if return_gates else (h_t, c_t)


def _peephole_step_backward(dstate, x_t, state, p: PeepholeParams):
    """Unchecked core of ``peephole_step_backward``; recomputes the step's forward."""
    (dh_t, dc_next), (h_prev, c_prev) = dstate, state
    _, gates = _peephole_step(x_t, state, p)
    i, f, g, o, c = (gates[k] for k in "ifgoc")  # each (B, H)
    tanh_c = np.tanh(c)
    da_o = dh_t * tanh_c * o * (1 - o)  # h_t = o_t * tanh(C_t)
    # C_t reaches the loss through h_t, through the output gate's peephole and via step t+1
    dc = dc_next + dh_t * o * (1 - tanh_c ** 2) + _peep_back(da_o, p.W_co)
    da_i = dc * g * i * (1 - i)  # C_t = f_t * C_{t-1} + i_t * C~_t
    da_f = dc * c_prev * f * (1 - f)
    da_g = dc * i * (1 - g ** 2)
    dc_prev = dc * f + _peep_back(da_i, p.W_ci) + _peep_back(da_f, p.W_cf)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (B, 4H), blocks i, f, g, o
    dx_t, dh_prev, dW_ih, dW_hh, db = _affine_backward(da, x_t, h_prev, p)
    dp = PeepholeParams(dW_ih, dW_hh, db, db.copy(), _peep_wgrad(da_i, c_prev, p.W_ci),
                        _peep_wgrad(da_f, c_prev, p.W_cf), _peep_wgrad(da_o, c, p.W_co))
    return dx_t, dp, (dh_prev, dc_prev)


def peephole_step_backward(dstate, x_t, state, p: PeepholeParams):
    """Backward of one ``peephole_step``: ``dx_t, dp, (dh_prev, dc_prev)``.

    dstate: ``(dh_t, dc_t)``, the gradients reaching h_t and (from step t+1) C_t.
    """
    return _step_backward(_cast_peephole, _peephole_step_backward, dstate, x_t, state, p)


def peephole_forward(x, p: PeepholeParams, state=None, return_cache: bool = False,
                     return_gates: bool = False):
    """Run a peephole LSTM over a sequence.

    x: (B, T, D)   state: (h0, c0) each (B, H), or None (zeros)
    Returns ``Forward(hs (B, T, H), state (h_T, c_T))``, then a ``cache`` field if
    ``return_cache``, then ``gates`` (dict of ``(B, T, H)``: i, f, g, o, c) if ``return_gates``.
    """
    return _forward(_cast_peephole, _peephole_step, PeepholeCache, x, p, state, return_cache, return_gates)


def peephole_backward(dhs, cache: PeepholeCache, dstate=None):
    """Backpropagation through time for ``peephole_forward``.

    dhs: (B, T, H)   dstate: ``(dh_T, dc_T)`` or None (either entry may be None)
    Returns ``dx (B, T, D), dp (PeepholeParams), (dh0, dc0)``.
    """
    return _backward(_peephole_step_backward, PeepholeCache, "peephole_forward", dhs, cache, dstate)


# ----------------------------------------------------------------------------- coupled


def _coupled_step(x_t, state, p: CoupledParams):
    """Unchecked core of ``coupled_step``: returns ``(h_t, c_t)`` and the gates."""
    h_prev, c_prev = state
    a = x_t @ p.W_ih.T + p.b_ih + h_prev @ p.W_hh.T + p.b_hh  # (B, 3H)
    a_f, a_g, a_o = np.split(a, 3, axis=1)  # each (B, H)
    f_t = sigmoid(a_f)
    g_t = tanh(a_g)
    o_t = sigmoid(a_o)
    c_t = f_t * c_prev + (1 - f_t) * g_t  # what is forgotten is replaced
    h_t = o_t * tanh(c_t)
    return (h_t, c_t), {"f": f_t, "g": g_t, "o": o_t, "i": 1 - f_t, "c": c_t}


def coupled_step(x_t, state, p: CoupledParams, return_gates: bool = False):
    """One coupled-gate LSTM step: ``h_t, c_t = coupled_step(x_t, (h_prev, c_prev), p)``.

    x_t: (B, D)   state: pair of (B, H) or None   returns h_t, c_t: (B, H)
    With ``return_gates=True`` also returns a dict of ``(B, H)`` arrays f, g, o,
    i (= 1 - f) and c.
    """
    (h_t, c_t), gates = _coupled_step(*_check_step(_cast_coupled, x_t, state, p))
    return (h_t, c_t, gates) if return_gates else (h_t, c_t)


def _coupled_step_backward(dstate, x_t, state, p: CoupledParams):
    """Unchecked core of ``coupled_step_backward``; recomputes the step's forward."""
    (dh_t, dc_next), (h_prev, c_prev) = dstate, state
    _, gates = _coupled_step(x_t, state, p)
    f, g, o, c = (gates[k] for k in "fgoc")  # each (B, H)
    tanh_c = np.tanh(c)
    da_o = dh_t * tanh_c * o * (1 - o)  # h_t = o_t * tanh(C_t)
    dc = dc_next + dh_t * o * (1 - tanh_c ** 2)
    da_f = dc * (c_prev - g) * f * (1 - f)  # f both keeps C_{t-1} and blocks C~_t
    da_g = dc * (1 - f) * (1 - g ** 2)
    da = np.concatenate([da_f, da_g, da_o], axis=1)  # (B, 3H), blocks f, g, o
    dx_t, dh_prev, dW_ih, dW_hh, db = _affine_backward(da, x_t, h_prev, p)
    return dx_t, CoupledParams(dW_ih, dW_hh, db, db.copy()), (dh_prev, dc * f)


def coupled_step_backward(dstate, x_t, state, p: CoupledParams):
    """Backward of one ``coupled_step``: ``dx_t, dp, (dh_prev, dc_prev)``.

    dstate: ``(dh_t, dc_t)``, the gradients reaching h_t and (from step t+1) C_t.
    """
    return _step_backward(_cast_coupled, _coupled_step_backward, dstate, x_t, state, p)


def coupled_forward(x, p: CoupledParams, state=None, return_cache: bool = False,
                    return_gates: bool = False):
    """Run a coupled-gate LSTM over a sequence.

    x: (B, T, D)   state: (h0, c0) each (B, H), or None (zeros)
    Returns ``Forward(hs (B, T, H), state (h_T, c_T))``, then a ``cache`` field if
    ``return_cache``, then ``gates`` (dict of ``(B, T, H)``: f, g, o, i = 1 - f, c) if ``return_gates``.
    """
    return _forward(_cast_coupled, _coupled_step, CoupledCache, x, p, state, return_cache, return_gates)


def coupled_backward(dhs, cache: CoupledCache, dstate=None):
    """Backpropagation through time for ``coupled_forward``.

    dhs: (B, T, H)   dstate: ``(dh_T, dc_T)`` or None (either entry may be None)
    Returns ``dx (B, T, D), dp (CoupledParams), (dh0, dc0)``.
    """
    return _backward(_coupled_step_backward, CoupledCache, "coupled_forward", dhs, cache, dstate)

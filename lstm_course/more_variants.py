"""Two more variants the article names: the Depth-Gated LSTM and the Clockwork RNN.

In numpy, small enough to read beside the equations, and following the cell contract
of ``cells`` (a cache NamedTuple, a readable step backward that recomputes the step,
a sequence backward that chains it). Torch has neither cell, so there is no torch
parity test; finite differences check every gradient.

**Depth-Gated LSTM** (Yao, Cohn, Vylomova, Duh & Dyer 2015, "Depth-Gated LSTM",
arXiv:1508.03790). A stack of LSTM layers; layer ``L+1`` reads ``x_t^{(L+1)} =
h_t^{(L)}`` as in any stacked LSTM, and in addition a *depth gate* lets the lower
layer's memory cell flow straight into the upper layer's cell::

    d_t^{(L+1)} = sigma(b_d + W_xd x_t^{(L+1)} + w_cd * c_{t-1}^{(L+1)} + w_ld * c_t^{(L)})
    c_t^{(L+1)} = d_t * c_t^{(L)} + f_t * c_{t-1}^{(L+1)} + i_t * C~_t

where ``f_t, i_t, C~_t, o_t`` and ``h_t = o_t * tanh(c_t)`` are the layer's
ordinary LSTM gates (``lstm.LSTMParams`` layout, blocks i, f, g, o, no peepholes).
``w_cd`` and ``w_ld`` are diagonal (one weight per unit, ``*`` is elementwise), so
every layer must have the same hidden size H. With the depth gate shut
(``d_t = 0``) the model is an ordinary stacked LSTM.

**Clockwork RNN** (Koutník, Greff, Gomez & Schmidhuber 2014, "A Clockwork RNN",
ICML, arXiv:1402.3511). A tanh RNN whose ``H`` hidden units are split into ``g``
modules of ``k`` units, module ``i`` with its own clock period ``T_i`` (``2^i`` by
default: 1, 2, 4, ...). At step ``t`` (counted from 1, as in the paper) only the
modules with ``t mod T_i == 0`` compute; the others keep their value::

    a_t = W_hh h_{t-1} + W_ih x_t + b              (B, H), only active rows used
    h_t[module i] = tanh(a_t[module i])   if t mod T_i == 0
                  = h_{t-1}[module i]     otherwise

With modules ordered by increasing period, ``W_hh`` is block upper-triangular:
a module reads itself and the *slower* modules, never a faster one, so slow
modules keep a long memory undisturbed while fast ones react to every input.

Shapes: ``B`` batch, ``T`` time steps, ``D`` input size, ``H`` hidden size,
``x: (B, T, D)`` batch first.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as V
from . import cells, lstm, variants
from .activations import sigmoid, tanh

__all__ = [
    "DepthGate", "DepthGatedParams", "DepthGatedCache", "init_depth_gated_params", "depth_gated_step",
    "depth_gated_step_backward", "depth_gated_forward", "depth_gated_backward", "stacked_lstm_forward",
    "ClockworkParams", "ClockworkCache", "clockwork_mask", "clockwork_active", "init_clockwork_params",
    "clockwork_step", "clockwork_step_backward", "clockwork_forward", "clockwork_backward",
]


# ----------------------------------------------------------------------------- depth gate


class DepthGate(NamedTuple):
    """Depth gate of one upper layer: ``W_xd (H, D_layer)``, ``w_cd, w_ld, b_d (H,)``."""

    W_xd: np.ndarray
    w_cd: np.ndarray
    w_ld: np.ndarray
    b_d: np.ndarray


class DepthGatedParams(NamedTuple):
    """``layers``: one ``lstm.LSTMParams`` per layer, bottom first (layer 0 reads x);
    ``gates``: one ``DepthGate`` per layer above the first (``len(layers) - 1``)."""

    layers: tuple
    gates: tuple


class DepthGatedCache(NamedTuple):
    """What ``depth_gated_backward`` needs from the forward pass. Arrays are time-major."""

    x_tm: np.ndarray  # (T, B, D) the inputs
    params: DepthGatedParams  # cast to x's dtype
    hs_tm: np.ndarray  # (T+1, n_layers, B, H) h_0 .. h_T of every layer
    cs_tm: np.ndarray  # (T+1, n_layers, B, H) c_0 .. c_T of every layer


def init_depth_gated_params(D: int, H: int, n_layers: int, rng: np.random.Generator,
                            depth_bias: float = 0.0, forget_bias: float = 0.0, dtype=np.float64
                            ) -> DepthGatedParams:
    """Random params, PyTorch's ``U(-1/sqrt(H), 1/sqrt(H))``; ``depth_bias`` is
    added to every ``b_d`` (a large negative value shuts the depth gates)."""
    D = V.check_size(D, "D")
    H = V.check_size(H, "H")
    n_layers = V.check_size(n_layers, "n_layers")
    rng, dtype = V.check_rng(rng), V.check_dtype(dtype)
    layers, gates = [], []
    k = 1.0 / np.sqrt(H)
    for L in range(n_layers):
        layers.append(lstm.init_params(D if L == 0 else H, H, rng, forget_bias=forget_bias, dtype=dtype))
        if L > 0:
            gate = (rng.uniform(-k, k, (H, H)), rng.uniform(-k, k, H), rng.uniform(-k, k, H),
                    rng.uniform(-k, k, H) + float(depth_bias))
            gates.append(DepthGate(*(a.astype(dtype) for a in gate)))
    return DepthGatedParams(tuple(layers), tuple(gates))


def _check_depth_params(p, dtype) -> tuple[DepthGatedParams, int, int]:
    """Validate the stack once; return it cast to ``dtype`` with ``(D, H)``."""
    if not isinstance(p, DepthGatedParams):
        raise TypeError(f"params: expected DepthGatedParams, got {type(p).__name__}")
    n = len(p.layers)
    if n == 0:
        raise ValueError("params.layers: expected at least one LSTM layer, got none")
    if len(p.gates) != n - 1:
        raise ValueError(f"params.gates: expected one DepthGate per layer above the first "
                         f"({n - 1}), got {len(p.gates)}")
    layers = [lstm._check_params(q, dtype) for q in p.layers]  # (params, D, H) per layer
    D, H = layers[0][1:]
    gates = []
    for L in range(1, n):
        if layers[L][1:] != (H, H):
            raise ValueError(f"params.layers[{L}]: the depth gate adds cells elementwise, so "
                             f"every layer needs H={H} and input size H={H}; got D={layers[L][1]}, "
                             f"H={layers[L][2]}")
        want = {"W_xd": (H, H), "w_cd": (H,), "w_ld": (H,), "b_d": (H,)}
        arrays = [V.as_float_array(getattr(p.gates[L - 1], f), f"params.gates[{L - 1}].{f}", dtype=dtype)
                  for f in want]
        for (f, shape), a in zip(want.items(), arrays):
            if a.shape != shape:
                raise ValueError(f"params.gates[{L - 1}].{f}: expected shape {shape}, got {a.shape}")
        gates.append(DepthGate(*arrays))
    return DepthGatedParams(tuple(q for q, _, _ in layers), tuple(gates)), D, H


def _check_states(states, n: int, B: int, H: int, dtype) -> list:
    if states is None:
        states = [None] * n
    if not isinstance(states, (list, tuple)) or len(states) != n:
        raise ValueError(f"states: expected a list of {n} (h, c) pairs, one per layer, or None")
    return [V.check_lstm_state(s, B, H, dtype, name=f"states[{L}]") for L, s in enumerate(states)]


def _depth_gated_step(x_t, states, p: DepthGatedParams):
    """Unchecked core of ``depth_gated_step``: the new ``(h, c)`` per layer, the depth
    gates and each layer's LSTM gates ``(i, f, g, o)``."""
    new, ds, acts = [], [], []
    inp, c_below = x_t, None
    for L, (h, c) in enumerate(states):
        _, c_new, gates = lstm._lstm_step(inp, h, c, p.layers[L])  # a stacked LSTM's gates
        if L > 0:
            q = p.gates[L - 1]
            d = sigmoid(q.b_d + inp @ q.W_xd.T + q.w_cd * c + q.w_ld * c_below)  # the depth gate d_t
            c_new = d * c_below + c_new  # lower cell flows straight up
            ds.append(d)
        h_new = gates[3] * tanh(c_new)  # o_t * tanh(c_t)
        new.append((h_new, c_new))
        acts.append(gates)
        inp, c_below = h_new, c_new  # x_t^{(L+1)} = h_t^{(L)}
    return new, ds, acts


def _check_step(x_t, states, p):
    """Validate one step's arguments; return them cast to x_t's dtype."""
    x_t = V.check_step_input(x_t, "x_t")
    p, D, H = _check_depth_params(p, x_t.dtype)
    V.check_input_size(x_t, "x_t", D)
    return x_t, _check_states(states, len(p.layers), x_t.shape[0], H, x_t.dtype), p


def depth_gated_step(x_t, states, p: DepthGatedParams, return_gates: bool = False):
    """One step of the whole stack.

    x_t: (B, D); states: a list of ``(h, c)`` per layer (each (B, H)) or None.
    Returns the new list of ``(h_t, c_t)``; with ``return_gates=True`` also a list
    of the depth gates ``d_t`` (B, H) of layers 1.., bottom to top.
    """
    new, ds, _ = _depth_gated_step(*_check_step(x_t, states, p))
    return (new, ds) if return_gates else new


def _depth_gated_step_backward(dstate, x_t, states, p: DepthGatedParams):
    """Unchecked core of ``depth_gated_step_backward``: recompute the step, then go down the stack."""
    new, ds, acts = _depth_gated_step(x_t, states, p)
    n = len(states)
    dlayers, dgates, dprev = [None] * n, [None] * (n - 1), [None] * n
    dh_up, dc_up = 0, 0  # what layer L+1 sends down to h_t^{(L)} (its input) and to c_t^{(L)}
    for L in reversed(range(n)):
        (h_prev, c_prev), (dh_t, dc_next), (i, f, g, o) = states[L], dstate[L], acts[L]
        inp = x_t if L == 0 else new[L - 1][0]  # x_t^{(L)}: (B, D) or (B, H)
        tanh_c = np.tanh(new[L][1])  # (B, H)
        dh = dh_t + dh_up  # h_t^{(L)} feeds step t+1 (or the loss) and layer L+1
        dc = dc_next + dc_up + dh * o * (1 - tanh_c ** 2)  # h_t = o_t * tanh(c_t)
        # c_t = d_t * c_t^{(L-1)} + f_t * c_{t-1} + i_t * C~_t: the gradients of i, f, C~, o
        dgate = np.concatenate([dc * g, dc * c_prev, dc * i, dh * tanh_c], axis=1)  # (B, 4H)
        da = dgate * np.concatenate([i * (1 - i), f * (1 - f), 1 - g ** 2, o * (1 - o)], axis=1)  # sigma', tanh'
        dinp, dh_prev, dW_ih, dW_hh, db = variants._affine_backward(da, inp, h_prev, p.layers[L])
        dlayers[L] = lstm.LSTMParams(dW_ih, dW_hh, db, db.copy())
        dc_prev = dc * f
        if L > 0:  # d_t = sigma(b_d + W_xd x_t^{(L)} + w_cd * c_{t-1} + w_ld * c_t^{(L-1)})
            d, q, c_below = ds[L - 1], p.gates[L - 1], new[L - 1][1]
            da_d = dc * c_below * d * (1 - d)  # (B, H)
            dinp = dinp + da_d @ q.W_xd  # (B, H)
            dc_prev = dc_prev + da_d * q.w_cd
            dc_up = dc * d + da_d * q.w_ld  # to c_t^{(L-1)}: straight up, and through the gate
            dgates[L - 1] = DepthGate(da_d.T @ inp, (da_d * c_prev).sum(axis=0), (da_d * c_below).sum(axis=0),
                                      da_d.sum(axis=0))
        dprev[L] = (dh_prev, dc_prev)
        dh_up = dinp
    return dh_up, DepthGatedParams(tuple(dlayers), tuple(dgates)), dprev


def _check_dstates(dstate, n: int, B: int, H: int, dtype) -> list:
    """A stack's state gradient: None, or a list of ``(dh, dc)`` per layer (each pair as ``check_pair_grad``)."""
    if dstate is None:
        dstate = [None] * n
    if not isinstance(dstate, (list, tuple)) or len(dstate) != n:
        raise ValueError(f"dstate: expected a list of {n} (dh, dc) pairs, one per layer, or None")
    return [V.check_pair_grad(d, B, H, dtype) for d in dstate]


def depth_gated_step_backward(dstate, x_t, states, p: DepthGatedParams):
    """Backward of one ``depth_gated_step``: ``dx_t, dp, dstates_prev``.

    dstate: a list of ``(dh_t, dc_t)`` per layer (each (B, H), or None), the gradients
    reaching each layer's new state. Returns dx_t (B, D), dp a DepthGatedParams and the
    list of ``(dh_prev, dc_prev)`` per layer. The step's forward is recomputed.
    """
    x_t, states, p = _check_step(x_t, states, p)
    dstate = _check_dstates(dstate, len(states), *states[0][0].shape, x_t.dtype)
    return _depth_gated_step_backward(dstate, x_t, states, p)


def depth_gated_forward(x, p: DepthGatedParams, states=None, return_cache: bool = False,
                        return_gates: bool = False):
    """Run the stack over a sequence.

    x: (B, T, D). Returns ``Forward(hs, state)`` (``cells``): ``hs (B, T, H)`` of the top
    layer and the final list of ``(h_T, c_T)`` per layer; ``return_cache=True`` adds a
    ``cache`` (for ``depth_gated_backward``); ``return_gates=True`` adds ``gates``, a
    dict with ``"d"``: depth gates of layers 1.. (list of (B, T, H)) and ``"c"``: the
    cell states of every layer (list of (B, T, H)).
    """
    x = V.check_sequence(x, "x")
    p, D, H = _check_depth_params(p, x.dtype)
    V.check_input_size(x, "x", D)
    states = _check_states(states, len(p.layers), x.shape[0], H, x.dtype)
    steps, ds = [states], []
    for x_t in cells.time_major(x):  # (B, D) per step
        states, d, _ = _depth_gated_step(x_t, states, p)
        steps.append(states)
        ds.append(d)
    hs_tm = np.array([[h for h, _ in s] for s in steps])  # (T+1, n_layers, B, H)
    cs_tm = np.array([[c for _, c in s] for s in steps])  # (T+1, n_layers, B, H)
    gates = None
    if return_gates:
        n = len(p.layers)
        gates = {"d": [np.stack([d[L] for d in ds], axis=1) for L in range(n - 1)],
                 "c": [cells.batch_major(cs_tm[1:, L]) for L in range(n)]}
    cache = DepthGatedCache(cells.time_major(x), p, hs_tm, cs_tm) if return_cache else None
    return cells.forward_result(cells.batch_major(hs_tm[1:, -1]), states, cache, gates)


def depth_gated_backward(dhs, cache: DepthGatedCache, dstate=None):
    """Backpropagation through time for ``depth_gated_forward``: the step backward, chained.

    dhs: (B, T, H), dL/dh_t of the top layer; dstate: a list of ``(dh_T, dc_T)`` per
    layer, or None. Returns ``dx (B, T, D), dp (DepthGatedParams), dstates_0``.
    """
    x_tm, p, hs_tm, cs_tm = V.check_cache(cache, DepthGatedCache, "depth_gated_forward")
    T, n, B, H = hs_tm[1:].shape
    dhs = V.check_grad(dhs, "dhs", (B, T, H), x_tm.dtype)
    dstate = _check_dstates(dstate, n, B, H, x_tm.dtype)
    states = [list(zip(h, c)) for h, c in zip(hs_tm, cs_tm)]  # states[t]: (h, c) per layer before step t+1
    dx_tm, dp, dstate0 = cells.backprop_steps(_depth_gated_step_backward, cells.time_major(dhs), x_tm, states,
                                              dstate, p)
    return cells.batch_major(dx_tm), dp, dstate0


def stacked_lstm_forward(x, layers, states=None):
    """An ordinary stacked LSTM (no depth gates), for comparison: each layer is
    ``lstm.lstm_forward`` on the hidden states of the layer below. Returns the top
    layer's ``hs (B, T, H)`` and the list of final ``(h_T, c_T)``."""
    layers = list(layers)
    if not layers:
        raise ValueError("layers: expected at least one LSTMParams")
    if states is None:
        states = [None] * len(layers)
    out, final = x, []
    for p, s in zip(layers, states):
        out, hc = lstm.lstm_forward(out, p, state=s)
        final.append(hc)
    return out, final


# ----------------------------------------------------------------------------- clockwork


class ClockworkParams(NamedTuple):
    """``W_ih (H, D)``, ``W_hh (H, H)`` block upper-triangular, ``b (H,)``, and the
    clock ``periods`` (one per module, increasing); modules have ``H / g`` units."""

    W_ih: np.ndarray
    W_hh: np.ndarray
    b: np.ndarray
    periods: tuple


class ClockworkCache(NamedTuple):
    """What ``clockwork_backward`` needs from the forward pass. Arrays are time-major."""

    x_tm: np.ndarray  # (T, B, D) the inputs
    params: ClockworkParams  # cast to x's dtype
    hs_tm: np.ndarray  # (T+1, B, H) h_0 .. h_T


def _check_periods(periods) -> tuple:
    try:
        periods = tuple(int(q) for q in periods)
    except (TypeError, ValueError):
        raise ValueError(f"periods: expected a sequence of positive integers, got "
                         f"{periods!r}") from None
    if not periods or any(q < 1 for q in periods):
        raise ValueError(f"periods: expected positive integers, got {periods}")
    if any(b <= a for a, b in zip(periods, periods[1:])):
        raise ValueError(f"periods: expected strictly increasing periods (fast modules "
                         f"first), got {periods}")
    return periods


def clockwork_mask(H: int, periods) -> np.ndarray:
    """``(H, H)`` 0/1 mask of the allowed recurrent connections: row block i (a
    module) may read column block j when ``j >= i`` (the same or a slower module)."""
    H = V.check_size(H, "H")
    periods = _check_periods(periods)
    g = len(periods)
    if H % g:
        raise ValueError(f"H: expected a multiple of the number of modules {g}, got {H}")
    k = H // g
    blocks = np.triu(np.ones((g, g)))                # (g, g) module -> module
    return np.kron(blocks, np.ones((k, k)))          # (H, H)


def clockwork_active(t: int, periods) -> np.ndarray:
    """Which modules compute at step ``t`` (counted from 1): ``t mod T_i == 0``."""
    periods = _check_periods(periods)
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(f"t: expected a step number >= 1, got {t!r}")
    return np.array([t % q == 0 for q in periods])


def init_clockwork_params(D: int, n_modules: int, module_size: int,
                          rng: np.random.Generator, periods=None, dtype=np.float64) -> ClockworkParams:
    """Random params (``U(-1/sqrt(H), 1/sqrt(H))``, ``W_hh`` masked); periods
    ``2^i`` for ``i = 0 .. n_modules - 1`` unless given."""
    D = V.check_size(D, "D")
    g = V.check_size(n_modules, "n_modules")
    k = V.check_size(module_size, "module_size")
    rng, dtype = V.check_rng(rng), V.check_dtype(dtype)
    periods = _check_periods(periods if periods is not None else [2 ** i for i in range(g)])
    if len(periods) != g:
        raise ValueError(f"periods: expected {g} periods (one per module), got {len(periods)}")
    H = g * k
    s = 1.0 / np.sqrt(H)
    W_hh = rng.uniform(-s, s, (H, H)) * clockwork_mask(H, periods)
    W_ih, b = rng.uniform(-s, s, (H, D)), rng.uniform(-s, s, H)
    return ClockworkParams(W_ih.astype(dtype), W_hh.astype(dtype), b.astype(dtype), periods)


def _check_clockwork(p, dtype) -> tuple[ClockworkParams, int, int, int]:
    """Validate once, the mask included; return the params cast to ``dtype`` with ``(D, H, k)``."""
    if not isinstance(p, ClockworkParams):
        raise TypeError(f"params: expected ClockworkParams, got {type(p).__name__}")
    periods = _check_periods(p.periods)
    W_hh = V.as_float_array(p.W_hh, "params.W_hh", dtype=dtype)
    if W_hh.ndim != 2 or W_hh.shape[0] != W_hh.shape[1]:
        raise ValueError(f"params.W_hh: expected shape (H, H), got {W_hh.shape}")
    H = W_hh.shape[0]
    if H % len(periods):
        raise ValueError(f"params.W_hh: H={H} is not a multiple of the number of modules "
                         f"{len(periods)}")
    W_ih = V.as_float_array(p.W_ih, "params.W_ih", dtype=dtype)
    if W_ih.ndim != 2 or W_ih.shape[0] != H:
        raise ValueError(f"params.W_ih: expected shape ({H}, D), got {W_ih.shape}")
    b = V.as_float_array(p.b, "params.b", dtype=dtype)
    if b.shape != (H,):
        raise ValueError(f"params.b: expected shape ({H},), got {b.shape}")
    if np.any(W_hh * (1 - clockwork_mask(H, periods)) != 0):
        raise ValueError("params.W_hh: a module may read only itself and slower modules; "
                         "entries below the block diagonal (faster -> slower) must be zero. "
                         "Multiply by clockwork_mask(H, periods).")
    return ClockworkParams(W_ih, W_hh, b, periods), W_ih.shape[1], H, H // len(periods)


def _clockwork_step(x_t, h_prev, p: ClockworkParams, t: int, k: int):
    """Unchecked core of ``clockwork_step``; k units per module."""
    active = np.repeat([t % q == 0 for q in p.periods], k)  # (H,) unit is active
    a = h_prev @ p.W_hh.T + x_t @ p.W_ih.T + p.b  # (B, H)
    return np.where(active, tanh(a), h_prev)


def _check_clockwork_step(x_t, h_prev, p, t):
    """Validate one step's arguments; return them cast to x_t's dtype, with k units per module."""
    x_t = V.check_step_input(x_t, "x_t")
    p, D, H, k = _check_clockwork(p, x_t.dtype)
    V.check_input_size(x_t, "x_t", D)
    clockwork_active(t, p.periods)  # validates t
    return x_t, V.check_single_state(h_prev, x_t.shape[0], H, x_t.dtype, name="h_prev"), p, k


def clockwork_step(x_t, h_prev, p: ClockworkParams, t: int):
    """One step at time ``t`` (counted from 1): x_t (B, D), h_prev (B, H) -> h_t (B, H).

    The step number is the cell's extra option, after ``p`` like the GRU's ``form``
    (the ``cells`` contract): it decides which modules compute.
    """
    x_t, h_prev, p, k = _check_clockwork_step(x_t, h_prev, p, t)
    return _clockwork_step(x_t, h_prev, p, t, k)


def _clockwork_step_backward(dh_t, x_t, h_prev, p: ClockworkParams, t: int):
    """Unchecked core of ``clockwork_step_backward``; recomputes the step's forward."""
    k = p.W_hh.shape[0] // len(p.periods)
    active = np.repeat([t % q == 0 for q in p.periods], k)  # (H,) unit is active
    h_t = _clockwork_step(x_t, h_prev, p, t, k)  # (B, H)
    # h_t = tanh(a_t) in the active modules, h_{t-1} in the others
    da = np.where(active, dh_t * (1 - h_t ** 2), 0)  # (B, H)
    # a_t = h_{t-1} W_hh^T + x_t W_ih^T + b; W_hh's masked entries are no parameters
    dW_hh = np.where(clockwork_mask(len(active), p.periods) > 0, da.T @ h_prev, 0)  # (H, H)
    dp = ClockworkParams(da.T @ x_t, dW_hh, da.sum(axis=0), p.periods)  # (H, D), (H, H), (H,)
    dh_prev = da @ p.W_hh + np.where(active, 0, dh_t)  # the resting modules pass h_{t-1} on
    return da @ p.W_ih, dp, dh_prev


def clockwork_step_backward(dstate, x_t, state, p: ClockworkParams, t: int):
    """Backward of one ``clockwork_step``: ``dx_t, dp, dh_prev``.

    dstate: dh_t (B, H), the total gradient reaching h_t (None for zeros); state:
    h_prev (B, H); t: the step number. Returns dx_t (B, D), dp a ClockworkParams
    (its periods copied, W_hh's gradient masked like W_hh) and dh_prev (B, H).
    """
    x_t, h_prev, p, _ = _check_clockwork_step(x_t, state, p, t)
    return _clockwork_step_backward(V.check_single_grad(dstate, *h_prev.shape, x_t.dtype), x_t, h_prev, p, t)


def clockwork_forward(x, p: ClockworkParams, state=None, return_cache: bool = False,
                      return_active: bool = False):
    """Run a Clockwork RNN over ``x: (B, T, D)`` from step 1.

    Returns ``Forward(hs (B, T, H), h_T (B, H))`` (``cells``); ``return_cache=True``
    adds a ``cache`` (for ``clockwork_backward``); with ``return_active=True`` the
    result ends with the ``(T, g)`` boolean table of which module computed at which step.
    """
    x = V.check_sequence(x, "x")
    p, D, H, k = _check_clockwork(p, x.dtype)
    V.check_input_size(x, "x", D)
    h = V.check_single_state(state, x.shape[0], H, x.dtype)
    hs = [h]  # h_0 .. h_T
    for t, x_t in enumerate(cells.time_major(x), start=1):  # x_t: (B, D)
        h = _clockwork_step(x_t, h, p, t, k)
        hs.append(h)
    hs_tm = np.stack(hs)  # (T+1, B, H)
    result = cells.forward_result(cells.batch_major(hs_tm[1:]), h,
                                  ClockworkCache(cells.time_major(x), p, hs_tm) if return_cache else None)
    if return_active:
        return (*result, np.array([clockwork_active(t, p.periods) for t in range(1, len(hs))]))
    return result


def clockwork_backward(dhs, cache: ClockworkCache, dstate=None):
    """Backpropagation through time for ``clockwork_forward``: the step backward, chained.

    dhs: (B, T, H); dstate: dh_T (B, H) or None. Returns ``dx (B, T, D), dp
    (ClockworkParams), dh_0 (B, H)``.
    """
    x_tm, p, hs_tm = V.check_cache(cache, ClockworkCache, "clockwork_forward")
    T, B, _ = x_tm.shape
    H = hs_tm.shape[2]
    dhs = V.check_grad(dhs, "dhs", (B, T, H), x_tm.dtype)
    dh_T = V.check_single_grad(dstate, B, H, x_tm.dtype)
    dx_tm, dp, dh_0 = cells.backprop_steps(_clockwork_step_backward, cells.time_major(dhs), x_tm, list(hs_tm),
                                           dh_T, p, clock=True)
    return cells.batch_major(dx_tm), dp, dh_0

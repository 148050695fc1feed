"""Two more variants the article names: the Depth-Gated LSTM and the Clockwork RNN.

Forward passes only, in numpy, small enough to read beside the equations.

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
from . import cells, lstm
from .activations import sigmoid, tanh

__all__ = [
    "DepthGate", "DepthGatedParams", "init_depth_gated_params", "depth_gated_step",
    "depth_gated_forward", "stacked_lstm_forward",
    "ClockworkParams", "clockwork_mask", "clockwork_active", "init_clockwork_params",
    "clockwork_step", "clockwork_forward",
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


def init_depth_gated_params(D: int, H: int, n_layers: int, rng: np.random.Generator,
                            depth_bias: float = 0.0, forget_bias: float = 0.0
                            ) -> DepthGatedParams:
    """Random params, PyTorch's ``U(-1/sqrt(H), 1/sqrt(H))``; ``depth_bias`` is
    added to every ``b_d`` (a large negative value shuts the depth gates)."""
    D = V.check_size(D, "D")
    H = V.check_size(H, "H")
    n_layers = V.check_size(n_layers, "n_layers")
    rng = V.check_rng(rng)
    layers, gates = [], []
    k = 1.0 / np.sqrt(H)
    for L in range(n_layers):
        layers.append(lstm.init_params(D if L == 0 else H, H, rng, forget_bias=forget_bias))
        if L > 0:
            gates.append(DepthGate(rng.uniform(-k, k, (H, H)), rng.uniform(-k, k, H),
                                   rng.uniform(-k, k, H),
                                   rng.uniform(-k, k, H) + float(depth_bias)))
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
    """Unchecked core of ``depth_gated_step``: the new ``(h, c)`` per layer and the depth gates."""
    new, ds = [], []
    inp, c_below = x_t, None
    for L, (h, c) in enumerate(states):
        _, c_new, (i, f, g, o) = lstm._lstm_step(inp, h, c, p.layers[L])  # a stacked LSTM's gates
        if L > 0:
            q = p.gates[L - 1]
            d = sigmoid(q.b_d + inp @ q.W_xd.T + q.w_cd * c + q.w_ld * c_below)  # the depth gate d_t
            c_new = d * c_below + c_new  # lower cell flows straight up
            ds.append(d)
        h_new = o * tanh(c_new)
        new.append((h_new, c_new))
        inp, c_below = h_new, c_new  # x_t^{(L+1)} = h_t^{(L)}
    return new, ds


def depth_gated_step(x_t, states, p: DepthGatedParams, return_gates: bool = False):
    """One step of the whole stack.

    x_t: (B, D); states: a list of ``(h, c)`` per layer (each (B, H)) or None.
    Returns the new list of ``(h_t, c_t)``; with ``return_gates=True`` also a list
    of the depth gates ``d_t`` (B, H) of layers 1.., bottom to top.
    """
    x_t = V.check_step_input(x_t, "x_t")
    p, D, H = _check_depth_params(p, x_t.dtype)
    V.check_input_size(x_t, "x_t", D)
    new, ds = _depth_gated_step(x_t, _check_states(states, len(p.layers), x_t.shape[0], H, x_t.dtype), p)
    return (new, ds) if return_gates else new


def depth_gated_forward(x, p: DepthGatedParams, states=None, return_gates: bool = False):
    """Run the stack over a sequence.

    x: (B, T, D). Returns ``hs (B, T, H)`` of the top layer and the final list of
    ``(h_T, c_T)`` per layer; with ``return_gates=True`` also a dict with
    ``"d"``: depth gates of layers 1.. (list of (B, T, H)) and ``"c"``: the cell
    states of every layer (list of (B, T, H)).
    """
    x = V.check_sequence(x, "x")
    p, D, H = _check_depth_params(p, x.dtype)
    V.check_input_size(x, "x", D)
    states = _check_states(states, len(p.layers), x.shape[0], H, x.dtype)
    hs, ds, cs = [], [], []
    for x_t in cells.time_major(x):  # (B, D) per step
        states, d = _depth_gated_step(x_t, states, p)
        hs.append(states[-1][0])
        ds.append(d)
        cs.append([c for _, c in states])
    out = np.stack(hs, axis=1)  # (B, T, H)
    if return_gates:
        n = len(p.layers)
        gates = {"d": [np.stack([d[L] for d in ds], axis=1) for L in range(n - 1)],
                 "c": [np.stack([c[L] for c in cs], axis=1) for L in range(n)]}
        return out, states, gates
    return out, states


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
                          rng: np.random.Generator, periods=None) -> ClockworkParams:
    """Random params (``U(-1/sqrt(H), 1/sqrt(H))``, ``W_hh`` masked); periods
    ``2^i`` for ``i = 0 .. n_modules - 1`` unless given."""
    D = V.check_size(D, "D")
    g = V.check_size(n_modules, "n_modules")
    k = V.check_size(module_size, "module_size")
    rng = V.check_rng(rng)
    periods = _check_periods(periods if periods is not None else [2 ** i for i in range(g)])
    if len(periods) != g:
        raise ValueError(f"periods: expected {g} periods (one per module), got {len(periods)}")
    H = g * k
    s = 1.0 / np.sqrt(H)
    W_hh = rng.uniform(-s, s, (H, H)) * clockwork_mask(H, periods)
    return ClockworkParams(rng.uniform(-s, s, (H, D)), W_hh, rng.uniform(-s, s, H), periods)


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


def clockwork_step(x_t, h_prev, p: ClockworkParams, t: int):
    """One step at time ``t`` (counted from 1): x_t (B, D), h_prev (B, H) -> h_t (B, H).

    The step number is the cell's extra option, after ``p`` like the GRU's ``form``
    (the ``cells`` contract): it decides which modules compute.
    """
    x_t = V.check_step_input(x_t, "x_t")
    p, D, H, k = _check_clockwork(p, x_t.dtype)
    V.check_input_size(x_t, "x_t", D)
    clockwork_active(t, p.periods)  # validates t
    h_prev = V.check_single_state(h_prev, x_t.shape[0], H, x_t.dtype, name="h_prev")
    return _clockwork_step(x_t, h_prev, p, t, k)


def clockwork_forward(x, p: ClockworkParams, state=None, return_active: bool = False):
    """Run a Clockwork RNN over ``x: (B, T, D)`` from step 1.

    Returns ``hs (B, T, H), h_T (B, H)``; with ``return_active=True`` also the
    ``(T, g)`` boolean table of which module computed at which step.
    """
    x = V.check_sequence(x, "x")
    p, D, H, k = _check_clockwork(p, x.dtype)
    V.check_input_size(x, "x", D)
    h = V.check_single_state(state, x.shape[0], H, x.dtype)
    hs = []
    for t, x_t in enumerate(cells.time_major(x), start=1):  # x_t: (B, D)
        h = _clockwork_step(x_t, h, p, t, k)
        hs.append(h)
    out = np.stack(hs, axis=1)  # (B, T, H)
    if return_active:
        return out, h, np.array([clockwork_active(t, p.periods) for t in range(1, len(hs) + 1)])
    return out, h

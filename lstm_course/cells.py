"""The contract every recurrent cell of the package follows, and the loops they share.

A cell module (``rnn``, ``lstm``, ``gru``, ``variants``) provides, for its cell ``X``::

    XParams, XCache                         NamedTuples: the weights (PyTorch's layout),
                                            and what the backward pass needs
    init_params(D, H, rng, ..., dtype)      PyTorch's initialisation U(-1/sqrt(H), 1/sqrt(H))
    X_step(x_t, state, p[, option])         one step, written like the equations
    X_step_backward(dstate, x_t, state, p[, option]) -> dx_t, dp, dstate_prev
    X_forward(x, p, state=None[, option], return_cache=False, return_gates=False)
        -> Forward(hs, state[, cache][, gates])      named fields; each flag adds one
    X_backward(dhs, cache, dstate=None)      -> dx, dp, dstate_0

``state`` is ``h: (B, H)`` for the RNN, the GRU and the Clockwork RNN, the pair ``(h, c)``
for the LSTM family and a list of pairs, one per layer, for the Depth-Gated LSTM's stack;
``dstate`` has the same form. A cell's extra option comes after ``p``: the
GRU's ``form``, the Clockwork RNN's step number ``t``. ``x: (B, T, D)`` is batch-first
at the boundary; inside, every loop runs time-major over ``x_tm: (T, B, D)``.

Public functions validate their arguments once (``_validate``), then call unchecked
cores; loops over time call only the cores. ``X_step_backward`` recomputes the step's
forward from its inputs, so a sequence backward is the step backward chained from the
last step to the first (``backprop_steps``). The LSTM's sequence backward is a fast
in-place version of that chain, tested equal to it.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

__all__ = ["forward_result", "run_steps", "backprop_steps", "stack_gates", "batch_major", "time_major",
           "map_arrays"]

_RESULTS = {fields: namedtuple("Forward", fields)
            for fields in [("hs", "state"), ("hs", "state", "cache"), ("hs", "state", "gates"),
                           ("hs", "state", "cache", "gates")]}


def forward_result(hs, state, cache=None, gates=None):
    """``Forward(hs, state[, cache][, gates])``: a named tuple; a field is present when it is given.

    Unpacks like the plain tuple (``hs, state = X_forward(x, p)``) and reads by name
    (``X_forward(x, p, return_cache=True).cache``).
    """
    fields = ("hs", "state") + (("cache",) if cache is not None else ()) + (("gates",) if gates is not None else ())
    values = [hs, state] + [v for v in (cache, gates) if v is not None]
    return _RESULTS[fields](*values)


def time_major(x: np.ndarray) -> np.ndarray:
    """(B, T, ...) -> (T, B, ...), contiguous."""
    return np.ascontiguousarray(np.swapaxes(x, 0, 1))


batch_major = time_major  # (T, B, ...) -> (B, T, ...): the same swap


def run_steps(step, x_tm: np.ndarray, state, p, *option):
    """The forward loop: ``state, gates = step(x_tm[t], state, p, *option)`` for t = 0 .. T-1.

    ``step`` is a cell's unchecked core. Returns the states ``[s_0, ..., s_T]`` and the
    list of the T per-step gate dicts.
    """
    states, gates = [state], []
    for x_t in x_tm:
        state, g = step(x_t, state, p, *option)
        states.append(state)
        gates.append(g)
    return states, gates


def stack_gates(gates: list) -> dict:
    """A list of T per-step dicts of (B, H) arrays -> one dict of (B, T, H) arrays."""
    return {k: np.stack([g[k] for g in gates], axis=1) for k in gates[0]}


def _add(dstate, dh_t):
    """Add the loss's gradient dL/dh_t to a state gradient (dh, (dh, dc) or a stack's list of them)."""
    if isinstance(dstate, list):  # a stack of layers: the output is the top layer's h
        return dstate[:-1] + [_add(dstate[-1], dh_t)]
    if isinstance(dstate, tuple):
        return (dstate[0] + dh_t, dstate[1])
    return dstate + dh_t


def _arrays(p) -> list[str]:
    """The array fields of a params NamedTuple (the RNN's also holds its nonlinearity's name)."""
    return [f for f in p._fields if isinstance(getattr(p, f), np.ndarray)]


def map_arrays(fn, p, *others):
    """``fn`` applied to the arrays of params ``p`` (and the matching arrays of ``others``).

    Nested params (a stack's layers) are mapped through; other fields (the RNN's
    nonlinearity, the Clockwork RNN's periods) are kept from ``p``.
    """
    if isinstance(p, np.ndarray):
        return fn(p, *others)
    if isinstance(p, tuple):
        mapped = [map_arrays(fn, *fields) for fields in zip(p, *others)]
        return p._make(mapped) if hasattr(p, "_make") else tuple(mapped)
    return p


def backprop_steps(step_backward, dhs_tm: np.ndarray, x_tm: np.ndarray, states, dstate, p, *option,
                   clock: bool = False):
    """Backpropagation through time by chaining a cell's unchecked step backward.

    dhs_tm: (T, B, H), the loss's gradients dL/dh_t; states[t] is the state *before*
    step t (``s_0 .. s_{T-1}``); dstate: the gradient reaching the final state.
    ``clock=True`` passes the step number (from 1) after the option: the Clockwork RNN's.
    Returns ``dx_tm (T, B, D)``, the parameter gradients summed over the steps, and
    the gradient reaching the initial state.
    """
    dx_tm = np.empty_like(x_tm)
    dp = None
    for t in reversed(range(len(x_tm))):
        dstate = _add(dstate, dhs_tm[t])  # dL/dh_t: from the loss and from step t+1
        step = option + ((t + 1,) if clock else ())
        dx_tm[t], dp_t, dstate = step_backward(dstate, x_tm[t], states[t], p, *step)
        dp = dp_t if dp is None else map_arrays(np.add, dp, dp_t)
    return dx_tm, dp, dstate

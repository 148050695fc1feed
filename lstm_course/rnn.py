"""The plain (Elman) recurrent network in numpy: forward, hand-written backward.

Equation (Olah 2015, "Understanding LSTM Networks", section 1; the repeating module is
a single tanh layer), in ``torch.nn.RNN``'s form::

    h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)

which is the article's ``h_t = tanh(W . [h_{t-1}, x_t] + b)`` with ``W = [W_hh | W_ih]``
and ``b = b_ih + b_hh``. ``nonlinearity="relu"`` replaces tanh by max(., 0), as
``nn.RNN(nonlinearity="relu")`` does.

Parameters follow ``torch.nn.RNN``: ``W_ih (H, D)``, ``W_hh (H, H)``, ``b_ih (H,)``,
``b_hh (H,)``. Inputs are batch-first, ``x: (B, T, D)``; the state is ``(B, H)``.
Everything is computed in x's dtype (float32 or float64); params are cast to it.
Backpropagation through time (``rnn_backward``) is the gradient whose vanishing
Bengio, Simard & Frasconi (1994) analysed: each step multiplies it by
``diag(act'(.)) W_hh``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as V
from . import cells
from .activations import relu, tanh

__all__ = ["RNNParams", "RNNCache", "NONLINEARITIES", "init_params", "rnn_step", "rnn_step_backward", "rnn_forward", "rnn_backward"]

NONLINEARITIES = ("tanh", "relu")


class RNNParams(NamedTuple):
    """Weights of one RNN layer in PyTorch's layout."""

    W_ih: np.ndarray  # (H, D)
    W_hh: np.ndarray  # (H, H)
    b_ih: np.ndarray  # (H,)
    b_hh: np.ndarray  # (H,)
    nonlinearity: str = "tanh"


class RNNCache(NamedTuple):
    """What ``rnn_backward`` needs from the forward pass. Arrays are time-major."""

    x_tm: np.ndarray  # (T, B, D)
    params: RNNParams  # cast to x's dtype
    hs_tm: np.ndarray  # (T+1, B, H) h_0 .. h_T


_ARRAYS = ("W_ih", "W_hh", "b_ih", "b_hh")


def _check_params(p, dtype=None) -> tuple[RNNParams, int, int]:
    """Validate ``p`` and return it with every array cast to ``dtype``, and (D, H)."""
    D, H = V.check_params(p, RNNParams._fields, 1, kind="RNN")
    V.check_choice(p.nonlinearity, "params.nonlinearity", NONLINEARITIES)
    if dtype is None:
        dtype = np.result_type(*(np.asarray(getattr(p, f)) for f in _ARRAYS))
    arrays = [V.as_float_array(getattr(p, f), f"params.{f}", dtype=dtype) for f in _ARRAYS]
    return RNNParams(*arrays, nonlinearity=p.nonlinearity), D, H


def init_params(D: int, H: int, rng: np.random.Generator, nonlinearity: str = "tanh",
                dtype=np.float64) -> RNNParams:
    """PyTorch's initialisation: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)).

    >>> p = init_params(3, 5, np.random.default_rng(0))
    >>> p.W_ih.shape, p.W_hh.shape, p.nonlinearity
    ((5, 3), (5, 5), 'tanh')
    """
    D = V.check_size(D, "D")
    H = V.check_size(H, "H")
    V.check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
    V.check_rng(rng)
    dtype = V.check_dtype(dtype)
    k = 1.0 / np.sqrt(H)
    shapes = ((H, D), (H, H), (H,), (H,))
    return RNNParams(*(rng.uniform(-k, k, size=s).astype(dtype) for s in shapes), nonlinearity=nonlinearity)


def _activate(a: np.ndarray, nonlinearity: str) -> np.ndarray:
    return tanh(a) if nonlinearity == "tanh" else relu(a)


def _check_step(x_t, h_prev, p):
    """Validate one step's arguments; return them cast to x_t's dtype."""
    x_t = V.as_float_array(x_t, "x_t")
    p, D, H = _check_params(p, x_t.dtype)
    x_t = V.check_step_input(x_t, "x_t", D)
    return x_t, V.check_single_state(h_prev, x_t.shape[0], H, x_t.dtype, name="h_prev"), p


def rnn_step(x_t, h_prev, p: RNNParams, return_gates: bool = False):
    """One RNN time step: ``h_t = rnn_step(x_t, h_prev, p)``.

    x_t: (B, D); h_prev: (B, H) or None for zeros. Returns h_t: (B, H); with
    ``return_gates=True`` returns ``(h_t, {"h_pre": pre-activation (B, H)})``.
    """
    x_t, h_prev, p = _check_step(x_t, h_prev, p)
    h_pre = x_t @ p.W_ih.T + p.b_ih + h_prev @ p.W_hh.T + p.b_hh  # (B, H)
    h_t = _activate(h_pre, p.nonlinearity)
    if return_gates:
        return h_t, {"h_pre": h_pre}
    return h_t


def rnn_step_backward(dh_t, x_t, h_prev, p: RNNParams):
    """Backward of one ``rnn_step``: ``dx_t, dp, dh_prev = rnn_step_backward(dh_t, x_t, h_prev, p)``.

    dh_t: (B, H), the total gradient reaching h_t. Returns dx_t (B, D), dp an
    RNNParams of gradients (both biases get the same one), dh_prev (B, H).
    """
    x_t, h_prev, p = _check_step(x_t, h_prev, p)
    dh_t = V.check_grad(dh_t, "dh_t", h_prev.shape, x_t.dtype)
    h_t = _activate(x_t @ p.W_ih.T + p.b_ih + h_prev @ p.W_hh.T + p.b_hh, p.nonlinearity)  # (B, H)
    # h_t = act(a),  tanh' = 1 - h_t^2,  relu' = 1 where h_t > 0
    da = dh_t * (1 - h_t ** 2) if p.nonlinearity == "tanh" else dh_t * (h_t > 0)  # (B, H)
    # a = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
    db = da.sum(axis=0)  # (H,)
    dp = RNNParams(da.T @ x_t, da.T @ h_prev, db, db.copy(), nonlinearity=p.nonlinearity)
    return da @ p.W_ih, dp, da @ p.W_hh


def rnn_forward(x, p: RNNParams, state=None, return_cache: bool = False, return_gates: bool = False):
    """Run the RNN over a batch of sequences.

    x: (B, T, D); p: RNNParams; state: h_0 (B, H) or None for zeros.

    Returns the named tuple ``Forward(hs, state[, cache][, gates])`` (``cells``),
    each flag adding one field, in this order::

        hs, h_T                   # hs: (B, T, H); h_T: (B, H)
        hs, h_T, cache            # return_cache=True  (for rnn_backward)
        hs, h_T, gates            # return_gates=True
        hs, h_T, cache, gates     # both

    ``gates`` is ``{"h_pre": (B, T, H)}``, the pre-activations.
    """
    x = V.check_sequence(x, "x")
    p, D, H = _check_params(p, x.dtype)
    B, T, _ = V.check_input_size(x, "x", D).shape
    h0 = V.check_single_state(state, B, H, x.dtype)

    W_hh_T = np.ascontiguousarray(p.W_hh.T)  # (H, H); contiguous is faster in the loop
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))  # (T, B, D)
    # Input projection of all time steps at once, both biases folded in.
    h_pre = (x_tm.reshape(T * B, D) @ p.W_ih.T).reshape(T, B, H)  # (T, B, H)
    h_pre += p.b_ih + p.b_hh
    hs = np.empty((T + 1, B, H), dtype=x.dtype)  # h_0 .. h_T
    hW = np.empty((B, H), dtype=x.dtype)
    hs[0] = h0
    for t in range(T):
        np.matmul(hs[t], W_hh_T, out=hW)
        h_pre[t] += hW  # x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
        if p.nonlinearity == "tanh":
            np.tanh(h_pre[t], out=hs[t + 1])
        else:
            np.maximum(h_pre[t], 0, out=hs[t + 1])

    return cells.forward_result(cells.batch_major(hs[1:]), hs[T].copy(),
                                RNNCache(x_tm, p, hs) if return_cache else None,
                                {"h_pre": cells.batch_major(h_pre)} if return_gates else None)


def rnn_backward(dhs, cache: RNNCache, dstate=None):
    """Backpropagation through time for ``rnn_forward``.

    dhs: (B, T, H), dL/dh_t for every step; cache: from ``rnn_forward(...,
    return_cache=True)``; dstate: dL/dh_T from elsewhere (B, H), or None.

    Returns ``dx, dp, dh_0``: dx (B, T, D), dp an RNNParams of gradients (its
    nonlinearity copied from the params), dh_0 (B, H). All in x's dtype.
    """
    x_tm, p, hs = V.check_cache(cache, RNNCache, "rnn_forward")
    T, B, D = x_tm.shape
    H = hs.shape[2]
    dtype = x_tm.dtype
    dhs = V.check_grad(dhs, "dhs", (B, T, H), dtype)
    dh_next = V.check_single_grad(dstate, B, H, dtype)
    dhs_tm = np.ascontiguousarray(dhs.transpose(1, 0, 2))  # (T, B, H)

    da = np.empty((T, B, H), dtype=dtype)  # dL/d(pre-activation)
    for t in reversed(range(T)):
        h = hs[t + 1]
        np.add(dhs_tm[t], dh_next, out=da[t])
        if p.nonlinearity == "tanh":
            da[t] *= 1 - h * h  # tanh' = 1 - h^2
        else:
            da[t] *= h > 0  # relu' = 1 where the output is positive
        dh_next = da[t] @ p.W_hh  # (B, H) @ (H, H)

    da2 = da.reshape(T * B, H)
    dW_hh = da2.T @ hs[:-1].reshape(T * B, H)  # (H, H): one matmul over all steps
    dW_ih = da2.T @ x_tm.reshape(T * B, D)  # (H, D)
    db = da2.sum(axis=0)  # (H,)
    dx = (da2 @ p.W_ih).reshape(T, B, D).transpose(1, 0, 2)  # (B, T, D)
    dp = RNNParams(dW_ih, dW_hh, db, db.copy(), nonlinearity=p.nonlinearity)
    return np.ascontiguousarray(dx), dp, dh_next

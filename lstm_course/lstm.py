"""The LSTM cell in numpy: forward, hand-written backward, PyTorch's layout.

Equations (Olah 2015, "Understanding LSTM Networks"; Hochreiter & Schmidhuber 1997,
with the forget gate of Gers, Schmidhuber & Cummins 2000)::

    f_t  = sigma(W_f . [h_{t-1}, x_t] + b_f)          forget gate
    i_t  = sigma(W_i . [h_{t-1}, x_t] + b_i)          input gate
    C~_t = tanh (W_C . [h_{t-1}, x_t] + b_C)          candidate   (PyTorch calls it g)
    C_t  = f_t * C_{t-1} + i_t * C~_t                 cell state
    o_t  = sigma(W_o . [h_{t-1}, x_t] + b_o)          output gate
    h_t  = o_t * tanh(C_t)                            hidden state

Parameters follow ``torch.nn.LSTM``: ``W_ih (4H, D)``, ``W_hh (4H, H)``, ``b_ih (4H,)``,
``b_hh (4H,)``, row blocks in the order i, f, g, o. The article's ``W_f`` is the f
block of ``[W_hh | W_ih]`` and ``b_f = b_if + b_hf`` (see ``gate_weights``).

Inputs are batch-first, ``x: (B, T, D)``; states are ``(B, H)``. Everything is
computed in x's dtype (float32 or float64): parameters and states are cast to it.

``lstm_step`` is the readable one-step version, line for line the equations above, and
``lstm_step_backward`` its readable backward, one line per equation of the chain rule
(the version the backpropagation appendix derives).
``lstm_forward`` runs the same equations over a whole sequence, written for speed:
one matmul per step computes ``W . [h_{t-1}, x_t] + b`` for all four gates, gates stored
gate-major ``(4, T, B, H)`` so each is a contiguous block, results written into
preallocated buffers (reused when no cache is asked for), and sigma(a) taken as
(1 + tanh(a/2)) / 2 (the same function as ``activations.sigmoid``, cannot overflow), with
the halving folded into the weights so that one tanh serves all four gates. ``lstm_backward`` is
backpropagation through time over the cache that ``lstm_forward`` returns, the same
sums as chaining ``lstm_step_backward`` from the last step to the first, computed in
place for speed. The tests check that the fast and readable forms agree, that both match ``torch.nn.LSTM`` and that
the backward pass matches finite differences.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as V
from . import cells
from .activations import sigmoid, tanh

__all__ = [
    "LSTMParams",
    "LSTMCache",
    "GATES",
    "init_params",
    "gate_weights",
    "lstm_step",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
]

GATES = ("i", "f", "g", "o")  # PyTorch's row-block order


class LSTMParams(NamedTuple):
    """Weights of one LSTM layer in PyTorch's layout (row blocks i, f, g, o)."""

    W_ih: np.ndarray  # (4H, D)
    W_hh: np.ndarray  # (4H, H)
    b_ih: np.ndarray  # (4H,)
    b_hh: np.ndarray  # (4H,)


class LSTMCache(NamedTuple):
    """What ``lstm_backward`` needs from the forward pass. Arrays are time-major; x_tm and
    hs_tm are views into one buffer of ``lstm_forward`` (rows [h_t, x_{t+1}, 1]), not contiguous."""

    x_tm: np.ndarray  # (T, B, D) the inputs
    params: LSTMParams  # cast to x's dtype
    hs_tm: np.ndarray  # (T+1, B, H) h_0 .. h_T
    cs_tm: np.ndarray  # (T+1, B, H) c_0 .. c_T
    gates: np.ndarray  # (4, T, B, H) activated i, f, g, o, gate-major
    tanh_c_tm: np.ndarray  # (T, B, H) tanh(c_1) .. tanh(c_T)


_FIELDS = LSTMParams._fields


def _check_params(p, dtype=None) -> tuple[LSTMParams, int, int]:
    """Validate ``p`` and return it with every array cast to ``dtype``, and (D, H)."""
    D, H = V.check_params(p, _FIELDS, 4, kind="LSTM")
    if dtype is None:
        dtype = np.result_type(*(np.asarray(getattr(p, f)) for f in _FIELDS))
    arrays = [V.as_float_array(getattr(p, f), f"params.{f}", dtype=dtype) for f in _FIELDS]
    return LSTMParams(*arrays), D, H


def init_params(D: int, H: int, rng: np.random.Generator, forget_bias: float = 0.0,
                dtype=np.float64) -> LSTMParams:
    """PyTorch's initialisation: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)).

    ``forget_bias`` is added to the f block of ``b_ih`` (rows H:2H), which shifts the
    effective forget bias ``b_f = b_if + b_hf`` by exactly that amount; ``b_hh`` is
    left as drawn. PyTorch's default is 0; Jozefowicz et al. (2015) recommend 1.

    >>> p = init_params(3, 5, np.random.default_rng(0), forget_bias=1.0)
    >>> p.W_ih.shape, p.W_hh.shape, p.b_ih.shape
    ((20, 3), (20, 5), (20,))
    """
    D = V.check_size(D, "D")
    H = V.check_size(H, "H")
    rng = V.check_rng(rng)
    dtype = V.check_dtype(dtype)
    forget_bias = V.check_number(forget_bias, "forget_bias")
    k = 1.0 / np.sqrt(H)
    W_ih = rng.uniform(-k, k, size=(4 * H, D))
    W_hh = rng.uniform(-k, k, size=(4 * H, H))
    b_ih = rng.uniform(-k, k, size=4 * H)
    b_hh = rng.uniform(-k, k, size=4 * H)
    b_ih[H:2 * H] += forget_bias
    return LSTMParams(*(a.astype(dtype) for a in (W_ih, W_hh, b_ih, b_hh)))


def gate_weights(p: LSTMParams, gate: str) -> tuple[np.ndarray, np.ndarray]:
    """The article's view of one gate: ``W (H, H + D)`` acting on ``[h_{t-1}, x_t]``, and ``b (H,)``.

    ``gate`` is one of "i", "f", "g", "o" (also "C" for the candidate, the article's
    W_C). Then ``W = [W_h? | W_i?]`` (columns: h first, then x) and ``b = b_i? + b_h?``,
    so ``sigma(np.concatenate([h, x], 1) @ W.T + b)`` is the gate's activation.
    """
    p, D, H = _check_params(p)
    gate = "g" if gate == "C" else gate
    V.check_choice(gate, "gate", GATES + ("C",))
    k = GATES.index(gate)
    rows = slice(k * H, (k + 1) * H)
    W = np.concatenate([p.W_hh[rows], p.W_ih[rows]], axis=1)  # (H, H + D)
    b = p.b_ih[rows] + p.b_hh[rows]  # (H,)
    return W, b


def _check_step(x_t, state, p):
    """Validate one step's arguments; return them cast to x_t's dtype."""
    x_t = V.as_float_array(x_t, "x_t")
    p, D, H = _check_params(p, x_t.dtype)
    x_t = V.check_step_input(x_t, "x_t", D)
    return x_t, V.check_lstm_state(state, x_t.shape[0], H, x_t.dtype), p


def _lstm_step(x_t, h_prev, c_prev, p: LSTMParams):
    """Unchecked core of ``lstm_step``: returns h_t, c_t and the gates (i_t, f_t, g_t, o_t)."""
    W_ii, W_if, W_ig, W_io = np.split(p.W_ih, 4)  # each (H, D)
    W_hi, W_hf, W_hg, W_ho = np.split(p.W_hh, 4)  # each (H, H)
    b_i, b_f, b_g, b_o = np.split(p.b_ih + p.b_hh, 4)  # each (H,)

    f_t = sigmoid(h_prev @ W_hf.T + x_t @ W_if.T + b_f)  # (B, H)
    i_t = sigmoid(h_prev @ W_hi.T + x_t @ W_ii.T + b_i)
    g_t = tanh(h_prev @ W_hg.T + x_t @ W_ig.T + b_g)  # the article's C~_t
    c_t = f_t * c_prev + i_t * g_t
    o_t = sigmoid(h_prev @ W_ho.T + x_t @ W_io.T + b_o)
    h_t = o_t * tanh(c_t)
    return h_t, c_t, (i_t, f_t, g_t, o_t)


def lstm_step(x_t, state, p: LSTMParams, return_gates: bool = False):
    """One LSTM time step: ``(h_t, c_t) = lstm_step(x_t, (h_prev, c_prev), p)``.

    x_t: (B, D); state: a pair (h_prev, c_prev), each (B, H), or None for zeros.
    Returns ``(h_t, c_t)``, each (B, H); with ``return_gates=True`` returns
    ``(h_t, c_t, gates)`` where ``gates = {"i", "f", "g", "o"}``, each (B, H).
    """
    x_t, (h_prev, c_prev), p = _check_step(x_t, state, p)
    h_t, c_t, (i_t, f_t, g_t, o_t) = _lstm_step(x_t, h_prev, c_prev, p)
    if return_gates:
        return h_t, c_t, {"i": i_t, "f": f_t, "g": g_t, "o": o_t}
    return h_t, c_t


def lstm_step_backward(dstate, x_t, state, p: LSTMParams):
    """Backward of one ``lstm_step``: ``dx_t, dp, (dh_prev, dc_prev)``.

    dstate: ``(dh_t, dc_next)``, each (B, H): the total gradient reaching h_t, and the
    gradient step t+1 sends back into C_t (None for zeros). x_t: (B, D); state:
    ``(h_prev, c_prev)``. Returns dx_t (B, D), dp an LSTMParams (both biases get the
    same gradient), dh_prev and dc_prev (B, H). The step's forward is recomputed.
    """
    x_t, (h_prev, c_prev), p = _check_step(x_t, state, p)
    dh_t, dc_next = V.check_pair_grad(dstate, *h_prev.shape, x_t.dtype)
    _, c_t, (i_t, f_t, g_t, o_t) = _lstm_step(x_t, h_prev, c_prev, p)
    tanh_c = np.tanh(c_t)  # (B, H)
    # h_t = o_t * tanh(C_t): C_t is read by h_t and by step t+1
    do_t = dh_t * tanh_c
    dc_t = dc_next + dh_t * o_t * (1 - tanh_c ** 2)
    # C_t = f_t * C_{t-1} + i_t * C~_t
    df_t = dc_t * c_prev
    di_t = dc_t * g_t
    dg_t = dc_t * i_t
    dc_prev = dc_t * f_t
    # back through the activations, sigma' = s (1 - s) and tanh' = 1 - tanh^2, to the
    # pre-activations a = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh, blocks i, f, g, o
    da_i = di_t * i_t * (1 - i_t)
    da_f = df_t * f_t * (1 - f_t)
    da_g = dg_t * (1 - g_t ** 2)
    da_o = do_t * o_t * (1 - o_t)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (B, 4H)
    dx_t = da @ p.W_ih  # (B, D)
    dh_prev = da @ p.W_hh  # (B, H)
    db = da.sum(axis=0)  # (4H,)
    dp = LSTMParams(da.T @ x_t, da.T @ h_prev, db, db.copy())  # (4H, D), (4H, H), (4H,), (4H,)
    return dx_t, dp, (dh_prev, dc_prev)


def _sigmoid_backward_(d: np.ndarray, s: np.ndarray, tmp: np.ndarray) -> None:
    """d *= s * (1 - s) in place, with s = sigma(z) the cached output."""
    np.subtract(1, s, out=tmp)
    tmp *= s
    d *= tmp


def _forward_loop(x, p: LSTMParams, h0, c0, keep: bool):
    """The time loop of ``lstm_forward``; returns hx, cs, acts, tanh_c.

    hx (T+1, B, H+D+1): row t holds [h_t, x_{t+1}, 1], the input of step t+1 (the last
    row has no x), so hx[:, :, :H] is h_0 .. h_T. With ``keep`` every step is kept: cs
    (T+1, B, H) C_0 .. C_T, acts (4, T, B, H) the activated gates i, f, g, o and tanh_c
    (T, B, H) tanh(C_1) .. tanh(C_T); without, they hold one step and are reused.
    """
    B, T, D = x.shape
    H = h0.shape[1]
    dtype = x.dtype
    # Written for speed: numpy pays a fixed cost per call, more on strided views, and
    # memory that is not in the CPU cache is slow. Hence:
    # - one matmul per step for W . [h_{t-1}, x_t] + b of all four gates: hx[t] holds
    #   [h_{t-1}, x_t, 1] side by side and W4[k] = [W_k | b_k]^T, with the article's W_k =
    #   [W_hk | W_ik] and b_k (see gate_weights): the bias is the weight of an input that
    #   is always 1. So hx[t] @ W4 gives every gate's pre-activation;
    # - gate-major layout: acts[k] holds gate k (i, f, g, o), so each gate of each step
    #   is one contiguous (B, H) block;
    # - sigma(a) = (1 + tanh(a/2)) / 2: the rows of the sigmoid gates i, f, o are halved
    #   once here (exact: a power of two), so one tanh per step serves all four gates;
    # - without ``keep``, the buffers of one step are reused: they stay in the CPU cache.
    half = np.array([0.5, 0.5, 1.0, 0.5], dtype=dtype)[:, None, None]  # per gate i, f, g, o
    Wb = np.concatenate([p.W_hh, p.W_ih, (p.b_ih + p.b_hh)[:, None]], axis=1)  # (4H, H+D+1)
    W4 = np.ascontiguousarray(Wb.reshape(4, H, H + D + 1).transpose(0, 2, 1)) * half  # (4, H+D+1, H)
    # The constants of the sigmoids as whole (4, B, H) arrays: numpy's loops are a few
    # times slower when an operand is broadcast.
    scale = np.broadcast_to(half, (4, B, H)).copy()
    shift = scale.copy()
    shift[2] = 0  # tanh(a/2) / 2 + 1/2 = sigma(a) for i, f, o; C~ = tanh(a) stays as it is
    hx = np.empty((T + 1, B, H + D + 1), dtype=dtype)
    hx[:, :, -1] = 1  # the bias's input
    hs = hx[:, :, :H]  # h_0 .. h_T
    hs[0] = h0
    hx[:T, :, H:H + D] = x.transpose(1, 0, 2)  # x_1 .. x_T
    n = T if keep else 1  # steps held in acts and tanh_c
    acts = np.empty((4, n, B, H), dtype=dtype)
    cs = np.empty((n + 1, B, H), dtype=dtype)  # C_t is cs[t % (n + 1)] (without keep: two slots)
    tanh_c = np.empty((n, B, H), dtype=dtype)
    ig = np.empty((B, H), dtype=dtype)
    cs[0] = c0
    for t in range(T):
        a = acts[:, t % n]  # (4, B, H): pre-activations, activated in place
        c_prev, c, tc = cs[t % (n + 1)], cs[(t + 1) % (n + 1)], tanh_c[t % n]
        np.matmul(hx[t], W4, out=a)  # W . [h_{t-1}, x_t] + b for the four gates
        i, f, g, o = a
        np.tanh(a, out=a)  # C~_t = tanh(W_C.[h_{t-1}, x_t] + b_C); tanh(a/2) for i, f, o
        a *= scale  # i_t = sigma(W_i.[h_{t-1}, x_t] + b_i), f_t and o_t likewise
        a += shift
        np.multiply(f, c_prev, out=c)  # C_t = f_t * C_{t-1} + i_t * C~_t
        np.multiply(i, g, out=ig)
        c += ig
        np.tanh(c, out=tc)  # h_t = o_t * tanh(C_t)
        np.multiply(o, tc, out=hs[t + 1])
    return hx, cs, acts, tanh_c


def lstm_forward(x, p: LSTMParams, state=None, return_cache: bool = False, return_gates: bool = False):
    """Run the LSTM over a batch of sequences.

    x: (B, T, D); p: LSTMParams; state: (h_0, c_0), each (B, H), or None for zeros.

    Returns the named tuple ``Forward(hs, state[, cache][, gates])`` (``cells``): each
    flag adds one field, so these unpack in this order::

        hs, (h_T, c_T)                    # hs: (B, T, H); h_T, c_T: (B, H)
        hs, (h_T, c_T), cache             # return_cache=True  (for lstm_backward)
        hs, (h_T, c_T), gates             # return_gates=True
        hs, (h_T, c_T), cache, gates      # both

    ``gates`` is a dict of (B, T, H) arrays: "i", "f", "g" (the candidate C~),
    "o" and "c" (the cell state c_1 .. c_T).
    """
    x = V.check_sequence(x, "x")
    p, D, H = _check_params(p, x.dtype)
    B, T, _ = V.check_input_size(x, "x", D).shape
    h0, c0 = V.check_lstm_state(state, B, H, x.dtype)
    hx, cs, acts, tanh_c = _forward_loop(x, p, h0, c0, keep=return_cache or return_gates)
    hs = hx[:, :, :H]  # (T+1, B, H) h_0 .. h_T

    gates = cache = None
    if return_gates:
        gates = {k: cells.batch_major(acts[n]) for n, k in enumerate(GATES)} | {"c": cells.batch_major(cs[1:])}
    if return_cache:
        cache = LSTMCache(hx[:T, :, H:H + D], p, hs, cs, acts, tanh_c)  # x_tm and hs_tm: views of hx
    return cells.forward_result(cells.batch_major(hs[1:]), (hs[T].copy(), cs[T % len(cs)].copy()), cache, gates)


def lstm_backward(dhs, cache: LSTMCache, dstate=None):
    """Backpropagation through time for ``lstm_forward``.

    dhs: (B, T, H), dL/dh_t for every step; cache: from ``lstm_forward(...,
    return_cache=True)``; dstate: (dh_T, dc_T), gradients reaching the final state
    from elsewhere, or None (either entry may also be None).

    Returns ``dx, dp, (dh_0, dc_0)``: dx (B, T, D), dp an LSTMParams of gradients,
    dh_0 and dc_0 (B, H). All in x's dtype.
    """
    x_tm, p, hs, cs, acts, tanh_c = V.check_cache(cache, LSTMCache, "lstm_forward")
    T, B, D = x_tm.shape
    H = hs.shape[2]
    dtype = x_tm.dtype
    dhs = V.check_grad(dhs, "dhs", (B, T, H), dtype)
    dh_next, dc_next = V.check_pair_grad(dstate, B, H, dtype)
    dhs_tm = np.ascontiguousarray(dhs.transpose(1, 0, 2))  # (T, B, H)
    W_hh4 = p.W_hh.reshape(4, H, H)  # W_hh4[k] = W_hk

    da = np.empty((4, T, B, H), dtype=dtype)  # dL/d(pre-activations), gate-major like the forward
    dh = np.empty((B, H), dtype=dtype)
    dhW = np.empty((4, B, H), dtype=dtype)
    dc = dc_next.copy()
    tmp = np.empty((B, H), dtype=dtype)
    tmp2 = np.empty((2, B, H), dtype=dtype)
    for t in reversed(range(T)):
        a = acts[:, t]  # (4, B, H)
        i, f, g, o = a
        d = da[:, t]
        di, df, dg, do = d
        np.add(dhs_tm[t], dh_next, out=dh)
        # h_t = o_t * tanh(C_t)
        np.multiply(dh, tanh_c[t], out=do)
        np.multiply(tanh_c[t], tanh_c[t], out=tmp)  # dC_t += dh_t * o_t * (1 - tanh(C_t)^2)
        np.subtract(1, tmp, out=tmp)
        tmp *= o
        tmp *= dh
        dc += tmp
        # C_t = f_t * C_{t-1} + i_t * C~_t
        np.multiply(dc, g, out=di)
        np.multiply(dc, cs[t], out=df)
        np.multiply(dc, i, out=dg)
        dc *= f  # dC_{t-1}
        # back through the activations: sigma' = s (1 - s), tanh' = 1 - t^2
        _sigmoid_backward_(d[:2], a[:2], tmp2)  # i_t, f_t
        np.multiply(g, g, out=tmp)
        np.subtract(1, tmp, out=tmp)
        dg *= tmp
        _sigmoid_backward_(do, o, tmp2[0])  # o_t
        np.matmul(d, W_hh4, out=dhW)  # dh_{t-1} = sum over gates k of da_k W_hk
        dh_next = dhW.sum(axis=0)

    da2 = da.reshape(4, T * B, H)
    dW_hh = np.matmul(da2.transpose(0, 2, 1), hs[:-1].reshape(T * B, H)).reshape(4 * H, H)  # one matmul per gate
    dW_ih = np.matmul(da2.transpose(0, 2, 1), x_tm.reshape(T * B, D)).reshape(4 * H, D)
    db = da2.sum(axis=1).reshape(4 * H)
    dx = np.matmul(da2, p.W_ih.reshape(4, H, D)).sum(axis=0)  # (T*B, D)
    dx = dx.reshape(T, B, D).transpose(1, 0, 2)  # (B, T, D)
    dp = LSTMParams(dW_ih, dW_hh, db, db.copy())
    return np.ascontiguousarray(dx), dp, (dh_next, dc)

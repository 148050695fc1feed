"""How far back does a gradient reach? ``||dL/dh_{T-k}||`` against ``k``.

A loss that reads only the last hidden state, ``L = sum(g * h_T)``, sends the
gradient ``dL/dh_T = g`` backwards through the recurrence. For a tanh RNN each step
back multiplies it by the transposed Jacobian of one step (Bengio, Simard &
Frasconi 1994; Hochreiter 1991)::

    dL/dh_{t-1} = W_hh^T . ( (1 - h_t^2) * dL/dh_t )

so after ``k`` steps the gradient has been multiplied by ``k`` such matrices: it
shrinks roughly like ``rho^k`` when the recurrent weights are small (vanishing) and
can grow like it when they are large (exploding). :func:`hidden_grad_ratios`
measures ``||dL/dh_{T-k}|| / ||dL/dh_T||`` with the package's own backward passes
(``rnn.rnn_backward``, ``lstm.lstm_backward``), one time step at a time: the
backward pass over step ``t`` started from ``dL/dh_t`` (and ``dL/dc_t`` for the
LSTM) returns ``dL/dh_{t-1}`` as its ``dh0``, so the whole curve costs one
backward pass over the sequence. :func:`scale_spectral_radius` rescales ``W_hh``
so the widget can vary the spectral radius.

Shapes: ``x: (B, T, D)``; hidden states ``(B, H)``. Norms are taken over the whole
``(B, H)`` array.
"""
from __future__ import annotations

from numbers import Real

import numpy as np

from . import _validate as V
from . import lstm, rnn

__all__ = ["CELLS", "spectral_radius", "scale_spectral_radius", "hidden_grad_norms",
           "hidden_grad_ratios"]

CELLS = ("rnn", "lstm")


def spectral_radius(W) -> float:
    """Largest absolute eigenvalue of a square matrix ``W: (H, H)``."""
    W = V.as_float_array(W, "W")
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W: expected a square matrix (H, H), got shape {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def scale_spectral_radius(p: rnn.RNNParams, radius: float) -> rnn.RNNParams:
    """A copy of the RNN parameters ``p`` with ``W_hh`` rescaled to spectral radius ``radius``.

    Only ``W_hh`` changes; its eigenvectors stay the same, so the curves for several
    radii differ only in how strongly each step back scales the gradient.

    >>> p = rnn.init_params(2, 8, np.random.default_rng(0))
    >>> round(spectral_radius(scale_spectral_radius(p, 1.5).W_hh), 6)
    1.5
    """
    if not isinstance(p, rnn.RNNParams):
        raise TypeError(f"p: expected rnn.RNNParams, got {type(p).__name__}")
    if isinstance(radius, bool) or not isinstance(radius, Real) or not np.isfinite(radius) or radius < 0:
        raise ValueError(f"radius: expected a non-negative finite number, got {radius!r}")
    rho = spectral_radius(p.W_hh)
    if rho == 0.0:
        raise ValueError("p.W_hh: has spectral radius 0, so it cannot be rescaled to another radius")
    return p._replace(W_hh=p.W_hh * (float(radius) / rho))


def _check_cell(cell, p):
    cell = V.check_choice(cell, "cell", CELLS)
    want = rnn.RNNParams if cell == "rnn" else lstm.LSTMParams
    if not isinstance(p, want):
        raise TypeError(f"params: expected {want.__module__.split('.')[-1]}.{want.__name__} for "
                        f"cell={cell!r}, got {type(p).__name__}")
    return cell


def hidden_grad_norms(cell: str, params, x, dL_dhT) -> np.ndarray:
    """``||dL/dh_{T-k}||`` for ``k = 0 .. T`` when ``L = sum(dL_dhT * h_T)``.

    cell: "rnn" or "lstm" (``params`` from ``rnn.init_params`` or ``lstm.init_params``);
    x: (B, T, D); dL_dhT: (B, H). Returns a ``(T + 1,)`` array; entry ``k`` is the
    norm of the gradient reaching ``h_{T-k}`` (``h_0`` is the zero initial state).
    For the LSTM the loss does not read ``c_T`` directly (``dL/dc_T = 0``), and
    ``dL/dh_{T-k}`` is the gradient with respect to ``h_{T-k}`` with ``c_{T-k}`` held.
    """
    cell = _check_cell(cell, params)
    x = V.check_sequence(x, "x")
    B, T, _ = x.shape
    H = params.W_hh.shape[1]
    g = V.check_grad(dL_dhT, "dL_dhT", (B, H), x.dtype)
    zeros = np.zeros((B, 1, H), dtype=x.dtype)
    norms = np.empty(T + 1)
    norms[0] = np.linalg.norm(g)
    if cell == "rnn":
        hs, _ = rnn.rnn_forward(x, params)  # (B, T, H): h_1 .. h_T
        for k in range(1, T + 1):
            t = T - k  # step t+1 reads h_t and x_{t+1}; backward over it gives dL/dh_t
            h_t = hs[:, t - 1] if t > 0 else None
            _, _, cache = rnn.rnn_forward(x[:, t:t + 1], params, state=h_t, return_cache=True)
            _, _, g = rnn.rnn_backward(zeros, cache, dstate=g)
            norms[k] = np.linalg.norm(g)
    else:
        hs, _, gates = lstm.lstm_forward(x, params, return_gates=True)
        cs = gates["c"]  # (B, T, H): c_1 .. c_T
        gc = np.zeros_like(g)
        for k in range(1, T + 1):
            t = T - k
            state = (hs[:, t - 1], cs[:, t - 1]) if t > 0 else None
            _, _, cache = lstm.lstm_forward(x[:, t:t + 1], params, state=state, return_cache=True)
            _, _, (g, gc) = lstm.lstm_backward(zeros, cache, dstate=(g, gc))
            norms[k] = np.linalg.norm(g)
    return norms


def hidden_grad_ratios(cell: str, params, x, ks=None, rng: np.random.Generator | None = None,
                       dL_dhT=None) -> np.ndarray:
    """``||dL/dh_{T-k}|| / ||dL/dh_T||`` at each ``k`` in ``ks`` (default ``0 .. T``).

    The loss is ``L = sum(dL_dhT * h_T)``: pass ``dL_dhT (B, H)`` yourself, or an
    ``rng`` to draw it from a standard normal distribution. x: (B, T, D).

    >>> rng = np.random.default_rng(0)
    >>> p = rnn.init_params(3, 16, rng)
    >>> r = hidden_grad_ratios("rnn", p, rng.normal(size=(4, 20, 3)), ks=[0, 10, 20], rng=rng)
    >>> float(r[0]), bool(r[2] < r[1] < 1)
    (1.0, True)
    """
    _check_cell(cell, params)
    x = V.check_sequence(x, "x")
    B, T, _ = x.shape
    H = params.W_hh.shape[1]
    if dL_dhT is None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError("rng: expected a numpy Generator (to draw dL/dh_T) when dL_dhT is not given, "
                            f"got {type(rng).__name__}")
        dL_dhT = rng.standard_normal((B, H)).astype(x.dtype)
    if ks is None:
        ks = np.arange(T + 1)
    ks = np.asarray(ks)
    if ks.ndim != 1 or ks.dtype.kind not in "iu" or (ks.size and (ks.min() < 0 or ks.max() > T)):
        raise ValueError(f"ks: expected a 1-D sequence of integers in [0, T={T}], got {ks!r}")
    norms = hidden_grad_norms(cell, params, x, dL_dhT)
    if norms[0] == 0.0:
        raise ValueError("dL_dhT: is zero, so no ratio can be formed")
    return norms[ks] / norms[0]

"""What ``torch.nn.LSTM``'s options compute, in numpy, built on the course's cell.

``torch.nn.LSTM(D, H, num_layers, bidirectional, proj_size, dropout, batch_first)`` is
the cell of ``lstm.lstm_step`` arranged in a grid (PyTorch's documentation of
``torch.nn.LSTM``; projections from Sak, Senior & Beaufays 2014; bidirectional
networks from Schuster & Paliwal 1997)::

    layer 0 reads x_t; layer l > 0 reads layer l-1's output (after dropout, in training)
    direction 0 runs t = 1 .. T; direction 1 runs the same layer over the reversed sequence
    a layer's output at t is [h_t(forward), h_t(backward)]          (B, T, dirs * H_out)
    proj_size P > 0:  r_t = W_hr (o_t * tanh(C_t)),  r_t is the hidden state, size P

States are stacked like PyTorch's: ``h_0, h_n: (num_layers * dirs, B, H_out)`` and
``c_0, c_n: (num_layers * dirs, B, H)``, row ``layer * dirs + direction``, never batch-first.
``H_out`` is P with a projection, else H.

``params[layer][direction]`` is an ``lstm.LSTMParams`` (``W_ih (4H, D_l)``, ``W_hh (4H, H)``,
``b_ih``, ``b_hh``) or, with a projection, a ``ProjLSTMParams`` that adds ``W_hr (P, H)`` and
has ``W_hh (4H, P)``; ``D_l`` is D for layer 0 and ``dirs * H_out`` above it.
``from_torch(module)`` copies a module's weights into this structure.

``lengths`` gives each sequence's true length, as ``pack_padded_sequence`` does: a
sequence's final state is taken at its own last step, the backward direction starts
there, and the outputs after it are zeros (what ``pad_packed_sequence`` returns).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import lstm

__all__ = ["ProjLSTMParams", "projected_step", "from_torch", "reverse_padded", "forward",
           "torch_dropout_masks"]


class ProjLSTMParams(NamedTuple):
    """One direction of one layer of an LSTM with a projection (``proj_size = P > 0``)."""

    W_ih: np.ndarray  # (4H, D)
    W_hh: np.ndarray  # (4H, P): the recurrent input is the projected state r_{t-1}
    b_ih: np.ndarray  # (4H,)
    b_hh: np.ndarray  # (4H,)
    W_hr: np.ndarray  # (P, H)


def projected_step(x_t, state, p: ProjLSTMParams):
    """One step of an LSTM with a projection: ``(r_t, c_t) = projected_step(x_t, (r_prev, c_prev), p)``.

    x_t: (B, D); r_prev: (B, P); c_prev: (B, H). Returns r_t: (B, P) and c_t: (B, H).
    The four gates are the cell's, with r_{t-1} in place of h_{t-1}.
    """
    r_prev, c_prev = state
    # the cell's own step: its maths does not care that the recurrent input has P entries
    h_t, c_t, _ = lstm._lstm_step(x_t, r_prev, c_prev, p)   # W_hh: (4H, P); h_t: (B, H)
    r_t = h_t @ p.W_hr.T  # (B, H) -> (B, P)
    return r_t, c_t


def from_torch(module) -> list[list]:
    """``params[layer][direction]``: float64 numpy copies of a ``torch.nn.LSTM``'s weights."""
    import torch

    if not isinstance(module, torch.nn.LSTM):
        raise TypeError(f"module: expected a torch.nn.LSTM, got {type(module).__name__}")
    if not module.bias:
        raise ValueError("module: expected bias=True (the numpy cell always has b_ih and b_hh), got bias=False")
    names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"] + (["weight_hr"] if module.proj_size else [])
    kind = ProjLSTMParams if module.proj_size else lstm.LSTMParams
    params = []
    for layer in range(module.num_layers):
        row = []
        for suffix in ("", "_reverse")[:2 if module.bidirectional else 1]:
            arrays = [getattr(module, f"{n}_l{layer}{suffix}").detach().to(torch.float64).numpy().copy()
                      for n in names]
            row.append(kind(*arrays))
        params.append(row)
    return params


def reverse_padded(x: np.ndarray, lengths=None) -> np.ndarray:
    """Reverse each sequence of ``x (B, T, ...)`` within its own length; padding stays in place.

    >>> reverse_padded(np.arange(6.).reshape(2, 3), lengths=[3, 2])
    array([[2., 1., 0.],
           [4., 3., 5.]])
    """
    x = np.asarray(x)
    B, T = x.shape[:2]
    if lengths is None:
        return x[:, ::-1].copy()
    out = x.copy()
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, :n][::-1]
    return out


def _sizes(params) -> tuple[int, int, int, int, int]:
    """(num_layers, dirs, D, H, H_out) of a params grid, checking that it is one."""
    if not isinstance(params, (list, tuple)) or not params or not all(isinstance(r, (list, tuple)) for r in params):
        raise TypeError("params: expected params[layer][direction] (see from_torch), "
                        f"got {type(params).__name__}")
    L, dirs = len(params), len(params[0])
    if dirs not in (1, 2) or any(len(r) != dirs for r in params):
        raise ValueError(f"params: expected 1 or 2 directions in every layer, got {[len(r) for r in params]}")
    first = params[0][0]
    D, H = first.W_ih.shape[1], first.W_ih.shape[0] // 4
    H_out = first.W_hr.shape[0] if isinstance(first, ProjLSTMParams) else H
    for layer, row in enumerate(params):
        D_l = D if layer == 0 else dirs * H_out
        for p in row:
            want = {"W_ih": (4 * H, D_l), "W_hh": (4 * H, H_out), "b_ih": (4 * H,), "b_hh": (4 * H,)}
            if H_out != H or isinstance(p, ProjLSTMParams):
                want["W_hr"] = (H_out, H)
            for name, shape in want.items():
                got = np.shape(getattr(p, name, None))
                if got != shape:
                    raise ValueError(f"params[{layer}]: expected {name} of shape {shape}, got {got}")
    return L, dirs, D, H, H_out


def _direction(x, p, h0, c0, lengths):
    """One direction of one layer over x: (B, T, D_l) -> outputs (B, T, H_out), (h_T, c_T)."""
    B, T, _ = x.shape
    if lengths is None and isinstance(p, lstm.LSTMParams):
        return lstm.lstm_forward(x, p, state=(h0, c0))
    step = projected_step if isinstance(p, ProjLSTMParams) else lstm.lstm_step
    h, c = h0, c0
    out = np.zeros((B, T, h0.shape[1]))
    for t in range(T):
        h_new, c_new = step(x[:, t], (h, c), p)
        # a sequence that has ended keeps its final state, and its outputs stay 0
        alive = np.ones((B, 1), bool) if lengths is None else (t < lengths)[:, None]  # (B, 1)
        h, c = np.where(alive, h_new, h), np.where(alive, c_new, c)
        out[:, t] = np.where(alive, h_new, 0.0)
    return out, (h, c)


def forward(x, params, state=None, *, batch_first: bool = False, lengths=None, dropout_masks=None):
    """What ``torch.nn.LSTM`` returns: ``output, (h_n, c_n) = forward(x, params, (h_0, c_0))``.

    x: (T, B, D), or (B, T, D) with ``batch_first=True``; state: ``(h_0, c_0)`` with
    ``h_0: (L * dirs, B, H_out)`` and ``c_0: (L * dirs, B, H)``, or None for zeros.
    output: (T, B, dirs * H_out), or (B, T, dirs * H_out) with ``batch_first=True``.
    lengths: (B,) true lengths, as given to ``pack_padded_sequence`` (any order).
    dropout_masks: L - 1 arrays (B, T, dirs * H_out) that multiply the outputs of every
    layer but the last (training mode); None for evaluation mode.
    """
    L, dirs, D, H, H_out = _sizes(params)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[2] != D:
        raise ValueError(f"x: expected shape ({'B, T' if batch_first else 'T, B'}, {D}), got {x.shape}")
    x = x if batch_first else x.transpose(1, 0, 2)  # (B, T, D)
    B, T, _ = x.shape
    if state is None:
        state = (np.zeros((L * dirs, B, H_out)), np.zeros((L * dirs, B, H)))
    h0, c0 = (np.asarray(s, dtype=np.float64) for s in state)
    for name, s, want in (("h_0", h0, (L * dirs, B, H_out)), ("c_0", c0, (L * dirs, B, H))):
        if s.shape != want:
            raise ValueError(f"state: expected {name} of shape (num_layers * dirs, B, "
                             f"{'H_out' if name == 'h_0' else 'H'}) = {want}, got {s.shape}")
    if lengths is not None:
        lengths = np.asarray(lengths)
        if lengths.shape != (B,) or lengths.dtype.kind not in "iu" or lengths.min() < 1 or lengths.max() > T:
            raise ValueError(f"lengths: expected {B} integers between 1 and T={T}, got {lengths!r}")
    masks = [None] * (L - 1) if dropout_masks is None else list(dropout_masks)
    if len(masks) != L - 1 or any(m is not None and np.shape(m) != (B, T, dirs * H_out) for m in masks):
        raise ValueError(f"dropout_masks: expected {L - 1} arrays of shape {(B, T, dirs * H_out)}, "
                         f"got {[np.shape(m) for m in masks]}")

    h_n, c_n = np.empty_like(h0), np.empty_like(c0)
    layer_in = x  # (B, T, D) for layer 0, then (B, T, dirs * H_out)
    for layer in range(L):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d  # PyTorch's row of h_n for this layer and direction
            xs = layer_in if d == 0 else reverse_padded(layer_in, lengths)
            out, (h_n[k], c_n[k]) = _direction(xs, params[layer][d], h0[k], c0[k], lengths)
            outs.append(out if d == 0 else reverse_padded(out, lengths))
        layer_in = np.concatenate(outs, axis=2)  # (B, T, dirs * H_out)
        if layer < L - 1 and masks[layer] is not None:
            layer_in = layer_in * masks[layer]
    output = layer_in if batch_first else layer_in.transpose(1, 0, 2)
    return output, (h_n, c_n)


def torch_dropout_masks(num_layers: int, T: int, B: int, width: int, p: float, seed: int) -> list[np.ndarray]:
    """The inter-layer dropout masks ``torch.nn.LSTM`` draws in training mode after ``torch.manual_seed(seed)``.

    Found by experiment, not documented (tested for torch 2.x on the CPU): one draw per
    layer but the last, in order, of a time-major (T, B, width) Bernoulli(1 - p) mask
    scaled by 1 / (1 - p). Returned batch-first, (B, T, width) each, for ``forward``.
    """
    import torch

    if not 0 <= p < 1:
        raise ValueError(f"p: expected a dropout probability in [0, 1), got {p!r}")
    torch.manual_seed(seed)
    masks = []
    for _ in range(num_layers - 1):
        m = torch.empty(T, B, width, dtype=torch.float64).bernoulli_(1 - p) / (1 - p)  # (T, B, width)
        masks.append(m.numpy().transpose(1, 0, 2).copy())  # (B, T, width)
    return masks

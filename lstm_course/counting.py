"""How many parameters a one-layer RNN, GRU and LSTM have, for input size D and hidden size H.

All three cells share one layout (PyTorch's, and this package's ``init_params``)::

    W_ih (kH, D)   W_hh (kH, H)   b_ih (kH,)   b_hh (kH,)

with k row blocks: 1 for the tanh RNN, 3 for the GRU (r, z, n; Cho et al. 2014) and 4
for the LSTM (i, f, g, o; Hochreiter & Schmidhuber 1997, Gers et al. 2000). So::

    count = k * (H * D + H * H + 2 * H) = k * H * (D + H + 2)

The article writes one bias per layer, ``b_f``; PyTorch keeps two (``b_if`` and
``b_hf``, for cuDNN compatibility) whose sum is ``b_f``. ``biases=1`` counts the
article's way, ``k * H * (D + H + 1)``: the parameters that actually change the output.

``param_shapes`` and ``param_count`` use only D and H (no arrays are allocated, so any
size is cheap); ``count_params`` sums the sizes of real arrays, such as the result of
``lstm.init_params``. The tests check that the three agree with each other and with
the ``numel()`` of ``torch.nn.RNN``, ``nn.GRU`` and ``nn.LSTM``.

>>> param_count("lstm", D=10, H=20)
2560
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from . import _validate as V

__all__ = ["KINDS", "BLOCKS", "param_shapes", "param_count", "param_counts", "count_params"]

KINDS = ("rnn", "gru", "lstm")
BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}  # row blocks: one learned layer each


def _check_kind(kind) -> str:
    if not isinstance(kind, str) or kind.lower() not in BLOCKS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    return kind.lower()


def param_shapes(kind: str, D: int, H: int) -> dict[str, tuple[int, ...]]:
    """Shape of every parameter array of one layer, in PyTorch's order and names.

    >>> param_shapes("gru", 3, 5)
    {'W_ih': (15, 3), 'W_hh': (15, 5), 'b_ih': (15,), 'b_hh': (15,)}
    """
    kind = _check_kind(kind)
    D = V.check_size(D, "D")
    H = V.check_size(H, "H")
    kH = BLOCKS[kind] * H
    return {"W_ih": (kH, D), "W_hh": (kH, H), "b_ih": (kH,), "b_hh": (kH,)}


def param_count(kind: str, D: int, H: int, biases: int = 2) -> int:
    """Number of parameters of one layer; ``biases=2`` as PyTorch stores them, 1 as the article writes them."""
    if biases not in (1, 2):
        raise ValueError(f"biases: expected 1 (the article's b) or 2 (PyTorch's b_ih and b_hh), got {biases!r}")
    shapes = param_shapes(kind, D, H)
    if biases == 1:
        del shapes["b_hh"]  # b = b_ih + b_hh is one vector of free parameters
    return int(sum(np.prod(s, dtype=np.int64) for s in shapes.values()))


def param_counts(D: int, H: int, biases: int = 2) -> dict[str, int]:
    """``{"rnn": ..., "gru": ..., "lstm": ...}`` for one layer of each cell."""
    return {kind: param_count(kind, D, H, biases) for kind in KINDS}


def count_params(params: Iterable) -> int:
    """Total number of entries of the arrays in ``params``, e.g. ``count_params(lstm.init_params(D, H, rng))``.

    Entries that are not arrays (such as ``RNNParams.nonlinearity``) are not parameters and are skipped.
    """
    return int(sum(a.size for a in params if isinstance(a, np.ndarray)))

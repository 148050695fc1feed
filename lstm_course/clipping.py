"""Gradient clipping: by global norm (the usual remedy for exploding gradients) and by value.

Clipping by global norm treats all gradients of a model as one long vector ``g``::

    ||g|| = sqrt(sum over arrays of sum(a ** 2))
    g <- g * min(1, max_norm / (||g|| + 1e-6))

so the update keeps its direction and only its length is capped. The formula,
small constant included, is that of ``torch.nn.utils.clip_grad_norm_``; the tests
compare the two. Clipping by value, ``np.clip(a, -c, c)`` on every entry (PyTorch's
``clip_grad_value_``), also bounds the update but bends its direction.

A set of gradients is a list or tuple of arrays (an ``lstm.LSTMParams`` of
gradients works too) or a dict of arrays; the clipped gradients come back in the
same kind of container, as new arrays.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._validate import check_positive

__all__ = ["global_norm", "clip_by_global_norm", "clip_by_value"]

_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_ divides by (total_norm + 1e-6)


def _arrays(grads, name: str = "grads") -> list[np.ndarray]:
    """The arrays of ``grads`` (a sequence or a mapping of float arrays), validated."""
    if isinstance(grads, np.ndarray) or isinstance(grads, (str, bytes)):
        raise TypeError(f"{name}: expected a list, tuple or dict of arrays, got {type(grads).__name__}")
    if isinstance(grads, Mapping):
        items = list(grads.items())
    elif isinstance(grads, (list, tuple)):
        items = list(enumerate(grads))
    else:
        raise TypeError(f"{name}: expected a list, tuple or dict of arrays, got {type(grads).__name__}")
    if not items:
        raise ValueError(f"{name}: expected at least one array, got an empty {type(grads).__name__}")
    out = []
    for key, a in items:
        a = np.asarray(a)
        if a.dtype.kind not in "fiu" or a.dtype == np.bool_:
            raise TypeError(f"{name}[{key!r}]: expected an array of numbers, got dtype {a.dtype}")
        out.append(a if a.dtype.kind == "f" else a.astype(np.float64))  # integers would truncate
    return out


def _rebuild(grads, arrays: list[np.ndarray]):
    """``arrays`` in the container kind of ``grads`` (list, tuple, namedtuple or dict)."""
    if isinstance(grads, Mapping):
        return dict(zip(grads.keys(), arrays))
    if isinstance(grads, tuple) and hasattr(grads, "_fields"):
        return type(grads)(*arrays)
    return type(grads)(arrays) if isinstance(grads, tuple) else list(arrays)


def global_norm(grads) -> float:
    """The Euclidean norm of all arrays of ``grads`` taken together as one vector."""
    return float(np.sqrt(sum(np.sum(np.square(a, dtype=np.float64)) for a in _arrays(grads))))


def clip_by_global_norm(grads, max_norm: float):
    """Rescale ``grads`` so that their global norm is at most ``max_norm``.

    Returns ``(clipped, norm)``: the clipped gradients (new arrays, same container
    kind and float dtypes as ``grads``; integers become float64) and the global norm *before* clipping. Gradients
    whose norm is already below ``max_norm`` come back unchanged (as copies).

    >>> clipped, norm = clip_by_global_norm([np.array([3.0, 4.0])], max_norm=1.0)
    >>> norm, np.round(clipped[0], 3)
    (5.0, array([0.6, 0.8]))
    """
    max_norm = check_positive(max_norm, "max_norm")
    arrays = _arrays(grads)
    norm = global_norm(grads)
    scale = min(1.0, max_norm / (norm + _EPS))
    return _rebuild(grads, [(a * scale).astype(a.dtype, copy=False) for a in arrays]), norm


def clip_by_value(grads, clip_value: float):
    """Clip every entry of ``grads`` to ``[-clip_value, clip_value]`` (new arrays, same container)."""
    clip_value = check_positive(clip_value, "clip_value")
    return _rebuild(grads, [np.clip(a, -clip_value, clip_value) for a in _arrays(grads)])

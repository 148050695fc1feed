"""Numerically stable activations and their derivatives.

sigma(z) = 1 / (1 + exp(-z))        sigma'(z) = sigma(z) * (1 - sigma(z))
tanh(z)                             tanh'(z)  = 1 - tanh(z)**2

``sigmoid`` never evaluates ``exp`` of a large positive number, so it raises no
overflow warning even at |z| = 1e4, and every function keeps its input's float
dtype (float32 in, float32 out).

The ``*_grad_from_output`` forms take the activation's *output*: backward passes
cache outputs, and the derivative is cheapest written in terms of them.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid",
    "sigmoid_grad",
    "sigmoid_grad_from_output",
    "tanh",
    "tanh_grad",
    "tanh_grad_from_output",
    "relu",
    "relu_grad",
]


def _as_float(z, name: str = "z") -> np.ndarray:
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        if np.issubdtype(z.dtype, np.integer) or z.dtype == np.bool_:
            return z.astype(np.float64)
        raise TypeError(f"{name}: expected a float array, got dtype {z.dtype}")
    return z


def sigmoid(z) -> np.ndarray:
    """Logistic sigmoid, stable for any |z|: exp is only ever taken of -|z|."""
    z = _as_float(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: cannot overflow
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def sigmoid_grad(z) -> np.ndarray:
    """d sigma / dz at z."""
    return sigmoid_grad_from_output(sigmoid(z))


def sigmoid_grad_from_output(s) -> np.ndarray:
    """d sigma / dz written with s = sigma(z)."""
    s = _as_float(s, "s")
    return s * (1 - s)


def tanh(z) -> np.ndarray:
    """Hyperbolic tangent (numpy's is already stable: it saturates to +-1)."""
    return np.tanh(_as_float(z))


def tanh_grad(z) -> np.ndarray:
    """d tanh / dz at z."""
    return tanh_grad_from_output(tanh(z))


def tanh_grad_from_output(t) -> np.ndarray:
    """d tanh / dz written with t = tanh(z)."""
    t = _as_float(t, "t")
    return 1 - t * t


def relu(z) -> np.ndarray:
    """max(z, 0)."""
    z = _as_float(z)
    return np.maximum(z, 0).astype(z.dtype, copy=False)


def relu_grad(z) -> np.ndarray:
    """1 where z > 0, else 0 (the subgradient 0 is taken at z = 0)."""
    z = _as_float(z)
    return (z > 0).astype(z.dtype)

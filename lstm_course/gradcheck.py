"""Finite-difference gradient checking.

For a scalar function L of an array a, the central difference

    dL/da[k] ~ (L(a + eps e_k) - L(a - eps e_k)) / (2 eps)

has error O(eps^2), so in float64 with eps ~ 1e-6 it agrees with a correct analytic
gradient to about 1e-9 relative error; a wrong backward pass is off by far more.
The tests and the backpropagation appendix compare every hand-written backward
pass with it, using ``relative_error`` below (the measure of cs231n and Karpathy's
``lstm.py``).
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "check_gradients", "GradcheckError"]


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences."""


def numerical_gradient(f: Callable[[], float], a: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to ``a``.

    ``a`` is perturbed in place, one entry at a time, and restored; ``f`` must read
    it (for example through a closure). Use float64: in float32 the rounding
    error of ``f`` swamps any useful ``eps``.
    """
    if not isinstance(a, np.ndarray) or a.dtype != np.float64:
        got = a.dtype if isinstance(a, np.ndarray) else type(a).__name__
        raise TypeError(f"a: expected a float64 numpy array (perturbed in place), got {got}")
    if not eps > 0:
        raise ValueError(f"eps: expected a positive step, got {eps}")
    grad = np.zeros_like(a)
    it = np.nditer(a, flags=["multi_index"], op_flags=["readwrite"])
    for _ in it:
        k = it.multi_index
        old = a[k]
        a[k] = old + eps
        f_plus = float(f())
        a[k] = old - eps
        f_minus = float(f())
        a[k] = old
        grad[k] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric) -> float:
    """max |a - n| / max(|a| + |n|, 1e-12), elementwise; 0 when both are 0."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"analytic and numeric: expected equal shapes, got {a.shape} and {n.shape}")
    if a.size == 0:
        return 0.0
    denom = np.maximum(np.abs(a) + np.abs(n), 1e-12)
    return float(np.max(np.abs(a - n) / denom))


def check_gradients(
    f: Callable[[], float],
    arrays: Mapping[str, np.ndarray],
    analytic: Mapping[str, np.ndarray],
    eps: float = 1e-6,
    tol: float = 1e-7,
) -> dict[str, float]:
    """Compare analytic gradients with finite differences, array by array.

    ``arrays[name]`` is perturbed in place while ``f()`` is evaluated;
    ``analytic[name]`` is the hand-derived gradient of ``f`` with respect to it.
    Returns ``{name: relative error}``; raises ``GradcheckError`` naming every array
    whose error exceeds ``tol``.
    """
    missing = sorted(set(arrays) - set(analytic))
    if missing:
        raise ValueError(f"analytic: expected a gradient for every array, missing {missing}")
    errors = {}
    for name, a in arrays.items():
        g = np.asarray(analytic[name])
        if g.shape != a.shape:
            raise ValueError(f"analytic[{name!r}]: expected shape {a.shape}, got {g.shape}")
        errors[name] = relative_error(g, numerical_gradient(f, a, eps))
    bad = {k: v for k, v in errors.items() if not v < tol}
    if bad:
        detail = ", ".join(f"{k}: {v:.2e}" for k, v in bad.items())
        raise GradcheckError(f"relative error above {tol:g} for {detail}")
    return errors

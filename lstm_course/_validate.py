"""Checks at the package's public boundary: the one place input validation lives.

Every public function of the cells calls these before it computes anything, so a
mistake surfaces as an error that names the argument, what was expected and what
was given, never as a silent broadcast or a numpy warning. Loops over time call the
cells' unchecked cores: inputs are checked once, at the boundary.

The exception policy:

* ``TypeError`` when the argument has the wrong *type*: an int array where floats
  belong, a string, a single array where a pair ``(h, c)`` belongs, a bool or float
  where a size, a step count or a seed belongs (:func:`check_int`), a string where a
  learning rate belongs, something that is not a ``np.random.Generator``, a model of
  another class than the function trains, a ``make_batch`` that is not callable.
* ``ValueError`` when the type is right but the *value* is not: a wrong shape or
  input size, NaN or inf, a size <= 0, a negative seed, an unknown choice, a
  non-finite forget bias, a learning rate <= 0.

The training functions (``train``, ``seeds``, ``attention``, ``charlm``) follow the
same policy through :func:`check_int`, :func:`check_positive` and :func:`check_choice`.
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Sequence

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _describe(a) -> str:
    if isinstance(a, np.ndarray):
        return f"array of shape {a.shape} and dtype {a.dtype}"
    return f"{type(a).__name__}"


def as_float_array(a, name: str, *, dtype=None) -> np.ndarray:
    """Return ``a`` as a float32/float64 ndarray or raise TypeError.

    Integer, boolean, string and object data are refused rather than cast: an
    integer token index passed where one-hot floats belong is a bug to report.
    With ``dtype`` given, a float array is cast to it (params follow x's dtype).
    """
    if isinstance(a, (str, bytes)):
        raise TypeError(f"{name}: expected a float32 or float64 array, got {type(a).__name__}")
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name}: expected a float32 or float64 array, got {_describe(a)} ({exc})") from None
    if arr.dtype not in FLOAT_DTYPES:
        raise TypeError(
            f"{name}: expected a float32 or float64 array, got dtype {arr.dtype}"
            + (" (cast it first, e.g. x.astype(np.float32))" if arr.dtype.kind in "iub" else "")
        )
    if dtype is not None and arr.dtype != dtype:
        arr = arr.astype(dtype)
    return arr


def check_finite(a: np.ndarray, name: str) -> None:
    if not np.isfinite(a).all():
        n_nan = int(np.isnan(a).sum())
        n_inf = int(np.isinf(a).sum())
        raise ValueError(f"{name}: expected finite values, got {n_nan} NaN and {n_inf} inf entries")


def check_sequence(x, name: str = "x", D: int | None = None) -> np.ndarray:
    """Validate a batch-first input sequence ``x: (B, T, D)`` and return it as an array."""
    x = as_float_array(x, name)
    if x.ndim != 3:
        hint = " (a single sequence? add a batch axis: x[None])" if x.ndim == 2 else ""
        raise ValueError(f"{name}: expected a 3-D array (B, T, D), got shape {x.shape}{hint}")
    B, T, Dx = x.shape
    if B == 0:
        raise ValueError(f"{name}: expected batch size B >= 1, got shape {x.shape}")
    if T == 0:
        raise ValueError(f"{name}: expected at least one time step (T >= 1), got shape {x.shape}")
    if D is not None and Dx != D:
        raise ValueError(f"{name}: expected input size D={D} (from the params' W_ih), got shape {x.shape}")
    check_finite(x, name)
    return x


def check_step_input(x_t, name: str = "x_t", D: int | None = None) -> np.ndarray:
    """Validate one time step ``x_t: (B, D)``."""
    x_t = as_float_array(x_t, name)
    if x_t.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array (B, D), got shape {x_t.shape}")
    if D is not None and x_t.shape[1] != D:
        raise ValueError(f"{name}: expected input size D={D} (from the params' W_ih), got shape {x_t.shape}")
    check_finite(x_t, name)
    return x_t


def check_size(value, name: str) -> int:
    """A positive integer size such as D or H."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name}: expected a positive integer, got {value!r} ({type(value).__name__})")
    if value <= 0:
        raise ValueError(f"{name}: expected a positive integer, got {value}")
    return int(value)


def check_params(p, fields: Sequence[str], n_gates: int, *, kind: str, dtype=None) -> tuple[int, int]:
    """Check a params NamedTuple of a gated cell and return ``(D, H)``.

    Expects ``W_ih (G*H, D)``, ``W_hh (G*H, H)``, ``b_ih (G*H,)``, ``b_hh (G*H,)``
    with ``G = n_gates``; any extra fields are checked by the caller.
    """
    missing = [f for f in fields if not hasattr(p, f)]
    if missing:
        raise TypeError(f"params: expected {kind} params with fields {list(fields)}, got {type(p).__name__} missing {missing}")
    arrays = {f: as_float_array(getattr(p, f), f"params.{f}") for f in ("W_ih", "W_hh", "b_ih", "b_hh")}
    W_ih, W_hh = arrays["W_ih"], arrays["W_hh"]
    if W_hh.ndim != 2 or W_hh.shape[0] != n_gates * W_hh.shape[1]:
        raise ValueError(f"params.W_hh: expected shape ({n_gates}*H, H) for a {kind}, got {W_hh.shape}")
    H = W_hh.shape[1]
    if W_ih.ndim != 2 or W_ih.shape[0] != n_gates * H:
        raise ValueError(f"params.W_ih: expected shape ({n_gates * H}, D) to match W_hh's H={H}, got {W_ih.shape}")
    D = W_ih.shape[1]
    for f in ("b_ih", "b_hh"):
        if arrays[f].shape != (n_gates * H,):
            raise ValueError(f"params.{f}: expected shape ({n_gates * H},) to match W_hh's H={H}, got {arrays[f].shape}")
    for f, a in arrays.items():
        check_finite(a, f"params.{f}")
    if D == 0:
        raise ValueError(f"params.W_ih: expected input size D >= 1, got shape {W_ih.shape}")
    return D, H


def check_hidden(h, name: str, B: int, H: int, dtype) -> np.ndarray:
    """Validate one state tensor ``(B, H)`` and cast it to the computation's dtype."""
    h = as_float_array(h, name, dtype=dtype)
    if h.shape != (B, H):
        raise ValueError(f"{name}: expected shape (B, H) = ({B}, {H}), got {h.shape}")
    check_finite(h, name)
    return h


def check_lstm_state(state, B: int, H: int, dtype, name: str = "state") -> tuple[np.ndarray, np.ndarray]:
    """An LSTM state is a pair ``(h, c)``, each ``(B, H)``; ``None`` means zeros."""
    if state is None:
        z = np.zeros((B, H), dtype=dtype)
        return z, z.copy()
    if isinstance(state, np.ndarray) or not isinstance(state, (tuple, list)) or len(state) != 2:
        raise TypeError(f"{name}: expected a pair (h, c) of arrays each of shape ({B}, {H}), got {_describe(state)}"
                        + (f" of length {len(state)}" if isinstance(state, (tuple, list)) else ""))
    h, c = state
    return check_hidden(h, f"{name}[0] (h)", B, H, dtype), check_hidden(c, f"{name}[1] (c)", B, H, dtype)


def check_single_state(state, B: int, H: int, dtype, name: str = "state") -> np.ndarray:
    """An RNN or GRU state is one array ``(B, H)``; ``None`` means zeros."""
    if state is None:
        return np.zeros((B, H), dtype=dtype)
    if isinstance(state, (tuple, list)):
        raise TypeError(f"{name}: expected one array of shape ({B}, {H}), got a {type(state).__name__} "
                        f"of length {len(state)} (an RNN/GRU has no cell state)")
    return check_hidden(state, name, B, H, dtype)


def check_grad(g, name: str, shape: tuple, dtype) -> np.ndarray:
    """An upstream gradient must have exactly the forward output's shape."""
    g = as_float_array(g, name, dtype=dtype)
    if g.shape != tuple(shape):
        raise ValueError(f"{name}: expected shape {tuple(shape)} (the forward output's), got {g.shape}")
    check_finite(g, name)
    return g


def check_dtype(dtype) -> np.dtype:
    """A float dtype for new parameters: float32 or float64."""
    dtype = np.dtype(dtype)
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"dtype: expected float32 or float64, got {dtype}")
    return dtype


def check_number(value, name: str) -> float:
    """A finite real number such as ``forget_bias``: TypeError if not a number, ValueError if not finite."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


def check_flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def check_input_size(x: np.ndarray, name: str, D: int) -> np.ndarray:
    """The last axis of an already validated ``x`` (a step or a sequence) must be the params' D."""
    if x.shape[-1] != D:
        raise ValueError(f"{name}: expected input size D={D} (from the params' W_ih), got shape {x.shape}")
    return x


def check_pair_grad(dstate, B: int, H: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """``dstate = (dh, dc)``, each (B, H) or None for zeros, or None for both (LSTM-like cells)."""
    if dstate is None:
        dstate = (None, None)
    if isinstance(dstate, np.ndarray) or not isinstance(dstate, (tuple, list)) or len(dstate) != 2:
        extra = f" of length {len(dstate)}" if isinstance(dstate, (tuple, list)) else ""
        raise TypeError(f"dstate: expected None or a pair (dh_T, dc_T) of arrays each of shape ({B}, {H}), "
                        f"got {_describe(dstate)}{extra}")
    return tuple(np.zeros((B, H), dtype) if d is None else check_grad(d, f"dstate[{k}] ({n})", (B, H), dtype)
                 for k, (d, n) in enumerate(zip(dstate, ("dh_T", "dc_T"))))


def check_single_grad(dstate, B: int, H: int, dtype) -> np.ndarray:
    """``dstate = dh``, (B, H), or None for zeros (RNN and GRU: no cell state)."""
    if isinstance(dstate, (tuple, list)):
        raise TypeError(f"dstate: expected None or one array dh_T of shape ({B}, {H}), got a "
                        f"{type(dstate).__name__} (this cell has no cell state)")
    return np.zeros((B, H), dtype) if dstate is None else check_grad(dstate, "dstate", (B, H), dtype)


def check_cache(cache, cls, forward: str):
    """A cache must be the NamedTuple that ``forward(..., return_cache=True)`` returned."""
    if not isinstance(cache, cls):
        raise TypeError(f"cache: expected the {cls.__name__} from {forward}(..., return_cache=True), "
                        f"got {type(cache).__name__}")
    return cache


def check_choice(value, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {list(choices)}, got {value!r}")
    return value


def check_rng(rng) -> np.random.Generator:
    """Randomness is explicit: functions take a ``np.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy Generator such as np.random.default_rng(0), "
                        f"got {type(rng).__name__}")
    return rng


def check_int(value, name: str, minimum: int = 1) -> int:
    """A whole number of at least ``minimum`` (sizes, steps, seeds, lengths): TypeError for
    a bool, a float or anything else that is not an integer, ValueError below ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{name}: expected an integer >= {minimum}, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive(value, name: str, *, allow_none: bool = False) -> float | None:
    """A positive finite number such as a learning rate or a clipping norm (``None`` passes
    if ``allow_none``): TypeError if not a number, ValueError if not finite or not > 0."""
    if value is None and allow_none:
        return None
    expected = f"a positive finite number{' or None' if allow_none else ''}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name}: expected {expected}, got {value!r} ({type(value).__name__})")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    return float(value)


def check_instance(value, cls, name: str, what: str | None = None):
    """``value`` must be a ``cls`` (a model of the class a function trains, say): TypeError if not."""
    if not isinstance(value, cls):
        raise TypeError(f"{name}: expected {what or 'a ' + cls.__name__}, got {type(value).__name__}")
    return value


def check_callable(value, name: str, what: str):
    """``value`` must be callable, e.g. ``make_batch``: TypeError if not."""
    if not callable(value):
        raise TypeError(f"{name}: expected {what}, got {type(value).__name__}")
    return value

"""Numbers as a chapter shows them: rounded to the digits that carry the point.

A chapter glues values into its prose (``myst_nb.glue``) and the notebook stores what
was glued. A float glued at full precision stores digits that change with the
machine's floating-point kernels (``1.1429441413178199e-07`` on one CPU,
``...414490865e-07`` on another), and the stored notebook then fails its test
elsewhere. :func:`shown` rounds a value to exactly what a format specification
prints, so the stored value and the page agree, and only those digits are kept::

    glue("ratio", shown(r, ".1e"), display=False)     # prose: {glue:text}`ratio:.1e`

``tests/test_book.py`` checks every glued float in the book against the format the
prose uses for it.

:func:`spread` formats a per-seed result as "mean (min to max)" for the text.
"""
from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = ["shown", "spread"]


def _check_real(value, name: str = "value") -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.number)):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    return float(value)


def shown(value, spec: str) -> float | int:
    """``value`` rounded to what ``format(value, spec)`` shows, as a number.

    ``spec`` is a float format (``".3f"``, ``".1e"``, ``".2g"``, ``".0%"``) or ``"d"``
    for an integer. ``format(shown(v, s), s) == format(v, s)`` always holds.

    >>> shown(1.1429441413178199e-07, ".1e")
    1.1e-07
    >>> shown(0.98765, ".0%")
    0.99
    >>> shown(3.0, "d")
    3
    """
    if not isinstance(spec, str) or not spec:
        raise TypeError(f"spec: expected a format specification such as '.3f', got {spec!r}")
    x = _check_real(value)
    kind = spec[-1]
    if kind == "d":
        if not float(x).is_integer():
            raise ValueError(f"value: format 'd' needs a whole number, got {value!r}")
        return int(x)
    if kind not in "eEfFgG%":
        raise ValueError(f"spec: expected a float format ending in e, f, g or %, or 'd', got {spec!r}")
    if not math.isfinite(x):
        return x
    text = format(x, spec)
    if kind == "%":
        return round(float(text.rstrip("%").replace(",", "")) / 100, 12)
    return float(text.replace(",", ""))


def spread(values, spec: str) -> str:
    """``"mean (min to max)"`` of per-seed values, each formatted with ``spec``.

    >>> spread([0.25, 0.5, 1.0], ".2f")
    '0.58 (0.25 to 1.00)'
    """
    v = np.asarray(values, dtype=float).ravel()
    if v.size == 0:
        raise ValueError("values: expected at least one value")
    return f"{format(v.mean(), spec)} ({format(v.min(), spec)} to {format(v.max(), spec)})"

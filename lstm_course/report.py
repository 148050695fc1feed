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

:func:`glue` puts a value into the prose in both places a chapter is read. It records the
value for the website (``myst_nb.glue``, stored in the executed notebook) and keeps it as
an attribute of :data:`glued` in the kernel. The prose writes ``{eval}`glued.ratio```.
On the website the course's Sphinx extension (``book/_ext/course_build.py``) pastes the
stored value, exactly as ``{glue:text}`` would. In JupyterLab, ``jupyterlab-myst``
evaluates ``glued.ratio`` in the student's kernel when the Markdown cell runs::

    glue("ratio", r, ".1e")       # stores the text '1.1e-07'
    # prose: the ratio is {eval}`glued.ratio`
"""
from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = ["glue", "glued", "shown", "spread"]


class Glued:
    """The values a chapter has glued, by name: ``glued.ratio`` (see :func:`glue`)."""

    def __repr__(self) -> str:
        return f"Glued({', '.join(sorted(vars(self))) or 'nothing yet'})"

    def __getattr__(self, name: str):
        # only reached for a name never glued: say so instead of a bare AttributeError
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"nothing is glued as {name!r} yet: run the cell that glues it first")


glued = Glued()


def glue(name: str, value, fmt: str | None = None) -> None:
    """Store ``value`` for the prose under ``name``, formatted with ``fmt`` when given.

    With ``fmt`` the value is stored as the text ``format(value, fmt)``, the digits the
    page shows and nothing more. ``name`` must be a Python identifier, because the prose
    reads it as ``glued.<name>``.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name: expected a Python identifier (the prose reads glued.<name>), got {name!r}")
    if fmt is not None:
        if not isinstance(fmt, str) or not fmt:
            raise TypeError(f"fmt: expected a format specification such as '.3f', got {fmt!r}")
        value = format(value, fmt)
    _glue_output(name, value)
    setattr(glued, name, value)


# myst-nb's glue record (``myst_nb.glue(name, value, display=False)``), written here because
# importing myst_nb (and Sphinx with it) costs every chapter about 2 s: the value's display
# data under the mime prefix below, and its name in the output's metadata
GLUE_PREFIX = "application/papermill.record/"


def _glue_output(name: str, value) -> None:
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


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

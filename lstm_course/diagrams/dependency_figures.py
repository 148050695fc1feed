"""Figures of the gap (chapter "The Problem of Long-Term Dependencies").

Each figure is a pair: ``<name>_sketch(...)`` builds its geometry and alt text side by
side and returns a ``Sketch``; ``<name>(..., theme, ax)`` draws that sketch.

    short_gap    an unrolled RNN whose output h_3 needs the inputs x_0 and x_1
    long_gap     the same inputs at the start, the output h_{t+1} after elided steps

Both are the unrolled chain of ``rnn_figures`` (``unrolled_row``). What the output needs
is marked twice, so that the figure reads without colour too: the inputs and the output
get thick arrows in the theme's highlight colour and bold labels, and a bracket under
the row spans the gap from the last needed input to the output, labelled in steps.
"""
from __future__ import annotations

from matplotlib.figure import Figure

from .builder import Builder, Sketch
from .render import draw
from .rnn_figures import CHUNK, unrolled_row

_BRACKET_Y = -CHUNK["h"] / 2 - CHUNK["io"] - 1.25   # under the x labels
_TICK = 0.3                                      # the bracket's end ticks, upward
_ELIDE_EXTRA = 2.0                               # the long gap's "..." is wider


def _gap_geometry(steps, needed, out, gap_text, elide_after=None) -> dict:
    """The row of chunks ``steps`` with inputs ``needed`` and output ``out`` (indices)
    marked, and a bracket from the last needed input to the output."""
    g = Builder()
    xs = unrolled_row(g, steps, 0.0, elide_after=elide_after, elide_extra=_ELIDE_EXTRA,
                      mark_x=needed, mark_h=(out,))
    if elide_after is not None:   # the left-out steps' inputs and outputs, too
        mid = (xs[elide_after] + xs[elide_after + 1]) / 2
        row = CHUNK["h"] / 2 + CHUNK["io"] + 0.4   # level with the x and h labels
        g.label("label_ellipsis_x", mid, -row, r"$\cdots$")
        g.label("label_ellipsis_h", mid, row, r"$\cdots$")
    a, b, y = xs[max(needed)], xs[out], _BRACKET_Y
    g.edge("edge_gap", [(a, y + _TICK), (a, y), (b, y), (b, y + _TICK)], head=False)
    g.label("label_gap", (a + b) / 2, y - 0.18, gap_text, va="top")
    h, io = CHUNK["h"], CHUNK["io"]
    g.d["extent"] = [-0.6, xs[-1] + CHUNK["w"] / 2 + 0.6, y - 1.0, h / 2 + io + 1.0]
    return g.d


def short_gap_sketch() -> Sketch:
    geom = _gap_geometry([str(k) for k in range(5)], needed=(0, 1), out=3,
                         gap_text="gap of 2 steps")
    return Sketch("short_gap", geom, (
        "A recurrent network unrolled over five steps, inputs x_0 to x_4 below and "
        "outputs h_0 to h_4 above. The inputs x_0 and x_1 and the output h_3 that needs "
        "them are highlighted with thick coloured arrows and bold labels; a bracket under "
        "the row marks the short gap of 2 steps between x_1 and h_3."))


def short_gap(theme: str = "light", ax=None) -> Figure:
    """A short gap: h_3 needs x_0 and x_1, two steps back."""
    return draw(short_gap_sketch(), theme, ax)


def long_gap_sketch() -> Sketch:
    geom = _gap_geometry(["0", "1", "2", "t", "t+1"], needed=(0, 1), out=4,
                         gap_text=r"gap of $t$ steps", elide_after=2)
    return Sketch("long_gap", geom, (
        "A recurrent network unrolled over many steps: copies for steps 0, 1 and 2, an "
        "ellipsis for the steps left out, then copies for steps t and t+1. The inputs x_0 "
        "and x_1 at the start and the output h_{t+1} at the end, which needs them, are "
        "highlighted with thick coloured arrows and bold labels; a bracket under the row "
        "marks the long gap of t steps between x_1 and h_{t+1}."))


def long_gap(theme: str = "light", ax=None) -> Figure:
    """A long gap: h_{t+1} needs x_0 and x_1, t steps back, the middle left out."""
    return draw(long_gap_sketch(), theme, ax)


DIAGRAMS = {"short_gap": short_gap, "long_gap": long_gap}
SKETCHES = {"short_gap": short_gap_sketch, "long_gap": long_gap_sketch}

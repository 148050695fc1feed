"""The article's diagrams, redrawn in code in one visual language.

Olah (2015), "Understanding LSTM Networks", explains recurrent networks with a small
diagram notation: learned layers as boxes, pointwise operations as round shapes, lines
carrying vectors, merging lines meaning concatenation and forking lines meaning copy.
This package keeps those *conventions* but draws every figure afresh, with its own
palette (Okabe & Ito 2008, colour-blind safe), shapes and layout.

Where things live::

    lstm_course/style.py            colours (OKABE_ITO, THEMES) and sizes (STYLE), shared
                                    with plots, widgets and the chapters
    diagrams/builder.py   engine    Builder: geometry as plain data; Sketch = a figure's
                                    name, geometry and alt text; arrow shapes
    diagrams/render.py    engine    geometry -> matplotlib artists; draw(sketch)
    diagrams/flows.py     engine    the flow overlay: arrow widths that follow numbers
    diagrams/rnn_figures.py         rnn_loop, unrolled_rnn, rnn_loop_and_unrolled, rnn_chain
    diagrams/dependency_figures.py  short_gap, long_gap (what an output needs, how far back)
    diagrams/notation_figures.py    notation_legend, cell_state_line, gate
    diagrams/lstm_figures.py        lstm_cell, lstm_chain, peephole_cell, coupled_cell,
                                    unrolled_lstm (and LSTM_PARTS, EQUATIONS)
    diagrams/variant_figures.py     gru_cell, depth_gated_cell, clockwork_rnn

In a figure module every figure is two functions side by side: ``<name>_sketch(...)``
builds the geometry and writes the alt text (read both together), and ``<name>(...,
theme="light", ax=None)`` draws it and returns the Figure. Adding a figure is those two
functions plus one entry in that module's ``DIAGRAMS`` and ``SKETCHES``.

``lstm_cell(highlight=...)`` takes a step name, "forget", "input" (input gate and
candidate), "update" (the cell update), "output" (output gate and tanh(C_t)),
"cell_state" or "inputs", or a list/set mixing step names and element names
(``LSTM_PARTS`` lists both). ``equation=True`` writes the step's equations under the
cell (all six when nothing is highlighted).

No function calls ``plt.show()`` or touches global ``rcParams``; figures are
``DiagramFigure`` objects (a plain ``Figure`` with an Agg canvas that also displays
itself in Jupyter without pyplot).

Alt text: ``alt_text(fig)`` for a drawn figure, or ``alt_text("lstm_cell",
highlight="forget")`` for the same text without drawing anything.

Geometry is data. ``geometry(name, **kwargs)`` returns, without drawing, a plain dict
(extent, modules, nodes, edges, dots, labels, parts) in abstract units; ``render`` turns
such a dict into artists, and the browser widgets (``widgets/js/common.js``) draw the
same dict as SVG.

Live overlays for widgets::

    fig = lstm_cell(flows={"forget": 0.9, "input": 0.2})
    update_flows(fig, {"forget": 0.1})   # same artists, new widths/alphas
    fig.lstm_artists["edge_f"]["line"]   # every element's artists, by name

Flow keys (``FLOW_KEYS``): "forget" (f_t), "input" (i_t), "candidate" (C~_t),
"cell_in" (C_{t-1} into the cell), "cell_kept" (f_t * C_{t-1}), "cell_write"
(i_t * C~_t), "cell_out" (C_t), "output" (o_t), "h" (h_t). Values in [0, 1]
(clipped) set the width and opacity of those arrows.
"""
from __future__ import annotations

from ..style import OKABE_ITO, STYLE, THEMES
from . import dependency_figures, lstm_figures, notation_figures, rnn_figures, variant_figures
from .builder import Sketch
from .dependency_figures import long_gap, short_gap
from .flows import FLOW_KEYS, update_flows
from .lstm_figures import (EQUATIONS, HIGHLIGHT_NAMES, LSTM_PARTS, coupled_cell, lstm_cell,
                           lstm_chain, peephole_cell, unrolled_lstm)
from .notation_figures import cell_state_line, gate, notation_legend
from .render import DiagramFigure, check_theme, render, with_theme
from .rnn_figures import rnn_chain, rnn_loop, rnn_loop_and_unrolled, unrolled_rnn
from .variant_figures import clockwork_rnn, depth_gated_cell, gru_cell

__all__ = [
    "STYLE", "THEMES", "LSTM_PARTS", "FLOW_KEYS", "EQUATIONS",
    "rnn_loop", "unrolled_rnn", "rnn_loop_and_unrolled", "short_gap", "long_gap",
    "rnn_chain", "lstm_chain", "notation_legend", "cell_state_line", "gate", "lstm_cell",
    "peephole_cell", "coupled_cell", "gru_cell", "unrolled_lstm", "depth_gated_cell",
    "clockwork_rnn", "alt_text", "update_flows", "geometry", "sketch", "render", "DIAGRAMS",
    "SKETCHES", "DiagramFigure", "Sketch", "HIGHLIGHT_NAMES", "OKABE_ITO",
]

_MODULES = (rnn_figures, dependency_figures, lstm_figures, notation_figures, variant_figures)
# name -> drawing function, in the order the book first shows them
DIAGRAMS = {name: module.DIAGRAMS[name] for name in (
    "rnn_loop", "unrolled_rnn", "rnn_loop_and_unrolled", "short_gap", "long_gap",
    "rnn_chain", "lstm_chain", "notation_legend", "cell_state_line", "gate", "lstm_cell",
    "peephole_cell", "coupled_cell", "gru_cell", "unrolled_lstm", "depth_gated_cell",
    "clockwork_rnn")
    for module in _MODULES if name in module.DIAGRAMS}
# name -> sketch function (geometry and alt text, nothing drawn)
SKETCHES = {name: fn for module in _MODULES for name, fn in module.SKETCHES.items()}


def sketch(name: str, **kwargs) -> Sketch:
    """The ``Sketch`` (geometry and alt text) of diagram ``name``; nothing is drawn.

    ``kwargs`` are those of the drawing function; ``theme`` is checked and ``ax``
    ignored, since neither changes the geometry.
    """
    if name not in SKETCHES:
        raise ValueError(f"name must be one of {sorted(SKETCHES)}, got {name!r}")
    check_theme(kwargs.pop("theme", "light"))
    kwargs.pop("ax", None)
    return SKETCHES[name](**kwargs)


def geometry(name: str, **kwargs) -> dict:
    """The plain-data geometry (JSON-serialisable) that diagram ``name`` draws.

    Nothing is drawn. Coordinates are abstract units (y up; one unit is
    ``STYLE["unit_in"]`` inches at full size)::

        extent   [x0, x1, y0, y1]
        modules  {name, x0, y0, x1, y1, text, faded}          the rounded repeating module
        nodes    {name, kind: layer|op|pill, x, y, w, h, text, faded}   centre and size
        edges    {name, points: [[x, y], ...], style: vector|cell|peep|mark (an
                  input or output a figure points at, thick in the highlight colour),
                  head: arrowhead at the last point, gaps: [[x, y]] where the line
                  passes under another, faded}
        dots     {name, x, y, style, faded}                   forks and merges
        labels   {name, x, y, text (mathtext), ha, va, size, color, faded}
        parts    {part name: [element names]}                 LSTM cells only

    The browser widgets read this format (``widgets/js/common.js``): change both or
    neither.

    >>> geometry("lstm_cell", highlight="forget")["nodes"][0]["name"]
    'layer_f'
    """
    return sketch(name, **kwargs).geometry


def alt_text(fig_or_name, **kwargs) -> str:
    """Alt text of a drawn figure, or of a diagram by name without drawing it.

    >>> alt_text(lstm_cell(highlight="forget"))            # doctest: +SKIP
    >>> alt_text("lstm_cell", highlight="forget")[:40]     # same text, nothing drawn
    'An LSTM cell: C_{t-1} and h_{t-1} enter '
    """
    if isinstance(fig_or_name, str):
        return with_theme(sketch(fig_or_name, **kwargs).alt, kwargs.get("theme", "light"))
    txt = getattr(fig_or_name, "lstm_alt_text", None)
    if txt is None:
        raise ValueError("this figure was not drawn by lstm_course.diagrams")
    return txt

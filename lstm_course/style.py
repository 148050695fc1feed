"""Colours and sizes shared by every figure of the course: diagrams, plots, widgets, book.

One place for the palette, so that a gate has the same colour in a diagram, a result
plot, a widget and a chapter's own figure. The palette is Okabe & Ito (2008),
"Color Universal Design", chosen because it stays distinct for colour-blind readers.

* ``OKABE_ITO``   -- the eight colours by name (plus the grey often paired with them).
* ``LINE_CYCLE``  -- the order in which plots give colours to lines (one per model or unit).
* ``GATE_COLORS`` -- one colour per LSTM gate, as the widgets and chapter 5 use them.
* ``MUTED``       -- the softer blue and orange of the first chapters' result plots and the
  recurrence widget (kept as they were, so that those figures do not change).
* ``DATA_COLORS`` -- the palette and the muted colours under CSS-safe names, for widgets.
* ``THEMES``      -- the diagrams' light and dark colour roles, plus ``DATA_COLORS`` (the
  widgets' CSS variables: ``vars(theme)`` in ``widgets/js/common.js``).
* ``STYLE``       -- every size of the diagrams (line widths, font sizes, shapes).

Used by ``lstm_course.diagrams`` (engine and figures), ``lstm_course.plots``,
``lstm_course.widgets`` and the chapters' own plotting cells::

    from lstm_course import style
    ax.plot(t, y, color=style.OKABE_ITO["blue"])
"""
from __future__ import annotations

__all__ = ["OKABE_ITO", "LINE_CYCLE", "GATE_COLORS", "MUTED", "DATA_COLORS", "THEMES", "STYLE"]

# Okabe & Ito (2008) palette, colour-blind safe; "grey" is the neutral that usually
# completes it in plotting libraries (not one of the original eight).
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
    "grey": "#999999",
}

# Colours of successive lines in a plot: line n gets LINE_CYCLE[n % len(LINE_CYCLE)].
LINE_CYCLE = tuple(OKABE_ITO[k] for k in ("blue", "orange", "green", "purple", "sky",
                                          "vermillion"))

# One colour per LSTM gate: forget green (it guards the cell state, green in the
# diagrams), input blue, candidate orange, output purple.
GATE_COLORS = {"f": OKABE_ITO["green"], "i": OKABE_ITO["blue"],
               "c_tilde": OKABE_ITO["orange"], "o": OKABE_ITO["purple"]}

# The softer pair of the first chapters' result plots ("grey" is a matplotlib grey level),
# and the pale grey of the recurrence widget's previous step.
MUTED = {"blue": "#3b6ea5", "orange": "#d9822b", "grey": "0.45", "pale_grey": "#9a9a9a"}

# The colours widgets draw data in (bars, curves, one colour per gate or unit): the same
# in both themes, as in the matplotlib figures, so a line keeps its colour in dark mode.
# They join each theme below, so a widget reads them as CSS variables (``var(--lw-blue)``,
# ``var(--lw-muted-orange)``) instead of typing the hex codes.
DATA_COLORS = {**OKABE_ITO, "muted_blue": MUTED["blue"], "muted_orange": MUTED["orange"],
               "pale_grey": MUTED["pale_grey"]}

# The diagrams' colour roles, per theme, and the data colours; the widgets turn these
# into CSS variables.
THEMES = {
    "light": {
        "background": "#FFFFFF", "ink": "#1F1F1F", "muted": "#6B6B6B",
        "module_face": "#F3F3F1", "module_edge": "#A8A8A4",
        "layer_face": "#CBE6F7", "layer_edge": OKABE_ITO["blue"], "layer_text": "#0B2F4A",
        "op_face": "#FBE3C2", "op_edge": OKABE_ITO["vermillion"], "op_text": "#5A1F00",
        "cell": OKABE_ITO["green"], "peephole": OKABE_ITO["purple"],
        "highlight": OKABE_ITO["orange"], **DATA_COLORS,
    },
    "dark": {
        "background": "#16181D", "ink": "#E8E8E8", "muted": "#A0A0A0",
        "module_face": "#23262E", "module_edge": "#5A5F6B",
        "layer_face": "#123B5A", "layer_edge": OKABE_ITO["sky"], "layer_text": "#E3F2FC",
        "op_face": "#4A2A0E", "op_edge": OKABE_ITO["orange"], "op_text": "#FFE9CC",
        "cell": "#2FC29A", "peephole": OKABE_ITO["purple"],
        "highlight": OKABE_ITO["yellow"], **DATA_COLORS,
    },
}

# Every size of every diagram. Lengths are in geometry units unless they say pt or in.
STYLE = {
    "unit_in": 0.40,          # inches per geometry unit at full size
    "max_width_in": 7.0,      # 700 px at dpi 100: the book's content width
    "dpi": 100,
    "font_family": "DejaVu Sans",
    "math_fontfamily": "dejavusans",
    "label_pt": 13.0,         # x_t, h_t, f_t ... beside lines
    "node_pt": 13.0,          # sigma / tanh inside a layer box
    "word_scale": 0.9,        # a word inside a box is set smaller than a symbol
    "op_pt": 16.0,            # x and + inside a pointwise circle
    "caption_pt": 11.5,       # legend captions
    "equation_pt": 13.0,
    "module_label_pt": 18.0,  # the "A" of a plain RNN chunk
    "line_lw": 1.8,           # a vector on a line
    "cell_lw": 3.4,           # the cell-state conveyor belt
    "edge_lw": 1.4,           # outline of boxes and circles
    "module_lw": 1.2,
    "head_len": 0.30,         # arrowhead length, units
    "head_half": 0.14,        # arrowhead half width, units
    "op_r": 0.34,             # pointwise circle radius
    "pill_w": 1.2, "pill_h": 0.6,   # pointwise tanh / 1- shape
    "layer_w": 1.25, "layer_h": 0.76,
    "dot_r": 0.085,           # fork/merge dot
    "gap_half": 0.24,         # half length of the break where a line passes under another
    "min_label_scale": 0.82,  # labels shrink with a wide diagram, but not below this
    "dim_alpha": 0.22,        # parts not highlighted
    "faded_alpha": 0.45,      # neighbouring modules in a chain
}

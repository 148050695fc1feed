"""The article's diagrams, redrawn in code in one visual language.

Olah (2015), "Understanding LSTM Networks", explains recurrent networks with a small
diagram notation: learned layers as boxes, pointwise operations as round shapes, lines
carrying vectors, merging lines meaning concatenation and forking lines meaning copy.
This module keeps those *conventions* but draws every figure afresh, with its own
palette (Okabe & Ito 2008, colour-blind safe), shapes and layout. All sizes and colours
live in ``STYLE`` and ``THEMES``.

Diagrams (each returns a Figure; all accept ``theme="light" | "dark"`` and ``ax=None``)::

    rnn_loop()                      unrolled_rnn(n=4, ellipsis=True)
    rnn_loop_and_unrolled(n=4)      rnn_chain()            lstm_chain()
    notation_legend()               cell_state_line()      gate()
    lstm_cell(highlight=None, equation=False, flows=None, theme="light", ax=None)
    peephole_cell(equation=False)   coupled_cell(equation=False)
    gru_cell(equation=False)        unrolled_lstm(n=3)

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
such a dict into artists, and a future JavaScript widget can draw the same dict.

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

import contextvars
import copy
import io
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, Polygon
from matplotlib.lines import Line2D

__all__ = [
    "STYLE", "THEMES", "LSTM_PARTS", "FLOW_KEYS", "EQUATIONS",
    "rnn_loop", "unrolled_rnn", "rnn_loop_and_unrolled", "rnn_chain", "lstm_chain",
    "notation_legend", "cell_state_line", "gate", "lstm_cell", "peephole_cell",
    "coupled_cell", "gru_cell", "unrolled_lstm",
    "alt_text", "update_flows", "geometry", "render", "DIAGRAMS", "DiagramFigure",
    "HIGHLIGHT_NAMES", "OKABE_ITO",
]

# --------------------------------------------------------------------------------------
# Style: every size and colour of every diagram lives here.
# --------------------------------------------------------------------------------------
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

# Okabe & Ito (2008) palette, colour-blind safe.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
}

THEMES = {
    "light": {
        "background": "#FFFFFF", "ink": "#1F1F1F", "muted": "#6B6B6B",
        "module_face": "#F3F3F1", "module_edge": "#A8A8A4",
        "layer_face": "#CBE6F7", "layer_edge": OKABE_ITO["blue"], "layer_text": "#0B2F4A",
        "op_face": "#FBE3C2", "op_edge": OKABE_ITO["vermillion"], "op_text": "#5A1F00",
        "cell": OKABE_ITO["green"], "peephole": OKABE_ITO["purple"],
        "highlight": OKABE_ITO["orange"],
    },
    "dark": {
        "background": "#16181D", "ink": "#E8E8E8", "muted": "#A0A0A0",
        "module_face": "#23262E", "module_edge": "#5A5F6B",
        "layer_face": "#123B5A", "layer_edge": OKABE_ITO["sky"], "layer_text": "#E3F2FC",
        "op_face": "#4A2A0E", "op_edge": OKABE_ITO["orange"], "op_text": "#FFE9CC",
        "cell": "#2FC29A", "peephole": OKABE_ITO["purple"],
        "highlight": OKABE_ITO["yellow"],
    },
}

# --------------------------------------------------------------------------------------
# Equations in the article's notation (mathtext, no LaTeX needed).
# --------------------------------------------------------------------------------------
EQUATIONS = {
    "f": r"$f_t = \sigma(W_f \cdot [h_{t-1}, x_t] + b_f)$",
    "i": r"$i_t = \sigma(W_i \cdot [h_{t-1}, x_t] + b_i)$",
    "C~": r"$\tilde{C}_t = \tanh(W_C \cdot [h_{t-1}, x_t] + b_C)$",
    "C": r"$C_t = f_t * C_{t-1} + i_t * \tilde{C}_t$",
    "o": r"$o_t = \sigma(W_o \cdot [h_{t-1}, x_t] + b_o)$",
    "h": r"$h_t = o_t * \tanh(C_t)$",
    "peep_f": r"$f_t = \sigma(W_f \cdot [C_{t-1}, h_{t-1}, x_t] + b_f)$",
    "peep_i": r"$i_t = \sigma(W_i \cdot [C_{t-1}, h_{t-1}, x_t] + b_i)$",
    "peep_o": r"$o_t = \sigma(W_o \cdot [C_t, h_{t-1}, x_t] + b_o)$",
    "coupled_C": r"$C_t = f_t * C_{t-1} + (1 - f_t) * \tilde{C}_t$",
    "gru_z": r"$z_t = \sigma(W_z \cdot [h_{t-1}, x_t])$",
    "gru_r": r"$r_t = \sigma(W_r \cdot [h_{t-1}, x_t])$",
    "gru_h~": r"$\tilde{h}_t = \tanh(W \cdot [r_t * h_{t-1}, x_t])$",
    "gru_h": r"$h_t = (1 - z_t) * h_{t-1} + z_t * \tilde{h}_t$",
}

# Which equations go with which walk-through step.
_STEP_EQUATIONS = {
    "forget": ["f"], "input": ["i", "C~"], "update": ["C"], "output": ["o", "h"],
    "cell_state": ["C"],
}
_ALL_LSTM_EQUATIONS = ["f", "i", "C~", "C", "o", "h"]

# Element names of the LSTM cell, grouped into the parts ``highlight`` accepts.
_INPUTS = ["edge_h_prev", "label_h_prev", "edge_x", "label_x", "dot_merge"]
LSTM_PARTS = {
    "forget": _INPUTS + ["edge_bus1", "feed_layer_f", "dot_layer_f", "layer_f", "edge_f",
                         "label_f", "op_mul_f", "edge_cell_in", "label_C_prev"],
    "input": _INPUTS + ["edge_bus1", "edge_bus2", "edge_bus3", "dot_layer_f",
                        "dot_layer_i", "dot_layer_c", "feed_layer_i", "feed_layer_c",
                        "layer_i", "edge_i", "label_i", "layer_c", "edge_c", "label_c",
                        "op_mul_i"],
    "update": ["edge_cell_in", "label_C_prev", "op_mul_f", "edge_f", "label_f",
               "edge_cell_kept", "op_mul_i", "edge_cell_write", "op_add", "edge_cell_out",
               "label_C"],
    "output": _INPUTS + ["edge_bus1", "edge_bus2", "edge_bus3", "edge_bus_o", "dot_layer_f",
                         "dot_layer_i", "dot_layer_c", "layer_o", "edge_o", "label_o",
                         "dot_tanh", "edge_tanh_in", "op_tanh", "edge_tanh_out", "op_mul_o",
                         "edge_h", "dot_h", "edge_h_up", "label_h", "label_h_up"],
    "cell_state": ["edge_cell_in", "label_C_prev", "op_mul_f", "edge_cell_kept", "op_add",
                   "edge_cell_out", "label_C", "dot_tanh"],
    "inputs": _INPUTS + ["edge_bus1", "edge_bus2", "edge_bus3", "edge_bus_o", "feed_layer_f",
                         "feed_layer_i", "feed_layer_c", "dot_layer_f", "dot_layer_i",
                         "dot_layer_c"],
}
# Flow key -> the edges whose width it drives.
FLOW_KEYS = {
    "forget": ["edge_f"],
    "input": ["edge_i"],
    "candidate": ["edge_c"],
    "cell_in": ["edge_cell_in"],
    "cell_kept": ["edge_cell_kept"],
    "cell_write": ["edge_cell_write"],
    "cell_out": ["edge_cell_out"],
    "output": ["edge_o"],
    "h": ["edge_h", "edge_h_up"],
}


# --------------------------------------------------------------------------------------
# Geometry builder: plain data, no matplotlib.
# --------------------------------------------------------------------------------------
class _G:
    """Collects a diagram's geometry as plain dicts (JSON-serialisable)."""

    def __init__(self, prefix: str = "", faded: bool = False, dx: float = 0.0,
                 dy: float = 0.0):
        self.d = {"extent": None, "modules": [], "nodes": [], "edges": [], "dots": [],
                  "labels": []}
        self.prefix, self.faded, self.dx, self.dy = prefix, faded, dx, dy

    def sub(self, prefix: str, faded: bool = False, dx: float = 0.0, dy: float = 0.0):
        """A view that writes into the same dict with an offset and name prefix."""
        g = _G(prefix, faded, dx, dy)
        g.d = self.d
        return g

    def _p(self, x, y):
        return [round(x + self.dx, 4), round(y + self.dy, 4)]

    def module(self, name, x0, y0, x1, y1, text=None):
        (a, b), (c, e) = self._p(x0, y0), self._p(x1, y1)
        self.d["modules"].append({"name": self.prefix + name, "x0": a, "y0": b, "x1": c,
                                  "y1": e, "text": text, "faded": self.faded})

    def node(self, name, kind, x, y, text, w=None, h=None):
        if kind == "layer":
            w, h = w or STYLE["layer_w"], h or STYLE["layer_h"]
        elif kind == "pill":
            w, h = w or STYLE["pill_w"], h or STYLE["pill_h"]
        elif kind == "op":
            w = h = 2 * STYLE["op_r"]
        px, py = self._p(x, y)
        n = {"name": self.prefix + name, "kind": kind, "x": px, "y": py, "w": w, "h": h,
             "text": text, "faded": self.faded}
        self.d["nodes"].append(n)
        return n

    def edge(self, name, points, style="vector", head=True, gaps=()):
        """A polyline ending in an arrowhead (``head``). ``gaps``: points on the line
        where it passes *under* another line, drawn as a short break."""
        self.d["edges"].append({"name": self.prefix + name,
                                "points": [self._p(*p) for p in points],
                                "style": style, "head": head,
                                "gaps": [self._p(*p) for p in gaps],
                                "faded": self.faded})

    def dot(self, name, x, y, style="vector"):
        px, py = self._p(x, y)
        self.d["dots"].append({"name": self.prefix + name, "x": px, "y": py,
                               "style": style, "faded": self.faded})

    def label(self, name, x, y, text, ha="center", va="center", size="label",
              color="ink"):
        px, py = self._p(x, y)
        self.d["labels"].append({"name": self.prefix + name, "x": px, "y": py,
                                 "text": text, "ha": ha, "va": va, "size": size,
                                 "color": color, "faded": self.faded})


def _port(n: dict, side: str, offset: float = 0.0) -> tuple[float, float]:
    """The point where a line meets node ``n`` on ``side`` (left/right/top/bottom)."""
    x, y = n["x"], n["y"]
    hw, hh = n["w"] / 2, n["h"] / 2
    if side == "left":
        return (x - hw, y + offset)
    if side == "right":
        return (x + hw, y + offset)
    if side == "top":
        return (x + offset, y + hh)
    if side == "bottom":
        return (x + offset, y - hh)
    raise ValueError(side)


def _local(g: _G, n: dict, side: str) -> tuple[float, float]:
    """Port in the sub-builder's local coordinates."""
    x, y = _port(n, side)
    return (x - g.dx, y - g.dy)


# --- the LSTM cell --------------------------------------------------------------------
# Local coordinates of one LSTM module. Box 0..W x 0..H; cell state along y=YC;
# [h_{t-1}, x_t] bus along y=YB; the four layers along y=YL.
_L = {"W": 12.6, "H": 7.2, "YC": 6.2, "YB": 1.2, "YL": 3.0, "YM": 4.6,
      "xx": 1.0, "xf": 2.4, "xi": 4.4, "xc": 6.0, "xo": 8.2, "xt": 10.0, "xh": 11.4,
      "stub": 1.6, "x_below": -1.4, "h_above": 8.6}


def _lstm_module(g: _G, variant: str = "lstm", stubs_in: bool = True,
                 stubs_out: bool = True, labels: bool = True, step: str = "t"):
    """Draw one LSTM module into ``g`` (variant: lstm | peephole | coupled)."""
    L = _L
    W, H, YC, YB, YL, YM = L["W"], L["H"], L["YC"], L["YB"], L["YL"], L["YM"]
    g.module("box", 0, 0, W, H)
    lf = g.node("layer_f", "layer", L["xf"], YL, r"$\sigma$")
    if variant != "coupled":
        li = g.node("layer_i", "layer", L["xi"], YL, r"$\sigma$")
    lc = g.node("layer_c", "layer", L["xc"], YL, r"$\tanh$")
    lo = g.node("layer_o", "layer", L["xo"], YL, r"$\sigma$")
    mf = g.node("op_mul_f", "op", L["xf"], YC, r"$\times$")
    ad = g.node("op_add", "op", L["xc"], YC, r"$+$")
    mi = g.node("op_mul_i", "op", L["xc"], YM, r"$\times$")
    th = g.node("op_tanh", "pill", L["xt"], YM, r"$\tanh$")
    mo = g.node("op_mul_o", "op", L["xt"], YL, r"$\times$")
    P = lambda n, s: _local(g, n, s)  # noqa: E731

    # cell state: the conveyor belt
    if stubs_in:
        g.edge("edge_cell_in", [(-L["stub"], YC), P(mf, "left")], style="cell")
    else:
        g.edge("edge_cell_in", [(0, YC), P(mf, "left")], style="cell", head=True)
    g.edge("edge_cell_kept", [P(mf, "right"), P(ad, "left")], style="cell")
    out_end = W + L["stub"] if stubs_out else W
    g.edge("edge_cell_out", [P(ad, "right"), (out_end, YC)], style="cell",
           head=stubs_out)
    g.dot("dot_tanh", L["xt"], YC, style="cell")
    g.edge("edge_tanh_in", [(L["xt"], YC), P(th, "top")])
    # inputs: h_{t-1} from the left, x_t from below, merged into one bus
    if stubs_in:
        g.edge("edge_h_prev", [(-L["stub"], YB), (L["xx"], YB)], head=False)
    else:
        g.edge("edge_h_prev", [(0, YB), (L["xx"], YB)], head=False)
    g.edge("edge_x", [(L["xx"], L["x_below"]), (L["xx"], YB)], head=False)
    g.dot("dot_merge", L["xx"], YB)
    # the bus is cut at each fork so a highlight can light up just the path it needs
    stops = [L["xx"], L["xf"]] + ([L["xi"]] if variant != "coupled" else []) + [L["xc"]]
    for k, (a, b) in enumerate(zip(stops[:-1], stops[1:])):
        g.edge(f"edge_bus{k + 1}", [(a, YB), (b, YB)], head=False)
    g.edge("edge_bus_o", [(L["xc"], YB), (L["xo"], YB), P(lo, "bottom")])
    feeds = [lf, lc] + ([li] if variant != "coupled" else [])
    for n in feeds:
        g.edge("feed_" + n["name"][len(g.prefix):], [(n["x"] - g.dx, YB), P(n, "bottom")])
        g.dot("dot_" + n["name"][len(g.prefix):], n["x"] - g.dx, YB)
    # gates into the pointwise operations
    g.edge("edge_f", [P(lf, "top"), P(mf, "bottom")])
    if variant == "coupled":
        one = g.node("op_one_minus", "pill", L["xi"], YM, "1\u2212")
        g.dot("dot_f_split", L["xf"], YM)
        g.edge("edge_f_split", [(L["xf"], YM), P(one, "left")])
        g.edge("edge_i", [P(one, "right"), P(mi, "left")])
    else:
        g.edge("edge_i", [P(li, "top"), (L["xi"], YM), P(mi, "left")])
    g.edge("edge_c", [P(lc, "top"), P(mi, "bottom")])
    g.edge("edge_cell_write", [P(mi, "top"), P(ad, "bottom")])
    g.edge("edge_o", [P(lo, "right"), P(mo, "left")])
    g.edge("edge_tanh_out", [P(th, "bottom"), P(mo, "top")])
    h_end = W + L["stub"] if stubs_out else W
    g.edge("edge_h", [P(mo, "bottom"), (L["xt"], YB), (h_end, YB)], head=stubs_out)
    g.dot("dot_h", L["xh"], YB)
    g.edge("edge_h_up", [(L["xh"], YB), (L["xh"], L["h_above"])], gaps=[(L["xh"], YC)])
    if variant == "peephole":
        xs = {"f": 1.45, "i": 3.45, "o": 7.25}
        for key, layer in (("f", lf), ("i", li), ("o", lo)):
            x = xs[key]
            g.dot("dot_peep_" + key, x, YC, style="peep")
            g.edge("edge_peep_" + key, [(x, YC), (x, YL), P(layer, "left")], style="peep")
    if not labels:
        return
    sub, prev = step, _prev(step)
    if labels == "chain":   # a module inside a chain: only its input and output
        g.label("label_x", L["xx"], L["x_below"] - 0.15, rf"$x_{{{sub}}}$", va="top")
        g.label("label_h_up", L["xh"], L["h_above"] + 0.12, rf"$h_{{{sub}}}$",
                va="bottom")
        return
    if variant == "coupled":
        g.label("label_f", L["xf"] - 0.25, 3.95, rf"$f_{{{sub}}}$", ha="right")
    else:
        g.label("label_f", L["xf"] + 0.28, 4.55, rf"$f_{{{sub}}}$", ha="left")
        g.label("label_i", L["xi"] - 0.25, 3.95, rf"$i_{{{sub}}}$", ha="right")
    g.label("label_c", L["xc"] + 0.28, 3.78, rf"$\tilde{{C}}_{{{sub}}}$", ha="left")
    g.label("label_o", (lo["x"] + lo["w"] / 2 + mo["x"] - mo["w"] / 2) / 2 - g.dx, YL + 0.42,
            rf"$o_{{{sub}}}$", ha="center", va="bottom")
    g.label("label_C_prev", -L["stub"] - 0.22, YC, rf"$C_{{{prev}}}$", ha="right")
    g.label("label_h_prev", -L["stub"] - 0.22, YB, rf"$h_{{{prev}}}$", ha="right")
    g.label("label_C", W + L["stub"] + 0.22, YC, rf"$C_{{{sub}}}$", ha="left")
    g.label("label_h", W + L["stub"] + 0.22, YB, rf"$h_{{{sub}}}$", ha="left")
    g.label("label_x", L["xx"], L["x_below"] - 0.15, rf"$x_{{{sub}}}$", va="top")
    g.label("label_h_up", L["xh"], L["h_above"] + 0.12, rf"$h_{{{sub}}}$", va="bottom")


def _lstm_cell_geometry(variant="lstm", equation=False, highlight=None):
    g = _G()
    _lstm_module(g, variant=variant)
    ext = [-3.0, _L["W"] + _L["stub"] + 1.3, _L["x_below"] - 0.95, _L["h_above"] + 0.95]
    if equation:
        keys = _equation_keys(variant, highlight)
        ext = _add_equations(g, keys, ext)
    g.d["extent"] = ext
    g.d["parts"] = copy.deepcopy(LSTM_PARTS)
    return g.d


def _equation_keys(variant, highlight):
    if variant == "peephole":
        return ["peep_f", "peep_i", "peep_o"]
    if variant == "coupled":
        return ["f", "C~", "coupled_C"]
    if variant == "gru":
        return ["gru_z", "gru_r", "gru_h~", "gru_h"]
    steps = _highlight_steps(highlight)
    if not steps:
        return list(_ALL_LSTM_EQUATIONS)
    keys = []
    for s in steps:
        for k in _STEP_EQUATIONS.get(s, []):
            if k not in keys:
                keys.append(k)
    keys.sort(key=_ALL_LSTM_EQUATIONS.index)
    return keys or list(_ALL_LSTM_EQUATIONS)


def _add_equations(g: _G, keys, ext):
    """Equations below the diagram, one per row (two columns when there are many)."""
    x0, x1, y0, y1 = ext
    row = 1.05
    top = y0 - 0.2
    if len(keys) > 3:
        half = (len(keys) + 1) // 2
        cols = [keys[:half], keys[half:]]
        xs = [x0 + 0.4, (x0 + x1) / 2 + 0.6]
        ha = "left"
    else:
        cols, xs, ha = [keys], [(x0 + x1) / 2], "center"
    for col, x in zip(cols, xs):
        for r, k in enumerate(col):
            g.label("eq_" + k, x, top - row * (r + 0.5), EQUATIONS[k], ha=ha,
                    size="equation")
    nrows = max(len(c) for c in cols)
    return [x0, x1, top - row * nrows - 0.35, y1]


def _highlight_steps(highlight) -> list[str]:
    if highlight is None:
        return []
    if isinstance(highlight, str):
        return [highlight]
    if isinstance(highlight, (set, frozenset)):
        return sorted(highlight)  # sets have no order; alt text must not vary by run
    return list(highlight)


def _highlight_elements(highlight, parts) -> set[str] | None:
    steps = _highlight_steps(highlight)
    if not steps:
        return None
    out: set[str] = set()
    for s in steps:
        if s in parts:
            out.update(parts[s])
        else:
            out.add(s)
    return out


# --------------------------------------------------------------------------------------
# Rendering: geometry dict -> matplotlib artists.
# --------------------------------------------------------------------------------------
def _new_figure(extent, ax, theme):
    t = _theme(theme)
    w_units, h_units = extent[1] - extent[0], extent[3] - extent[2]
    if ax is None:
        width = w_units * STYLE["unit_in"]
        scale = 1.0
        if width > STYLE["max_width_in"]:
            scale = STYLE["max_width_in"] / width
            width = STYLE["max_width_in"]
        height = h_units * STYLE["unit_in"] * scale
        fig = DiagramFigure(figsize=(round(width, 2), round(height, 2)), dpi=STYLE["dpi"],
                            facecolor=t["background"])
        FigureCanvasAgg(fig)
        ax = fig.add_axes([0, 0, 1, 1])
    else:
        fig = ax.figure
        bbox = ax.get_position()
        fw, fh = fig.get_size_inches()
        aw, ah = bbox.width * fw, bbox.height * fh
        scale = min(aw / (w_units * STYLE["unit_in"]), ah / (h_units * STYLE["unit_in"]))
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    ax.set_facecolor(t["background"])
    return fig, ax, scale


class DiagramFigure(Figure):
    """A plain Figure that also shows itself in Jupyter without pyplot being imported."""

    def __repr__(self):  # the same text as any Figure, so notebook outputs stay stable
        return super().__repr__().replace(type(self).__name__, "Figure", 1)

    def _repr_png_(self):
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=self.dpi, facecolor=self.get_facecolor(),
                     metadata={"Software": None})
        return buf.getvalue()


def _theme(theme):
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {sorted(THEMES)}, got {theme!r}")
    return THEMES[theme]


def render(geom: dict, theme: str = "light", ax=None, highlight=None, flows=None):
    """Draw a geometry dict (see ``geometry``). Returns the Figure.

    ``fig.lstm_artists`` maps element names to their artists (edges map to a dict with
    "line", "head" and "base_lw"), so callers can restyle parts in place.
    """
    t = _theme(theme)
    own = ax is None
    fig, ax, scale = _new_figure(geom["extent"], ax, theme)
    # in a figure of our own, a wide diagram keeps its labels readable; in a caller's
    # axes everything scales together so nothing crowds
    label_scale = max(scale, STYLE["min_label_scale"]) if own else scale
    hl = _highlight_elements(highlight, geom.get("parts", {}))
    artists: dict = {}

    def alpha_of(item):
        a = STYLE["faded_alpha"] if item.get("faded") else 1.0
        if hl is not None and item["name"] not in hl and item.get("size") != "equation":
            a *= STYLE["dim_alpha"]
        return a

    def is_hl(item):
        return hl is not None and item["name"] in hl

    fs = lambda pt: pt * scale  # noqa: E731
    for m in geom["modules"]:
        box = FancyBboxPatch((m["x0"], m["y0"]), m["x1"] - m["x0"], m["y1"] - m["y0"],
                             boxstyle="round,pad=0,rounding_size=0.45",
                             facecolor=t["module_face"], edgecolor=t["module_edge"],
                             linewidth=STYLE["module_lw"] * scale, zorder=1,
                             alpha=STYLE["faded_alpha"] if m["faded"] else 1.0)
        box.set_gid(m["name"])
        ax.add_patch(box)
        artists[m["name"]] = box
        if m.get("text"):
            txt = ax.text((m["x0"] + m["x1"]) / 2, (m["y0"] + m["y1"]) / 2, m["text"],
                          ha="center", va="center", fontsize=fs(STYLE["module_label_pt"]),
                          color=t["ink"], zorder=6, family=STYLE["font_family"],
                          math_fontfamily=STYLE["math_fontfamily"],
                          alpha=STYLE["faded_alpha"] if m["faded"] else 1.0)
            txt.set_gid("node:" + m["name"])

    for e in geom["edges"]:
        artists[e["name"]] = _draw_edge(ax, e, t, scale, alpha_of(e), is_hl(e))
    for dd in geom["dots"]:
        colour = t["cell"] if dd["style"] == "cell" else (
            t["peephole"] if dd["style"] == "peep" else t["ink"])
        r = STYLE["dot_r"] * (1.35 if dd["style"] == "cell" else 1.0)
        c = Circle((dd["x"], dd["y"]), r, facecolor=colour, edgecolor="none", zorder=5,
                   alpha=alpha_of(dd))
        c.set_gid(dd["name"])
        ax.add_patch(c)
        artists[dd["name"]] = c
    for n in geom["nodes"]:
        artists[n["name"]] = _draw_node(ax, n, t, scale, alpha_of(n), is_hl(n))
    for lab in geom["labels"]:
        size = {"label": STYLE["label_pt"], "small": STYLE["label_pt"] * 0.9,
                "equation": STYLE["equation_pt"], "caption": STYLE["caption_pt"],
                "big": STYLE["module_label_pt"]}[lab["size"]]
        colour = t["muted"] if lab.get("color") == "muted" else t["ink"]
        txt = ax.text(lab["x"], lab["y"], lab["text"], ha=lab["ha"], va=lab["va"],
                      fontsize=size * label_scale, color=colour,
                      zorder=7, alpha=alpha_of(lab),
                      family=STYLE["font_family"], math_fontfamily=STYLE["math_fontfamily"],
                      fontweight="bold" if is_hl(lab) and lab["size"] != "equation" else None)
        txt.set_gid("label:" + lab["name"])
        artists[lab["name"]] = txt
    fig.lstm_artists = artists
    fig.lstm_geometry = geom
    fig.lstm_theme = theme
    fig.lstm_scale = scale
    if flows:
        update_flows(fig, flows)
    return fig


def _draw_node(ax, n, t, scale, alpha, highlighted):
    x, y, w, h = n["x"], n["y"], n["w"], n["h"]
    lw = STYLE["edge_lw"] * scale * (1.9 if highlighted else 1.0)
    if n["kind"] == "layer":
        face, edge, ink = t["layer_face"], t["layer_edge"], t["layer_text"]
        patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                               boxstyle="round,pad=0,rounding_size=0.12",
                               facecolor=face, edgecolor=edge, linewidth=lw, zorder=4,
                               alpha=alpha)
        pt = STYLE["node_pt"]
    elif n["kind"] == "pill":
        face, edge, ink = t["op_face"], t["op_edge"], t["op_text"]
        patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                               boxstyle=f"round,pad=0,rounding_size={h / 2}",
                               facecolor=face, edgecolor=edge, linewidth=lw, zorder=4,
                               alpha=alpha)
        pt = STYLE["node_pt"]
    else:
        face, edge, ink = t["op_face"], t["op_edge"], t["op_text"]
        patch = Circle((x, y), w / 2, facecolor=face, edgecolor=edge, linewidth=lw,
                       zorder=4, alpha=alpha)
        pt = STYLE["op_pt"]
    patch.set_gid(n["name"])
    ax.add_patch(patch)
    if not n["text"]:
        return {"patch": patch, "text": None}
    if n["kind"] != "op" and len(n["text"].strip("$")) > 2:
        pt *= STYLE["word_scale"]  # "tanh", "gates": leave air between word and border
    dy = -0.03 if n["kind"] == "op" else 0.0
    txt = ax.text(x, y + dy, n["text"], ha="center", va="center_baseline" if n["kind"] == "layer" else "center",
                  fontsize=pt * scale, color=ink, zorder=6, alpha=alpha,
                  family=STYLE["font_family"], math_fontfamily=STYLE["math_fontfamily"])
    txt.set_gid("node:" + n["name"])
    return {"patch": patch, "text": txt}


def _edge_colour(e, t):
    return {"cell": t["cell"], "peep": t["peephole"]}.get(e["style"], t["ink"])


def _draw_edge(ax, e, t, scale, alpha, highlighted):
    colour = _edge_colour(e, t)
    base = STYLE["cell_lw"] if e["style"] == "cell" else STYLE["line_lw"]
    if e["style"] == "peep":
        base = STYLE["line_lw"] * 0.9
    if highlighted:
        base *= 1.35
    lw = base * scale
    line_pts, head_xy = _edge_shapes(e, 1.0)
    head = None
    if head_xy is not None:
        head = Polygon(head_xy, closed=True, facecolor=colour, edgecolor="none",
                       zorder=3.5, alpha=alpha)
        head.set_gid("head:" + e["name"])
        ax.add_patch(head)
    line = Line2D(line_pts[:, 0], line_pts[:, 1], color=colour, linewidth=lw,
                  solid_capstyle="butt", solid_joinstyle="miter",
                  zorder=2.5 if e["style"] == "cell" else 2, alpha=alpha,
                  linestyle=(0, (3, 1.6)) if e["style"] == "peep" else "-")
    line.set_gid("edge:" + e["name"])
    ax.add_line(line)
    return {"line": line, "head": head, "base_lw": lw, "base_alpha": alpha,
            "style": e["style"], "edge": e}


def _edge_shapes(e: dict, head_scale: float):
    """Polyline points (gaps as NaN rows) and arrowhead triangle (or None) of an edge."""
    pts = np.asarray(e["points"], dtype=float)
    line_pts, head = pts.copy(), None
    if e["head"]:
        head_len, head_half = _head_size(e)
        head_len, head_half = head_len * head_scale, head_half * head_scale
        tip = pts[-1]
        d = pts[-1] - pts[-2]
        d = d / np.hypot(*d)
        nrm = np.array([-d[1], d[0]])
        basept = tip - d * head_len
        head = np.array([tip, basept + nrm * head_half, basept - nrm * head_half])
        line_pts[-1] = tip - d * head_len * 0.6   # hide the butt end under the head
    return _cut_gaps(line_pts, e.get("gaps", ())), head


def _cut_gaps(pts: np.ndarray, gaps) -> np.ndarray:
    """Break the polyline around each gap point (NaN rows split a Line2D)."""
    half = STYLE["gap_half"]
    for gx, gy in gaps:
        out = [pts[0]]
        for a, b in zip(pts[:-1], pts[1:]):
            if np.isnan(a).any() or np.isnan(b).any():
                out.append(b)
                continue
            d = b - a
            seg = np.hypot(*d)
            t = np.dot(np.array([gx, gy]) - a, d) / (seg * seg) if seg else -1
            on = seg and 0 < t < 1 and abs(d[0] * (gy - a[1]) - d[1] * (gx - a[0])) / seg < 1e-6
            if on:
                u = d / seg
                out += [np.array([gx, gy]) - u * half, np.array([np.nan, np.nan]),
                        np.array([gx, gy]) + u * half]
            out.append(b)
        pts = np.array(out)
    return pts


def _head_size(e):
    k = 1.25 if e["style"] == "cell" else 1.0
    return STYLE["head_len"] * k, STYLE["head_half"] * k


def update_flows(fig: Figure, flows: dict) -> Figure:
    """Set arrow widths/opacity of an ``lstm_cell`` figure in place from ``flows``.

    ``flows`` maps keys of ``FLOW_KEYS`` ("forget", "input", "candidate", "cell_in",
    "cell_kept", "cell_write", "cell_out", "output", "h") to numbers; values are
    clipped to [0, 1]. 0 draws a thin faint line, 1 a thick solid one with a larger
    arrowhead. Only the existing line and arrowhead artists change (data, width,
    alpha), so a widget can call this and then ``fig.canvas.draw_idle()``.
    """
    artists = getattr(fig, "lstm_artists", None)
    if artists is None:
        raise ValueError("fig has no lstm_artists: draw it with lstm_cell() first")
    for key, value in flows.items():
        if key not in FLOW_KEYS:
            raise ValueError(f"flows: unknown key {key!r}; expected one of {sorted(FLOW_KEYS)}")
        v = float(np.clip(value, 0.0, 1.0))
        for name in FLOW_KEYS[key]:
            a = artists.get(name)
            if a is None:
                continue
            width = 0.35 + 1.9 * v                      # x base line width
            alpha = a["base_alpha"] * (0.3 + 0.7 * v)
            line_pts, head_xy = _edge_shapes(a["edge"], max(1.0, 0.55 + 0.5 * width))
            a["line"].set_data(line_pts[:, 0], line_pts[:, 1])
            a["line"].set_linewidth(a["base_lw"] * width)
            a["line"].set_alpha(alpha)
            if a["head"] is not None:
                a["head"].set_xy(head_xy)
                a["head"].set_alpha(alpha)
    fig.lstm_flows = {**getattr(fig, "lstm_flows", {}), **flows}
    return fig


# --------------------------------------------------------------------------------------
# Alt text
# --------------------------------------------------------------------------------------
def _describe_highlight(highlight) -> str:
    steps = _highlight_steps(highlight)
    words = {
        "forget": "the forget gate (a sigmoid layer producing f_t that multiplies the old cell state)",
        "input": "the input step (the sigmoid input gate i_t and the tanh layer proposing candidate values C~_t, multiplied together)",
        "update": "the cell update (the old cell state scaled by f_t plus the new candidate scaled by i_t gives C_t)",
        "output": "the output step (the sigmoid output gate o_t multiplies tanh(C_t) to give h_t)",
        "cell_state": "the cell state line running straight across the top",
        "inputs": "the inputs h_{t-1} and x_t",
    }
    elements = {
        "layer_f": "the forget gate layer", "layer_i": "the input gate layer",
        "layer_c": "the tanh layer proposing candidates", "layer_o": "the output gate layer",
        "op_mul_f": "the multiplication by f_t", "op_mul_i": "the multiplication by i_t",
        "op_add": "the addition into the cell state", "op_tanh": "the pointwise tanh of C_t",
        "op_mul_o": "the multiplication by o_t",
    }
    return "; ".join(words.get(s) or elements.get(s) or s.replace("_", " ") for s in steps)


def _alt(name: str, **kw) -> str:
    theme = kw.get("theme", "light")
    dark = " Dark theme." if theme == "dark" else ""
    if kw.get("equation") and name in ("peephole_cell", "coupled_cell", "gru_cell"):
        dark = " Its equations are written below it." + dark
    if name == "rnn_loop":
        return ("A recurrent network chunk A drawn as a box: input x_t enters from below, "
                "output h_t leaves at the top, and a loop arrow feeds the chunk's output "
                "back into itself for the next time step." + dark)
    if name == "unrolled_rnn":
        n = kw.get("n", 4)
        return (f"The recurrent network unrolled into {n} copies of the same chunk A in a "
                "row, each reading one input x from below, emitting one output h above and "
                "passing a message to the next copy." + dark)
    if name == "rnn_loop_and_unrolled":
        return ("Left: a recurrent chunk A with a loop. An equals sign. Right: the same "
                "network unrolled into a chain of copies, each passing its state to the "
                "next." + dark)
    if name == "rnn_chain":
        return ("Three repeating modules of a plain recurrent network; each contains a "
                "single tanh layer that combines the previous output h and the current "
                "input x into the new output." + dark)
    if name == "lstm_chain":
        return ("Three repeating modules of an LSTM, the middle one in full colour: inside "
                "it, four learned layers (three sigmoid gates and one tanh) interact with "
                "the cell state line running along the top." + dark)
    if name == "notation_legend":
        return ("The diagram notation: a rounded blue box is a learned layer, an orange "
                "circle is a pointwise operation, an arrow carries a vector, two lines "
                "merging means concatenation and a line forking means copying." + dark)
    if name == "cell_state_line":
        return ("The cell state as a conveyor belt: a thick line from C_{t-1} to C_t "
                "crossing the module, touched only by one pointwise multiplication and "
                "one pointwise addition." + dark)
    if name == "gate":
        return ("A gate: a sigmoid layer outputs numbers between 0 and 1, which multiply "
                "the vector passing along a line pointwise, letting a fraction of each "
                "component through." + dark)
    if name == "lstm_cell":
        hl = kw.get("highlight")
        base = ("An LSTM cell: C_{t-1} and h_{t-1} enter from the left and x_t from "
                "below; three sigmoid gates and a tanh layer act on the cell state line "
                "along the top, which leaves as C_t, while h_t leaves to the right and "
                "upward.")
        if hl:
            base += " Highlighted: " + _describe_highlight(hl) + "."
        if kw.get("equation"):
            base += " The matching equations are written below the cell."
        if kw.get("flows"):
            base += " Arrow widths show the size of each flow."
        return base + dark
    if name == "peephole_cell":
        return ("An LSTM cell with peephole connections: dashed lines from the cell state "
                "feed all three sigmoid gates, C_{t-1} into the forget and input gates and "
                "the new C_t into the output gate." + dark)
    if name == "coupled_cell":
        return ("An LSTM cell with coupled forget and input gates: a single sigmoid layer "
                "gives f_t, and 1 - f_t replaces the input gate, so new values are written "
                "only where old ones are forgotten." + dark)
    if name == "gru_cell":
        return ("A gated recurrent unit: the hidden state h_{t-1} runs along the top; a "
                "reset gate r_t scales it before a tanh layer proposes h~_t, and an update "
                "gate z_t mixes the old state (via 1 - z_t) with the proposal into h_t."
                + dark)
    if name == "unrolled_lstm":
        n = kw.get("n", 3)
        return (f"An LSTM unrolled over {n} time steps, each copy reading one input x: the "
                "cell state line runs straight through every copy, changed only by one "
                "multiplication and one addition in each, while h passes below from step "
                "to step." + dark)
    raise ValueError(f"no diagram named {name!r}")


def alt_text(fig_or_name, **kwargs) -> str:
    """Alt text of a drawn figure, or of a diagram by name without drawing it.

    >>> alt_text(lstm_cell(highlight="forget"))            # doctest: +SKIP
    >>> alt_text("lstm_cell", highlight="forget")[:40]     # same text, nothing drawn
    'An LSTM cell: C_{t-1} and h_{t-1} enter '
    """
    if isinstance(fig_or_name, str):
        return _alt(fig_or_name, **kwargs)
    txt = getattr(fig_or_name, "lstm_alt_text", None)
    if txt is None:
        raise ValueError("this figure was not drawn by lstm_course.diagrams")
    return txt


_CAPTURE_GEOMETRY = contextvars.ContextVar("capture_geometry", default=False)


def _out(geom: dict, theme: str, ax, name: str, **kw):
    """Every diagram function ends here: render the geometry, or, inside
    ``geometry()``, hand back the plain data without drawing anything."""
    if _CAPTURE_GEOMETRY.get():
        _theme(theme)
        return copy.deepcopy(geom)
    fig = render(geom, theme, ax, highlight=kw.get("highlight"), flows=kw.get("flows"))
    return _finish(fig, name, theme=theme, **kw)


def _finish(fig: Figure, name: str, **kw) -> Figure:
    fig.lstm_alt_text = _alt(name, **kw)
    fig.lstm_diagram = name
    return fig


# --------------------------------------------------------------------------------------
# Plain RNN pictures
# --------------------------------------------------------------------------------------
_A = {"w": 2.0, "h": 1.5, "gap": 1.4, "io": 1.4}


def _chunk(g: _G, x, y, xlab, hlab):
    """One chunk A centred at (x, y) with x_t below and h_t above."""
    w, h, io = _A["w"], _A["h"], _A["io"]
    g.module("A", x - w / 2, y - h / 2, x + w / 2, y + h / 2, text=r"$A$")
    g.edge("edge_x", [(x, y - h / 2 - io), (x, y - h / 2)])
    g.edge("edge_h", [(x, y + h / 2), (x, y + h / 2 + io)])
    if xlab:
        g.label("label_x", x, y - h / 2 - io - 0.12, xlab, va="top")
    if hlab:
        g.label("label_h", x, y + h / 2 + io + 0.12, hlab, va="bottom")


def _loop_geometry(g: _G, x=0.0, y=0.0):
    """Chunk A with a loop on its right: out at the upper right, back in lower right."""
    _chunk(g, x, y, r"$x_t$", r"$h_t$")
    edge, run, ry, rx = x + _A["w"] / 2, 0.35, 0.42, 0.67
    arc = [(edge, y + ry)]
    for a in np.linspace(math.pi / 2, -math.pi / 2, 41):   # half ellipse, clockwise
        arc.append((edge + run + rx * math.cos(a), y + ry * math.sin(a)))
    arc.append((edge, y - ry))
    g.edge("edge_loop", arc)
    return edge + run + rx


def _unrolled_geometry(g: _G, n: int, x0: float, y: float = 0.0, ellipsis=True):
    w, gap = _A["w"], _A["gap"]
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    use_ellipsis = ellipsis and n >= 4
    names = [str(k) for k in range(n - 1)] + (["t"] if use_ellipsis else [str(n - 1)])
    xs, x = [], x0 + w / 2
    for k in range(n):
        xs.append(x)
        x += w + gap + (1.4 if use_ellipsis and k == n - 2 else 0.0)
    for k, (cx, nm) in enumerate(zip(xs, names)):
        sub = g.sub(f"A{k}_", dx=g.dx, dy=g.dy)
        _chunk(sub, cx, y, rf"$x_{{{nm}}}$", rf"$h_{{{nm}}}$")
        if k < n - 1:
            a, b = cx + w / 2, xs[k + 1] - w / 2
            if use_ellipsis and k == n - 2:
                mid = (a + b) / 2
                g.edge(f"edge_pass{k}a", [(a, y), (mid - 0.55, y)], head=False)
                g.label(f"label_ellipsis{k}", mid, y, r"$\cdots$", size="big")
                g.edge(f"edge_pass{k}b", [(mid + 0.55, y), (b, y)])
            else:
                g.edge(f"edge_pass{k}", [(a, y), (b, y)])
    return xs[-1] + w / 2


def rnn_loop(theme: str = "light", ax=None) -> Figure:
    """A recurrent chunk A with its loop: x_t in, h_t out."""
    g = _G()
    right = _loop_geometry(g)
    h, io = _A["h"], _A["io"]
    g.d["extent"] = [-_A["w"] / 2 - 0.6, right + 0.6, -h / 2 - io - 1.0, h / 2 + io + 1.0]
    return _out(g.d, theme, ax, "rnn_loop")


def unrolled_rnn(n: int = 4, theme: str = "light", ax=None, ellipsis: bool = True) -> Figure:
    """The loop unrolled: ``n`` copies of A labelled x_0, x_1, ..., x_t.

    With ``n >= 4`` and ``ellipsis=True`` the last copy is step t and a ``...`` sits
    before it; otherwise the copies are numbered 0 .. n-1.
    """
    n = _check_n(n, "n", 1, 8)
    g = _G()
    right = _unrolled_geometry(g, n, 0.0, ellipsis=ellipsis)
    h, io = _A["h"], _A["io"]
    g.d["extent"] = [-0.6, right + 0.6, -h / 2 - io - 1.0, h / 2 + io + 1.0]
    return _out(g.d, theme, ax, "unrolled_rnn", n=n)


def rnn_loop_and_unrolled(n: int = 4, theme: str = "light", ax=None) -> Figure:
    """The loop and, after an equals sign, the same network unrolled."""
    n = _check_n(n, "n", 1, 8)
    g = _G()
    right = _loop_geometry(g.sub("loop_"))
    g.label("label_equals", right + 0.9, 0, r"$=$", size="big")
    end = _unrolled_geometry(g.sub("unrolled_"), n, right + 1.8)
    h, io = _A["h"], _A["io"]
    g.d["extent"] = [-_A["w"] / 2 - 0.6, end + 0.6, -h / 2 - io - 1.0, h / 2 + io + 1.0]
    return _out(g.d, theme, ax, "rnn_loop_and_unrolled", n=n)


def _check_n(n, name, lo, hi):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"{name} must be an int in [{lo}, {hi}], got {n!r}")
    if not lo <= n <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {n}")
    return int(n)


# --- chain of repeating modules ---------------------------------------------------------
_R = {"W": 5.0, "H": 3.8, "YB": 1.0, "YL": 2.3, "xx": 1.1, "xl": 2.5, "xf": 3.9,
      "stub": 1.6, "x_below": -1.3, "h_above": 5.0}


def _rnn_module(g: _G, step: str, stubs_in: bool, labels: bool):
    R = _R
    g.module("box", 0, 0, R["W"], R["H"])
    lay = g.node("layer_tanh", "layer", R["xl"], R["YL"], r"$\tanh$")
    start = -R["stub"] if stubs_in else 0.0
    g.edge("edge_h_prev", [(start, R["YB"]), (R["xx"], R["YB"])], head=False)
    g.edge("edge_x", [(R["xx"], R["x_below"]), (R["xx"], R["YB"])], head=False)
    g.dot("dot_merge", R["xx"], R["YB"])
    g.edge("edge_bus", [(R["xx"], R["YB"]), (R["xl"], R["YB"]), _local(g, lay, "bottom")])
    g.edge("edge_out", [_local(g, lay, "right"), (R["xf"], R["YL"]), (R["xf"], R["YB"]),
                        (R["W"] + R["stub"], R["YB"])])
    g.dot("dot_fork", R["xf"], R["YL"])
    g.edge("edge_h_up", [(R["xf"], R["YL"]), (R["xf"], R["h_above"])])
    if labels:
        g.label("label_x", R["xx"], R["x_below"] - 0.15, rf"$x_{{{step}}}$", va="top")
        g.label("label_h_up", R["xf"], R["h_above"] + 0.12, rf"$h_{{{step}}}$", va="bottom")


def _prev(step):
    return {"t": "t-1", "t-1": "t-2", "t+1": "t"}.get(step, step + "-1")


def rnn_chain(theme: str = "light", ax=None) -> Figure:
    """The repeating module of a plain RNN: a single tanh layer; neighbours lighter."""
    R = _R
    g = _G()
    gap, crop = R["stub"], _CHAIN_CROP
    for k, step in enumerate(["t-1", "t", "t+1"]):
        sub = g.sub(f"m{k}_", faded=(k != 1), dx=(k - 1) * (R["W"] + gap))
        _rnn_module(sub, step, stubs_in=False, labels=True)
    left, right = -gap - crop, R["W"] + gap + crop
    g.d["extent"] = [left, right, R["x_below"] - 0.95, R["h_above"] + 0.95]
    _drop_cut_labels(g, left, right)
    return _out(g.d, theme, ax, "rnn_chain")


def lstm_chain(theme: str = "light", ax=None) -> Figure:
    """The repeating module of an LSTM (four interacting layers), neighbours lighter."""
    L = _L
    g = _G()
    gap, crop = L["stub"], _CHAIN_CROP
    for k, step in enumerate(["t-1", "t", "t+1"]):
        sub = g.sub(f"m{k}_", faded=(k != 1), dx=(k - 1) * (L["W"] + gap))
        _lstm_module(sub, stubs_in=False, stubs_out=True, labels="chain", step=step)
    left, right = -gap - crop, L["W"] + gap + crop
    g.d["extent"] = [left, right, L["x_below"] - 0.95, L["h_above"] + 0.95]
    _drop_cut_labels(g, left, right)
    return _out(g.d, theme, ax, "lstm_chain")


_CHAIN_CROP = 3.6   # how much of each neighbouring module a chain shows, units


def _drop_cut_labels(g, left, right):
    """Neighbours are cut by the figure edge: keep only labels well inside it."""
    g.d["labels"] = [lab for lab in g.d["labels"] if left + 0.7 < lab["x"] < right - 0.7]
    for n in g.d["nodes"]:  # a shape cut by the edge keeps its outline, loses its text
        if not left < n["x"] - n["w"] / 2 < n["x"] + n["w"] / 2 < right:
            n["text"] = ""


# --------------------------------------------------------------------------------------
# Notation, conveyor belt, gate
# --------------------------------------------------------------------------------------
def notation_legend(theme: str = "light", ax=None) -> Figure:
    """The five symbols: learned layer, pointwise op, vector transfer, concatenate, copy."""
    g = _G()
    cw = 3.3     # column width
    y = 1.2
    cap = -0.35
    g.node("layer", "layer", 0.5 * cw, y, r"$\sigma$", w=1.3, h=0.9)
    g.label("cap_layer", 0.5 * cw, cap, "Learned\nlayer", va="top", size="caption")
    g.node("op", "op", 1.5 * cw, y, r"$\times$")
    g.label("cap_op", 1.5 * cw, cap, "Pointwise\noperation", va="top", size="caption")
    x = 2.5 * cw
    g.edge("vector", [(x - 1.1, y), (x + 1.1, y)])
    g.label("cap_vector", x, cap, "Vector\ntransfer", va="top", size="caption")
    x = 3.5 * cw
    g.edge("cat_a", [(x - 1.1, y + 0.7), (x - 0.3, y + 0.7), (x - 0.3, y)], head=False)
    g.edge("cat_b", [(x - 1.1, y - 0.7), (x - 0.3, y - 0.7), (x - 0.3, y)], head=False)
    g.edge("cat_out", [(x - 0.3, y), (x + 1.1, y)])
    g.dot("cat_dot", x - 0.3, y)
    g.label("cap_cat", x, cap, "Concatenate", va="top", size="caption")
    x = 4.5 * cw
    g.edge("copy_in", [(x - 1.1, y), (x + 0.3, y)], head=False)
    g.edge("copy_a", [(x + 0.3, y), (x + 0.3, y + 0.7), (x + 1.1, y + 0.7)])
    g.edge("copy_b", [(x + 0.3, y), (x + 0.3, y - 0.7), (x + 1.1, y - 0.7)])
    g.dot("copy_dot", x + 0.3, y)
    g.label("cap_copy", x, cap, "Copy", va="top", size="caption")
    g.d["extent"] = [0.0, 5 * cw, -1.75, 2.3]
    return _out(g.d, theme, ax, "notation_legend")


def cell_state_line(theme: str = "light", ax=None) -> Figure:
    """The cell state alone: C_{t-1} to C_t, with one x and one + on the way."""
    L = _L
    g = _G()
    YC = L["YC"]
    g.module("box", 0, YC - 2.2, L["W"], YC + 1.0)
    mf = g.node("op_mul_f", "op", L["xf"], YC, r"$\times$")
    ad = g.node("op_add", "op", L["xc"], YC, r"$+$")
    g.edge("edge_cell_in", [(-L["stub"], YC), _port(mf, "left")], style="cell")
    g.edge("edge_cell_kept", [_port(mf, "right"), _port(ad, "left")], style="cell",
           )
    g.edge("edge_cell_out", [_port(ad, "right"), (L["W"] + L["stub"], YC)], style="cell",
           )
    sub = g.sub("", faded=True)
    sub.edge("edge_f", [(L["xf"], YC - 2.2), _port(mf, "bottom")])
    sub.edge("edge_cell_write", [(L["xc"], YC - 2.2), _port(ad, "bottom")])
    g.label("label_f", L["xf"] + 0.25, YC - 1.3, r"$f_t$", ha="left", color="muted")
    g.label("label_write", L["xc"] + 0.25, YC - 1.3, r"$i_t * \tilde{C}_t$", ha="left",
            color="muted")
    g.label("label_C_prev", -L["stub"] - 0.22, YC, r"$C_{t-1}$", ha="right")
    g.label("label_C", L["W"] + L["stub"] + 0.22, YC, r"$C_t$", ha="left")
    g.d["extent"] = [-3.0, L["W"] + L["stub"] + 1.3, YC - 2.7, YC + 1.5]
    return _out(g.d, theme, ax, "cell_state_line")


def gate(theme: str = "light", ax=None) -> Figure:
    """A gate: a sigmoid layer whose output multiplies a passing vector pointwise."""
    g = _G()
    y = 3.0
    mul = g.node("op_mul", "op", 2.6, y, r"$\times$")
    lay = g.node("layer_sigma", "layer", 2.6, 1.0, r"$\sigma$")
    g.edge("edge_in", [(0.0, y), _port(mul, "left")])
    g.edge("edge_out", [_port(mul, "right"), (5.2, y)])
    g.edge("edge_gate", [_port(lay, "top"), _port(mul, "bottom")])
    g.edge("edge_feed", [(2.6, -0.6), _port(lay, "bottom")])
    g.label("label_range", 2.9, 2.0, r"$0 \ldots 1$", ha="left", size="small")
    g.d["extent"] = [-0.5, 5.7, -1.0, 3.8]
    return _out(g.d, theme, ax, "gate")


# --------------------------------------------------------------------------------------
# The LSTM cell and its variants
# --------------------------------------------------------------------------------------
HIGHLIGHT_NAMES = tuple(LSTM_PARTS)


def _check_highlight(highlight):
    if highlight is None:
        return None
    steps = _highlight_steps(highlight)
    known = set(LSTM_PARTS)
    geom_names = {n for n in _element_names(_lstm_cell_geometry())}
    for s in steps:
        if s not in known and s not in geom_names:
            raise ValueError(f"highlight: unknown part {s!r}; use one of {sorted(known)} "
                             "or element names from geometry('lstm_cell')")
    return highlight


def _element_names(geom):
    for key in ("nodes", "edges", "dots", "labels", "modules"):
        for item in geom[key]:
            yield item["name"]


def lstm_cell(highlight=None, equation: bool = False, flows: dict | None = None,
              theme: str = "light", ax=None) -> Figure:
    """The LSTM cell, optionally with parts highlighted and equations below.

    highlight: None, a step name ("forget", "input", "update", "output", "cell_state",
        "inputs") or a list/set of step names and element names (see ``LSTM_PARTS``).
    equation: write the matching equation(s) under the cell (all six when nothing is
        highlighted).
    flows: {flow key: value in [0, 1]}; see ``FLOW_KEYS`` and ``update_flows``.
    """
    _check_highlight(highlight)
    unknown = set(flows or {}) - set(FLOW_KEYS)
    if unknown:
        raise ValueError(f"flows: unknown key(s) {sorted(unknown)}; expected {sorted(FLOW_KEYS)}")
    geom = _lstm_cell_geometry("lstm", equation=equation, highlight=highlight)
    return _out(geom, theme, ax, "lstm_cell", highlight=highlight, equation=equation,
                flows=flows)


def peephole_cell(equation: bool = False, theme: str = "light", ax=None) -> Figure:
    """LSTM with peepholes: every gate also reads the cell state."""
    geom = _lstm_cell_geometry("peephole", equation=equation)
    return _out(geom, theme, ax, "peephole_cell", equation=equation)


def coupled_cell(equation: bool = False, theme: str = "light", ax=None) -> Figure:
    """LSTM with coupled forget and input gates: 1 - f_t replaces i_t."""
    geom = _lstm_cell_geometry("coupled", equation=equation)
    return _out(geom, theme, ax, "coupled_cell", equation=equation)


_GRU = {"W": 12.6, "H": 7.6, "YT": 6.6, "YB": 1.2, "YL": 3.0, "stub": 1.6,
        "xfork": 0.7, "xx": 1.5, "xr": 2.6, "xz": 4.4, "xmerge": 6.4, "xmul": 7.6,
        "xadd": 10.2, "xh": 11.5, "yr": 4.9, "yz": 4.1, "yone": 5.3, "ycand": 2.3,
        "yx": 0.3, "x_below": -1.4, "h_above": 9.0}


def gru_cell(equation: bool = False, theme: str = "light", ax=None) -> Figure:
    """Gated recurrent unit (Cho et al. 2014), in the article's form."""
    G = _GRU
    g = _G()
    YT, YB = G["YT"], G["YB"]
    g.module("box", 0, 0, G["W"], G["H"])
    lr = g.node("layer_r", "layer", G["xr"], G["YL"], r"$\sigma$")
    lz = g.node("layer_z", "layer", G["xz"], G["YL"], r"$\sigma$")
    lc = g.node("layer_c", "layer", G["xadd"], G["ycand"], r"$\tanh$")
    mr = g.node("op_mul_r", "op", G["xr"], G["yr"], r"$\times$")
    mt = g.node("op_mul_keep", "op", G["xmul"], YT, r"$\times$")
    ad = g.node("op_add", "op", G["xadd"], YT, r"$+$")
    mz = g.node("op_mul_z", "op", G["xadd"], G["yz"], r"$\times$")
    one = g.node("op_one_minus", "pill", G["xmul"], G["yone"], "1\u2212", w=1.05)
    # top line: h_{t-1} -> x (1-z) -> + -> h_t
    g.edge("edge_h_in", [(-G["stub"], YT), _port(mt, "left")])
    g.edge("edge_h_keep", [_port(mt, "right"), _port(ad, "left")])
    g.edge("edge_h_out", [_port(ad, "right"), (G["W"] + G["stub"], YT)])
    g.dot("dot_h_up", G["xh"], YT)
    g.edge("edge_h_up", [(G["xh"], YT), (G["xh"], G["h_above"])])
    # copy of h_{t-1} down the left side, into the bus and into the reset multiply
    g.dot("dot_h_copy", G["xfork"], YT)
    g.edge("edge_h_down", [(G["xfork"], YT), (G["xfork"], YB)], head=False)
    g.dot("dot_h_reset", G["xfork"], G["yr"])
    g.edge("edge_h_reset", [(G["xfork"], G["yr"]), _port(mr, "left")])
    g.edge("edge_x", [(G["xx"], G["x_below"]), (G["xx"], YB)], head=False)
    g.dot("dot_merge", G["xx"], YB)
    g.edge("edge_bus", [(G["xfork"], YB), (G["xz"], YB), _port(lz, "bottom")])
    g.dot("dot_feed_r", G["xr"], YB)
    g.edge("edge_feed_r", [(G["xr"], YB), _port(lr, "bottom")])
    g.edge("edge_r", [_port(lr, "top"), _port(mr, "bottom")])
    # [r_t * h_{t-1}, x_t] -> tanh
    g.edge("edge_rh", [_port(mr, "right"), (G["xmerge"], G["yr"]), (G["xmerge"], G["ycand"])],
           head=False, gaps=[(G["xmerge"], G["yz"])])
    g.dot("dot_x_copy", G["xx"], G["yx"])
    g.edge("edge_x_cand", [(G["xx"], G["yx"]), (G["xmerge"], G["yx"]), (G["xmerge"], G["ycand"])],
           head=False)
    g.dot("dot_merge_c", G["xmerge"], G["ycand"])
    g.edge("edge_cand_in", [(G["xmerge"], G["ycand"]), _port(lc, "left")])
    # z_t: to 1- (then the top multiply) and to the multiply with h~_t
    g.edge("edge_z", [_port(lz, "top"), (G["xz"], G["yz"]), _port(mz, "left")])
    g.dot("dot_z", G["xmul"], G["yz"])
    g.edge("edge_z_one", [(G["xmul"], G["yz"]), _port(one, "bottom")])
    g.edge("edge_one_mul", [_port(one, "top"), _port(mt, "bottom")])
    g.edge("edge_cand", [_port(lc, "top"), _port(mz, "bottom")])
    g.edge("edge_z_add", [_port(mz, "top"), _port(ad, "bottom")])
    g.label("label_r", G["xr"] + 0.25, 3.95, r"$r_t$", ha="left")
    g.label("label_z", G["xz"] + 0.25, 3.78, r"$z_t$", ha="left")
    g.label("label_hc", G["xadd"] + 0.28, 3.22, r"$\tilde{h}_t$", ha="left")
    g.label("label_h_prev", -G["stub"] - 0.22, YT, r"$h_{t-1}$", ha="right")
    g.label("label_h", G["W"] + G["stub"] + 0.22, YT, r"$h_t$", ha="left")
    g.label("label_x", G["xx"], G["x_below"] - 0.15, r"$x_t$", va="top")
    g.label("label_h_up", G["xh"], G["h_above"] + 0.12, r"$h_t$", va="bottom")
    ext = [-3.0, G["W"] + G["stub"] + 1.3, G["x_below"] - 0.95, G["h_above"] + 0.95]
    if equation:
        ext = _add_equations(g, _equation_keys("gru", None), ext)
    g.d["extent"] = ext
    return _out(g.d, theme, ax, "gru_cell", equation=equation)


# --- unrolled LSTM -------------------------------------------------------------------
# One compact copy per time step: the four layers become one "gates" box so that the
# eye can follow the two lines that pass between steps: C (top) and h (bottom).
_U = {"W": 5.0, "H": 4.4, "YC": 3.6, "YG": 1.5, "xg": 1.8, "gw": 2.4, "xm": 1.1,
      "xa": 2.5, "xt": 4.0, "yt": 2.6, "gap": 1.7, "x_below": -1.2}


def unrolled_lstm(n: int = 3, theme: str = "light", ax=None) -> Figure:
    """An LSTM over ``n`` time steps; the cell state runs straight through every copy.

    Steps are numbered 1..n; C_0 and h_0 are the initial state entering on the left.
    """
    n = _check_n(n, "n", 1, 6)
    U = _U
    g = _G()
    step = U["W"] + U["gap"]
    YC, YG = U["YC"], U["YG"]
    for k in range(n):
        s = g.sub(f"m{k}_", dx=k * step)
        s.module("box", 0, 0, U["W"], U["H"])
        gates = s.node("layer_gates", "layer", U["xg"], YG, "gates", w=U["gw"], h=0.8)
        mf = s.node("op_mul_f", "op", U["xm"], YC, r"$\times$")
        ad = s.node("op_add", "op", U["xa"], YC, r"$+$")
        th = s.node("op_tanh", "pill", U["xt"], U["yt"], r"$\tanh$")
        mo = s.node("op_mul_o", "op", U["xt"], YG, r"$\times$")
        P = lambda nd, side: _local(s, nd, side)  # noqa: E731
        start = -U["gap"] if k == 0 else 0.0
        s.edge("edge_cell_in", [(start, YC), P(mf, "left")], style="cell")
        s.edge("edge_cell_kept", [P(mf, "right"), P(ad, "left")], style="cell")
        s.edge("edge_cell_out", [P(ad, "right"), (U["W"] + U["gap"], YC)], style="cell")
        s.dot("dot_tanh", U["xt"], YC, style="cell")
        s.edge("edge_tanh_in", [(U["xt"], YC), P(th, "top")])
        s.edge("edge_tanh_out", [P(th, "bottom"), P(mo, "top")])
        s.edge("edge_f", [(U["xm"], YG + 0.4), P(mf, "bottom")])
        s.edge("edge_write", [(U["xa"], YG + 0.4), P(ad, "bottom")])
        s.edge("edge_o", [P(gates, "right"), P(mo, "left")])
        s.edge("edge_h_in", [(start, YG), P(gates, "left")])
        s.edge("edge_h_out", [P(mo, "right"), (U["W"] + U["gap"], YG)], head=k == n - 1)
        s.edge("edge_x", [(U["xg"], U["x_below"]), P(gates, "bottom")])
        s.label("label_x", U["xg"], U["x_below"] - 0.15, rf"$x_{{{k + 1}}}$", va="top")
        # state labels sit above the lines in the gap after each copy
        xm = U["W"] + U["gap"] / 2
        if k < n - 1:
            s.label("label_C", xm, YC + 0.3, rf"$C_{{{k + 1}}}$", va="bottom")
            s.label("label_h", xm, YG + 0.22, rf"$h_{{{k + 1}}}$", va="bottom")
    last = (n - 1) * step + U["W"] + U["gap"] + 0.15
    g.label("label_C_end", last, YC, rf"$C_{{{n}}}$", ha="left")
    g.label("label_h_end", last, YG, rf"$h_{{{n}}}$", ha="left")
    g.label("label_C0", -U["gap"] - 0.15, YC, r"$C_0$", ha="right")
    g.label("label_h0", -U["gap"] - 0.15, YG, r"$h_0$", ha="right")
    g.d["extent"] = [-U["gap"] - 1.3, last + 1.1, U["x_below"] - 0.95, U["H"] + 0.6]
    return _out(g.d, theme, ax, "unrolled_lstm", n=n)


# --------------------------------------------------------------------------------------
# Registry and geometry access
# --------------------------------------------------------------------------------------
DIAGRAMS = {
    "rnn_loop": rnn_loop, "unrolled_rnn": unrolled_rnn,
    "rnn_loop_and_unrolled": rnn_loop_and_unrolled, "rnn_chain": rnn_chain,
    "lstm_chain": lstm_chain, "notation_legend": notation_legend,
    "cell_state_line": cell_state_line, "gate": gate, "lstm_cell": lstm_cell,
    "peephole_cell": peephole_cell, "coupled_cell": coupled_cell, "gru_cell": gru_cell,
    "unrolled_lstm": unrolled_lstm,
}


def geometry(name: str, **kwargs) -> dict:
    """The plain-data geometry (JSON-serialisable) that diagram ``name`` draws.

    Nothing is drawn. Coordinates are abstract units (y up; one unit is
    ``STYLE["unit_in"]`` inches at full size)::

        extent   [x0, x1, y0, y1]
        modules  {name, x0, y0, x1, y1, text, faded}          the rounded repeating module
        nodes    {name, kind: layer|op|pill, x, y, w, h, text, faded}   centre and size
        edges    {name, points: [[x, y], ...], style: vector|cell|peep,
                  head: arrowhead at the last point, gaps: [[x, y]] where the line
                  passes under another, faded}
        dots     {name, x, y, style, faded}                   forks and merges
        labels   {name, x, y, text (mathtext), ha, va, size, color, faded}
        parts    {part name: [element names]}                 LSTM cells only

    >>> geometry("lstm_cell", highlight="forget")["nodes"][0]["name"]
    'layer_f'
    """
    if name not in DIAGRAMS:
        raise ValueError(f"name must be one of {sorted(DIAGRAMS)}, got {name!r}")
    token = _CAPTURE_GEOMETRY.set(True)
    try:
        return DIAGRAMS[name](**kwargs)   # nothing is drawn: see _out
    finally:
        _CAPTURE_GEOMETRY.reset(token)


# --------------------------------------------------------------------------------------
# Two more variants the article names: Depth-Gated LSTM and Clockwork RNN
# (added with the chapter "Variants on LSTMs"; nothing above changes)
# --------------------------------------------------------------------------------------
# Local coordinates of one compact LSTM module of the depth-gated stack: the four
# layers are one "gates" box, as in ``unrolled_lstm``, so the eye can follow the
# cell-to-cell connection between the layers.
_DG = {"W": 8.2, "H": 4.6, "YC": 3.8, "YG": 1.4, "xg": 2.0, "gw": 2.6, "xm": 1.2,
       "xa": 2.8, "xd": 5.2, "xs": 3.6, "xt": 6.6, "yt": 2.6, "yd": 2.6, "xh": 7.4,
       "stub": 1.7, "gap": 2.0, "x_below": -1.4}


def _dg_module(g: _G, layer: int, depth: bool):
    """One compact LSTM module; with ``depth`` also the depth gate and its sum."""
    D = _DG
    W, YC, YG = D["W"], D["YC"], D["YG"]
    g.module("box", 0, 0, W, D["H"])
    gates = g.node("layer_gates", "layer", D["xg"], YG, "gates", w=D["gw"], h=0.8)
    mf = g.node("op_mul_f", "op", D["xm"], YC, r"$\times$")
    ad = g.node("op_add", "op", D["xa"], YC, r"$+$")
    th = g.node("op_tanh", "pill", D["xt"], D["yt"], r"$\tanh$")
    mo = g.node("op_mul_o", "op", D["xt"], YG, r"$\times$")
    P = lambda n, s: _local(g, n, s)  # noqa: E731
    g.edge("edge_cell_in", [(-D["stub"], YC), P(mf, "left")], style="cell")
    g.edge("edge_cell_kept", [P(mf, "right"), P(ad, "left")], style="cell")
    o_gaps = []
    if depth:
        sd = g.node("layer_d", "layer", D["xs"], D["yd"], r"$\sigma$", w=1.0)
        md = g.node("op_mul_d", "op", D["xd"], D["yd"], r"$\times$")
        add = g.node("op_add_d", "op", D["xd"], YC, r"$+$")
        g.edge("edge_cell_mid", [P(ad, "right"), P(add, "left")], style="cell")
        g.edge("edge_cell_out", [P(add, "right"), (W + D["stub"], YC)], style="cell")
        g.edge("edge_d", [P(sd, "right"), P(md, "left")])
        g.edge("edge_depth_add", [P(md, "top"), P(add, "bottom")], style="cell")
        g.label("label_d", D["xs"] + 0.75, D["yd"] + 0.3, r"$d_t$", va="bottom",
                size="small")
        o_gaps = [(D["xd"], YG)]
    else:
        g.edge("edge_cell_out", [P(ad, "right"), (W + D["stub"], YC)], style="cell")
    g.dot("dot_tanh", D["xt"], YC, style="cell")
    g.edge("edge_tanh_in", [(D["xt"], YC), P(th, "top")])
    g.edge("edge_tanh_out", [P(th, "bottom"), P(mo, "top")])
    g.edge("edge_f", [(D["xm"], YG + 0.4), P(mf, "bottom")])
    g.edge("edge_write", [(D["xa"], YG + 0.4), P(ad, "bottom")])
    g.edge("edge_o", [P(gates, "right"), P(mo, "left")], gaps=o_gaps)
    g.edge("edge_h_in", [(-D["stub"], YG), P(gates, "left")])
    g.edge("edge_h_out", [P(mo, "right"), (W + D["stub"], YG)])
    sup = rf"^{{({layer})}}"
    g.label("label_C_prev", -D["stub"] - 0.2, YC, rf"$C{sup}_{{t-1}}$", ha="right")
    g.label("label_h_prev", -D["stub"] - 0.2, YG, rf"$h{sup}_{{t-1}}$", ha="right")
    g.label("label_C", W + D["stub"] + 0.2, YC, rf"$C{sup}_t$", ha="left")
    g.label("label_h", W + D["stub"] + 0.2, YG, rf"$h{sup}_t$", ha="left")
    return gates


def depth_gated_cell(theme: str = "light", ax=None) -> Figure:
    """A Depth-Gated LSTM (Yao et al. 2015), two layers at one time step.

    Each layer is a compact LSTM module (its four layers drawn as one "gates" box).
    The lower layer's new cell state C_t^(1) rises into the upper layer, where a
    depth gate d_t (a sigmoid layer) scales it and adds it to the upper cell
    state; the lower hidden state h_t^(1) is the upper layer's input.
    """
    D = _DG
    g = _G()
    YC, YG = D["YC"], D["YG"]
    low = g.sub("low_")
    _dg_module(low, 1, depth=False)
    dy = D["H"] + D["gap"]
    up = g.sub("up_", dy=dy)
    up_gates = _dg_module(up, 2, depth=True)
    ymid = D["H"] + D["gap"] / 2
    # x_t into the bottom layer
    g.edge("edge_x", [(D["xg"], D["x_below"]), (D["xg"], YG - 0.4)])
    g.label("label_x", D["xg"], D["x_below"] - 0.15, r"$x_t$", va="top")
    # h_t^(1) forks up: the upper layer's input x_t^(2), and the depth gate's input
    g.dot("dot_h_up", D["xh"], YG)
    g.edge("edge_h_up", [(D["xh"], YG), (D["xh"], ymid), (D["xg"], ymid),
                         (D["xg"], dy + YG - 0.4)],
           head=True, gaps=[(D["xh"], YC), (D["xd"], ymid)])
    g.dot("dot_depth_in", D["xs"], ymid)
    g.edge("edge_depth_in", [(D["xs"], ymid), (D["xs"], dy + D["yd"] - 0.38)],
           gaps=[(D["xs"], dy + YG)])
    # the depth connection: the lower cell state rises into the upper cell
    g.dot("dot_cell_up", D["xd"], YC, style="cell")
    g.edge("edge_cell_up", [(D["xd"], YC), (D["xd"], dy + D["yd"] - STYLE["op_r"])],
           style="cell")
    # the depth gate also sees the lower cell state (a peephole, w_ld)
    yp = dy + 0.7
    g.dot("dot_depth_peep", D["xd"], yp, style="peep")
    g.edge("edge_depth_peep", [(D["xd"], yp), (D["xs"] + 0.3, yp),
                               (D["xs"] + 0.3, dy + D["yd"] - 0.38)], style="peep",
           gaps=[(D["xs"] + 0.3, dy + YG)])
    g.label("label_C_up", D["xd"] + 0.22, ymid + 0.35, r"$C^{(1)}_t$", ha="left",
            va="bottom", size="small")
    g.label("label_x_up", D["xg"] - 0.2, ymid + 0.06, r"$x^{(2)}_t = h^{(1)}_t$",
            ha="right", va="bottom", size="small")
    del up_gates
    right = D["W"] + D["stub"] + 1.7
    g.d["extent"] = [-D["stub"] - 1.9, right, D["x_below"] - 0.9, dy + D["H"] + 0.5]
    return _out(g.d, theme, ax, "depth_gated_cell")


def clockwork_rnn(n_modules: int = 3, steps: int = 8, theme: str = "light",
                  ax=None) -> Figure:
    """A Clockwork RNN (Koutník et al. 2014) and its schedule.

    Left: ``n_modules`` groups of hidden units, periods 1, 2, 4, ... from the top;
    arrows show which module reads which (a module reads the slower ones below
    it, never a faster one) and x_t feeds every module. Right: steps 1..``steps``;
    a large circle where a module computes (t mod T_i == 0), a small dot where it
    keeps its value.
    """
    n_modules = _check_n(n_modules, "n_modules", 1, 5)
    steps = _check_n(steps, "steps", 1, 12)
    g = _G()
    row, xb, bw = 1.8, 2.0, 1.9
    ys = [row * (n_modules - 1 - i) + 1.4 for i in range(n_modules)]
    periods = [2 ** i for i in range(n_modules)]
    boxes = []
    for i, (y, q) in enumerate(zip(ys, periods)):
        boxes.append(g.node(f"layer_m{i}", "layer", xb, y, rf"$T = {q}$", w=bw, h=0.8))
    # input: one bus on the left, a branch into every module
    bus_x = 0.2
    g.edge("edge_x", [(bus_x, -0.6), (bus_x, ys[0])], head=False)
    g.label("label_x", bus_x, -0.75, r"$x_t$", va="top")
    for i, (b, y) in enumerate(zip(boxes, ys)):
        if i > 0:
            g.dot(f"dot_x{i}", bus_x, y)
        g.edge(f"edge_x{i}", [(bus_x, y), _port(b, "left")])
    # slower -> faster: neighbours straight up, longer jumps around the right side
    for j in range(1, n_modules):
        g.edge(f"edge_up{j}", [_port(boxes[j], "top"), _port(boxes[j - 1], "bottom")])
    # one vertical lane per (slower j, faster i) pair; a horizontal that crosses
    # another pair's lane passes under it (a short break)
    pairs = sorted(((j, i) for j in range(2, n_modules) for i in range(j - 1)),
                   key=lambda ji: (ji[0] - ji[1], ji[1]))   # short jumps innermost
    lanes = [(j, i, xb + bw / 2 + 0.45 + 0.5 * k, ys[j] + 0.15 * i)
             for k, (j, i) in enumerate(pairs)]
    for j, i, x, y0 in lanes:
        gaps = [(x2, y) for (j2, i2, x2, y2) in lanes if x2 < x
                for y in (y0, ys[i]) if y2 < y < ys[i2]]
        g.edge(f"edge_skip{j}_{i}",
               [(xb + bw / 2, y0), (x, y0), (x, ys[i]), (xb + bw / 2, ys[i])],
               gaps=gaps)
    # the schedule, to the right of the outermost lane
    x0 = max([5.6] + [x + 1.6 for (_, _, x, _) in lanes])
    dx = 0.95
    for i, (y, q) in enumerate(zip(ys, periods)):
        xs = [x0 + dx * (t - 1) for t in range(1, steps + 1)]
        g.edge(f"edge_row{i}", [(xs[0] - 0.6, y), (xs[-1] + 0.6, y)], head=True)
        for t, x in zip(range(1, steps + 1), xs):
            if t % q == 0:
                g.node(f"op_m{i}_t{t}", "op", x, y, "")
            else:
                g.dot(f"dot_m{i}_t{t}", x, y)
    top = ys[0] + 0.75
    for t in range(1, steps + 1):
        g.label(f"label_t{t}", x0 + dx * (t - 1), top, rf"${t}$", va="bottom",
                size="small")
    g.label("label_step", x0 - 0.75, top, r"$t$", ha="right", va="bottom", size="small")
    right = x0 + dx * (steps - 1) + 1.2
    g.d["extent"] = [-0.6, right, -1.5, top + 0.95]
    return _out(g.d, theme, ax, "clockwork_rnn", n_modules=n_modules, steps=steps)


_alt_before_more_variants = _alt


def _alt(name: str, **kw) -> str:  # noqa: F811  (extends the function above)
    dark = " Dark theme." if kw.get("theme", "light") == "dark" else ""
    if name == "depth_gated_cell":
        return ("A Depth-Gated LSTM, two layers at one time step, each a compact LSTM "
                "module with its own cell state line along the top. The lower layer's new "
                "cell state C_t^(1) rises into the upper layer, where a sigmoid depth "
                "gate d_t scales it and adds it to the upper cell state. The depth gate reads "
                "the lower hidden state h_t^(1), which is also the upper layer's input, "
                "and, through a dashed line, the lower cell state."
                + dark)
    if name == "clockwork_rnn":
        n, steps = kw.get("n_modules", 3), kw.get("steps", 8)
        periods = ", ".join(str(2 ** i) for i in range(n))
        return (f"A Clockwork RNN with {n} modules of hidden units, clock periods "
                f"{periods} from top to bottom; the input x_t feeds every module and "
                "arrows run only from slower modules to faster ones. Beside it, a "
                f"schedule over steps 1 to {steps}: a large circle where a module "
                "computes (when t is a multiple of its period), a small dot where it "
                "keeps its value." + dark)
    return _alt_before_more_variants(name, **kw)


DIAGRAMS.update({"depth_gated_cell": depth_gated_cell, "clockwork_rnn": clockwork_rnn})
__all__ += ["depth_gated_cell", "clockwork_rnn"]

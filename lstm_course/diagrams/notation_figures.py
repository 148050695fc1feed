"""Figures of the notation and the core idea (chapters "LSTM Networks", "The Core Idea").

Each figure is a pair: ``<name>_sketch(...)`` builds its geometry and alt text side by
side and returns a ``Sketch``; ``<name>(..., theme, ax)`` draws that sketch.

    notation_legend    the five symbols of the diagrams
    cell_state_line    the cell state alone, a conveyor belt
    gate               a sigmoid layer and a pointwise multiplication
"""
from __future__ import annotations

from matplotlib.figure import Figure

from .builder import Builder, Sketch, port
from .lstm_figures import L
from .render import draw


def notation_legend_sketch() -> Sketch:
    g = Builder()
    cw, y, cap = 3.3, 1.2, -0.35     # column width, symbol row, caption row
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
    return Sketch("notation_legend", g.d, (
        "The diagram notation: a rounded blue box is a learned layer, an orange circle is "
        "a pointwise operation, an arrow carries a vector, two lines merging means "
        "concatenation and a line forking means copying."))


def notation_legend(theme: str = "light", ax=None) -> Figure:
    """The five symbols: learned layer, pointwise op, vector transfer, concatenate, copy."""
    return draw(notation_legend_sketch(), theme, ax)


def cell_state_line_sketch() -> Sketch:
    g = Builder()
    YC = L["YC"]
    g.module("box", 0, YC - 2.2, L["W"], YC + 1.0)
    mf = g.node("op_mul_f", "op", L["xf"], YC, r"$\times$")
    ad = g.node("op_add", "op", L["xc"], YC, r"$+$")
    g.edge("edge_cell_in", [(-L["stub"], YC), port(mf, "left")], style="cell")
    g.edge("edge_cell_kept", [port(mf, "right"), port(ad, "left")], style="cell")
    g.edge("edge_cell_out", [port(ad, "right"), (L["W"] + L["stub"], YC)], style="cell")
    faded = g.sub("", faded=True)   # what touches the belt, drawn lighter
    faded.edge("edge_f", [(L["xf"], YC - 2.2), port(mf, "bottom")])
    faded.edge("edge_cell_write", [(L["xc"], YC - 2.2), port(ad, "bottom")])
    g.label("label_f", L["xf"] + 0.25, YC - 1.3, r"$f_t$", ha="left", color="muted")
    g.label("label_write", L["xc"] + 0.25, YC - 1.3, r"$i_t * \tilde{C}_t$", ha="left",
            color="muted")
    g.label("label_C_prev", -L["stub"] - 0.22, YC, r"$C_{t-1}$", ha="right")
    g.label("label_C", L["W"] + L["stub"] + 0.22, YC, r"$C_t$", ha="left")
    g.d["extent"] = [-3.0, L["W"] + L["stub"] + 1.3, YC - 2.7, YC + 1.5]
    return Sketch("cell_state_line", g.d, (
        "The cell state as a conveyor belt: a thick line from C_{t-1} to C_t crossing the "
        "module, touched only by one pointwise multiplication and one pointwise addition."))


def cell_state_line(theme: str = "light", ax=None) -> Figure:
    """The cell state alone: C_{t-1} to C_t, with one x and one + on the way."""
    return draw(cell_state_line_sketch(), theme, ax)


def gate_sketch() -> Sketch:
    g = Builder()
    y = 3.0
    mul = g.node("op_mul", "op", 2.6, y, r"$\times$")
    lay = g.node("layer_sigma", "layer", 2.6, 1.0, r"$\sigma$")
    g.edge("edge_in", [(0.0, y), port(mul, "left")])
    g.edge("edge_out", [port(mul, "right"), (5.2, y)])
    g.edge("edge_gate", [port(lay, "top"), port(mul, "bottom")])
    g.edge("edge_feed", [(2.6, -0.6), port(lay, "bottom")])
    g.label("label_range", 2.9, 2.0, r"$0 \ldots 1$", ha="left", size="small")
    g.d["extent"] = [-0.5, 5.7, -1.0, 3.8]
    return Sketch("gate", g.d, (
        "A gate: a sigmoid layer outputs numbers between 0 and 1, which multiply the "
        "vector passing along a line pointwise, letting a fraction of each component "
        "through."))


def gate(theme: str = "light", ax=None) -> Figure:
    """A gate: a sigmoid layer whose output multiplies a passing vector pointwise."""
    return draw(gate_sketch(), theme, ax)


DIAGRAMS = {"notation_legend": notation_legend, "cell_state_line": cell_state_line,
            "gate": gate}
SKETCHES = {"notation_legend": notation_legend_sketch,
            "cell_state_line": cell_state_line_sketch, "gate": gate_sketch}

"""Figures of the LSTM cell (chapters "LSTM Networks" to "Variants on LSTMs").

Each figure is a pair: ``<name>_sketch(...)`` builds its geometry and alt text side by
side and returns a ``Sketch``; ``<name>(..., theme, ax)`` draws that sketch.

    lstm_cell        the cell, with walk-through steps highlighted and equations below
    lstm_chain       three repeating LSTM modules
    peephole_cell    gates that also read the cell state
    coupled_cell     1 - f_t in place of the input gate
    unrolled_lstm    a compact cell over n time steps

Also here: the cell's named parts (``LSTM_PARTS``, what ``highlight`` accepts), the
equations in the article's notation (``EQUATIONS``), and ``compact_lstm``, the cell with
its four layers drawn as one "gates" box (used again by the depth-gated figure).
"""
from __future__ import annotations

import copy

from matplotlib.figure import Figure

from .builder import Builder, Sketch, add_equations, chain, check_n, prev_step
from .flows import check_flow_keys
from .render import draw, highlight_steps

# Equations in the article's notation (mathtext, no LaTeX needed).
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
HIGHLIGHT_NAMES = tuple(LSTM_PARTS)

# Local coordinates of one LSTM module. Box 0..W x 0..H; cell state along y=YC;
# [h_{t-1}, x_t] bus along y=YB; the four layers along y=YL.
L = {"W": 12.6, "H": 7.2, "YC": 6.2, "YB": 1.2, "YL": 3.0, "YM": 4.6,
     "xx": 1.0, "xf": 2.4, "xi": 4.4, "xc": 6.0, "xo": 8.2, "xt": 10.0, "xh": 11.4,
     "stub": 1.6, "x_below": -1.4, "h_above": 8.6}


# --- one LSTM module, built in six passes --------------------------------------------
def _lstm_nodes(g: Builder, variant: str) -> dict:
    g.module("box", 0, 0, L["W"], L["H"])
    N = {"lf": g.node("layer_f", "layer", L["xf"], L["YL"], r"$\sigma$")}
    if variant != "coupled":
        N["li"] = g.node("layer_i", "layer", L["xi"], L["YL"], r"$\sigma$")
    N["lc"] = g.node("layer_c", "layer", L["xc"], L["YL"], r"$\tanh$")
    N["lo"] = g.node("layer_o", "layer", L["xo"], L["YL"], r"$\sigma$")
    N["mf"] = g.node("op_mul_f", "op", L["xf"], L["YC"], r"$\times$")
    N["ad"] = g.node("op_add", "op", L["xc"], L["YC"], r"$+$")
    N["mi"] = g.node("op_mul_i", "op", L["xc"], L["YM"], r"$\times$")
    N["th"] = g.node("op_tanh", "pill", L["xt"], L["YM"], r"$\tanh$")
    N["mo"] = g.node("op_mul_o", "op", L["xt"], L["YL"], r"$\times$")
    return N


def _lstm_cell_line(g: Builder, N: dict, stubs_in: bool, stubs_out: bool):
    """The cell state: the conveyor belt along the top, and its copy into tanh."""
    YC, P = L["YC"], g.local
    g.edge("edge_cell_in", [(-L["stub"] if stubs_in else 0, YC), P(N["mf"], "left")],
           style="cell")
    g.edge("edge_cell_kept", [P(N["mf"], "right"), P(N["ad"], "left")], style="cell")
    out_end = L["W"] + L["stub"] if stubs_out else L["W"]
    g.edge("edge_cell_out", [P(N["ad"], "right"), (out_end, YC)], style="cell", head=stubs_out)
    g.dot("dot_tanh", L["xt"], YC, style="cell")
    g.edge("edge_tanh_in", [(L["xt"], YC), P(N["th"], "top")])


def _lstm_inputs(g: Builder, N: dict, variant: str, stubs_in: bool):
    """h_{t-1} from the left, x_t from below, merged into one bus under the layers."""
    YB = L["YB"]
    g.edge("edge_h_prev", [(-L["stub"] if stubs_in else 0, YB), (L["xx"], YB)], head=False)
    g.edge("edge_x", [(L["xx"], L["x_below"]), (L["xx"], YB)], head=False)
    g.dot("dot_merge", L["xx"], YB)
    # the bus is cut at each fork so a highlight can light up just the path it needs
    stops = [L["xx"], L["xf"]] + ([L["xi"]] if variant != "coupled" else []) + [L["xc"]]
    for k, (a, b) in enumerate(zip(stops[:-1], stops[1:])):
        g.edge(f"edge_bus{k + 1}", [(a, YB), (b, YB)], head=False)
    g.edge("edge_bus_o", [(L["xc"], YB), (L["xo"], YB), g.local(N["lo"], "bottom")])
    for n in [N["lf"], N["lc"]] + ([N["li"]] if variant != "coupled" else []):
        name = n["name"][len(g.prefix):]
        g.edge("feed_" + name, [(n["x"] - g.dx, YB), g.local(n, "bottom")])
        g.dot("dot_" + name, n["x"] - g.dx, YB)


def _lstm_outputs(g: Builder, N: dict, variant: str, stubs_out: bool):
    """Gates into the pointwise operations, and h_t out to the right and upward."""
    P, YM = g.local, L["YM"]
    g.edge("edge_f", [P(N["lf"], "top"), P(N["mf"], "bottom")])
    if variant == "coupled":
        one = g.node("op_one_minus", "pill", L["xi"], YM, "1\u2212")
        g.dot("dot_f_split", L["xf"], YM)
        g.edge("edge_f_split", [(L["xf"], YM), P(one, "left")])
        g.edge("edge_i", [P(one, "right"), P(N["mi"], "left")])
    else:
        g.edge("edge_i", [P(N["li"], "top"), (L["xi"], YM), P(N["mi"], "left")])
    g.edge("edge_c", [P(N["lc"], "top"), P(N["mi"], "bottom")])
    g.edge("edge_cell_write", [P(N["mi"], "top"), P(N["ad"], "bottom")])
    g.edge("edge_o", [P(N["lo"], "right"), P(N["mo"], "left")])
    g.edge("edge_tanh_out", [P(N["th"], "bottom"), P(N["mo"], "top")])
    h_end = L["W"] + L["stub"] if stubs_out else L["W"]
    g.edge("edge_h", [P(N["mo"], "bottom"), (L["xt"], L["YB"]), (h_end, L["YB"])],
           head=stubs_out)
    g.dot("dot_h", L["xh"], L["YB"])
    g.edge("edge_h_up", [(L["xh"], L["YB"]), (L["xh"], L["h_above"])],
           gaps=[(L["xh"], L["YC"])])


def _peepholes(g: Builder, N: dict):
    """Dashed lines from the cell state into the three gates."""
    for key, layer, x in (("f", N["lf"], 1.45), ("i", N["li"], 3.45), ("o", N["lo"], 7.25)):
        g.dot("dot_peep_" + key, x, L["YC"], style="peep")
        g.edge("edge_peep_" + key, [(x, L["YC"]), (x, L["YL"]), g.local(layer, "left")],
               style="peep")


def _lstm_labels(g: Builder, N: dict, variant: str, step: str):
    sub, prev = step, prev_step(step)
    if variant == "coupled":
        g.label("label_f", L["xf"] - 0.25, 3.95, rf"$f_{{{sub}}}$", ha="right")
    else:
        g.label("label_f", L["xf"] + 0.28, 4.55, rf"$f_{{{sub}}}$", ha="left")
        g.label("label_i", L["xi"] - 0.25, 3.95, rf"$i_{{{sub}}}$", ha="right")
    g.label("label_c", L["xc"] + 0.28, 3.78, rf"$\tilde{{C}}_{{{sub}}}$", ha="left")
    lo, mo = N["lo"], N["mo"]
    g.label("label_o", (lo["x"] + lo["w"] / 2 + mo["x"] - mo["w"] / 2) / 2 - g.dx,
            L["YL"] + 0.42, rf"$o_{{{sub}}}$", ha="center", va="bottom")
    g.label("label_C_prev", -L["stub"] - 0.22, L["YC"], rf"$C_{{{prev}}}$", ha="right")
    g.label("label_h_prev", -L["stub"] - 0.22, L["YB"], rf"$h_{{{prev}}}$", ha="right")
    g.label("label_C", L["W"] + L["stub"] + 0.22, L["YC"], rf"$C_{{{sub}}}$", ha="left")
    g.label("label_h", L["W"] + L["stub"] + 0.22, L["YB"], rf"$h_{{{sub}}}$", ha="left")
    _in_out_labels(g, sub)


def _in_out_labels(g: Builder, sub: str):
    g.label("label_x", L["xx"], L["x_below"] - 0.15, rf"$x_{{{sub}}}$", va="top")
    g.label("label_h_up", L["xh"], L["h_above"] + 0.12, rf"$h_{{{sub}}}$", va="bottom")


def lstm_module(g: Builder, variant: str = "lstm", stubs_in: bool = True,
                stubs_out: bool = True, labels=True, step: str = "t"):
    """Draw one LSTM module into ``g`` (variant: lstm | peephole | coupled).

    labels: True for every label, "chain" for only x and h (a module in a chain), False
    for none; ``step`` is the subscript ("t", "t-1", ...).
    """
    N = _lstm_nodes(g, variant)
    _lstm_cell_line(g, N, stubs_in, stubs_out)
    _lstm_inputs(g, N, variant, stubs_in)
    _lstm_outputs(g, N, variant, stubs_out)
    if variant == "peephole":
        _peepholes(g, N)
    if labels == "chain":
        _in_out_labels(g, step)
    elif labels:
        _lstm_labels(g, N, variant, step)


def cell_geometry(variant: str = "lstm", equations=()) -> dict:
    """One full-size cell with stubs and labels, ``equations`` (keys of ``EQUATIONS``)
    written below it."""
    g = Builder()
    lstm_module(g, variant=variant)
    ext = [-3.0, L["W"] + L["stub"] + 1.3, L["x_below"] - 0.95, L["h_above"] + 0.95]
    if equations:
        ext = add_equations(g, {k: EQUATIONS[k] for k in equations}, ext)
    g.d["extent"] = ext
    g.d["parts"] = copy.deepcopy(LSTM_PARTS)
    return g.d


# --- the cell and its walk-through highlights -----------------------------------------
def _lstm_equations(highlight) -> list[str]:
    """The equations of the highlighted steps, in the order of the article (all six
    when no step with equations is highlighted)."""
    keys = []
    for s in highlight_steps(highlight):
        keys += [k for k in _STEP_EQUATIONS.get(s, []) if k not in keys]
    keys.sort(key=_ALL_LSTM_EQUATIONS.index)
    return keys or list(_ALL_LSTM_EQUATIONS)


def _check_highlight(highlight):
    known = set(LSTM_PARTS)
    geom = cell_geometry()
    elements = {item["name"] for key in ("nodes", "edges", "dots", "labels", "modules")
                for item in geom[key]}
    for s in highlight_steps(highlight):
        if s not in known and s not in elements:
            raise ValueError(f"highlight: unknown part {s!r}; use one of {sorted(known)} "
                             "or element names from geometry('lstm_cell')")


_STEP_WORDS = {
    "forget": "the forget gate (a sigmoid layer producing f_t that multiplies the old cell state)",
    "input": ("the input step (the sigmoid input gate i_t and the tanh layer proposing "
              "candidate values C~_t, multiplied together)"),
    "update": ("the cell update (the old cell state scaled by f_t plus the new candidate "
               "scaled by i_t gives C_t)"),
    "output": "the output step (the sigmoid output gate o_t multiplies tanh(C_t) to give h_t)",
    "cell_state": "the cell state line running straight across the top",
    "inputs": "the inputs h_{t-1} and x_t",
}
_ELEMENT_WORDS = {
    "layer_f": "the forget gate layer", "layer_i": "the input gate layer",
    "layer_c": "the tanh layer proposing candidates", "layer_o": "the output gate layer",
    "op_mul_f": "the multiplication by f_t", "op_mul_i": "the multiplication by i_t",
    "op_add": "the addition into the cell state", "op_tanh": "the pointwise tanh of C_t",
    "op_mul_o": "the multiplication by o_t",
}


def _lstm_cell_alt(highlight, equation, flows) -> str:
    alt = ("An LSTM cell: C_{t-1} and h_{t-1} enter from the left and x_t from below; "
           "three sigmoid gates and a tanh layer act on the cell state line along the top, "
           "which leaves as C_t, while h_t leaves to the right and upward.")
    if highlight:
        alt += " Highlighted: " + "; ".join(
            _STEP_WORDS.get(s) or _ELEMENT_WORDS.get(s) or s.replace("_", " ")
            for s in highlight_steps(highlight)) + "."
    if equation:
        alt += " The matching equations are written below the cell."
    if flows:
        alt += " Arrow widths show the size of each flow."
    return alt


def lstm_cell_sketch(highlight=None, equation: bool = False, flows: dict | None = None) -> Sketch:
    if highlight is not None:
        _check_highlight(highlight)
    check_flow_keys(flows)
    geom = cell_geometry("lstm", _lstm_equations(highlight) if equation else ())
    return Sketch("lstm_cell", geom, _lstm_cell_alt(highlight, equation, flows))


def lstm_cell(highlight=None, equation: bool = False, flows: dict | None = None,
              theme: str = "light", ax=None) -> Figure:
    """The LSTM cell, optionally with parts highlighted and equations below.

    highlight: None, a step name ("forget", "input", "update", "output", "cell_state",
        "inputs") or a list/set of step names and element names (see ``LSTM_PARTS``).
    equation: write the matching equation(s) under the cell (all six when nothing is
        highlighted).
    flows: {flow key: value in [0, 1]}; see ``FLOW_KEYS`` and ``update_flows``.
    """
    return draw(lstm_cell_sketch(highlight, equation, flows), theme, ax,
                highlight=highlight, flows=flows)


def lstm_chain_sketch() -> Sketch:
    def module(g, step):
        lstm_module(g, stubs_in=False, stubs_out=True, labels="chain", step=step)

    return Sketch("lstm_chain", chain(L, module), (
        "Three repeating modules of an LSTM, the middle one in full colour: inside it, four "
        "learned layers (three sigmoid gates and one tanh) interact with the cell state "
        "line running along the top."))


def lstm_chain(theme: str = "light", ax=None) -> Figure:
    """The repeating module of an LSTM (four interacting layers), neighbours lighter."""
    return draw(lstm_chain_sketch(), theme, ax)


# --- two variants drawn on the same cell ----------------------------------------------
EQUATIONS_BELOW = " Its equations are written below it."


def _variant_sketch(variant: str, equations: list, alt: str, equation: bool) -> Sketch:
    geom = cell_geometry(variant, equations if equation else ())
    return Sketch(f"{variant}_cell", geom, alt + (EQUATIONS_BELOW if equation else ""))


def peephole_cell_sketch(equation: bool = False) -> Sketch:
    return _variant_sketch("peephole", ["peep_f", "peep_i", "peep_o"], (
        "An LSTM cell with peephole connections: dashed lines from the cell state feed all "
        "three sigmoid gates, C_{t-1} into the forget and input gates and the new C_t into "
        "the output gate."), equation)


def peephole_cell(equation: bool = False, theme: str = "light", ax=None) -> Figure:
    """LSTM with peepholes: every gate also reads the cell state."""
    return draw(peephole_cell_sketch(equation), theme, ax)


def coupled_cell_sketch(equation: bool = False) -> Sketch:
    return _variant_sketch("coupled", ["f", "C~", "coupled_C"], (
        "An LSTM cell with coupled forget and input gates: a single sigmoid layer gives "
        "f_t, and 1 - f_t replaces the input gate, so new values are written only where "
        "old ones are forgotten."), equation)


def coupled_cell(equation: bool = False, theme: str = "light", ax=None) -> Figure:
    """LSTM with coupled forget and input gates: 1 - f_t replaces i_t."""
    return draw(coupled_cell_sketch(equation), theme, ax)


# --- the compact cell and the unrolled LSTM -------------------------------------------
def compact_lstm(g: Builder, C: dict, cell_start: float) -> dict:
    """The nodes of a compact LSTM module (its four layers one "gates" box) and the cell
    state from ``cell_start`` through the multiply into the add. ``C`` is the layout
    (W, H, YC, YG, xg, gw, xm, xa, xt, yt); returns the nodes by short name."""
    g.module("box", 0, 0, C["W"], C["H"])
    N = {"gates": g.node("layer_gates", "layer", C["xg"], C["YG"], "gates", w=C["gw"], h=0.8),
         "mf": g.node("op_mul_f", "op", C["xm"], C["YC"], r"$\times$"),
         "ad": g.node("op_add", "op", C["xa"], C["YC"], r"$+$"),
         "th": g.node("op_tanh", "pill", C["xt"], C["yt"], r"$\tanh$"),
         "mo": g.node("op_mul_o", "op", C["xt"], C["YG"], r"$\times$")}
    g.edge("edge_cell_in", [(cell_start, C["YC"]), g.local(N["mf"], "left")], style="cell")
    g.edge("edge_cell_kept", [g.local(N["mf"], "right"), g.local(N["ad"], "left")],
           style="cell")
    return N


def compact_lstm_rest(g: Builder, C: dict, N: dict, h_start: float, h_end: float,
                      o_gaps=(), h_head: bool = True):
    """The rest of a compact module after its cell state: tanh(C_t), the gate arrows,
    and h from ``h_start`` through the gates and the output multiply to ``h_end``."""
    P, YC, YG = g.local, C["YC"], C["YG"]
    g.dot("dot_tanh", C["xt"], YC, style="cell")
    g.edge("edge_tanh_in", [(C["xt"], YC), P(N["th"], "top")])
    g.edge("edge_tanh_out", [P(N["th"], "bottom"), P(N["mo"], "top")])
    g.edge("edge_f", [(C["xm"], YG + 0.4), P(N["mf"], "bottom")])
    g.edge("edge_write", [(C["xa"], YG + 0.4), P(N["ad"], "bottom")])
    g.edge("edge_o", [P(N["gates"], "right"), P(N["mo"], "left")], gaps=o_gaps)
    g.edge("edge_h_in", [(h_start, YG), P(N["gates"], "left")])
    g.edge("edge_h_out", [P(N["mo"], "right"), (h_end, YG)], head=h_head)


# One compact copy per time step: the four layers become one "gates" box so that the
# eye can follow the two lines that pass between steps: C (top) and h (bottom).
_U = {"W": 5.0, "H": 4.4, "YC": 3.6, "YG": 1.5, "xg": 1.8, "gw": 2.4, "xm": 1.1,
      "xa": 2.5, "xt": 4.0, "yt": 2.6, "gap": 1.7, "x_below": -1.2}


def unrolled_lstm_sketch(n: int = 3) -> Sketch:
    n = check_n(n, "n", 1, 6)
    U, g = _U, Builder()
    YC, YG, end = _U["YC"], _U["YG"], _U["W"] + _U["gap"]
    for k in range(n):
        s = g.sub(f"m{k}_", dx=k * (U["W"] + U["gap"]))
        start = -U["gap"] if k == 0 else 0.0
        N = compact_lstm(s, U, start)
        s.edge("edge_cell_out", [s.local(N["ad"], "right"), (end, YC)], style="cell")
        compact_lstm_rest(s, U, N, start, end, h_head=k == n - 1)
        s.edge("edge_x", [(U["xg"], U["x_below"]), s.local(N["gates"], "bottom")])
        s.label("label_x", U["xg"], U["x_below"] - 0.15, rf"$x_{{{k + 1}}}$", va="top")
        if k < n - 1:   # state labels sit above the lines in the gap after each copy
            s.label("label_C", end - U["gap"] / 2, YC + 0.3, rf"$C_{{{k + 1}}}$", va="bottom")
            s.label("label_h", end - U["gap"] / 2, YG + 0.22, rf"$h_{{{k + 1}}}$", va="bottom")
    last = (n - 1) * end + U["W"] + U["gap"] + 0.15
    g.label("label_C_end", last, YC, rf"$C_{{{n}}}$", ha="left")
    g.label("label_h_end", last, YG, rf"$h_{{{n}}}$", ha="left")
    g.label("label_C0", -U["gap"] - 0.15, YC, r"$C_0$", ha="right")
    g.label("label_h0", -U["gap"] - 0.15, YG, r"$h_0$", ha="right")
    g.d["extent"] = [-U["gap"] - 1.3, last + 1.1, U["x_below"] - 0.95, U["H"] + 0.6]
    return Sketch("unrolled_lstm", g.d, (
        f"An LSTM unrolled over {n} time steps, each copy reading one input x: the cell "
        "state line runs straight through every copy, changed only by one multiplication "
        "and one addition in each, while h passes below from step to step."))


def unrolled_lstm(n: int = 3, theme: str = "light", ax=None) -> Figure:
    """An LSTM over ``n`` time steps; the cell state runs straight through every copy.

    Steps are numbered 1..n; C_0 and h_0 are the initial state entering on the left.
    """
    return draw(unrolled_lstm_sketch(n), theme, ax)


DIAGRAMS = {"lstm_chain": lstm_chain, "lstm_cell": lstm_cell, "peephole_cell": peephole_cell,
            "coupled_cell": coupled_cell, "unrolled_lstm": unrolled_lstm}
SKETCHES = {"lstm_chain": lstm_chain_sketch, "lstm_cell": lstm_cell_sketch,
            "peephole_cell": peephole_cell_sketch, "coupled_cell": coupled_cell_sketch,
            "unrolled_lstm": unrolled_lstm_sketch}

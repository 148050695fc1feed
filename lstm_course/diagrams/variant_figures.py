"""Figures of the other recurrent cells (chapter "Variants on LSTMs").

Each figure is a pair: ``<name>_sketch(...)`` builds its geometry and alt text side by
side and returns a ``Sketch``; ``<name>(..., theme, ax)`` draws that sketch.

    gru_cell            the gated recurrent unit (Cho et al. 2014)
    depth_gated_cell    a two-layer Depth-Gated LSTM (Yao et al. 2015)
    clockwork_rnn       a Clockwork RNN and its schedule (Koutník et al. 2014)

(The peephole and coupled-gate cells are drawn on the LSTM cell in ``lstm_figures``.)
"""
from __future__ import annotations

from matplotlib.figure import Figure

from ..style import STYLE
from .builder import Builder, Sketch, add_equations, check_n, port
from .lstm_figures import EQUATIONS, EQUATIONS_BELOW, compact_lstm, compact_lstm_rest
from .render import draw

# --- GRU ---------------------------------------------------------------------------------
# Local coordinates: the hidden state along y=YT, the [h_{t-1}, x_t] bus along y=YB.
_GRU = {"W": 12.6, "H": 7.6, "YT": 6.6, "YB": 1.2, "YL": 3.0, "stub": 1.6,
        "xfork": 0.7, "xx": 1.5, "xr": 2.6, "xz": 4.4, "xmerge": 6.4, "xmul": 7.6,
        "xadd": 10.2, "xh": 11.5, "yr": 4.9, "yz": 4.1, "yone": 5.3, "ycand": 2.3,
        "yx": 0.3, "x_below": -1.4, "h_above": 9.0}


def _gru_nodes_and_state(g: Builder) -> dict:
    """The GRU's nodes, the top line h_{t-1} -> x (1-z) -> + -> h_t, and the copy of
    h_{t-1} down the left side into the bus and the reset multiply."""
    G, YT, YB = _GRU, _GRU["YT"], _GRU["YB"]
    g.module("box", 0, 0, G["W"], G["H"])
    N = {"lr": g.node("layer_r", "layer", G["xr"], G["YL"], r"$\sigma$"),
         "lz": g.node("layer_z", "layer", G["xz"], G["YL"], r"$\sigma$"),
         "lc": g.node("layer_c", "layer", G["xadd"], G["ycand"], r"$\tanh$"),
         "mr": g.node("op_mul_r", "op", G["xr"], G["yr"], r"$\times$"),
         "mt": g.node("op_mul_keep", "op", G["xmul"], YT, r"$\times$"),
         "ad": g.node("op_add", "op", G["xadd"], YT, r"$+$"),
         "mz": g.node("op_mul_z", "op", G["xadd"], G["yz"], r"$\times$"),
         "one": g.node("op_one_minus", "pill", G["xmul"], G["yone"], "1\u2212", w=1.05)}
    g.edge("edge_h_in", [(-G["stub"], YT), port(N["mt"], "left")])
    g.edge("edge_h_keep", [port(N["mt"], "right"), port(N["ad"], "left")])
    g.edge("edge_h_out", [port(N["ad"], "right"), (G["W"] + G["stub"], YT)])
    g.dot("dot_h_up", G["xh"], YT)
    g.edge("edge_h_up", [(G["xh"], YT), (G["xh"], G["h_above"])])
    g.dot("dot_h_copy", G["xfork"], YT)
    g.edge("edge_h_down", [(G["xfork"], YT), (G["xfork"], YB)], head=False)
    g.dot("dot_h_reset", G["xfork"], G["yr"])
    g.edge("edge_h_reset", [(G["xfork"], G["yr"]), port(N["mr"], "left")])
    return N


def _gru_gates(g: Builder, N: dict):
    """x_t and the bus into the gates; [r_t * h_{t-1}, x_t] into tanh; z_t mixing."""
    G, YB, xm = _GRU, _GRU["YB"], _GRU["xmerge"]
    g.edge("edge_x", [(G["xx"], G["x_below"]), (G["xx"], YB)], head=False)
    g.dot("dot_merge", G["xx"], YB)
    g.edge("edge_bus", [(G["xfork"], YB), (G["xz"], YB), port(N["lz"], "bottom")])
    g.dot("dot_feed_r", G["xr"], YB)
    g.edge("edge_feed_r", [(G["xr"], YB), port(N["lr"], "bottom")])
    g.edge("edge_r", [port(N["lr"], "top"), port(N["mr"], "bottom")])
    g.edge("edge_rh", [port(N["mr"], "right"), (xm, G["yr"]), (xm, G["ycand"])],
           head=False, gaps=[(xm, G["yz"])])
    g.dot("dot_x_copy", G["xx"], G["yx"])
    g.edge("edge_x_cand", [(G["xx"], G["yx"]), (xm, G["yx"]), (xm, G["ycand"])], head=False)
    g.dot("dot_merge_c", xm, G["ycand"])
    g.edge("edge_cand_in", [(xm, G["ycand"]), port(N["lc"], "left")])
    # z_t: to 1- (then the top multiply) and to the multiply with h~_t
    g.edge("edge_z", [port(N["lz"], "top"), (G["xz"], G["yz"]), port(N["mz"], "left")])
    g.dot("dot_z", G["xmul"], G["yz"])
    g.edge("edge_z_one", [(G["xmul"], G["yz"]), port(N["one"], "bottom")])
    g.edge("edge_one_mul", [port(N["one"], "top"), port(N["mt"], "bottom")])
    g.edge("edge_cand", [port(N["lc"], "top"), port(N["mz"], "bottom")])
    g.edge("edge_z_add", [port(N["mz"], "top"), port(N["ad"], "bottom")])


def gru_cell_sketch(equation: bool = False) -> Sketch:
    G, g = _GRU, Builder()
    _gru_gates(g, _gru_nodes_and_state(g))
    g.label("label_r", G["xr"] + 0.25, 3.95, r"$r_t$", ha="left")
    g.label("label_z", G["xz"] + 0.25, 3.78, r"$z_t$", ha="left")
    g.label("label_hc", G["xadd"] + 0.28, 3.22, r"$\tilde{h}_t$", ha="left")
    g.label("label_h_prev", -G["stub"] - 0.22, G["YT"], r"$h_{t-1}$", ha="right")
    g.label("label_h", G["W"] + G["stub"] + 0.22, G["YT"], r"$h_t$", ha="left")
    g.label("label_x", G["xx"], G["x_below"] - 0.15, r"$x_t$", va="top")
    g.label("label_h_up", G["xh"], G["h_above"] + 0.12, r"$h_t$", va="bottom")
    ext = [-3.0, G["W"] + G["stub"] + 1.3, G["x_below"] - 0.95, G["h_above"] + 0.95]
    if equation:
        keys = ["gru_z", "gru_r", "gru_h~", "gru_h"]
        ext = add_equations(g, {k: EQUATIONS[k] for k in keys}, ext)
    g.d["extent"] = ext
    return Sketch("gru_cell", g.d, (
        "A gated recurrent unit: the hidden state h_{t-1} runs along the top; a reset gate "
        "r_t scales it before a tanh layer proposes h~_t, and an update gate z_t mixes the "
        "old state (via 1 - z_t) with the proposal into h_t."
        + (EQUATIONS_BELOW if equation else "")))


def gru_cell(equation: bool = False, theme: str = "light", ax=None) -> Figure:
    """Gated recurrent unit (Cho et al. 2014), in the article's form."""
    return draw(gru_cell_sketch(equation), theme, ax)


# --- Depth-Gated LSTM ------------------------------------------------------------------
# Local coordinates of one compact LSTM module of the depth-gated stack: the four
# layers are one "gates" box, as in ``unrolled_lstm``, so the eye can follow the
# cell-to-cell connection between the layers.
_DG = {"W": 8.2, "H": 4.6, "YC": 3.8, "YG": 1.4, "xg": 2.0, "gw": 2.6, "xm": 1.2,
       "xa": 2.8, "xd": 5.2, "xs": 3.6, "xt": 6.6, "yt": 2.6, "yd": 2.6, "xh": 7.4,
       "stub": 1.7, "gap": 2.0, "x_below": -1.4}


def _dg_module(g: Builder, layer: int, depth: bool):
    """One compact LSTM module; with ``depth`` also the depth gate and its sum."""
    D, P = _DG, g.local
    W, YC = D["W"], D["YC"]
    N = compact_lstm(g, D, -D["stub"])
    o_gaps = []
    if depth:
        sd = g.node("layer_d", "layer", D["xs"], D["yd"], r"$\sigma$", w=1.0)
        md = g.node("op_mul_d", "op", D["xd"], D["yd"], r"$\times$")
        add = g.node("op_add_d", "op", D["xd"], YC, r"$+$")
        g.edge("edge_cell_mid", [P(N["ad"], "right"), P(add, "left")], style="cell")
        g.edge("edge_cell_out", [P(add, "right"), (W + D["stub"], YC)], style="cell")
        g.edge("edge_d", [P(sd, "right"), P(md, "left")])
        g.edge("edge_depth_add", [P(md, "top"), P(add, "bottom")], style="cell")
        g.label("label_d", D["xs"] + 0.75, D["yd"] + 0.3, r"$d_t$", va="bottom",
                size="small")
        o_gaps = [(D["xd"], D["YG"])]
    else:
        g.edge("edge_cell_out", [P(N["ad"], "right"), (W + D["stub"], YC)], style="cell")
    compact_lstm_rest(g, D, N, -D["stub"], W + D["stub"], o_gaps=o_gaps)
    sup = rf"^{{({layer})}}"
    g.label("label_C_prev", -D["stub"] - 0.2, YC, rf"$C{sup}_{{t-1}}$", ha="right")
    g.label("label_h_prev", -D["stub"] - 0.2, D["YG"], rf"$h{sup}_{{t-1}}$", ha="right")
    g.label("label_C", W + D["stub"] + 0.2, YC, rf"$C{sup}_t$", ha="left")
    g.label("label_h", W + D["stub"] + 0.2, D["YG"], rf"$h{sup}_t$", ha="left")


def depth_gated_cell_sketch() -> Sketch:
    D, g = _DG, Builder()
    YC, YG = D["YC"], D["YG"]
    _dg_module(g.sub("low_"), 1, depth=False)
    dy = D["H"] + D["gap"]
    _dg_module(g.sub("up_", dy=dy), 2, depth=True)
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
    right = D["W"] + D["stub"] + 1.7
    g.d["extent"] = [-D["stub"] - 1.9, right, D["x_below"] - 0.9, dy + D["H"] + 0.5]
    return Sketch("depth_gated_cell", g.d, (
        "A Depth-Gated LSTM, two layers at one time step, each a compact LSTM module with "
        "its own cell state line along the top. The lower layer's new cell state C_t^(1) "
        "rises into the upper layer, where a sigmoid depth gate d_t scales it and adds it "
        "to the upper cell state. The depth gate reads the lower hidden state h_t^(1), "
        "which is also the upper layer's input, and, through a dashed line, the lower cell "
        "state."))


def depth_gated_cell(theme: str = "light", ax=None) -> Figure:
    """A Depth-Gated LSTM (Yao et al. 2015), two layers at one time step.

    Each layer is a compact LSTM module (its four layers drawn as one "gates" box).
    The lower layer's new cell state C_t^(1) rises into the upper layer, where a
    depth gate d_t (a sigmoid layer) scales it and adds it to the upper cell
    state; the lower hidden state h_t^(1) is the upper layer's input.
    """
    return draw(depth_gated_cell_sketch(), theme, ax)


# --- Clockwork RNN ---------------------------------------------------------------------
def _clockwork_modules(g: Builder, ys: list, xb: float, bw: float) -> list:
    """The modules as boxes (periods 1, 2, 4, ... from the top), x_t into each, and the
    slower -> faster arrows; returns the vertical lanes ``(j, i, x, y0)`` of long jumps."""
    boxes = [g.node(f"layer_m{i}", "layer", xb, y, rf"$T = {2 ** i}$", w=bw, h=0.8)
             for i, y in enumerate(ys)]
    # input: one bus on the left, a branch into every module
    bus_x = 0.2
    g.edge("edge_x", [(bus_x, -0.6), (bus_x, ys[0])], head=False)
    g.label("label_x", bus_x, -0.75, r"$x_t$", va="top")
    for i, (b, y) in enumerate(zip(boxes, ys)):
        if i > 0:
            g.dot(f"dot_x{i}", bus_x, y)
        g.edge(f"edge_x{i}", [(bus_x, y), port(b, "left")])
    # slower -> faster: neighbours straight up, longer jumps around the right side
    for j in range(1, len(ys)):
        g.edge(f"edge_up{j}", [port(boxes[j], "top"), port(boxes[j - 1], "bottom")])
    # one vertical lane per (slower j, faster i) pair; a horizontal that crosses
    # another pair's lane passes under it (a short break)
    pairs = sorted(((j, i) for j in range(2, len(ys)) for i in range(j - 1)),
                   key=lambda ji: (ji[0] - ji[1], ji[1]))   # short jumps innermost
    lanes = [(j, i, xb + bw / 2 + 0.45 + 0.5 * k, ys[j] + 0.15 * i)
             for k, (j, i) in enumerate(pairs)]
    for j, i, x, y0 in lanes:
        gaps = [(x2, y) for (j2, i2, x2, y2) in lanes if x2 < x
                for y in (y0, ys[i]) if y2 < y < ys[i2]]
        g.edge(f"edge_skip{j}_{i}",
               [(xb + bw / 2, y0), (x, y0), (x, ys[i]), (xb + bw / 2, ys[i])], gaps=gaps)
    return lanes


def _clockwork_schedule(g: Builder, ys: list, steps: int, x0: float, dx: float) -> float:
    """Steps 1..steps to the right: a circle where module i computes (t mod 2^i == 0),
    a dot where it keeps its value. Returns the top of the step numbers."""
    for i, y in enumerate(ys):
        xs = [x0 + dx * (t - 1) for t in range(1, steps + 1)]
        g.edge(f"edge_row{i}", [(xs[0] - 0.6, y), (xs[-1] + 0.6, y)], head=True)
        for t, x in zip(range(1, steps + 1), xs):
            if t % 2 ** i == 0:
                g.node(f"op_m{i}_t{t}", "op", x, y, "")
            else:
                g.dot(f"dot_m{i}_t{t}", x, y)
    top = ys[0] + 0.75
    for t in range(1, steps + 1):
        g.label(f"label_t{t}", x0 + dx * (t - 1), top, rf"${t}$", va="bottom", size="small")
    g.label("label_step", x0 - 0.75, top, r"$t$", ha="right", va="bottom", size="small")
    return top


def clockwork_rnn_sketch(n_modules: int = 3, steps: int = 8) -> Sketch:
    n_modules = check_n(n_modules, "n_modules", 1, 5)
    steps = check_n(steps, "steps", 1, 12)
    g = Builder()
    ys = [1.8 * (n_modules - 1 - i) + 1.4 for i in range(n_modules)]
    lanes = _clockwork_modules(g, ys, xb=2.0, bw=1.9)
    x0 = max([5.6] + [x + 1.6 for (_, _, x, _) in lanes])  # right of the outermost lane
    dx = 0.95
    top = _clockwork_schedule(g, ys, steps, x0, dx)
    g.d["extent"] = [-0.6, x0 + dx * (steps - 1) + 1.2, -1.5, top + 0.95]
    periods = ", ".join(str(2 ** i) for i in range(n_modules))
    return Sketch("clockwork_rnn", g.d, (
        f"A Clockwork RNN with {n_modules} modules of hidden units, clock periods {periods} "
        "from top to bottom; the input x_t feeds every module and arrows run only from "
        "slower modules to faster ones. Beside it, a schedule over steps 1 to "
        f"{steps}: a large circle where a module computes (when t is a multiple of its "
        "period), a small dot where it keeps its value."))


def clockwork_rnn(n_modules: int = 3, steps: int = 8, theme: str = "light",
                  ax=None) -> Figure:
    """A Clockwork RNN (Koutník et al. 2014) and its schedule.

    Left: ``n_modules`` groups of hidden units, periods 1, 2, 4, ... from the top;
    arrows show which module reads which (a module reads the slower ones below
    it, never a faster one) and x_t feeds every module. Right: steps 1..``steps``;
    a large circle where a module computes (t mod T_i == 0), a small dot where it
    keeps its value.
    """
    return draw(clockwork_rnn_sketch(n_modules, steps), theme, ax)


DIAGRAMS = {"gru_cell": gru_cell, "depth_gated_cell": depth_gated_cell,
            "clockwork_rnn": clockwork_rnn}
SKETCHES = {"gru_cell": gru_cell_sketch, "depth_gated_cell": depth_gated_cell_sketch,
            "clockwork_rnn": clockwork_rnn_sketch}

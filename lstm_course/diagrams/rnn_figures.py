"""Figures of plain recurrent networks (chapter "Recurrent Neural Networks").

Each figure is a pair: ``<name>_sketch(...)`` builds its geometry and alt text side by
side and returns a ``Sketch``; ``<name>(..., theme, ax)`` draws that sketch.

    rnn_loop                 a chunk A with its loop
    unrolled_rnn             the loop unrolled into n copies
    rnn_loop_and_unrolled    both, with an equals sign between
    rnn_chain                three repeating modules, a single tanh layer each
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from .builder import Builder, Sketch, chain, check_n
from .render import draw

# one chunk A: width, height, the gap between copies and the length of x / h arrows
# (also the layout of the gap figures, dependency_figures.py)
CHUNK = {"w": 2.0, "h": 1.5, "gap": 1.4, "io": 1.4}


def _chunk(g: Builder, x, y, xlab, hlab, mark_x=False, mark_h=False):
    """One chunk A centred at (x, y) with x_t below and h_t above.

    ``mark_x`` / ``mark_h`` draw that arrow in the highlight style ("mark"): an input or
    output the figure points at (the caller sets its label in bold).
    """
    w, h, io = CHUNK["w"], CHUNK["h"], CHUNK["io"]
    g.module("A", x - w / 2, y - h / 2, x + w / 2, y + h / 2, text=r"$A$")
    g.edge("edge_x", [(x, y - h / 2 - io), (x, y - h / 2)],
           style="mark" if mark_x else "vector")
    g.edge("edge_h", [(x, y + h / 2), (x, y + h / 2 + io)],
           style="mark" if mark_h else "vector")
    if xlab:
        g.label("label_x", x, y - h / 2 - io - 0.12, xlab, va="top")
    if hlab:
        g.label("label_h", x, y + h / 2 + io + 0.12, hlab, va="bottom")


def _label(v: str, step: str, bold: bool) -> str:
    """The mathtext label v_step; in bold for a marked input or output."""
    return rf"$\mathbfit{{{v}_{{{step}}}}}$" if bold else rf"${v}_{{{step}}}$"


def _loop(g: Builder, x=0.0, y=0.0):
    """Chunk A with a loop on its right: out at the upper right, back in lower right."""
    _chunk(g, x, y, r"$x_t$", r"$h_t$")
    edge, run, ry, rx = x + CHUNK["w"] / 2, 0.35, 0.42, 0.67
    arc = [(edge, y + ry)]
    for a in np.linspace(math.pi / 2, -math.pi / 2, 41):   # half ellipse, clockwise
        arc.append((edge + run + rx * math.cos(a), y + ry * math.sin(a)))
    arc.append((edge, y - ry))
    g.edge("edge_loop", arc)
    return edge + run + rx


def unrolled_row(g: Builder, steps, x0: float, y: float = 0.0, elide_after=None,
                 elide_extra: float = 1.4, mark_x=(), mark_h=()) -> list[float]:
    """A row of chunks A, one per subscript in ``steps`` (strings), the first one's left
    edge at ``x0``, each passing its state to the next. ``elide_after``: the index of
    the chunk after which a ``...`` stands for steps left out (the gap there is
    ``elide_extra`` wider). ``mark_x`` / ``mark_h``: indices whose input / output is
    highlighted. Returns the chunks' centres."""
    w, gap = CHUNK["w"], CHUNK["gap"]
    xs, x = [], x0 + w / 2
    for k in range(len(steps)):
        xs.append(x)
        x += w + gap + (elide_extra if k == elide_after else 0.0)
    for k, (cx, nm) in enumerate(zip(xs, steps)):
        _chunk(g.sub(f"A{k}_", dx=g.dx, dy=g.dy), cx, y, _label("x", nm, k in mark_x),
               _label("h", nm, k in mark_h), mark_x=k in mark_x, mark_h=k in mark_h)
        if k == len(steps) - 1:
            continue
        a, b = cx + w / 2, xs[k + 1] - w / 2
        if k == elide_after:
            mid = (a + b) / 2
            g.edge(f"edge_pass{k}a", [(a, y), (mid - 0.55, y)], head=False)
            g.label(f"label_ellipsis{k}", mid, y, r"$\cdots$", size="big")
            g.edge(f"edge_pass{k}b", [(mid + 0.55, y), (b, y)])
        else:
            g.edge(f"edge_pass{k}", [(a, y), (b, y)])
    return xs


def _unrolled(g: Builder, n: int, x0: float, y: float = 0.0, ellipsis=True):
    use_ellipsis = ellipsis and n >= 4
    names = [str(k) for k in range(n - 1)] + (["t"] if use_ellipsis else [str(n - 1)])
    xs = unrolled_row(g, names, x0, y, elide_after=n - 2 if use_ellipsis else None)
    return xs[-1] + CHUNK["w"] / 2


def _extent(left, right):
    h, io = CHUNK["h"], CHUNK["io"]
    return [left, right, -h / 2 - io - 1.0, h / 2 + io + 1.0]


def rnn_loop_sketch() -> Sketch:
    g = Builder()
    right = _loop(g)
    g.d["extent"] = _extent(-CHUNK["w"] / 2 - 0.6, right + 0.6)
    return Sketch("rnn_loop", g.d, (
        "A recurrent network chunk A drawn as a box: input x_t enters from below, output "
        "h_t leaves at the top, and a loop arrow feeds the chunk's output back into "
        "itself for the next time step."))


def rnn_loop(theme: str = "light", ax=None) -> Figure:
    """A recurrent chunk A with its loop: x_t in, h_t out."""
    return draw(rnn_loop_sketch(), theme, ax)


def unrolled_rnn_sketch(n: int = 4, ellipsis: bool = True) -> Sketch:
    n = check_n(n, "n", 1, 8)
    g = Builder()
    right = _unrolled(g, n, 0.0, ellipsis=ellipsis)
    g.d["extent"] = _extent(-0.6, right + 0.6)
    return Sketch("unrolled_rnn", g.d, (
        f"The recurrent network unrolled into {n} copies of the same chunk A in a row, "
        "each reading one input x from below, emitting one output h above and passing a "
        "message to the next copy."))


def unrolled_rnn(n: int = 4, theme: str = "light", ax=None, ellipsis: bool = True) -> Figure:
    """The loop unrolled: ``n`` copies of A labelled x_0, x_1, ..., x_t.

    With ``n >= 4`` and ``ellipsis=True`` the last copy is step t and a ``...`` sits
    before it; otherwise the copies are numbered 0 .. n-1.
    """
    return draw(unrolled_rnn_sketch(n, ellipsis), theme, ax)


def rnn_loop_and_unrolled_sketch(n: int = 4) -> Sketch:
    n = check_n(n, "n", 1, 8)
    g = Builder()
    right = _loop(g.sub("loop_"))
    g.label("label_equals", right + 0.9, 0, r"$=$", size="big")
    end = _unrolled(g.sub("unrolled_"), n, right + 1.8)
    g.d["extent"] = _extent(-CHUNK["w"] / 2 - 0.6, end + 0.6)
    return Sketch("rnn_loop_and_unrolled", g.d, (
        "Left: a recurrent chunk A with a loop. An equals sign. Right: the same network "
        "unrolled into a chain of copies, each passing its state to the next."))


def rnn_loop_and_unrolled(n: int = 4, theme: str = "light", ax=None) -> Figure:
    """The loop and, after an equals sign, the same network unrolled."""
    return draw(rnn_loop_and_unrolled_sketch(n), theme, ax)


# one module of the plain RNN chain: box W x H, the [h, x] bus at YB, the layer at YL
_R = {"W": 5.0, "H": 3.8, "YB": 1.0, "YL": 2.3, "xx": 1.1, "xl": 2.5, "xf": 3.9,
      "stub": 1.6, "x_below": -1.3, "h_above": 5.0}


def _rnn_module(g: Builder, step: str):
    R = _R
    g.module("box", 0, 0, R["W"], R["H"])
    lay = g.node("layer_tanh", "layer", R["xl"], R["YL"], r"$\tanh$")
    g.edge("edge_h_prev", [(0.0, R["YB"]), (R["xx"], R["YB"])], head=False)
    g.edge("edge_x", [(R["xx"], R["x_below"]), (R["xx"], R["YB"])], head=False)
    g.dot("dot_merge", R["xx"], R["YB"])
    g.edge("edge_bus", [(R["xx"], R["YB"]), (R["xl"], R["YB"]), g.local(lay, "bottom")])
    g.edge("edge_out", [g.local(lay, "right"), (R["xf"], R["YL"]), (R["xf"], R["YB"]),
                        (R["W"] + R["stub"], R["YB"])])
    g.dot("dot_fork", R["xf"], R["YL"])
    g.edge("edge_h_up", [(R["xf"], R["YL"]), (R["xf"], R["h_above"])])
    g.label("label_x", R["xx"], R["x_below"] - 0.15, rf"$x_{{{step}}}$", va="top")
    g.label("label_h_up", R["xf"], R["h_above"] + 0.12, rf"$h_{{{step}}}$", va="bottom")


def rnn_chain_sketch() -> Sketch:
    return Sketch("rnn_chain", chain(_R, _rnn_module), (
        "Three repeating modules of a plain recurrent network; each contains a single "
        "tanh layer that combines the previous output h and the current input x into the "
        "new output."))


def rnn_chain(theme: str = "light", ax=None) -> Figure:
    """The repeating module of a plain RNN: a single tanh layer; neighbours lighter."""
    return draw(rnn_chain_sketch(), theme, ax)


DIAGRAMS = {"rnn_loop": rnn_loop, "unrolled_rnn": unrolled_rnn,
            "rnn_loop_and_unrolled": rnn_loop_and_unrolled, "rnn_chain": rnn_chain}
SKETCHES = {"rnn_loop": rnn_loop_sketch, "unrolled_rnn": unrolled_rnn_sketch,
            "rnn_loop_and_unrolled": rnn_loop_and_unrolled_sketch,
            "rnn_chain": rnn_chain_sketch}

"""Engine, part 1: the geometry builder. Plain data, no matplotlib.

A figure function (in the ``*_figures`` modules) calls a ``Builder`` to place modules,
nodes, edges, dots and labels in abstract units (y up) and returns a ``Sketch``: that
geometry dict together with the alt text that describes it. ``render.py`` draws a
geometry dict with matplotlib; the browser widgets (``widgets/js/common.js``) draw the
same dict as SVG, so the dict's format is documented in ``diagrams.geometry`` and must
not change on one side only.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ..style import STYLE


class Sketch(NamedTuple):
    """What a figure function builds: its name, its geometry and its alt text."""
    name: str
    geometry: dict
    alt: str


class Builder:
    """Collects a diagram's geometry as plain dicts (JSON-serialisable).

    ``sub`` gives a view that writes into the same dict with an offset and a name
    prefix (one module of a chain, one step of an unrolled network).
    """

    def __init__(self, prefix: str = "", faded: bool = False, dx: float = 0.0,
                 dy: float = 0.0):
        self.d = {"extent": None, "modules": [], "nodes": [], "edges": [], "dots": [],
                  "labels": []}
        self.prefix, self.faded, self.dx, self.dy = prefix, faded, dx, dy

    def sub(self, prefix: str, faded: bool = False, dx: float = 0.0, dy: float = 0.0):
        """A view that writes into the same dict with an offset and name prefix."""
        g = Builder(prefix, faded, dx, dy)
        g.d = self.d
        return g

    def _p(self, x, y):
        return [round(x + self.dx, 4), round(y + self.dy, 4)]

    def module(self, name, x0, y0, x1, y1, text=None):
        """The rounded box of a repeating module (optionally with a big letter)."""
        (a, b), (c, e) = self._p(x0, y0), self._p(x1, y1)
        self.d["modules"].append({"name": self.prefix + name, "x0": a, "y0": b, "x1": c,
                                  "y1": e, "text": text, "faded": self.faded})

    def node(self, name, kind, x, y, text, w=None, h=None):
        """A learned layer ("layer"), a pointwise circle ("op") or pill ("pill")."""
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
        """A fork or merge dot."""
        px, py = self._p(x, y)
        self.d["dots"].append({"name": self.prefix + name, "x": px, "y": py,
                               "style": style, "faded": self.faded})

    def label(self, name, x, y, text, ha="center", va="center", size="label",
              color="ink"):
        """A free text (mathtext): a vector's name, an equation, a caption."""
        px, py = self._p(x, y)
        self.d["labels"].append({"name": self.prefix + name, "x": px, "y": py,
                                 "text": text, "ha": ha, "va": va, "size": size,
                                 "color": color, "faded": self.faded})

    def local(self, n: dict, side: str) -> tuple[float, float]:
        """``port`` of node ``n`` in this view's local coordinates."""
        x, y = port(n, side)
        return (x - self.dx, y - self.dy)


def port(n: dict, side: str, offset: float = 0.0) -> tuple[float, float]:
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


def add_equations(g: Builder, equations: dict[str, str], ext):
    """Equations ``{key: mathtext}`` below the diagram, one per row (two columns when
    there are more than three). Returns the extent grown to hold them."""
    x0, x1, y0, y1 = ext
    keys = list(equations)
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
            g.label("eq_" + k, x, top - row * (r + 0.5), equations[k], ha=ha,
                    size="equation")
    nrows = max(len(c) for c in cols)
    return [x0, x1, top - row * nrows - 0.35, y1]


CHAIN_CROP = 3.6   # how much of each neighbouring module a chain shows, units


def chain(layout: dict, module: Callable[[Builder, str], None]) -> dict:
    """Three repeating modules (steps t-1, t, t+1), the outer two faded and cut by the
    figure's edge. ``layout`` has the module's width "W", the gap "stub" between
    modules and the heights "x_below", "h_above"; ``module(view, step)`` draws one."""
    g = Builder()
    gap = layout["stub"]
    for k, step in enumerate(["t-1", "t", "t+1"]):
        module(g.sub(f"m{k}_", faded=(k != 1), dx=(k - 1) * (layout["W"] + gap)), step)
    left, right = -gap - CHAIN_CROP, layout["W"] + gap + CHAIN_CROP
    g.d["extent"] = [left, right, layout["x_below"] - 0.95, layout["h_above"] + 0.95]
    # neighbours are cut by the figure edge: keep only labels well inside it
    g.d["labels"] = [lab for lab in g.d["labels"] if left + 0.7 < lab["x"] < right - 0.7]
    for n in g.d["nodes"]:  # a shape cut by the edge keeps its outline, loses its text
        if not left < n["x"] - n["w"] / 2 < n["x"] + n["w"] / 2 < right:
            n["text"] = ""
    return g.d


def prev_step(step: str) -> str:
    """The subscript before ``step``: "t" -> "t-1"."""
    return {"t": "t-1", "t-1": "t-2", "t+1": "t"}.get(step, step + "-1")


def check_n(n, name, lo, hi):
    """``n`` as an int in [lo, hi], or a ValueError naming ``name``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"{name} must be an int in [{lo}, {hi}], got {n!r}")
    if not lo <= n <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {n}")
    return int(n)


def edge_shapes(e: dict, head_scale: float = 1.0):
    """Polyline points (gaps as NaN rows) and arrowhead triangle (or None) of edge ``e``.

    ``head_scale`` enlarges the arrowhead (the flow overlay draws a thick flow with a
    larger head). Returns ``(points (P, 2), head (3, 2) or None)``.
    """
    pts = np.asarray(e["points"], dtype=float)
    line_pts, head = pts.copy(), None
    if e["head"]:
        head_len, head_half = head_size(e)
        head_len, head_half = head_len * head_scale, head_half * head_scale
        tip = pts[-1]
        d = pts[-1] - pts[-2]
        d = d / np.hypot(*d)
        nrm = np.array([-d[1], d[0]])
        basept = tip - d * head_len
        head = np.array([tip, basept + nrm * head_half, basept - nrm * head_half])
        line_pts[-1] = tip - d * head_len * 0.6   # hide the butt end under the head
    return cut_gaps(line_pts, e.get("gaps", ())), head


def cut_gaps(pts: np.ndarray, gaps) -> np.ndarray:
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


def head_size(e: dict) -> tuple[float, float]:
    """Arrowhead (length, half width) of edge ``e``; the cell state's and a marked
    arrow's are larger."""
    k = 1.25 if e["style"] in ("cell", "mark") else 1.0
    return STYLE["head_len"] * k, STYLE["head_half"] * k

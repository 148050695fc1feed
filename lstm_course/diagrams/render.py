"""Engine, part 2: the renderer. A geometry dict becomes matplotlib artists.

``draw(sketch, theme, ax)`` is the one call every figure function ends with: it renders
the sketch's geometry (``render``) and attaches the alt text. Colours and sizes come
from ``lstm_course.style``; the stacking order of the kinds of element is ``LAYERS``.
Nothing here calls pyplot or changes rcParams.
"""
from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Polygon

from ..style import STYLE, THEMES
from .builder import Sketch, edge_shapes
from .flows import update_flows

# Stacking order (matplotlib zorder), back to front: module boxes, vector lines, the cell
# state line, arrowheads, layer and pointwise shapes, dots, texts inside shapes, labels.
LAYERS = {"module": 1, "edge": 2, "cell_edge": 2.5, "head": 3.5, "node": 4, "dot": 5,
          "node_text": 6, "label": 7}
_LABEL_PT = {"label": STYLE["label_pt"], "small": STYLE["label_pt"] * 0.9,
             "equation": STYLE["equation_pt"], "caption": STYLE["caption_pt"],
             "big": STYLE["module_label_pt"]}


class DiagramFigure(Figure):
    """A plain Figure that also shows itself in Jupyter without pyplot being imported."""

    def __repr__(self):  # the same text as any Figure, so notebook outputs stay stable
        return super().__repr__().replace(type(self).__name__, "Figure", 1)

    def _repr_png_(self):
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=self.dpi, facecolor=self.get_facecolor(),
                     metadata={"Software": None})
        return buf.getvalue()


def check_theme(theme: str) -> dict:
    """The colour roles of ``theme``, or a ValueError naming the themes there are."""
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {sorted(THEMES)}, got {theme!r}")
    return THEMES[theme]


def with_theme(alt: str, theme: str) -> str:
    """A figure's alt text as drawn in ``theme`` (the dark theme says so)."""
    return alt + (" Dark theme." if theme == "dark" else "")


def draw(sketch: Sketch, theme: str = "light", ax=None, highlight=None,
         flows=None) -> Figure:
    """Render ``sketch`` and attach its alt text (``fig.lstm_alt_text``)."""
    fig = render(sketch.geometry, theme, ax, highlight=highlight, flows=flows)
    fig.lstm_alt_text = with_theme(sketch.alt, theme)
    fig.lstm_diagram = sketch.name
    return fig


def highlight_steps(highlight) -> list[str]:
    """``highlight`` (None, a name, or a list/set of names) as a list in a fixed order."""
    if highlight is None:
        return []
    if isinstance(highlight, str):
        return [highlight]
    if isinstance(highlight, (set, frozenset)):
        return sorted(highlight)  # sets have no order; alt text must not vary by run
    return list(highlight)


def _highlight_elements(highlight, parts) -> set[str] | None:
    steps = highlight_steps(highlight)
    if not steps:
        return None
    out: set[str] = set()
    for s in steps:
        out.update(parts[s] if s in parts else [s])
    return out


def render(geom: dict, theme: str = "light", ax=None, highlight=None, flows=None):
    """Draw a geometry dict (see ``diagrams.geometry``). Returns the Figure.

    ``fig.lstm_artists`` maps element names to their artists (edges map to a dict with
    "line", "head" and "base_lw"), so callers can restyle parts in place.
    """
    t = check_theme(theme)
    own = ax is None
    fig, ax, scale = _new_figure(geom["extent"], ax, t)
    # in a figure of our own, a wide diagram keeps its labels readable; in a caller's
    # axes everything scales together so nothing crowds
    label_scale = max(scale, STYLE["min_label_scale"]) if own else scale
    hl = _highlight_elements(highlight, geom.get("parts", {}))

    def alpha_of(item):
        a = STYLE["faded_alpha"] if item.get("faded") else 1.0
        if hl is not None and item["name"] not in hl and item.get("size") != "equation":
            a *= STYLE["dim_alpha"]
        return a

    def is_hl(item):
        return hl is not None and item["name"] in hl

    artists: dict = {}
    for m in geom["modules"]:
        artists[m["name"]] = _draw_module(ax, m, t, scale)
    for e in geom["edges"]:
        artists[e["name"]] = _draw_edge(ax, e, t, scale, alpha_of(e), is_hl(e))
    for dd in geom["dots"]:
        artists[dd["name"]] = _draw_dot(ax, dd, t, alpha_of(dd))
    for n in geom["nodes"]:
        artists[n["name"]] = _draw_node(ax, n, t, scale, alpha_of(n), is_hl(n))
    for lab in geom["labels"]:
        artists[lab["name"]] = _draw_label(ax, lab, t, label_scale, alpha_of(lab), is_hl(lab))
    fig.lstm_artists = artists
    fig.lstm_geometry = geom
    fig.lstm_theme = theme
    fig.lstm_scale = scale
    if flows:
        update_flows(fig, flows)
    return fig


def _new_figure(extent, ax, t):
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


def _text(ax, x, y, text, gid, **kw):
    """A text in the diagrams' fonts, tagged with ``gid`` (the tests find it by that)."""
    txt = ax.text(x, y, text, family=STYLE["font_family"],
                  math_fontfamily=STYLE["math_fontfamily"], **kw)
    txt.set_gid(gid)
    return txt


def _draw_module(ax, m, t, scale):
    alpha = STYLE["faded_alpha"] if m["faded"] else 1.0
    box = FancyBboxPatch((m["x0"], m["y0"]), m["x1"] - m["x0"], m["y1"] - m["y0"],
                         boxstyle="round,pad=0,rounding_size=0.45",
                         facecolor=t["module_face"], edgecolor=t["module_edge"],
                         linewidth=STYLE["module_lw"] * scale, zorder=LAYERS["module"],
                         alpha=alpha)
    box.set_gid(m["name"])
    ax.add_patch(box)
    if m.get("text"):
        _text(ax, (m["x0"] + m["x1"]) / 2, (m["y0"] + m["y1"]) / 2, m["text"],
              "node:" + m["name"], ha="center", va="center",
              fontsize=STYLE["module_label_pt"] * scale, color=t["ink"],
              zorder=LAYERS["node_text"], alpha=alpha)
    return box


def _draw_dot(ax, dd, t, alpha):
    colour = {"cell": t["cell"], "peep": t["peephole"]}.get(dd["style"], t["ink"])
    r = STYLE["dot_r"] * (1.35 if dd["style"] == "cell" else 1.0)
    c = Circle((dd["x"], dd["y"]), r, facecolor=colour, edgecolor="none",
               zorder=LAYERS["dot"], alpha=alpha)
    c.set_gid(dd["name"])
    ax.add_patch(c)
    return c


def _draw_label(ax, lab, t, label_scale, alpha, highlighted):
    bold = highlighted and lab["size"] != "equation"
    return _text(ax, lab["x"], lab["y"], lab["text"], "label:" + lab["name"],
                 ha=lab["ha"], va=lab["va"], fontsize=_LABEL_PT[lab["size"]] * label_scale,
                 color=t["muted"] if lab.get("color") == "muted" else t["ink"],
                 zorder=LAYERS["label"], alpha=alpha, fontweight="bold" if bold else None)


def _draw_node(ax, n, t, scale, alpha, highlighted):
    x, y, w, h = n["x"], n["y"], n["w"], n["h"]
    style = dict(linewidth=STYLE["edge_lw"] * scale * (1.9 if highlighted else 1.0),
                 zorder=LAYERS["node"], alpha=alpha)
    if n["kind"] == "layer":
        face, edge, ink = t["layer_face"], t["layer_edge"], t["layer_text"]
        rounding, pt = 0.12, STYLE["node_pt"]
    else:
        face, edge, ink = t["op_face"], t["op_edge"], t["op_text"]
        rounding, pt = h / 2, (STYLE["node_pt"] if n["kind"] == "pill" else STYLE["op_pt"])
    if n["kind"] == "op":
        patch = Circle((x, y), w / 2, facecolor=face, edgecolor=edge, **style)
    else:
        patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                               boxstyle=f"round,pad=0,rounding_size={rounding}",
                               facecolor=face, edgecolor=edge, **style)
    patch.set_gid(n["name"])
    ax.add_patch(patch)
    if not n["text"]:
        return {"patch": patch, "text": None}
    if n["kind"] != "op" and len(n["text"].strip("$")) > 2:
        pt *= STYLE["word_scale"]  # "tanh", "gates": leave air between word and border
    txt = _text(ax, x, y + (-0.03 if n["kind"] == "op" else 0.0), n["text"], "node:" + n["name"],
                ha="center", va="center_baseline" if n["kind"] == "layer" else "center",
                fontsize=pt * scale, color=ink, zorder=LAYERS["node_text"], alpha=alpha)
    return {"patch": patch, "text": txt}


def _draw_edge(ax, e, t, scale, alpha, highlighted):
    colour = {"cell": t["cell"], "peep": t["peephole"],
              "mark": t["highlight"]}.get(e["style"], t["ink"])
    base = {"cell": STYLE["cell_lw"], "peep": STYLE["line_lw"] * 0.9,
            "mark": STYLE["cell_lw"]}.get(e["style"], STYLE["line_lw"])
    lw = base * (1.35 if highlighted else 1.0) * scale
    line_pts, head_xy = edge_shapes(e)
    head = None
    if head_xy is not None:
        head = Polygon(head_xy, closed=True, facecolor=colour, edgecolor="none",
                       zorder=LAYERS["head"], alpha=alpha)
        head.set_gid("head:" + e["name"])
        ax.add_patch(head)
    line = Line2D(line_pts[:, 0], line_pts[:, 1], color=colour, linewidth=lw,
                  solid_capstyle="butt", solid_joinstyle="miter",
                  zorder=LAYERS["cell_edge" if e["style"] == "cell" else "edge"], alpha=alpha,
                  linestyle=(0, (3, 1.6)) if e["style"] == "peep" else "-")
    line.set_gid("edge:" + e["name"])
    ax.add_line(line)
    return {"line": line, "head": head, "base_lw": lw, "base_alpha": alpha,
            "style": e["style"], "edge": e}


"""Engine, part 3: the flow overlay. Arrow widths that follow numbers, for widgets.

``update_flows(fig, {"forget": 0.1})`` restyles the arrows of an ``lstm_cell`` figure
in place (the same Line2D and Polygon artists, new data, width and alpha), so a widget
can move a slider and redraw without building the figure again. The browser widget
(``widgets/js/explorer.js``) draws the same widths from ``FLOW_KEYS``.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .builder import edge_shapes

# Flow key -> the edges of ``lstm_cell`` whose width it drives.
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


def check_flow_keys(flows) -> None:
    """A ValueError naming any key of ``flows`` that is not in ``FLOW_KEYS``."""
    unknown = set(flows or {}) - set(FLOW_KEYS)
    if unknown:
        raise ValueError(f"flows: unknown key(s) {sorted(unknown)}; expected {sorted(FLOW_KEYS)}")


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
            line_pts, head_xy = edge_shapes(a["edge"], max(1.0, 0.55 + 0.5 * width))
            a["line"].set_data(line_pts[:, 0], line_pts[:, 1])
            a["line"].set_linewidth(a["base_lw"] * width)
            a["line"].set_alpha(alpha)
            if a["head"] is not None:
                a["head"].set_xy(head_xy)
                a["head"].set_alpha(alpha)
    fig.lstm_flows = {**getattr(fig, "lstm_flows", {}), **flows}
    return fig

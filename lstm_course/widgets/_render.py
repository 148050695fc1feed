"""Rendering shared by the widgets: a Figure to PNG bytes for an ``ipywidgets.Image``."""
from __future__ import annotations

from io import BytesIO

from matplotlib.figure import Figure


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes; the widgets redraw into an Image widget (no ipympl needed)."""
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()

"""The gate explorer of the chapter "Step-by-Step LSTM Walk Through".

The LSTM's cell update and output (Olah 2015; Hochreiter & Schmidhuber 1997, with
the forget gate of Gers, Schmidhuber & Cummins 2000), with the gates set by hand::

    C_t = f_t * C_{t-1} + i_t * C~_t        kept = f_t * C_{t-1},  written = i_t * C~_t
    h_t = o_t * tanh(C_t)

Two widgets, each in the three layers described in ``lstm_course.widgets``:

==============  ==================================  ==============================  =====================
widget          compute (pure, numpy)               figure (updates in place)       layout (ipywidgets)
==============  ==================================  ==============================  =====================
single step     ``cell_step``, ``cell_flows``       ``explorer_figure``,            ``explorer_widget``
                                                    ``update_explorer_figure``
sequence        ``run_schedule``, ``PRESETS``,      ``sequence_figure``,            ``sequence_widget``
                ``preset_schedule``                 ``update_sequence_figure``
==============  ==================================  ==============================  =====================

The compute functions are elementwise (numbers or arrays of any shape that
broadcast), take no weights and draw nothing, so a JavaScript port can be tested
against them value for value. Their semantics are those of ``lstm.lstm_step`` once
the gate values are given; the tests build an ``LSTMParams`` whose gates take
exactly these values and compare.

The single-step figure is the cell diagram of ``lstm_course.diagrams.lstm_cell``
with every arrow as wide as what flows along it (``cell_flows`` ->
``diagrams.update_flows``), above a bar panel of ``C_{t-1}``, the kept and written
parts, ``C_t``, ``tanh(C_t)`` and ``h_t`` for a few units. The sequence figure plots a
gate schedule over about ten steps and the cell state and output it produces.
Updates move existing artists. The layouts render the figure into an
``ipywidgets.Image`` at ``RENDER_DPI`` with ``_LayeredPNG``: the static parts (boxes,
labels, axes, text) are drawn once, and each update draws only the arrows, bars and
lines that move, then encodes the PNG. ``benchmarks/widgets.py`` times a whole update
(slider move to new PNG); the target is 50 ms.
"""
from __future__ import annotations

from io import BytesIO

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import diagrams

__all__ = [
    "C_SCALE",
    "UNITS",
    "DEFAULT_STEP",
    "SCHEDULE_KEYS",
    "PRESETS",
    "RENDER_DPI",
    "cell_step",
    "cell_flows",
    "preset_schedule",
    "run_schedule",
    "explorer_figure",
    "update_explorer_figure",
    "explorer_widget",
    "sequence_figure",
    "update_sequence_figure",
    "sequence_widget",
]

#: A cell-state value of this size draws the cell-state line at full width.
C_SCALE = 2.0
#: Units (entries of the vectors) the single-step explorer shows.
UNITS = 3
#: Resolution of the PNG a widget renders on every update.
RENDER_DPI = 100
#: The single-step explorer's starting values, one per unit.
DEFAULT_STEP = {
    "f": np.array([0.95, 0.05, 0.5]),
    "i": np.array([0.05, 0.9, 0.5]),
    "c_tilde": np.array([0.6, -0.8, 0.4]),
    "o": np.array([0.9, 0.8, 0.3]),
    "c_prev": np.array([1.2, 0.9, -0.6]),
}
#: The four gate inputs of one step, in the order a schedule lists them.
SCHEDULE_KEYS = ("f", "i", "c_tilde", "o")

_STEPS = 10


def _schedule(f, i, c_tilde, o, c0):
    return {"f": np.array(f, float), "i": np.array(i, float),
            "c_tilde": np.array(c_tilde, float), "o": np.array(o, float), "c0": float(c0)}


_ones, _zeros = [1.0] * _STEPS, [0.0] * _STEPS
#: Gate schedules over ten steps (arrays of length 10) and a starting cell state ``c0``.
#: remember: the forget gate stays open and the input gate shut, so C_0 rides along
#:   unchanged; the output gate opens only at the last step.
#: overwrite: at step 5 the forget gate closes and the input gate opens at once, so a
#:   new value replaces the old one (a new subject replaces the old one's gender).
#: forget: at step 5 the forget gate closes with nothing written: the cell is erased.
#: leak: a forget gate of 0.7 at every step: the value fades like 0.7 ** t.
PRESETS = {
    "remember": _schedule(_ones, _zeros, _zeros, [0.0] * (_STEPS - 1) + [1.0], 0.9),
    "overwrite": _schedule([1, 1, 1, 1, 0, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
                           [0, 0, 0, 0, -0.8, 0, 0, 0, 0, 0], _ones, 0.9),
    "forget": _schedule([1, 1, 1, 1, 0, 1, 1, 1, 1, 1], _zeros, _zeros, _ones, 0.9),
    "leak": _schedule([0.7] * _STEPS, _zeros, _zeros, _ones, 0.9),
}


def _arrays(**named):
    out = {}
    for name, v in named.items():
        a = np.asarray(v, dtype=float)
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name}: expected finite numbers, got {v!r}")
        out[name] = a
    return out


# ---- compute (pure) -----------------------------------------------------------------

def cell_step(f, i, c_tilde, o, c_prev) -> dict:
    """One step of the cell with the gates given: ``C_t = f*C_{t-1} + i*C~_t``, ``h_t = o*tanh(C_t)``.

    Arguments are numbers or arrays that broadcast together (one entry per unit).
    Returns a dict of arrays: ``C`` (C_t), ``tanh_C``, ``h`` (h_t), ``kept``
    (f_t * C_{t-1}) and ``written`` (i_t * C~_t).

    >>> out = cell_step(1.0, 0.5, 0.4, 1.0, 0.3)
    >>> float(out["C"]), float(out["written"])
    (0.5, 0.2)
    """
    a = _arrays(f=f, i=i, c_tilde=c_tilde, o=o, c_prev=c_prev)
    kept = a["f"] * a["c_prev"]                 # what the forget gate lets through
    written = a["i"] * a["c_tilde"]             # what the input gate adds
    C = kept + written                          # C_t = f_t * C_{t-1} + i_t * C~_t
    tanh_C = np.tanh(C)
    h = a["o"] * tanh_C                         # h_t = o_t * tanh(C_t)
    return {"C": C, "tanh_C": tanh_C, "h": h, "kept": kept, "written": written}


def cell_flows(f, i, c_tilde, o, c_prev, c_scale: float = C_SCALE) -> dict:
    """How much flows along each arrow of the cell diagram, as numbers in [0, 1].

    Scalars in (one unit); returns a dict keyed by ``diagrams.FLOW_KEYS``: the gates
    as they are, the candidate and h_t by magnitude, cell-state values by magnitude
    divided by ``c_scale`` (all clipped to [0, 1]).
    """
    for name, v in (("f", f), ("i", i), ("c_tilde", c_tilde), ("o", o), ("c_prev", c_prev)):
        if np.ndim(v) != 0:
            raise ValueError(f"{name}: expected one number (one unit), got shape {np.shape(v)}")
    s = cell_step(f, i, c_tilde, o, c_prev)
    clip = lambda v: float(np.clip(abs(float(v)), 0.0, 1.0))  # noqa: E731
    return {
        "forget": clip(f), "input": clip(i), "candidate": clip(c_tilde),
        "cell_in": clip(c_prev / c_scale), "cell_kept": clip(s["kept"] / c_scale),
        "cell_write": clip(s["written"] / c_scale), "cell_out": clip(s["C"] / c_scale),
        "output": clip(o), "h": clip(s["h"]),
    }


def preset_schedule(name: str) -> dict:
    """A fresh copy of ``PRESETS[name]`` (arrays ``f``, ``i``, ``c_tilde``, ``o``; number ``c0``)."""
    if name not in PRESETS:
        raise ValueError(f"name: expected one of {sorted(PRESETS)}, got {name!r}")
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in PRESETS[name].items()}


def run_schedule(schedule: dict, c0=None) -> dict:
    """Run the cell through a gate schedule; returns arrays over time.

    schedule: ``f``, ``i``, ``c_tilde``, ``o``, each ``(T,)`` or ``(T, n)`` (one column
    per unit); ``c0``: the starting cell state (a number or ``(n,)``), by default
    ``schedule["c0"]``. Returns ``C`` ``(T + 1, ...)`` holding C_0 .. C_T, and
    ``tanh_C``, ``h``, ``kept``, ``written``, each ``(T, ...)`` for steps 1 .. T.
    Step t is ``cell_step`` applied to step t's gates and C_{t-1}.
    """
    missing = [k for k in SCHEDULE_KEYS if k not in schedule]
    if missing:
        raise ValueError(f"schedule: missing {missing}; expected the keys {list(SCHEDULE_KEYS)}")
    g = _arrays(**{k: schedule[k] for k in SCHEDULE_KEYS})
    T = g["f"].shape[0] if g["f"].ndim else 0
    for k in SCHEDULE_KEYS:
        if g[k].ndim == 0 or g[k].shape != g["f"].shape:
            raise ValueError(f"schedule[{k!r}]: expected shape {g['f'].shape} like schedule['f'] "
                             f"(one entry per step), got {g[k].shape}")
    if T == 0:
        raise ValueError("schedule: expected at least one step")
    if c0 is None:
        if "c0" not in schedule:
            raise ValueError("c0: not given and the schedule has no 'c0'")
        c0 = schedule["c0"]
    c = np.broadcast_to(_arrays(c0=c0)["c0"], g["f"].shape[1:]).astype(float)
    C = np.empty((T + 1,) + c.shape)
    out = {k: np.empty((T,) + c.shape) for k in ("tanh_C", "h", "kept", "written")}
    C[0] = c
    for t in range(T):
        s = cell_step(g["f"][t], g["i"][t], g["c_tilde"][t], g["o"][t], C[t])
        C[t + 1] = s["C"]
        for k in out:
            out[k][t] = s[k]
    return {"C": C, **out}


# ---- rendering: redraw only what changes ----------------------------------------------

class _LayeredPNG:
    """PNG bytes of a figure whose ``dynamic`` artists change between renders.

    The rest is drawn once, in two layers: a background (everything under the
    moving artists) kept as an Agg region, and a foreground (``foreground`` artists,
    e.g. the diagram's boxes, circles and labels, which sit above the arrows) kept
    as an RGBA image. A render restores the background, draws the dynamic artists
    and pastes the foreground over them. Text is what costs most to draw, and
    almost all of it is static, so this is several times faster than
    ``savefig``. Call ``invalidate()`` after a change to a static artist (for
    example new axis limits).
    """

    def __init__(self, fig: Figure, dynamic, foreground=(), dpi: int = RENDER_DPI):
        self.fig, self.dynamic, self.foreground = fig, list(dynamic), list(foreground)
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        fig.set_dpi(dpi)
        self.invalidate()

    def invalidate(self) -> None:
        fig, canvas = self.fig, self.fig.canvas
        moving = self.dynamic + self.foreground
        shown = [a.get_visible() for a in moving]
        for a in moving:
            a.set_visible(False)
        canvas.draw()
        self._background = canvas.copy_from_bbox(fig.bbox)
        self._fg = None
        if self.foreground:
            # the foreground alone, on a transparent canvas
            hidden = [a for a in fig.findobj(include_self=False)
                      if a.get_visible() and not any(a is f for f in self.foreground)
                      and _is_leaf(a)]
            for a in hidden:
                a.set_visible(False)
            for a, vis in zip(self.foreground, shown[len(self.dynamic):]):
                a.set_visible(vis)
            face = fig.patch.get_visible()
            fig.patch.set_visible(False)
            canvas.draw()
            rgba = np.asarray(canvas.buffer_rgba()).astype(np.float32) / 255.0
            fig.patch.set_visible(face)
            for a in hidden:
                a.set_visible(True)
            mask = rgba[..., 3] > 0
            self._fg_index = np.nonzero(mask)
            self._fg = rgba[mask]                     # (N, 4) straight alpha
        for a, vis in zip(moving, shown):
            a.set_visible(vis)

    def png(self) -> bytes:
        from PIL import Image
        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for a in sorted(self.dynamic, key=lambda a: a.get_zorder()):
            if a.get_visible():
                a.draw(renderer)
        view = canvas.buffer_rgba()
        buf = np.asarray(view)                        # (rows, cols, 4) uint8, the canvas itself
        if self._fg is not None:
            # paste the foreground straight into the canvas (restored on the next render)
            a = self._fg[:, 3:4]
            under = buf[self._fg_index][:, :3].astype(np.float32) / 255.0
            mixed = self._fg[:, :3] * a + under * (1.0 - a)
            buf[self._fg_index + (slice(0, 3),)] = np.round(mixed * 255.0).astype(np.uint8)
        rows, cols = buf.shape[:2]
        image = Image.frombuffer("RGBA", (cols, rows), view, "raw", "RGBA", 0, 1).convert("RGB")
        f = BytesIO()
        image.save(f, format="png", compress_level=1)
        return f.getvalue()


def _is_leaf(artist) -> bool:
    """True for artists that draw something themselves (not axes, axis or figure)."""
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    return not isinstance(artist, (Axes, Axis, Figure))


# ---- single-step figure -------------------------------------------------------------

_BAR_NAMES = ("c_prev", "kept", "written", "C", "tanh_C", "h")
_BAR_LABELS = (r"$C_{t-1}$", r"$f_t C_{t-1}$", r"$i_t \tilde{C}_t$", r"$C_t$",
               r"$\tanh C_t$", r"$h_t$")
_UNIT_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")  # Okabe-Ito


def _step_values(values: dict) -> dict:
    a = _arrays(**{k: values[k] for k in ("f", "i", "c_tilde", "o", "c_prev")})
    shape = np.broadcast_shapes(*(v.shape for v in a.values()))
    if len(shape) != 1 or not 1 <= shape[0] <= len(_UNIT_COLORS):
        raise ValueError(f"values: expected 1-D arrays of 1 to {len(_UNIT_COLORS)} units, got shape {shape}")
    a = {k: np.broadcast_to(v, shape).astype(float) for k, v in a.items()}
    return {**a, **cell_step(a["f"], a["i"], a["c_tilde"], a["o"], a["c_prev"])}


def _step_title(v: dict, unit: int) -> str:
    # plain text with Unicode subscripts: mathtext would be parsed anew on every update
    return (f"unit {unit + 1}:   C\u209c = {v['C'][unit]:+.2f}   "
            f"tanh(C\u209c) = {v['tanh_C'][unit]:+.2f}   h\u209c = {v['h'][unit]:+.2f}")


def explorer_figure(values: dict | None = None, unit: int = 0) -> Figure:
    """The cell diagram with flows for ``unit``, above bars for every unit.

    values: ``f``, ``i``, ``c_tilde``, ``o``, ``c_prev``, each ``(n,)`` (default
    ``DEFAULT_STEP``). The arrows of the diagram are as wide as what flows for the
    chosen unit (``cell_flows``); the bars show ``C_{t-1}``, ``f_t C_{t-1}``,
    ``i_t C~_t``, ``C_t``, ``tanh(C_t)`` and ``h_t`` of every unit, the chosen one solid.
    """
    v = _step_values(DEFAULT_STEP if values is None else values)
    n = v["C"].shape[0]
    unit = _check_unit(unit, n)
    # Fixed positions, no layout engine: the diagram keeps its full size (7 x 4.5 in)
    # and an update re-renders without re-running a layout.
    fw, fh, diag_h = 7.0, 6.7, 4.5
    fig = Figure(figsize=(fw, fh))
    FigureCanvasAgg(fig)
    ax_d = fig.add_axes([0, (fh - diag_h) / fh, 1, diag_h / fh])
    ax_b = fig.add_axes([0.09, 0.45 / fh, 0.74, 1.3 / fh])
    flows = cell_flows(*(v[k][unit] for k in ("f", "i", "c_tilde", "o", "c_prev")))
    diagrams.lstm_cell(flows=flows, ax=ax_d)
    x = np.arange(len(_BAR_NAMES))
    w = 0.8 / n
    bars = []
    for u in range(n):
        heights = [v[k][u] for k in _BAR_NAMES]
        bars.append(ax_b.bar(x + (u - (n - 1) / 2) * w, heights, width=w * 0.92,
                             color=_UNIT_COLORS[u], alpha=1.0 if u == unit else 0.35,
                             label=f"unit {u + 1}"))
    ax_b.axhline(0, color="0.3", lw=0.8)
    ax_b.set_xticks(x, _BAR_LABELS, fontsize=11)
    ax_b.set_ylim(-3.0, 3.0)
    ax_b.set_yticks([-2, -1, 0, 1, 2])
    ax_b.tick_params(axis="y", labelsize=9)
    for side in ("top", "right"):
        ax_b.spines[side].set_visible(False)
    ax_b.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False)
    # a plain text, not the axes title: its position never moves (see _LayeredPNG)
    title = ax_b.text(0.5, 1.08, _step_title(v, unit), transform=ax_b.transAxes,
                      ha="center", va="bottom", fontsize=11)
    fig.lstm_course_artists = {"bars": bars, "title": title, "unit": unit}
    return fig


def _check_unit(unit, n: int) -> int:
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < n:
        raise ValueError(f"unit: expected an integer in [0, {n - 1}], got {unit!r}")
    return int(unit)


def update_explorer_figure(fig: Figure, values: dict, unit: int = 0) -> Figure:
    """Move the artists of ``explorer_figure`` to new gate values (same number of units)."""
    art = fig.lstm_course_artists
    v = _step_values(values)
    n = len(art["bars"])
    if v["C"].shape[0] != n:
        raise ValueError(f"values: the figure shows {n} units, got {v['C'].shape[0]}")
    unit = _check_unit(unit, n)
    diagrams.update_flows(fig, cell_flows(*(v[k][unit] for k in ("f", "i", "c_tilde", "o", "c_prev"))))
    for u, container in enumerate(art["bars"]):
        alpha = 1.0 if u == unit else 0.35
        for bar, k in zip(container, _BAR_NAMES):
            bar.set_height(v[k][u])
            bar.set_alpha(alpha)
    art["title"].set_text(_step_title(v, unit))
    art["unit"] = unit
    return fig


def _explorer_dynamic(fig: Figure) -> list:
    """The artists an explorer update changes: flow arrows, bars, the title."""
    art, out = fig.lstm_artists, []
    for names in diagrams.FLOW_KEYS.values():
        for name in names:
            a = art.get(name)
            if a is not None:
                out += [x for x in (a["line"], a["head"]) if x is not None]
    for container in fig.lstm_course_artists["bars"]:
        out += list(container)
    return out + [fig.lstm_course_artists["title"]]


def _explorer_foreground(fig: Figure) -> list:
    """The diagram's boxes, circles, dots and labels: drawn above the arrows."""
    ax = fig.axes[0]
    return [a for a in ax.get_children() if a.get_zorder() >= 4 and a.get_visible()]


def explorer_widget(values: dict | None = None, unit: int = 0, dpi: int = RENDER_DPI):
    """Sliders for f_t, i_t, C~_t, o_t and C_{t-1} of one unit (chosen by buttons).

    Every change recomputes the step, moves the figure's artists and renders it.
    """
    import ipywidgets as W

    state = {k: np.array(v, dtype=float) for k, v in
             (DEFAULT_STEP if values is None else values).items()}
    n = _step_values(state)["C"].shape[0]
    fig = explorer_figure(state, unit)
    layers = _LayeredPNG(fig, _explorer_dynamic(fig), _explorer_foreground(fig), dpi=dpi)
    image = W.Image(value=layers.png(), format="png",
                    layout=W.Layout(width="100%", max_width="700px"))
    pick = W.ToggleButtons(options=[(f"unit {u + 1}", u) for u in range(n)], value=unit,
                           description="edit", style={"button_width": "70px"})
    style = {"description_width": "60px"}
    specs = [("f", "f_t", 0.0, 1.0), ("i", "i_t", 0.0, 1.0), ("c_tilde", "C~_t", -1.0, 1.0),
             ("o", "o_t", 0.0, 1.0), ("c_prev", "C_{t-1}", -C_SCALE, C_SCALE)]
    sliders = {k: W.FloatSlider(value=float(state[k][unit]), min=lo, max=hi, step=0.05,
                                description=label, readout_format=".2f", style=style,
                                continuous_update=True, layout=W.Layout(width="420px"))
               for k, label, lo, hi in specs}
    busy = {"on": False}  # set while the unit buttons move the sliders

    def redraw():
        update_explorer_figure(fig, state, pick.value)
        image.value = layers.png()

    def on_slider(change, key):
        if busy["on"]:
            return
        state[key][pick.value] = change["new"]
        redraw()

    def on_unit(change):
        busy["on"] = True
        try:
            for k, s in sliders.items():
                s.value = float(state[k][change["new"]])
        finally:
            busy["on"] = False
        redraw()

    for k, s in sliders.items():
        s.observe(lambda change, k=k: on_slider(change, k), names="value")
    pick.observe(on_unit, names="value")
    box = W.VBox([pick, *sliders.values(), image])
    box.lstm_course_parts = {"fig": fig, "image": image, "unit": pick, "sliders": sliders,
                             "state": state, "layers": layers}
    return box


# ---- sequence figure ----------------------------------------------------------------

_GATE_STYLE = {"f": ("#009E73", r"$f_t$"), "i": ("#0072B2", r"$i_t$"),
               "c_tilde": ("#E69F00", r"$\tilde{C}_t$"), "o": ("#CC79A7", r"$o_t$")}


def _check_schedule_1d(schedule: dict) -> None:
    for k in SCHEDULE_KEYS:
        if np.ndim(schedule[k]) != 1:
            raise ValueError(f"schedule[{k!r}]: the sequence figure draws one unit, expected shape (T,), "
                             f"got {np.shape(schedule[k])}")


def sequence_figure(schedule: dict | str = "overwrite", c0=None, step: int | None = None) -> Figure:
    """Top: the gate schedule, one row of bars per gate. Bottom: ``C_t`` and ``h_t`` (one unit).

    schedule: a dict like ``PRESETS[name]`` or a preset's name; ``step`` (1 .. T) is
    shaded, the step a widget edits.
    """
    sch = preset_schedule(schedule) if isinstance(schedule, str) else schedule
    _check_schedule_1d(sch)
    res = run_schedule(sch, c0)
    T = res["h"].shape[0]
    t = np.arange(1, T + 1)
    steps_all = np.arange(T + 1)
    fig = Figure(figsize=(7.0, 4.9), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(5, 1, sharex=True,
                        gridspec_kw={"height_ratios": [0.55, 0.55, 0.75, 0.55, 2.3]})
    gate_bars = {}
    for ax, k in zip(axes[:4], SCHEDULE_KEYS):
        color, label = _GATE_STYLE[k]
        gate_bars[k] = ax.bar(t, sch[k], width=0.6, color=color)
        lo = -1.0 if k == "c_tilde" else 0.0
        ax.set_ylim(lo - 0.05, 1.05)
        ax.set_yticks([lo, 1.0] if lo < 0 else [1.0])
        ax.tick_params(axis="y", labelsize=8, length=2)
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=12)
        ax.axhline(0, color="0.6", lw=0.8)
    ax_c = axes[4]
    c_line, = ax_c.plot(steps_all, res["C"], "o-", color="#009E73", lw=2.2, ms=5, label=r"$C_t$")
    h_line, = ax_c.plot(t, res["h"], "s--", color="#D55E00", lw=1.6, ms=4, label=r"$h_t$")
    ax_c.axhline(0, color="0.6", lw=0.8)
    ax_c.set(xlabel="step $t$", ylabel="value", xlim=(-0.4, T + 0.4))
    ax_c.set_xticks(steps_all)
    lim = _c_limit(res)
    ax_c.set_ylim(-lim, lim)
    ax_c.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=11, frameon=False)
    for ax in axes:
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    shades = [ax.axvspan(0.5, 1.5, color="0.88", zorder=0, visible=False) for ax in axes]
    fig.lstm_course_artists = {"gates": gate_bars, "C": c_line, "h": h_line, "ax_c": ax_c,
                               "shades": shades, "T": T}
    _shade(fig, step)
    fig.canvas.draw()                 # lay out once ...
    fig.set_layout_engine("none")     # ... and keep it: updates only move artists
    return fig


def _c_limit(res: dict) -> float:
    """The y limit of the state panel: fixed while |C| stays within C_SCALE (so a widget
    need not redraw the axes), larger when the state grows beyond it."""
    m = float(np.max(np.abs(res["C"])))
    return C_SCALE + 0.2 if m <= C_SCALE + 0.1 else float(np.ceil(m)) + 0.2


def _shade(fig: Figure, step: int | None) -> None:
    art = fig.lstm_course_artists
    for s in art["shades"]:
        if step is None:
            s.set_visible(False)
        else:
            if not 1 <= step <= art["T"]:
                raise ValueError(f"step: expected an integer in [1, {art['T']}], got {step!r}")
            s.set_x(step - 0.5)
            s.set_visible(True)


def update_sequence_figure(fig: Figure, schedule: dict, c0=None, step: int | None = None) -> Figure:
    """Move the lines of ``sequence_figure`` to a new schedule of the same length."""
    art = fig.lstm_course_artists
    _check_schedule_1d(schedule)
    res = run_schedule(schedule, c0)
    if res["h"].shape[0] != art["T"]:
        raise ValueError(f"schedule: the figure has {art['T']} steps, got {res['h'].shape[0]}")
    for k, bars in art["gates"].items():
        for bar, value in zip(bars, schedule[k]):
            bar.set_height(value)
    art["C"].set_ydata(res["C"])
    art["h"].set_ydata(res["h"])
    lim = _c_limit(res)
    art["ax_c"].set_ylim(-lim, lim)
    _shade(fig, step)
    return fig


def sequence_widget(preset: str = "overwrite", dpi: int = RENDER_DPI):
    """Choose a preset schedule, then edit any step's gates and the starting cell state."""
    import ipywidgets as W

    sch = preset_schedule(preset)
    T = sch["f"].shape[0]
    fig = sequence_figure(sch, step=1)
    art = fig.lstm_course_artists
    dynamic = [b for bars in art["gates"].values() for b in bars] + [art["C"], art["h"], *art["shades"]]
    layers = _LayeredPNG(fig, dynamic, dpi=dpi)
    image = W.Image(value=layers.png(), format="png",
                    layout=W.Layout(width="100%", max_width="700px"))
    style = {"description_width": "60px"}
    lay = W.Layout(width="420px")
    pick = W.Dropdown(options=list(PRESETS), value=preset, description="preset", style=style)
    c0 = W.FloatSlider(value=sch["c0"], min=-C_SCALE, max=C_SCALE, step=0.05, description="C_0",
                       readout_format=".2f", style=style, layout=lay)
    step = W.IntSlider(value=1, min=1, max=T, description="edit step", style=style, layout=lay)
    specs = [("f", "f_t", 0.0, 1.0), ("i", "i_t", 0.0, 1.0), ("c_tilde", "C~_t", -1.0, 1.0),
             ("o", "o_t", 0.0, 1.0)]
    gates = {k: W.FloatSlider(value=float(sch[k][0]), min=lo, max=hi, step=0.05, description=label,
                              readout_format=".2f", style=style, layout=lay)
             for k, label, lo, hi in specs}
    busy = {"on": False}

    def redraw():
        limits = art["ax_c"].get_ylim()
        update_sequence_figure(fig, sch, step=step.value)
        if art["ax_c"].get_ylim() != limits:   # new axis limits: redraw the static layer
            layers.invalidate()
        image.value = layers.png()

    def load_step_sliders():
        busy["on"] = True
        try:
            for k, s in gates.items():
                s.value = float(sch[k][step.value - 1])
        finally:
            busy["on"] = False

    def on_gate(change, key):
        if busy["on"]:
            return
        sch[key][step.value - 1] = change["new"]
        redraw()

    def on_c0(change):
        if busy["on"]:
            return
        sch["c0"] = float(change["new"])
        redraw()

    def on_step(_change):
        load_step_sliders()
        redraw()

    def on_preset(change):
        sch.update(preset_schedule(change["new"]))
        busy["on"] = True
        try:
            c0.value = sch["c0"]
        finally:
            busy["on"] = False
        load_step_sliders()
        redraw()

    for k, s in gates.items():
        s.observe(lambda change, k=k: on_gate(change, k), names="value")
    c0.observe(on_c0, names="value")
    step.observe(on_step, names="value")
    pick.observe(on_preset, names="value")
    box = W.VBox([pick, c0, step, *gates.values(), image])
    box.lstm_course_parts = {"fig": fig, "image": image, "preset": pick, "c0": c0, "step": step,
                             "gates": gates, "schedule": sch, "layers": layers}
    return box

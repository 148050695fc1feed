"""The gate explorer of the chapter "Step-by-Step LSTM Walk Through".

The LSTM's cell update and output (Olah 2015; Hochreiter & Schmidhuber 1997, with
the forget gate of Gers, Schmidhuber & Cummins 2000), with the gates set by hand::

    C_t = f_t * C_{t-1} + i_t * C~_t        kept = f_t * C_{t-1},  written = i_t * C~_t
    h_t = o_t * tanh(C_t)

Two widgets, each in the three layers described in ``lstm_course.widgets``:

==============  ==================================  ==============================  =====================
widget          compute (pure, numpy)               figure (updates in place)       front end (anywidget)
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
Updates move existing artists. The widgets are anywidgets
(``_anywidget.CourseWidget``): their ES modules (``js/explorer.js``, ``js/sequence.js``)
compute the same step in JavaScript (tested equal to these functions) and draw SVG, the
cell from ``diagrams.geometry("lstm_cell")``, in JupyterLab and on the static site.
``benchmarks/widgets.py`` times an update in the browser (input event to redrawn SVG).
"""
from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import traitlets

from .. import diagrams
from ..style import GATE_COLORS, LINE_CYCLE, OKABE_ITO
from ._anywidget import CourseWidget

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
    "ExplorerWidget",
    "explorer_widget",
    "sequence_figure",
    "update_sequence_figure",
    "SequenceWidget",
    "sequence_widget",
]

#: A cell-state value of this size draws the cell-state line at full width.
C_SCALE = 2.0
#: Units (entries of the vectors) the single-step explorer shows.
UNITS = 3
#: Resolution the widgets once rendered PNGs at (kept: ``dpi`` arguments still accept it).
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


# ---- single-step figure -------------------------------------------------------------

_BAR_NAMES = ("c_prev", "kept", "written", "C", "tanh_C", "h")
_BAR_LABELS = (r"$C_{t-1}$", r"$f_t C_{t-1}$", r"$i_t \tilde{C}_t$", r"$C_t$",
               r"$\tanh C_t$", r"$h_t$")
_UNIT_COLORS = LINE_CYCLE[:5]   # as UNIT_COLORS in js/explorer.js


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


class ExplorerWidget(CourseWidget):
    """One step of the cell with the gates set by hand. The front end (``js/explorer.js``)
    computes ``cell_step`` and ``cell_flows`` and draws the cell of
    ``diagrams.geometry("lstm_cell")`` with every arrow as wide as its flow, above bars for
    every unit. ``w.values`` (lists ``f``, ``i``, ``c_tilde``, ``o``, ``c_prev``, one entry
    per unit) and ``w.unit`` hold what the reader set."""

    _module = "explorer"
    _repr_keys = ("unit",)
    _fallback = ("A gate explorer: sliders set f_t, i_t, C~_t, o_t and C_{t-1} of one unit; the cell "
                 "diagram's arrows widen with what flows along them. The figure below shows one setting.")
    values = traitlets.Dict().tag(sync=True, course=True)
    unit = traitlets.Int(0).tag(sync=True, course=True)
    c_scale = traitlets.Float(C_SCALE).tag(sync=True, course=True)
    geometry = traitlets.Dict().tag(sync=True, course=True)
    style = traitlets.Dict().tag(sync=True, course=True)
    flow_keys = traitlets.Dict().tag(sync=True, course=True)

    def step(self) -> dict:
        """``cell_step`` of the values the reader set (arrays, one entry per unit)."""
        return _step_values(self.values)


def explorer_widget(values: dict | None = None, unit: int = 0, dpi: int = RENDER_DPI) -> ExplorerWidget:
    """Sliders for f_t, i_t, C~_t, o_t and C_{t-1} of one unit (chosen by radio buttons).

    values: like ``DEFAULT_STEP`` (the default). ``dpi`` is accepted for backward
    compatibility and not used: the widget draws SVG in the browser.
    """
    v = _step_values(DEFAULT_STEP if values is None else values)
    n = v["C"].shape[0]
    unit = _check_unit(unit, n)
    state = {k: v[k].tolist() for k in ("f", "i", "c_tilde", "o", "c_prev")}
    return ExplorerWidget(values=state, unit=unit, geometry=diagrams.geometry("lstm_cell"),
                          style=diagrams.STYLE, flow_keys=diagrams.FLOW_KEYS)


# ---- sequence figure ----------------------------------------------------------------

_GATE_LABELS = {"f": r"$f_t$", "i": r"$i_t$", "c_tilde": r"$\tilde{C}_t$", "o": r"$o_t$"}


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
        color, label = GATE_COLORS[k], _GATE_LABELS[k]
        gate_bars[k] = ax.bar(t, sch[k], width=0.6, color=color)
        lo = -1.0 if k == "c_tilde" else 0.0
        ax.set_ylim(lo - 0.05, 1.05)
        ax.set_yticks([lo, 1.0] if lo < 0 else [1.0])
        ax.tick_params(axis="y", labelsize=8, length=2)
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=12)
        ax.axhline(0, color="0.6", lw=0.8)
    ax_c = axes[4]
    c_line, = ax_c.plot(steps_all, res["C"], "o-", color=OKABE_ITO["green"], lw=2.2, ms=5, label=r"$C_t$")
    h_line, = ax_c.plot(t, res["h"], "s--", color=OKABE_ITO["vermillion"], lw=1.6, ms=4, label=r"$h_t$")
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


class SequenceWidget(CourseWidget):
    """A gate schedule over ten steps, every step's gates editable, and the cell state and
    output it produces. The front end (``js/sequence.js``) computes ``run_schedule``.
    ``w.schedule`` (lists ``f``, ``i``, ``c_tilde``, ``o``; number ``c0``), ``w.preset`` and
    ``w.step`` hold what the reader set."""

    _module = "sequence"
    _repr_keys = ("preset", "step")
    _fallback = ("A gate schedule: choose a preset, then set any step's gates and the starting "
                 "cell state; the cell state and output follow. The figure below shows one schedule.")
    schedule = traitlets.Dict().tag(sync=True, course=True)
    presets = traitlets.Dict().tag(sync=True, course=True)
    preset = traitlets.Unicode("overwrite").tag(sync=True, course=True)
    step = traitlets.Int(1).tag(sync=True, course=True)
    c_scale = traitlets.Float(C_SCALE).tag(sync=True, course=True)

    def result(self) -> dict:
        """``run_schedule`` of the schedule the reader set."""
        return run_schedule(self.schedule)


def sequence_widget(preset: str = "overwrite", dpi: int = RENDER_DPI) -> SequenceWidget:
    """Choose a preset schedule, then edit any step's gates and the starting cell state.

    ``dpi`` is accepted for backward compatibility and not used: the widget draws SVG.
    """
    sch = preset_schedule(preset)
    return SequenceWidget(schedule=sch, presets={k: preset_schedule(k) for k in PRESETS},
                          preset=preset, step=1)

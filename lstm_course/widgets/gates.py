"""Widgets of the chapters "LSTM Networks" (parameter counts) and "The Core Idea Behind LSTMs" (a gate).

A gate (Olah 2015, "The Core Idea Behind LSTMs") is a sigmoid layer and a pointwise
multiply: with pre-activation ``a``, the gate value is ``g = sigma(a)`` in (0, 1) and
what passes is ``g * v``. Applied on every step, as a forget gate is, a share
``g ** T`` of a value survives ``T`` steps.

Each widget has the three layers described in ``lstm_course.widgets``:

========================  =====================  ===========================  ======================
widget                    compute (pure)         figure (updates in place)    layout (ipywidgets)
========================  =====================  ===========================  ======================
gate                      ``gate_pass``          ``gate_figure``,             ``gate_widget``
                                                 ``update_gate_figure``
parameter counts          ``counting.param_counts``  ``param_count_figure``,  ``param_count_widget``
                                                 ``update_param_count_figure``
========================  =====================  ===========================  ======================

The figure functions build a bare ``matplotlib.figure.Figure`` (no pyplot, so nothing
is shown twice and no global state changes) and keep their artists in
``fig.lstm_course_artists`` so the update functions move them instead of redrawing.
The widgets themselves are anywidgets (``_anywidget.CourseWidget``) whose ES modules
(``js/gate.js``, ``js/params.js``) compute and draw in the browser, in JupyterLab and on
the static site alike.
"""
from __future__ import annotations


import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

import traitlets

from ._anywidget import CourseWidget
from ..activations import sigmoid
from ..counting import KINDS, param_counts
from ..style import OKABE_ITO

__all__ = [
    "DEFAULT_VECTOR",
    "gate_pass",
    "gate_figure",
    "update_gate_figure",
    "GateWidget",
    "gate_widget",
    "param_count_figure",
    "update_param_count_figure",
    "ParamCountWidget",
    "param_count_widget",
]

DEFAULT_VECTOR = np.array([0.9, -0.6, 0.4, -0.9, 0.7])  # the vector the gate widget filters
_A_RANGE = 8.0  # the sigmoid is drawn on [-8, 8]
# Okabe & Ito's colour-blind-safe palette, from lstm_course.style.
_PASS_COLOR = OKABE_ITO["orange"]  # what passes the gate
_FULL_COLOR = "#cfcfcf"  # the vector before the gate
_CURVE_COLOR = OKABE_ITO["blue"]
_KIND_COLORS = {"rnn": OKABE_ITO["grey"], "gru": OKABE_ITO["sky"], "lstm": OKABE_ITO["orange"]}
_KIND_LABELS = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}


def _as_vector(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"v: expected a non-empty 1-D vector, got shape {v.shape}")
    return v


def _as_scalar(a, name: str) -> float:
    a = np.asarray(a, dtype=float)
    if a.ndim != 0 or not np.isfinite(a):
        raise ValueError(f"{name}: expected one finite number, got {a!r}")
    return float(a)


# ---- the gate ---------------------------------------------------------------------------

def gate_pass(pre_activation, v):
    """A gate applied to ``v``: returns ``(g, g * v)`` with ``g = sigma(pre_activation)``.

    ``pre_activation`` is a number or an array broadcastable against ``v``.

    >>> g, passed = gate_pass(0.0, np.array([1.0, -2.0]))
    >>> float(g), passed.tolist()
    (0.5, [0.5, -1.0])
    """
    g = sigmoid(np.asarray(pre_activation, dtype=float))
    return g, g * np.asarray(v, dtype=float)


def _gate_caption(a: float, g: float, steps: int) -> str:
    # symbols only, as in the widget's summary line: the chapter's prose says what they mean
    return (f"a = {a:+.1f}   gate σ(a) = {g:.3f}\n"
            f"σ(a)$^{{{steps}}}$ = {g ** steps:.3g}")


def gate_figure(pre_activation: float = 0.0, v=DEFAULT_VECTOR, steps: int = 1000) -> Figure:
    """Left: the sigmoid with the current pre-activation marked. Right: ``v`` and what passes.

    The left title gives the gate value ``sigma(a)`` and ``sigma(a) ** steps``, the share of a
    value left after the same gate has been applied ``steps`` times.
    """
    a = _as_scalar(pre_activation, "pre_activation")
    v = _as_vector(v)
    g, passed = gate_pass(a, v)
    fig = Figure(figsize=(7.0, 2.9), layout="constrained")  # 700 px: the book's text width
    ax_s, ax_v = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})

    z = np.linspace(-_A_RANGE, _A_RANGE, 321)
    ax_s.plot(z, sigmoid(z), color=_CURVE_COLOR, lw=2)
    guide_v, = ax_s.plot([a, a], [0, g], ls=":", color="0.4", lw=1)
    guide_h, = ax_s.plot([-_A_RANGE, a], [g, g], ls=":", color="0.4", lw=1)
    dot, = ax_s.plot([a], [g], "o", color=_PASS_COLOR, ms=9, zorder=3)
    ax_s.set(xlim=(-_A_RANGE, _A_RANGE), ylim=(-0.05, 1.05), xlabel="pre-activation a",
             ylabel="gate value σ(a)")
    ax_s.set_yticks([0, 0.5, 1])
    title = ax_s.set_title(_gate_caption(a, float(g), steps), fontsize=11)

    k = np.arange(v.size)
    ax_v.bar(k, v, width=0.7, color=_FULL_COLOR, label="v (before the gate)")
    bars = ax_v.bar(k, passed, width=0.45, color=_PASS_COLOR, label="σ(a) · v (passes)")
    ax_v.axhline(0, color="0.3", lw=0.8)
    lim = 1.15 * float(np.max(np.abs(v)))
    ax_v.set(ylim=(-lim, lim), xticks=k, xticklabels=[f"$v_{j + 1}$" for j in k], ylabel="value")
    ax_v.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=9, frameon=False, ncols=2)
    ax_v.set_title("what passes the gate", fontsize=11)
    fig.lstm_course_artists = {"dot": dot, "guide_v": guide_v, "guide_h": guide_h, "title": title,
                               "bars": bars, "v": v, "steps": int(steps)}
    return fig


def update_gate_figure(fig: Figure, pre_activation: float) -> Figure:
    """Move the artists of ``gate_figure`` to a new pre-activation (the vector stays)."""
    art = fig.lstm_course_artists
    a = _as_scalar(pre_activation, "pre_activation")
    g, passed = gate_pass(a, art["v"])
    g = float(g)
    art["dot"].set_data([a], [g])
    art["guide_v"].set_data([a, a], [0, g])
    art["guide_h"].set_data([-_A_RANGE, a], [g, g])
    art["title"].set_text(_gate_caption(a, g, art["steps"]))
    for bar, h in zip(art["bars"], passed):
        bar.set_height(h)
    return fig




def _gate_summary(a: float, steps: int) -> str:
    g = float(sigmoid(np.float64(a)))
    # symbols only: the chapter's prose (translated with the book) says what they mean
    return (f"σ({a:+.1f}) = <b>{g:.4f}</b> &nbsp;&nbsp; "
            f"σ({a:+.1f})<sup>{steps:,}</sup> = <b>{g ** steps:.3g}</b>")


class GateWidget(CourseWidget):
    """The gate explorer: a slider for ``a``; the front end (``js/gate.js``) computes
    ``gate_pass(a, v)`` and draws the sigmoid and the bars. ``w.a`` is the reader's value."""

    _module = "gate"
    _repr_keys = ("a", "steps")
    _fallback = ("A gate explorer: a slider sets the pre-activation a; the sigmoid gives the gate "
                 "value and the bars show what passes. The figure below shows one setting.")
    a = traitlets.Float(0.0).tag(sync=True, course=True)
    v = traitlets.List(traitlets.Float()).tag(sync=True, course=True)
    steps = traitlets.Int(1000).tag(sync=True, course=True)
    a_range = traitlets.Float(_A_RANGE).tag(sync=True, course=True)
    a_step = traitlets.Float(0.5).tag(sync=True, course=True)


def gate_widget(pre_activation: float = 0.0, v=DEFAULT_VECTOR, steps: int = 1000) -> GateWidget:
    """A slider for the pre-activation, the gate figure, and a line with the gate value.

    The line also gives ``sigma(a) ** steps``: what is left of a value after the same
    gate has been applied ``steps`` times (a forget gate held at ``a`` for ``steps`` steps).
    """
    a = _as_scalar(pre_activation, "pre_activation")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps: expected a positive integer, got {steps!r}")
    return GateWidget(a=a, v=_as_vector(v), steps=int(steps))


# ---- parameter counts ---------------------------------------------------------------------

def _count_title(D: int, H: int) -> str:
    return f"one layer, input size D = {D}, hidden size H = {H}"


def param_count_figure(D: int = 32, H: int = 128) -> Figure:
    """Bars: the parameters of one RNN, GRU and LSTM layer of input size D and hidden size H."""
    counts = param_counts(D, H)
    fig = Figure(figsize=(6.4, 3.0), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(KINDS))[::-1]  # RNN on top
    vals = [counts[k] for k in KINDS]
    bars = ax.barh(y, vals, height=0.6, color=[_KIND_COLORS[k] for k in KINDS])
    texts = [ax.text(n, yy, f"  {n:,}", va="center", fontsize=10) for n, yy in zip(vals, y)]
    ax.set_yticks(y, [_KIND_LABELS[k] for k in KINDS])
    ax.set_xlim(0, 1.3 * max(vals))
    ax.set_xlabel("number of parameters")
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,.0f}"))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    title = ax.set_title(_count_title(D, H), fontsize=11)
    fig.lstm_course_artists = {"ax": ax, "bars": bars, "texts": texts, "title": title}
    return fig


def update_param_count_figure(fig: Figure, D: int, H: int) -> Figure:
    """Resize the bars of ``param_count_figure`` for new sizes."""
    art = fig.lstm_course_artists
    counts = param_counts(D, H)
    vals = [counts[k] for k in KINDS]
    for bar, text, n in zip(art["bars"], art["texts"], vals):
        bar.set_width(n)
        text.set_x(n)
        text.set_text(f"  {n:,}")
    art["ax"].set_xlim(0, 1.3 * max(vals))
    art["title"].set_text(_count_title(D, H))
    return fig


def _count_summary(D: int, H: int) -> str:
    c = param_counts(D, H)
    return (f"RNN <b>{c['rnn']:,}</b> &nbsp; GRU <b>{c['gru']:,}</b> &nbsp; LSTM <b>{c['lstm']:,}</b> "
            f"&nbsp; (LSTM / RNN = {c['lstm'] / c['rnn']:.0f})")


class ParamCountWidget(CourseWidget):
    """Two sliders, D and H; the front end (``js/params.js``) computes
    ``counting.param_counts(D, H)`` and draws the bars. ``w.D``, ``w.H``: the reader's sizes."""

    _module = "params"
    _repr_keys = ("D", "H")
    _fallback = ("A calculator of parameter counts: sliders set the input size D and the hidden "
                 "size H. The figure below shows one setting.")
    D = traitlets.Int(32).tag(sync=True, course=True)
    H = traitlets.Int(128).tag(sync=True, course=True)
    max_size = traitlets.Int(1024).tag(sync=True, course=True)


def param_count_widget(D: int = 32, H: int = 128, max_size: int = 1024) -> ParamCountWidget:
    """Two sliders, D and H, and the parameter counts of one RNN, GRU and LSTM layer."""
    for name, n in (("D", D), ("H", H), ("max_size", max_size)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name}: expected a positive integer, got {n!r}")
    if max(D, H) > max_size:
        raise ValueError(f"max_size: expected at least D and H ({max(D, H)}), got {max_size}")
    return ParamCountWidget(D=int(D), H=int(H), max_size=int(max_size))

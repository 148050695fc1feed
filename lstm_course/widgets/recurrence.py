"""Widgets of the chapters "Recurrent Neural Networks" and "The Problem of Long-Term Dependencies".

An RNN applies one step, ``h_t = tanh(W . [h_{t-1}, x_t] + b)`` (Olah 2015), again and
again; the first widget steps through that loop one ``t`` at a time. Backwards, each
step multiplies the gradient by ``W_hh^T`` and the tanh's slope (Bengio, Simard &
Frasconi 1994); the second widget shows ``||dL/dh_{T-k}|| / ||dL/dh_T||`` against ``k``
as the spectral radius of ``W_hh`` changes.

Each widget has the three layers described in ``lstm_course.widgets``:

=================  ======================  ===============================  =====================
widget             compute (pure)          figure (updates in place)        front end (anywidget)
=================  ======================  ===============================  =====================
state stepper      ``unrolled_states``     ``state_figure``,                ``state_stepper``
                                           ``update_state_figure``
gradient curve     ``gradient_curve``      ``gradient_figure``,             ``gradient_widget``
                                           ``update_gradient_figure``
=================  ======================  ===============================  =====================

Figures are bare ``matplotlib.figure.Figure`` objects (no pyplot, no global state)
that keep their artists in ``fig.lstm_course_artists``. The widgets are anywidgets
(``_anywidget.CourseWidget``) whose ES modules (``js/stepper.js``, ``js/gradient.js``)
recompute the states and the gradient curve in the browser from the weights serialised
into their state, tested equal to the functions here.
"""
from __future__ import annotations

from numbers import Real

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import traitlets

from ._anywidget import CourseWidget
from .. import gradients, rnn
from ..style import MUTED

__all__ = [
    "unrolled_states",
    "state_figure",
    "update_state_figure",
    "StateStepperWidget",
    "state_stepper",
    "gradient_curve",
    "gradient_figure",
    "update_gradient_figure",
    "GradientWidget",
    "gradient_net",
    "gradient_widget",
]

_CMAP = "RdBu_r"  # red positive, blue negative, white zero
_NOW_COLOR = MUTED["orange"]  # the current step
_PREV_COLOR = MUTED["pale_grey"]  # the previous step
_CURVE_COLOR = MUTED["blue"]




# ---- stepping through time (chapter "Recurrent Neural Networks") -----------------------

def unrolled_states(x, p: rnn.RNNParams, h0=None) -> np.ndarray:
    """All states of one sequence, ``h_0 .. h_T``, as a ``(T + 1, H)`` array.

    x: (T, D), one sequence; h0: (H,) or None for zeros. Each row ``t`` is
    ``rnn.rnn_step(x_t, h_{t-1}, p)``: the loop written out, one step at a time.

    >>> p = rnn.init_params(2, 3, np.random.default_rng(0))
    >>> unrolled_states(np.ones((4, 2)), p).shape
    (5, 3)
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"x: expected one sequence of shape (T, D), got shape {x.shape}")
    H = p.W_hh.shape[0]
    h = np.zeros((1, H)) if h0 is None else np.asarray(h0, dtype=float).reshape(1, H)
    hs = [h[0]]
    for x_t in x:
        h = rnn.rnn_step(x_t[None, :], h, p)  # (1, H)
        hs.append(h[0])
    return np.stack(hs)  # (T + 1, H)


def _state_title(t: int) -> str:
    if t == 0:
        return "t = 0: the initial state $h_0 = 0$"
    return f"t = {t}:  $h_{{{t}}} = \\tanh(W \\cdot [h_{{{t - 1}}}, x_{{{t}}}] + b)$"


def _masked(a: np.ndarray, upto: int) -> np.ndarray:
    """Columns after ``upto`` (not computed yet) become NaN, drawn blank."""
    out = a.astype(float).copy()
    out[:, upto + 1:] = np.nan
    return out


def state_figure(x, hs, t: int = 1) -> Figure:
    """Inputs and states up to step ``t``, and the bars of ``h_{t-1}`` and ``h_t``.

    x: (T, D) inputs x_1..x_T; hs: (T + 1, H) states h_0..h_T (from :func:`unrolled_states`).
    Left: heat maps of x (top) and h (bottom), time running to the right, steps after
    ``t`` blank. Right: the entries of ``h_{t-1}`` (grey) and ``h_t`` (orange).
    """
    x = np.asarray(x, dtype=float)
    hs = np.asarray(hs, dtype=float)
    T, D = x.shape
    if hs.shape[0] != T + 1:
        raise ValueError(f"hs: expected T + 1 = {T + 1} states h_0..h_T, got shape {hs.shape}")
    t = _check_t(t, T)
    H = hs.shape[1]
    fig = Figure(figsize=(7.0, 3.8), layout="constrained")  # 700 px: the page width
    grid = fig.add_gridspec(2, 2, width_ratios=[2.2, 1], height_ratios=[D + 1, H + 1])
    ax_x = fig.add_subplot(grid[0, 0])
    ax_h = fig.add_subplot(grid[1, 0], sharex=ax_x)
    ax_b = fig.add_subplot(grid[:, 1])

    # Column j of the x image is x_{j} (x_0 does not exist: left blank).
    x_img = np.full((D, T + 1), np.nan)
    x_img[:, 1:] = x.T
    lim = max(1.0, float(np.max(np.abs(x))))  # one colour scale for inputs and states
    im_x = ax_x.imshow(_masked(x_img, t), cmap=_CMAP, vmin=-lim, vmax=lim, aspect="auto",
                       interpolation="nearest")
    im_h = ax_h.imshow(_masked(hs.T, t), cmap=_CMAP, vmin=-lim, vmax=lim, aspect="auto",
                       interpolation="nearest")
    boxes = []
    for ax, rows in ((ax_x, D), (ax_h, H)):
        box = Rectangle((t - 0.5, -0.5), 1, rows, fill=False, ec=_NOW_COLOR, lw=2.5)
        ax.add_patch(box)
        boxes.append(box)
    ax_x.set_yticks(range(D), [f"{j + 1}" for j in range(D)])
    ax_h.set_yticks(range(H), [f"{j + 1}" for j in range(H)])
    ax_h.set_xticks(range(T + 1))
    ax_h.set_xlabel("time step t")
    ax_x.tick_params(labelbottom=False)
    ax_x.set_title("inputs $x_t$, entry by entry", fontsize=10, loc="left")
    ax_h.set_title("hidden states $h_t$ (blank: not computed yet)", fontsize=10, loc="left")
    fig.colorbar(im_h, ax=[ax_x, ax_h], location="left", shrink=0.6, pad=0.04, aspect=15)

    k = np.arange(H)
    prev = ax_b.barh(k + 0.2, hs[max(t - 1, 0)], height=0.4, color=_PREV_COLOR, label="$h_{t-1}$")
    now = ax_b.barh(k - 0.2, hs[t], height=0.4, color=_NOW_COLOR, label="$h_t$")
    ax_b.axvline(0, color="0.3", lw=0.8)
    ax_b.set(xlim=(-1, 1), ylim=(H - 0.5, -0.5), xlabel="entry value", yticks=k)
    ax_b.set_yticklabels([f"{j + 1}" for j in k])
    ax_b.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=9, frameon=False)
    title = fig.suptitle(_state_title(t), fontsize=12)
    fig.lstm_course_artists = {"im_x": im_x, "im_h": im_h, "x_img": x_img, "hs": hs,
                               "boxes": boxes, "prev": prev, "now": now, "title": title, "T": T}
    return fig


def _check_t(t, T: int) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 0 <= t <= T:
        raise ValueError(f"t: expected an integer step in [0, {T}], got {t!r}")
    return int(t)


def update_state_figure(fig: Figure, t: int) -> Figure:
    """Move the figure of :func:`state_figure` to step ``t``."""
    art = fig.lstm_course_artists
    t = _check_t(t, art["T"])
    hs = art["hs"]
    art["im_x"].set_data(_masked(art["x_img"], t))
    art["im_h"].set_data(_masked(hs.T, t))
    for box in art["boxes"]:
        box.set_x(t - 0.5)
    for bar, v in zip(art["prev"], hs[max(t - 1, 0)]):
        bar.set_width(v)
    for bar, v in zip(art["now"], hs[t]):
        bar.set_width(v)
    art["title"].set_text(_state_title(t))
    return fig


class StateStepperWidget(CourseWidget):
    """A time slider (with a play button) over one sequence; the front end
    (``js/stepper.js``) computes ``unrolled_states`` from the weights in the state and draws
    the heat maps and bars of :func:`state_figure`. ``w.t``: the step the reader chose."""

    _module = "stepper"
    _repr_keys = ("t",)
    _fallback = ("A state stepper: a slider (or the play button) moves through the time steps; "
                 "the heat maps fill in as the RNN computes h_t. The figure below shows the last step.")
    t = traitlets.Int(1).tag(sync=True, course=True)
    x = traitlets.List().tag(sync=True, course=True)
    W_ih = traitlets.List().tag(sync=True, course=True)
    W_hh = traitlets.List().tag(sync=True, course=True)
    b_ih = traitlets.List().tag(sync=True, course=True)
    b_hh = traitlets.List().tag(sync=True, course=True)
    cmap = traitlets.List().tag(sync=True, course=True)


def _cmap_colours(name: str, n: int = 33) -> list[str]:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex
    cm = colormaps[name]
    return [to_hex(cm(k / (n - 1))) for k in range(n)]


def state_stepper(x, p: rnn.RNNParams, t: int = 1) -> StateStepperWidget:
    """A time slider (with a play button) over :func:`state_figure` for one sequence ``x: (T, D)``."""
    x = np.asarray(x, dtype=float)
    unrolled_states(x, p)                      # validates x against p
    t = _check_t(t, x.shape[0])
    return StateStepperWidget(t=t, x=x, W_ih=p.W_ih, W_hh=p.W_hh, b_ih=p.b_ih, b_hh=p.b_hh,
                              cmap=_cmap_colours(_CMAP))


# ---- the gradient curve (chapter "The Problem of Long-Term Dependencies") --------------

def gradient_curve(radius: float, input_scale: float = 0.5, *, H: int = 32, T: int = 60,
                   B: int = 8, D: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(ks, ratios)``: ``||dL/dh_{T-k}|| / ||dL/dh_T||`` for ``k = 0 .. T``.

    A tanh RNN with PyTorch's initialisation (seeded by ``seed``), its ``W_hh`` rescaled
    to spectral radius ``radius``, reads ``B`` random sequences ``input_scale * N(0, 1)``
    of length ``T``; the loss is ``sum(g * h_T)`` with a random ``g``. Larger inputs push
    the tanh towards saturation, where its slope, and so the gradient, is small.

    >>> ks, r = gradient_curve(0.5)
    >>> ks.shape, float(r[0]), bool(r[-1] < 1e-10)
    ((61,), 1.0, True)
    """
    if isinstance(input_scale, bool) or not isinstance(input_scale, Real) or input_scale < 0:
        raise ValueError(f"input_scale: expected a non-negative number, got {input_scale!r}")
    rng = np.random.default_rng(seed)
    p = gradients.scale_spectral_radius(rnn.init_params(D, H, rng), radius)
    x = float(input_scale) * rng.standard_normal((B, T, D))
    ks = np.arange(T + 1)
    return ks, gradients.hidden_grad_ratios("rnn", p, x, ks=ks, rng=rng)


_YMIN, _YMAX = 1e-20, 1e8


def _gradient_title(radius: float, input_scale: float) -> str:
    return f"spectral radius $\\rho$ = {radius:.2f}, input scale {input_scale:.2f}"


def gradient_figure(radius: float = 1.0, input_scale: float = 0.5, **curve_kwargs) -> Figure:
    """The measured ratio against ``k`` (log scale), with ``ρ^k`` dashed for comparison.

    ``ρ^k`` is how a gradient along ``W_hh``'s leading eigenvector would grow or shrink
    without the tanh (a linear RNN). The y axis spans [1e-20, 1e8]; the lines may leave it.
    """
    ks, r = gradient_curve(radius, input_scale, **curve_kwargs)
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.subplots()
    measured, = ax.semilogy(ks, r, color=_CURVE_COLOR, lw=2.2, label="measured, tanh RNN")
    power, = ax.semilogy(ks, float(radius) ** ks.astype(float), color="0.45", ls="--",
                         lw=1.3, label=r"$\rho^k$")
    ax.axhline(1.0, color="0.3", lw=0.8)
    ax.set(xlim=(0, ks[-1]), ylim=(_YMIN, _YMAX), xlabel="steps back k",
           ylabel=r"$\|\partial L/\partial h_{T-k}\| \,/\, \|\partial L/\partial h_T\|$")
    ax.legend(loc="lower left", fontsize=9)
    title = ax.set_title(_gradient_title(radius, input_scale), fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.lstm_course_artists = {"measured": measured, "power": power, "title": title,
                               "kwargs": dict(curve_kwargs)}
    return fig


def update_gradient_figure(fig: Figure, radius: float, input_scale: float) -> Figure:
    """Recompute the curve of :func:`gradient_figure` for new values and move its lines."""
    art = fig.lstm_course_artists
    ks, r = gradient_curve(radius, input_scale, **art["kwargs"])
    art["measured"].set_data(ks, r)
    art["power"].set_data(ks, float(radius) ** ks.astype(float))
    art["title"].set_text(_gradient_title(radius, input_scale))
    return fig


def gradient_net(*, H: int = 32, T: int = 60, B: int = 8, D: int = 4, seed: int = 0) -> dict:
    """What :func:`gradient_curve` computes with, for any radius and input scale: the RNN
    (``W_hh`` at its own spectral radius ``rho0``), the unscaled inputs ``noise (B, T, D)``
    and ``g = dL/dh_T (B, H)``, drawn from ``seed`` in the same order. The gradient widget's
    front end recomputes the curve from these (``W_hh * radius / rho0``, ``input_scale * noise``)."""
    rng = np.random.default_rng(seed)
    p = rnn.init_params(D, H, rng)
    noise = rng.standard_normal((B, T, D))
    g = rng.standard_normal((B, H))
    return {"W_ih": p.W_ih, "W_hh": p.W_hh, "rho0": float(gradients.spectral_radius(p.W_hh)),
            "b_ih": p.b_ih, "b_hh": p.b_hh, "noise": noise, "g": g}


class GradientWidget(CourseWidget):
    """Sliders for the spectral radius of ``W_hh`` and the input scale; the front end
    (``js/gradient.js``) computes :func:`gradient_curve` from ``net`` (:func:`gradient_net`)
    and draws it. ``w.radius`` and ``w.input_scale``: the reader's values."""

    _module = "gradient"
    _repr_keys = ("radius", "input_scale")
    _fallback = ("A gradient explorer: sliders set the spectral radius of W_hh and the input scale; "
                 "the curve shows how the gradient shrinks or grows going back in time.")
    radius = traitlets.Float(1.0).tag(sync=True, course=True)
    input_scale = traitlets.Float(0.5).tag(sync=True, course=True)
    net = traitlets.Dict().tag(sync=True, course=True)

    def curve(self) -> tuple[np.ndarray, np.ndarray]:
        """``gradient_curve`` at the reader's values."""
        return gradient_curve(self.radius, self.input_scale, **self._curve_kwargs)


def gradient_widget(radius: float = 1.0, input_scale: float = 0.5, **curve_kwargs) -> GradientWidget:
    """Sliders for the spectral radius of ``W_hh`` and the input scale, over :func:`gradient_figure`."""
    gradient_curve(radius, input_scale, **curve_kwargs)          # validates the arguments
    w = GradientWidget(radius=float(radius), input_scale=float(input_scale), net=gradient_net(**curve_kwargs))
    w._curve_kwargs = dict(curve_kwargs)
    return w

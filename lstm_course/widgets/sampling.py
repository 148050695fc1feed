"""Widget of the chapter "Conclusion": sampling temperature of a character-level model.

A language model gives logits ``z`` for the next character; sampling at temperature
``tau`` draws from ``p_i = exp(z_i / tau) / sum_k exp(z_k / tau)`` (Karpathy 2015).
Small ``tau`` sharpens the distribution toward the likeliest character, large ``tau``
flattens it toward uniform.

The three layers described in ``lstm_course.widgets``:

* compute (pure numpy): :func:`temperature_distribution` -> the ``k`` likeliest
  characters (in a fixed order, by logit) and their probabilities at ``tau``, and
  the entropy of the whole distribution;
* figure: :func:`temperature_figure` draws bars, :func:`update_temperature_figure`
  changes their heights and the title in place;
* front end: :func:`temperature_widget`, an anywidget whose ES module
  (``js/temperature.js``) recomputes the distribution in the browser from the logits, and
  shows texts sampled by the caller's ``sample_fn(tau) -> str`` once per slider position
  (the trained model stays outside this module and the website needs no kernel).
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np
from matplotlib.figure import Figure

import traitlets

from ._anywidget import CourseWidget
from ..style import OKABE_ITO

__all__ = [
    "TemperatureDistribution",
    "temperature_distribution",
    "temperature_figure",
    "update_temperature_figure",
    "TemperatureWidget",
    "temperature_grid",
    "temperature_widget",
]

_BAR_COLOR = OKABE_ITO["blue"]    # probabilities at tau
_REF_COLOR = OKABE_ITO["orange"]  # outline: tau = 1, the model's own distribution
_T_MIN, _T_MAX = 0.1, 2.0


@dataclass(frozen=True)
class TemperatureDistribution:
    """labels: the k likeliest characters (printable); probs: their probabilities at tau;
    probs_at_1: the same at tau = 1; entropy: of the full distribution at tau, in nats."""

    labels: tuple[str, ...]
    probs: np.ndarray
    probs_at_1: np.ndarray
    entropy: float
    temperature: float


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()


def _label(c: str) -> str:
    return {"\n": "\\n", " ": "␣"}.get(c, c)


def _check_temperature(temperature) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, Real) or not temperature > 0:
        raise ValueError(f"temperature: expected a positive number, got {temperature!r}")
    return float(temperature)


def temperature_distribution(logits, chars: str, temperature: float, k: int = 10) -> TemperatureDistribution:
    """The ``k`` likeliest next characters and their probabilities at ``temperature``.

    logits: ``(V,)``; chars: the ``V`` characters, in the same order. The order of the
    returned characters depends only on the logits, so bars keep their place as ``tau``
    changes.

    >>> d = temperature_distribution([0.0, np.log(3.0)], "ab", 1.0, k=2)
    >>> d.labels, d.probs.round(3).tolist()
    (('b', 'a'), [0.75, 0.25])
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or z.size != len(chars) or z.size < 2:
        raise ValueError(f"logits: expected shape ({len(chars)},) matching chars, got {z.shape}")
    tau = _check_temperature(temperature)
    p = _softmax(z / tau)
    p1 = _softmax(z)
    top = np.argsort(-z, kind="stable")[:k]
    entropy = float(-(p[p > 0] * np.log(p[p > 0])).sum())
    return TemperatureDistribution(tuple(_label(chars[i]) for i in top), p[top], p1[top], entropy, tau)


def _title(d: TemperatureDistribution, prompt: str) -> str:
    return f"next character after “{prompt}”   τ = {d.temperature:.1f}, entropy {d.entropy:.2f} nats"


def temperature_figure(logits, chars: str, temperature: float = 1.0, prompt: str = "", k: int = 10) -> Figure:
    """Bars: probabilities of the ``k`` likeliest next characters at ``temperature``;
    orange outlines: the same at temperature 1."""
    d = temperature_distribution(logits, chars, temperature, k)
    fig = Figure(figsize=(7.0, 2.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(d.labels))
    bars = ax.bar(x, d.probs, width=0.7, color=_BAR_COLOR, label="at τ")
    ax.bar(x, d.probs_at_1, width=0.7, fill=False, edgecolor=_REF_COLOR, lw=1.5, label="at τ = 1")
    ax.set_xticks(x, d.labels, fontsize=12, fontfamily="monospace")
    ax.set(ylim=(0, 1.02), ylabel="probability")
    ax.legend(loc="upper right", fontsize=9, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    title = ax.set_title(_title(d, prompt), fontsize=11)
    fig.lstm_course_artists = {"bars": bars, "title": title, "logits": np.asarray(logits, dtype=float),
                               "chars": chars, "prompt": prompt, "k": k}
    return fig


def update_temperature_figure(fig: Figure, temperature: float) -> Figure:
    """Set the bars of ``temperature_figure`` to a new temperature (the logits stay)."""
    art = fig.lstm_course_artists
    d = temperature_distribution(art["logits"], art["chars"], temperature, art["k"])
    for bar, p in zip(art["bars"], d.probs):
        bar.set_height(p)
    art["title"].set_text(_title(d, art["prompt"]))
    return fig


class TemperatureWidget(CourseWidget):
    """A temperature slider over the next character's distribution and a sample. The front
    end (``js/temperature.js``) computes :func:`temperature_distribution` from ``logits``;
    the samples, one per slider position, are drawn once in Python by the caller's
    ``sample_fn``. ``w.temperature``: the reader's value.

    ``logits`` and ``samples`` come from a trained model, so their last digits (and a sample)
    depend on the CPU's floating-point kernels: they are volatile state, kept out of the
    notebook text that nbval compares (``tests/nbval_sanitize.cfg``)."""

    _module = "temperature"
    _repr_keys = ("temperature", "prompt")
    _fallback = ("A temperature slider: it reshapes the model's distribution over the next character "
                 "and shows a sample drawn at that temperature. The figure below shows one setting.")
    temperature = traitlets.Float(1.0).tag(sync=True, course=True)
    chars = traitlets.Unicode().tag(sync=True, course=True)
    prompt = traitlets.Unicode().tag(sync=True, course=True)
    k = traitlets.Int(10).tag(sync=True, course=True)
    t_min = traitlets.Float(_T_MIN).tag(sync=True, course=True)
    t_max = traitlets.Float(_T_MAX).tag(sync=True, course=True)
    logits = traitlets.List().tag(sync=True, course=True, volatile=True)
    samples = traitlets.Dict().tag(sync=True, course=True, volatile=True)


def temperature_grid() -> list[float]:
    """The slider's positions: 0.1, 0.2, ..., 2.0."""
    return [round(_T_MIN + 0.1 * j, 1) for j in range(int(round((_T_MAX - _T_MIN) / 0.1)) + 1)]


def temperature_widget(logits, chars: str, sample_fn, temperature: float = 1.0, prompt: str = "",
                       k: int = 10) -> TemperatureWidget:
    """A temperature slider, the next-character distribution, and a sample ``sample_fn(tau)``.

    ``sample_fn(tau) -> str`` is called once for every slider position (0.1 to 2.0), so the
    website can show a sample without a kernel.
    """
    if not callable(sample_fn):
        raise ValueError(f"sample_fn: expected a function tau -> str, got {type(sample_fn).__name__}")
    temperature_distribution(logits, chars, temperature, k)      # validates the arguments
    samples = {f"{tau:.1f}": str(sample_fn(tau)) for tau in temperature_grid()}
    return TemperatureWidget(temperature=float(temperature), chars=chars, prompt=prompt, k=int(k),
                             logits=np.asarray(logits, dtype=float), samples=samples)

"""Result plots of the chapters: measured numbers, drawn the same way everywhere.

Each function takes the numbers a chapter computed (nothing is trained or measured
here), draws them into ``ax`` (or a new bare ``Figure``), and returns the Figure. No
pyplot, no ``plt.show()``, no global rcParams. The functions are independent of each
other; a chapter gives each figure its alt text in the cell's metadata.

* :func:`state_difference_plot` -- "Recurrent Neural Networks": how long a change in
  the first input still shows in the hidden state.
* :func:`accuracy_vs_gap_plot` -- "The Problem of Long-Term Dependencies": accuracy of
  a trained model against the distance between the clue and the question.
* :func:`gradient_ratio_plot` -- the same chapter: ``||dL/dh_{T-k}|| / ||dL/dh_T||``
  against ``k``, one line per setting, on a log scale.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = ["state_difference_plot", "accuracy_vs_gap_plot", "gradient_ratio_plot"]

_BLUE, _ORANGE, _GREY = "#3b6ea5", "#d9822b", "0.45"
_LINE_COLORS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")  # Okabe-Ito


def _axes(ax, size):
    if ax is None:
        fig = Figure(figsize=size, layout="constrained")
        return fig, fig.subplots()
    return ax.figure, ax


def _tidy(ax):
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def state_difference_plot(diff, ax=None) -> Figure:
    """``diff[t-1] = ||h_t - h'_t||`` for ``t = 1 .. T`` (two runs that differ only in ``x_1``), log scale.

    diff: (T,) non-negative numbers.
    """
    diff = np.asarray(diff, dtype=float)
    if diff.ndim != 1 or diff.size == 0 or np.any(diff < 0):
        raise ValueError(f"diff: expected a non-empty 1-D array of non-negative norms, got shape {diff.shape}")
    fig, ax = _axes(ax, (6.4, 3.0))
    t = np.arange(1, diff.size + 1)
    ax.semilogy(t, diff, "o-", color=_BLUE, lw=2, ms=4)
    ax.set(xlabel="time step t", ylabel=r"$\|h_t - h'_t\|$", xlim=(0.5, diff.size + 0.5))
    ax.set_title(r"two runs that differ only in $x_1$", fontsize=11)
    ax.grid(True, which="major", axis="y", alpha=0.3)
    _tidy(ax)
    return fig


def accuracy_vs_gap_plot(gaps: Sequence[int], accuracy: Sequence[float], chance: float,
                         ax=None, label: str | None = None, color: str = _BLUE) -> Figure:
    """Held-out accuracy against the gap, with the chance level dashed.

    gaps, accuracy: equal-length sequences; chance: the accuracy of guessing.
    Call again with the same ``ax`` and another ``label`` to add a model.
    """
    gaps = np.asarray(gaps, dtype=float)
    accuracy = np.asarray(accuracy, dtype=float)
    if gaps.ndim != 1 or gaps.shape != accuracy.shape or gaps.size == 0:
        raise ValueError(f"gaps, accuracy: expected two 1-D arrays of the same length, got shapes "
                         f"{gaps.shape} and {accuracy.shape}")
    fig, ax = _axes(ax, (6.4, 3.2))
    ax.plot(gaps, accuracy, "o-", color=color, lw=2, ms=6, label=label)
    ax.axhline(chance, color=_GREY, ls="--", lw=1.2)
    ax.text(gaps.min(), chance, " chance", ha="left", va="bottom", fontsize=9, color=_GREY)
    ax.set(xlabel="gap (filler words between the country and the question)",
           ylabel="held-out accuracy", ylim=(0, 1.05))
    ax.set_xticks(gaps)
    if label is not None:
        ax.legend(loc="upper right", fontsize=9)
    _tidy(ax)
    return fig


def gradient_ratio_plot(ks, curves: Mapping[str, Sequence[float]], ax=None,
                        title: str | None = None) -> Figure:
    """``||dL/dh_{T-k}|| / ||dL/dh_T||`` against ``k`` on a log scale, one line per entry of ``curves``.

    ks: (K,) steps back; curves: label -> (K,) ratios.
    """
    ks = np.asarray(ks)
    if not curves:
        raise ValueError("curves: expected at least one label -> ratios entry")
    fig, ax = _axes(ax, (6.4, 3.4))
    for n, (label, r) in enumerate(curves.items()):
        r = np.asarray(r, dtype=float)
        if r.shape != ks.shape:
            raise ValueError(f"curves[{label!r}]: expected shape {ks.shape} like ks, got {r.shape}")
        ax.semilogy(ks, r, color=_LINE_COLORS[n % len(_LINE_COLORS)], lw=2, label=label)
    ax.axhline(1.0, color="0.3", lw=0.8)
    ax.set(xlabel="steps back k", xlim=(ks.min(), ks.max()),
           ylabel=r"$\|\partial L/\partial h_{T-k}\| \,/\, \|\partial L/\partial h_T\|$")
    if title:
        ax.set_title(title, fontsize=11)
    ax.legend(fontsize=9, loc="best")
    ax.grid(True, which="major", axis="y", alpha=0.3)
    _tidy(ax)
    return fig

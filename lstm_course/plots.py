"""Result plots of the chapters: measured numbers, drawn the same way everywhere.

Each function takes the numbers a chapter computed (nothing is trained or measured
here), draws them into ``ax`` (or a new bare ``Figure``), and returns the Figure. No
pyplot, no ``plt.show()``, no global rcParams. The functions are independent of each
other; a chapter gives each figure its alt text in the cell's metadata.

* :func:`state_difference_plot` -- "Recurrent Neural Networks": how long a change in
  the first input still shows in the hidden state.
* :func:`accuracy_vs_gap_plot` -- "The Problem of Long-Term Dependencies": accuracy of
  trained models against the distance between the clue and the question (the mean
  over seeds as a line, each seed as a dot).
* :func:`gradient_ratio_plot` -- the same chapter: ``||dL/dh_{T-k}|| / ||dL/dh_T||``
  against ``k``, one line per setting, on a log scale.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .figure_language import keep
from .style import LINE_CYCLE, MUTED

__all__ = ["state_difference_plot", "accuracy_vs_gap_plot", "gradient_ratio_plot"]

_BLUE, _GREY = MUTED["blue"], MUTED["grey"]   # colours live in lstm_course.style


def _axes(ax, size):
    if ax is None:
        fig = Figure(figsize=size, layout="constrained")
        return fig, fig.subplots()
    return ax.figure, ax


def _line_color(n: int) -> str:
    """The colour of the n-th line of a plot (``style.LINE_CYCLE``, repeating)."""
    return LINE_CYCLE[n % len(LINE_CYCLE)]


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


def _seed_dots(ax, x, values, color, marker_size=4.0) -> None:
    """Draw each seed of ``values (len(x), S)`` as a small hollow dot, nudged sideways so that
    equal values stay visible (nothing for a 1-D ``values``: one run is its own line)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        return
    S = values.shape[1]
    span = float(np.ptp(x)) if x.size > 1 else 1.0
    for s in range(S):
        nudge = (s - (S - 1) / 2) * 0.01 * span
        ax.plot(x + nudge, values[:, s], "o", color=color, mfc="white", mew=1.0, ms=marker_size,
                alpha=0.9, zorder=3, label="_nolegend_")


def accuracy_vs_gap_plot(gaps: Sequence[int], accuracy, chance: float,
                         ax=None, label: str | None = None, color: str = _BLUE,
                         linestyle: str = "-") -> Figure:
    """Held-out accuracy against the gap, with the chance level dashed.

    gaps: (G,); accuracy: (G,) for one run, or (G, S) for S seeds: the line is then
    the mean over seeds and every seed is a small hollow dot (so a reader sees the
    spread, not only the mean); chance: the accuracy of guessing. Call again with the
    same ``ax`` and another ``label`` to add a model. ``linestyle=":"`` draws the
    line thin and dotted, for gaps too far apart for the line to suggest the values
    in between.
    """
    gaps = np.asarray(gaps, dtype=float)
    accuracy = np.asarray(accuracy, dtype=float)
    if gaps.ndim != 1 or gaps.size == 0 or accuracy.ndim not in (1, 2) or accuracy.shape[0] != gaps.size:
        raise ValueError(f"gaps, accuracy: expected gaps (G,) and accuracy (G,) or (G, S) with the same G, "
                         f"got shapes {gaps.shape} and {accuracy.shape}")
    fig, ax = _axes(ax, (6.4, 3.2))
    mean = accuracy if accuracy.ndim == 1 else accuracy.mean(axis=1)  # (G,)
    ax.plot(gaps, mean, marker="o", ls=linestyle, color=color, lw=2 if linestyle == "-" else 1.2,
            ms=6, label=label)
    _seed_dots(ax, gaps, accuracy, color)
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
        ax.semilogy(ks, r, color=_line_color(n), lw=2, label=label)
    ax.axhline(1.0, color="0.3", lw=0.8)
    ax.set(xlabel="steps back k", xlim=(ks.min(), ks.max()),
           ylabel=r"$\|\partial L/\partial h_{T-k}\| \,/\, \|\partial L/\partial h_T\|$")
    if title:
        ax.set_title(title, fontsize=11)
    ax.legend(fontsize=9, loc="best")
    ax.grid(True, which="major", axis="y", alpha=0.3)
    _tidy(ax)
    return fig


# ---- chapter "Step-by-Step LSTM Walk Through" -------------------------------------------

__all__ += ["gate_heatmaps", "mse_vs_length_plot"]

_HEAT_TITLES = {"f": r"forget gate $f_t$", "i": r"input gate $i_t$", "g": r"candidate $\tilde{C}_t$",
                "o": r"output gate $o_t$", "c": r"cell state $C_t$", "tanh_c": r"$\tanh(C_t)$",
                "h": r"output $h_t$"}
_SIGNED = ("g", "c", "tanh_c", "h")


def gate_heatmaps(gates: Mapping[str, np.ndarray], words: Sequence[str], units: Sequence[int],
                  unit_labels: Sequence[str] | None = None, keys: Sequence[str] = ("f", "i", "o", "c"),
                  marks: Sequence[int] = (), fig: Figure | None = None) -> Figure:
    """One heatmap per gate: rows are the chosen units, columns the words of a sentence.

    gates: name -> (T, H) activations of one sequence (the ``gates`` dict of
    ``lstm.lstm_forward(..., return_gates=True)`` indexed ``[b]``; "c" is the cell
    state); words: (T,) the input words; units: the hidden units to show, top to
    bottom; marks: columns to outline with a vertical line (e.g. each new subject).
    Gates use a sequential colour scale on [0, 1]; "g", "c", "tanh_c" and "h" a
    diverging one centred on 0 (the cell state clipped to [-2, 2]).
    """
    units = [int(u) for u in units]
    if not units:
        raise ValueError("units: expected at least one unit index")
    T = len(words)
    for k in keys:
        if k not in gates:
            raise ValueError(f"gates: missing {k!r}; got keys {sorted(gates)}")
        a = np.asarray(gates[k])
        if a.ndim != 2 or a.shape[0] != T or max(units) >= a.shape[1] or min(units) < 0:
            raise ValueError(f"gates[{k!r}]: expected shape (T={T}, H) with H > {max(units)}, got {a.shape}")
    labels = list(unit_labels) if unit_labels is not None else [f"unit {u}" for u in units]
    if len(labels) != len(units):
        raise ValueError(f"unit_labels: expected {len(units)} labels, got {len(labels)}")
    if fig is None:
        fig = Figure(figsize=(7.0, 0.9 + (0.32 * len(units) + 0.45) * len(keys) + 0.7), layout="constrained")
    axes = fig.subplots(len(keys), 1, sharex=True)
    axes = np.atleast_1d(axes)
    for ax, k in zip(axes, keys):
        a = np.asarray(gates[k], dtype=float)[:, units].T      # (U, T)
        if k in _SIGNED:
            lim = 2.0 if k == "c" else 1.0
            im = ax.imshow(np.clip(a, -lim, lim), aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim,
                           interpolation="nearest")
        else:
            im = ax.imshow(a, aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_yticks(np.arange(len(units)), labels, fontsize=8)
        ax.set_title(_HEAT_TITLES.get(k, k), fontsize=10, loc="left")
        for m in marks:
            ax.axvline(m - 0.5, color="white", lw=1.5)
            ax.axvline(m - 0.5, color="black", lw=0.7, ls=(0, (2, 2)))
        cb = fig.colorbar(im, ax=ax, pad=0.01, fraction=0.03)
        cb.ax.tick_params(labelsize=7)
    axes[-1].set_xticks(np.arange(T), list(words), rotation=90, fontsize=8)
    keep(fig, words)   # the sentence the model read: English in every edition
    return fig


def mse_vs_length_plot(lengths: Sequence[int], curves: Mapping[str, Sequence[float]], baseline: float,
                       ax=None, solved: float | None = None) -> Figure:
    """Final held-out MSE against the sequence length, one line per model, log scale.

    curves: label -> (len(lengths),) MSEs of one run, or (len(lengths), S) for S seeds
    (the line is the mean, every seed a small hollow dot); baseline: the MSE of the
    best constant guess (dashed); solved: an optional threshold drawn dotted (e.g. 0.01).
    """
    lengths = np.asarray(lengths, dtype=float)
    if lengths.ndim != 1 or lengths.size == 0:
        raise ValueError(f"lengths: expected a non-empty 1-D sequence, got shape {lengths.shape}")
    if not curves:
        raise ValueError("curves: expected at least one label -> MSEs entry")
    fig, ax = _axes(ax, (6.4, 3.2))
    for n, (label, mse) in enumerate(curves.items()):
        mse = np.asarray(mse, dtype=float)
        if mse.ndim not in (1, 2) or mse.shape[0] != lengths.size:
            raise ValueError(f"curves[{label!r}]: expected shape {lengths.shape} like lengths, or "
                             f"({lengths.size}, S) for S seeds, got {mse.shape}")
        color = _line_color(n)
        ax.semilogy(lengths, mse if mse.ndim == 1 else mse.mean(axis=1), "o-", color=color, lw=2, ms=6,
                    label=label)
    for n, mse in enumerate(curves.values()):  # after the lines: the lines come first in ax.lines
        _seed_dots(ax, lengths, mse, _line_color(n))
    ax.axhline(baseline, color=_GREY, ls="--", lw=1.2)
    ax.text(lengths.min(), baseline, " always predict 1", ha="left", va="bottom", fontsize=9, color=_GREY)
    if solved is not None:
        ax.axhline(solved, color=_GREY, ls=":", lw=1.0)
        ax.text(lengths.min(), solved, " solved", ha="left", va="top", fontsize=9, color=_GREY)
    ax.set(xlabel="sequence length T", ylabel="held-out MSE")
    ax.set_xticks(lengths)
    ax.legend(fontsize=9, loc="lower right")
    _tidy(ax)
    return fig

"""What drawing every figure a second time, in Vietnamese, costs a chapter's kernel.

    python benchmarks/figure_language.py [--repeats N]

``lstm_course.figure_language.install()`` makes the kernel's PNG formatter draw each
figure it shows twice: as usual, and with its words translated (kept for the website's
Vietnamese edition). This times, for a few of the book's figures, the PNG formatting as
IPython's inline backend does it (``print_figure`` with ``bbox_inches="tight"``) alone,
and with the translated copy added, interleaved, medians; then prints the ratio per
figure and for all of them together. One run of the notebooks shows the same cost in
their execution times (``tools/execute_notebooks.py --all`` prints them).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import timeit
from functools import partial

import matplotlib

matplotlib.use("Agg")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from IPython.core.pylabtools import print_figure  # noqa: E402

from lstm_course import diagrams, figure_language, plots  # noqa: E402
from lstm_course.widgets import gates  # noqa: E402


def figures() -> dict:
    """A few of the book's figures: a diagram with words, one without, and three plots."""
    import numpy as np

    ks = np.arange(1, 30)
    return {
        "notation_legend (diagram)": diagrams.notation_legend(),
        "lstm_cell (diagram, no words)": diagrams.lstm_cell(),
        "gate_figure (widget figure)": gates.gate_figure(pre_activation=1.5),
        "param_count_figure": gates.param_count_figure(D=32, H=128),
        "gradient_ratio_plot": plots.gradient_ratio_plot(
            ks, {"tanh RNN": 0.6 ** ks, "LSTM, forget bias 3": 0.95 ** ks}, title="steps back k"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of each figure (default 7)")
    args = parser.parse_args()
    draw = partial(print_figure, fmt="png", base64=True, bbox_inches="tight")
    catalogs = {lang: figure_language.catalog(lang) for lang in figure_language.LANGUAGES}
    total = {"english": 0.0, "both": 0.0}
    print(f"{'figure':32} {'English':>9} {'+ translated':>13} {'ratio':>6}")
    for name, fig in figures().items():
        runs = {"english": [], "both": []}
        for _ in range(args.repeats):
            runs["english"].append(timeit.timeit(lambda: draw(fig), number=1))
            runs["both"].append(timeit.timeit(
                lambda: (draw(fig), figure_language.translations(fig, draw, catalogs, laid_out=True)), number=1))
        med = {k: statistics.median(v) for k, v in runs.items()}
        for k in total:
            total[k] += med[k]
        words = len(figure_language.figure_words(fig))
        print(f"{name:32} {med['english'] * 1e3:7.0f} ms {med['both'] * 1e3:10.0f} ms {med['both'] / med['english']:6.2f}"
              f"   ({words} words)")
    print(f"{'all of them':32} {total['english'] * 1e3:7.0f} ms {total['both'] * 1e3:10.0f} ms "
          f"{total['both'] / total['english']:6.2f}")


if __name__ == "__main__":
    main()

"""Why every cell gets the same learning rate in the book's gap experiments.

    python benchmarks/gap_protocol.py [--lrs 3e-3 1e-2] [--gaps 5 10 20 40]

Chapters 2, 5 and 6 compare cells on the country task under one protocol,
``lstm_course.seeds.GAP_PROTOCOL``. A comparison is only fair if no cell is held back
by a rate that suits another, so this script trains every cell the book compares (tanh
RNN, GRU, LSTM at PyTorch's initialisation and with forget bias 1 and 3) at each rate,
over the protocol's seeds, and prints the mean held-out accuracy per gap and how many
seeds solved each gap. The last lines give, per cell, the mean accuracy over all gaps and
seeds at each rate, and the best rate: the protocol's rate should be the best (or within
0.02 of it) for every cell, or the comparison favours some cells. It takes about two
minutes per rate on one core.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lstm_course import seeds  # noqa: E402

CELLS = {  # label -> (cell, forget_gate_bias)
    "tanh RNN": ("rnn", None),
    "GRU": ("gru", None),
    "LSTM, default init": ("lstm", None),
    "LSTM, forget bias 1": ("lstm", 1.0),
    "LSTM, forget bias 3": ("lstm", 3.0),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lrs", type=float, nargs="+", default=[3e-3, 1e-2])
    parser.add_argument("--gaps", type=int, nargs="+", default=[5, 10, 20, 40])
    args = parser.parse_args(argv)
    os.environ.setdefault("LSTM_COURSE_PROGRESS", "0")
    torch.set_num_threads(1)
    base = seeds.GAP_PROTOCOL
    print(f"protocol: H {base.hidden_size}, batch {base.batch}, <= {base.steps} steps, "
          f"clip {base.clip}, seeds {list(base.seeds)}; gaps {args.gaps}")
    means: dict[tuple[str, float], np.ndarray] = {}
    t0 = time.perf_counter()
    for lr in args.lrs:
        protocol = dataclasses.replace(base, lr=lr)
        for label, (cell, fb) in CELLS.items():
            study = seeds.gap_study(cell, args.gaps, forget_gate_bias=fb, protocol=protocol)
            means[label, lr] = study.mean
            solved = study.solved().sum(axis=1)
            cols = "  ".join(f"{m:.2f} ({s}/{len(study.seeds)})" for m, s in zip(study.mean, solved))
            print(f"lr {lr:<6g} {label:>20}: {cols}", flush=True)
    print(f"(mean accuracy over seeds at each gap, and seeds solved; {time.perf_counter() - t0:.0f} s)")
    fair = True
    for label in CELLS:
        score = {lr: float(means[label, lr].mean()) for lr in args.lrs}
        best = max(score, key=score.get)
        ok = score.get(base.lr, -1.0) >= score[best] - 0.02
        fair &= ok
        cols = "  ".join(f"lr {lr:g}: {v:.2f}" for lr, v in score.items())
        print(f"{label:>20}: mean accuracy over gaps and seeds {cols}; best {best:g}"
              + ("" if ok else f"  <- the protocol's {base.lr:g} is not within 0.02 of the best"))
    print(f"protocol rate {base.lr:g} is within 0.02 of the best rate for every cell: {fair}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

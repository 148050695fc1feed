"""Time the course's training and check that it computes what a baseline commit computed.

The chapters train in three ways: ``charlm.fit`` (chapter 7's language model),
``attention.fit`` (chapter 7's reversal task) and ``seeds.gap_study`` (chapters 2, 5
and 6). This script runs a short version of each in fresh processes, alternating one
that imports ``lstm_course`` as it was at a baseline commit (exported with
``git archive``) with one that imports the working tree, and prints the median processor time of
each and the ratio now / baseline (below 1: faster now). One thread, as in the chapters.

Each process also records a few short training runs through the public functions
(``train.train``, ``train.accuracy_vs_gap``, ``attention.fit``, ``charlm.fit``,
``seeds.train_seeds``, ``seeds.gap_study``): every loss, gradient norm and accuracy, a
hash of the final weights, and torch's global generator after the seeded runs. The script
says whether the two trees' records are equal to the last bit, which is what keeps the
notebooks' stored outputs as they are.

Run from the repository root::

    python benchmarks/training.py [--base REV] [--repeats N]
    python benchmarks/training.py --record tests/data/training_reference.json

``--record`` writes this tree's records (the reference that ``tests/test_train.py``
compares with on a machine like the one that recorded it).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "b8f7ebfdaa5388655059de268fb90972cf0d9366"  # before the one training loop (issue 11)


def _weights(model) -> str:
    """A hash of every parameter's bytes: equal hashes, equal weights to the last bit."""
    h = hashlib.sha256()
    for name, p in model.named_parameters():
        h.update(name.encode())
        h.update(p.detach().numpy().tobytes())
    return h.hexdigest()[:16]


def _fields(hist, names) -> dict:
    out = {}
    for n in names:
        v = getattr(hist, n)
        out[n] = v.tolist() if hasattr(v, "tolist") else v
    return out


def record() -> dict:
    """Short runs of every training function, recorded to the last bit."""
    import numpy as np
    import torch

    from lstm_course import attention, charlm, seeds, tasks, train

    torch.set_num_threads(1)
    out = {}
    V = len(tasks.country_vocab(4))

    def country(rng, gap=3):
        return tasks.country_language(16, gap, rng, 4)

    m = train.SequenceModel("lstm", V, 8, 4, forget_gate_bias=1.0, seed=0)
    h = train.train(m, country, 40, loss="ce", eval_every=5, stop_at=0.9, stop_on="accuracy", seed=3,
                    progress=False)
    out["train_ce"] = _fields(h, ["step", "eval_loss", "eval_accuracy", "train_loss", "grad_norm",
                                  "steps_run", "stopped_early"]) | {"weights": _weights(m)}

    def sums(rng):
        x = rng.standard_normal((8, 5, 2)).astype(np.float32)
        return x, x.sum(1)                                    # (B, T, D) -> (B, D)

    eval_data = sums(np.random.default_rng(99))
    m = train.SequenceModel("gru", 2, 8, 2, seed=1)
    h = train.train(m, sums, 25, lr=1e-2, clip=None, eval_every=10, eval_data=eval_data, stop_at=1e-9,
                    progress=False)
    out["train_mse"] = _fields(h, ["step", "eval_loss", "train_loss", "grad_norm", "steps_run",
                                   "stopped_early"]) | {"weights": _weights(m)}

    sweep = train.accuracy_vs_gap("rnn", [1, 4], steps=20, hidden_size=8, eval_every=10, progress=False)
    out["accuracy_vs_gap"] = {"accuracy": sweep.accuracy,
                              "train_loss": [x.train_loss for x in sweep.histories]}

    for with_attention in (True, False):
        m = attention.EncoderDecoder(6, 5, hidden_size=16, attention=with_attention, seed=2)
        h = attention.fit(m, 15, batch=16, seed=2, eval_every=5, eval_size=64)
        out[f"attention_{with_attention}"] = _fields(h, ["step", "accuracy", "train_loss"]) | {
            "weights": _weights(m)}

    text = charlm.zen_of_python()
    ids = charlm.Vocabulary.from_text(text).encode(text)
    m = charlm.CharLSTM(len(set(text)), hidden_size=32, seed=1)
    h = charlm.fit(m, ids, 15, batch=8, T=16, seed=1, eval_every=5, eval_size=16)
    out["charlm"] = _fields(h, ["train_loss", "eval_step", "eval_loss"]) | {"weights": _weights(m)}

    m = seeds.SeedModels("lstm", V, 8, 4, seeds=[0, 1, 2], forget_gate_bias=1.0)
    h = seeds.train_seeds(m, country, 40, loss="ce", eval_every=5, stop_at=0.9, stop_on="accuracy",
                          progress=False)
    out["train_seeds_ce"] = _fields(h, ["step", "eval_loss", "eval_accuracy", "steps_run", "solved_at"]) | {
        "weights": _weights(m)}
    m = seeds.SeedModels("rnn", 2, 8, 2, seeds=[4, 5])
    h = seeds.train_seeds(m, sums, 12, clip=None, eval_every=4, progress=False)
    out["train_seeds_mse"] = _fields(h, ["step", "eval_loss", "steps_run"]) | {"weights": _weights(m)}

    # seeds frozen at different steps, and every seed frozen before the last step (gap 2
    # stops at 150 of 160); gap_study must leave torch's global generator alone
    torch.manual_seed(7)
    study = seeds.gap_study("lstm", [2, 6], forget_gate_bias=3.0, progress=False,
                            protocol=seeds.GapProtocol(hidden_size=8, steps=160))
    out["gap_study"] = [_fields(h, ["step", "eval_loss", "eval_accuracy", "steps_run", "solved_at"])
                        for h in study.histories]
    out["torch_global_after_seeds"] = torch.rand(3).tolist()
    return out


def timings() -> dict:
    """Seconds for a short run of each kind of training the chapters do."""
    import torch

    from lstm_course import attention, charlm, seeds

    torch.set_num_threads(1)
    text = charlm.zen_of_python()
    ids = charlm.Vocabulary.from_text(text).encode(text)
    runs = {
        "charlm.fit": lambda: charlm.fit(charlm.CharLSTM(len(set(text)), hidden_size=64, seed=0), ids, 60,
                                         batch=32, T=48, seed=0),
        "attention.fit": lambda: attention.fit(attention.EncoderDecoder(8, 16, hidden_size=32, seed=0),
                                               100, batch=64, seed=0),
        "seeds.gap_study": lambda: seeds.gap_study("lstm", [5, 20], forget_gate_bias=1.0, progress=False),
    }
    out = {}
    for name, run in runs.items():
        t0 = time.process_time()  # one thread: processor time, less moved by a busy machine
        run()
        out[name] = time.process_time() - t0
    return out


def _worker(path: str) -> dict:
    env = dict(os.environ, PYTHONPATH=path, LSTM_COURSE_PROGRESS="0", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    res = subprocess.run([sys.executable, __file__, "--worker"], cwd=path, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(res.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default=BASE, help="baseline commit (default: before the one loop)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--record", metavar="FILE", help="write this tree's records to FILE and stop")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps({"record": record(), "times": timings()}))
        return
    if args.record:
        import torch
        data = {"recorded_at": subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                              text=True).stdout.strip(),
                "torch": torch.__version__, "cpu": torch.backends.cpu.get_cpu_capability(),
                "machine": platform.machine(), "record": record()}
        Path(args.record).parent.mkdir(parents=True, exist_ok=True)
        Path(args.record).write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {args.record}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", args.base, "lstm_course"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        before, after = [], []
        for _ in range(args.repeats):  # interleaved, so drifts in the machine's speed hit both
            before.append(_worker(tmp))
            after.append(_worker(str(ROOT)))
    same = all(r["record"] == before[0]["record"] for r in before + after)
    print(f"baseline {args.base[:10]} vs working tree, {args.repeats} runs each, one thread")
    print(f"records of the short runs equal to the last bit: {same}")
    if not same:
        for key, value in before[0]["record"].items():
            if after[0]["record"].get(key) != value:
                print(f"  differs: {key}")
    print(f"{'run (CPU s)':<18}{'baseline':>11}{'now':>9}{'now/baseline':>14}")
    for name in before[0]["times"]:
        b = statistics.median(r["times"][name] for r in before)
        a = statistics.median(r["times"][name] for r in after)
        print(f"{name:<18}{b:>11.2f}{a:>9.2f}{a / b:>14.2f}")


if __name__ == "__main__":
    main()

"""Precompute the chapter "Variants on LSTMs"'s miniature search-space odyssey.

Trains every configuration of ``lstm_course.odyssey.CONFIGS`` (standard LSTM, no
input / forget / output gate, no output activation, peepholes, coupled gates,
forget bias 1, GRU) on the course's long-dependency tasks, three seeds each, with
``lstm_course.odyssey.run_odyssey`` on one torch thread, and writes
``book/data/odyssey_results.json``: the settings, the package and torch
versions, and one record per run (config, seed, final held-out metric, steps,
the metric's curve). The chapter reads that file; ``tests/test_odyssey.py``
re-runs one configuration and seed and compares it with the stored figure.

Run from the repository root. Each task took about 8 minutes on one core of the
(busy) two-core machine that wrote the stored file; each task can run in its own
process, and the file is updated after every configuration::

    python benchmarks/odyssey.py                   # both tasks
    python benchmarks/odyssey.py --task adding     # only one task
"""
import argparse
import json
import os
import sys
import time
from importlib import metadata

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lstm_course import odyssey  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "book", "data",
                   "odyssey_results.json")
SEEDS = (0, 1, 2)
STEPS = {"adding": 800, "country": 400}


def _version() -> str:
    try:
        return metadata.version("lstm_course")
    except metadata.PackageNotFoundError:
        import tomllib
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
        with open(os.path.join(root, "pyproject.toml"), "rb") as fh:
            return tomllib.load(fh)["project"]["version"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", choices=sorted(odyssey.TASKS), action="append",
                    help="task(s) to run (default: all)")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.environ.setdefault("LSTM_COURSE_PROGRESS", "0")
    names = args.task or list(STEPS)
    for task in names:
        t0 = time.perf_counter()
        records = []
        for config in odyssey.CONFIG_NAMES:   # saved after each configuration
            records += odyssey.run_odyssey([config], task, SEEDS, STEPS[task],
                                           progress=False)
            _save(args.out, task, records, (time.perf_counter() - t0) / 60)
        for row in odyssey.summarise(records):
            print(f"{task:8s} {row['config']:5s} mean {row['mean']:.4f} "
                  f"std {row['std']:.4f} min {row['min']:.4f} max {row['max']:.4f}")
        print(f"{task}: {(time.perf_counter() - t0) / 60:.1f} min")


def _save(out: str, task: str, records: list, minutes: float) -> None:
    # read-modify-write, so two processes running one task each both land
    data = {}
    if os.path.exists(out):
        with open(out) as fh:
            data = json.load(fh)
    data["package_version"] = _version()
    data["torch_version"] = torch.__version__.split("+")[0]
    data["command"] = "python benchmarks/odyssey.py"
    data["threads"] = 1
    data.setdefault("tasks", {})[task] = {
        "settings": {**odyssey.TASKS[task], "steps": STEPS[task], "seeds": list(SEEDS)},
        "configs": {c: odyssey.CONFIGS[c][3] for c in odyssey.CONFIG_NAMES},
        "minutes": round(minutes, 1),
        "records": records,
    }
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + f".{os.getpid()}.tmp"
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, out)


if __name__ == "__main__":
    main()

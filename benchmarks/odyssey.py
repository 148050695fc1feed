"""Precompute the chapter "Variants on LSTMs"'s miniature search-space odyssey.

Trains every configuration of ``lstm_course.odyssey.CONFIGS`` (standard LSTM, no
input / forget / output gate, no output activation, peepholes, coupled gates,
forget bias 1, GRU) on two long-dependency tasks, with the settings and seeds of
``lstm_course.odyssey.TASKS``: the adding problem (its own settings) and the country
task at one gap (the course's shared gap protocol, ``seeds.GAP_PROTOCOL``, the one
chapters 2 and 5 use). It runs ``lstm_course.odyssey.run_odyssey`` on one torch
thread and writes ``book/data/odyssey_results.json``: the settings, the package and
torch versions, the minutes each task took, and one record per run (config, seed,
final held-out metric, steps run, the metric's curve). The chapter reads that file;
``tests/test_odyssey.py`` checks that the stored settings are the current ones and
re-runs a few runs whose outcome must not depend on the CPU.

Another CPU, or the same one with other floating-point kernels, rounds differently,
and training amplifies the difference: the trained numbers move, the conclusions the
chapter draws (and asserts) do not. ``--out`` writes elsewhere, to compare.

Run from the repository root. On the two-core machine that wrote the stored file
the adding problem took 7 minutes of processor time and the country task 1 (wall time
grows with the machine's load); each task can run in its own process, and the file is
updated after every configuration::

    python benchmarks/odyssey.py                   # both tasks
    python benchmarks/odyssey.py --task adding     # only one task
    python benchmarks/odyssey.py --out /tmp/o.json # somewhere else
    python benchmarks/odyssey.py --compare /tmp/o.json   # no training: how far
                                                         # /tmp/o.json is from --out

``--compare`` prints, per task, how many records are identical, the largest change of
a final metric, the runs whose outcome changed (solved, or not: held-out MSE < 0.01
on the adding problem, accuracy >= the task's ``stop_at`` on the country task) and the
largest change of the step at which a run first counted as solved.
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

OUT = os.path.relpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "book",
                                   "data", "odyssey_results.json"))


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
    ap.add_argument("--out", default=OUT, help="where to write (default: %(default)s)")
    ap.add_argument("--compare", metavar="OTHER",
                    help="train nothing; compare the results file OTHER with --out")
    args = ap.parse_args()
    if args.compare:
        compare(args.out, args.compare)
        return
    torch.set_num_threads(1)
    os.environ.setdefault("LSTM_COURSE_PROGRESS", "0")
    names = args.task or list(odyssey.TASKS)
    for task in names:
        t0, c0 = time.perf_counter(), time.process_time()
        records = []
        for config in odyssey.CONFIG_NAMES:   # saved after each configuration
            records += odyssey.run_odyssey([config], task, progress=False)
            _save(args.out, task, records, (time.perf_counter() - t0) / 60,
                  (time.process_time() - c0) / 60)
        for row in odyssey.summarise(records):
            print(f"{task:8s} {row['config']:5s} mean {row['mean']:.4f} "
                  f"std {row['std']:.4f} min {row['min']:.4f} max {row['max']:.4f}")
        print(f"{task}: {(time.perf_counter() - t0) / 60:.1f} min "
              f"({(time.process_time() - c0) / 60:.1f} min of processor time)")


SOLVED = {"adding": lambda v: v < 0.01,
          "country": lambda v: v >= odyssey.TASKS["country"]["stop_at"]}


def _solved_at(rec: dict, solved) -> int | None:
    return next((k for k, v in zip(rec["curve_steps"], rec["curve"]) if solved(v)), None)


def compare(path_a: str, path_b: str) -> None:
    """Print how far the records of two results files are apart, task by task."""
    with open(path_a) as fa, open(path_b) as fb:
        a, b = json.load(fa), json.load(fb)
    print(f"A = {path_a} ({a.get('cpu_capability', '?')} kernels)\n"
          f"B = {path_b} ({b.get('cpu_capability', '?')} kernels)")
    for task in sorted(set(a["tasks"]) & set(b["tasks"])):
        ra = {(r["config"], r["seed"]): r for r in a["tasks"][task]["records"]}
        rb = {(r["config"], r["seed"]): r for r in b["tasks"][task]["records"]}
        keys = sorted(set(ra) & set(rb))
        solved = SOLVED[task]
        same = sum(ra[k] == rb[k] for k in keys)
        moves = [abs(ra[k]["value"] - rb[k]["value"]) for k in keys]
        rel = [m / abs(ra[k]["value"]) for m, k in zip(moves, keys) if ra[k]["value"]]
        flips = [k for k in keys if solved(ra[k]["value"]) != solved(rb[k]["value"])]
        shifts = [abs(_solved_at(ra[k], solved) - _solved_at(rb[k], solved)) for k in keys
                  if _solved_at(ra[k], solved) is not None
                  and _solved_at(rb[k], solved) is not None]
        print(f"{task}: {same} of {len(keys)} records identical; final {ra[keys[0]]['metric']} "
              f"moved by at most {max(moves):.2g} ({max(rel, default=0):.1%} relative); "
              f"outcome changed: {flips or 'none'}; first solved step moved by at most "
              f"{max(shifts, default=0)} steps")


def _save(out: str, task: str, records: list, minutes: float, cpu_minutes: float) -> None:
    # read-modify-write, so two processes running one task each both land
    data = {}
    if os.path.exists(out):
        with open(out) as fh:
            data = json.load(fh)
    data["package_version"] = _version()
    data["torch_version"] = torch.__version__.split("+")[0]
    data["command"] = "python benchmarks/odyssey.py"
    data["threads"] = 1
    data["cpu_capability"] = torch.backends.cpu.get_cpu_capability()  # the kernels torch used
    data.setdefault("tasks", {})[task] = {
        "settings": {**odyssey.TASKS[task], "seeds": list(odyssey.TASKS[task]["seeds"])},
        "configs": {c: odyssey.CONFIGS[c][3] for c in odyssey.CONFIG_NAMES},
        "minutes": round(minutes, 1),          # wall time: depends on the machine's load
        "cpu_minutes": round(cpu_minutes, 1),  # processor time of this process
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

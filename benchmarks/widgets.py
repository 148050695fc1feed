"""Time one update of the walk-through's gate explorers, as a reader's slider move runs it.

An update is everything the kernel does after a slider moves: the observer
recomputes the step (``cell_step`` / ``run_schedule``), moves the figure's artists
(``update_explorer_figure`` / ``update_sequence_figure``) and renders the PNG that
goes into the ``ipywidgets.Image``. It is timed end to end by assigning a new value
to the slider, which runs the observers synchronously. The target is 50 ms.

Modes:
- single step: ``explorer_widget``, moving the f_t, i_t, C~_t, o_t and C_{t-1} sliders in turn;
- sequence: ``sequence_widget``, moving one step's gates and C_0 (and the edited step).

For comparison it also times the same update rendered with ``savefig`` (the whole
figure drawn again, as ``widgets._render.figure_png`` does) instead of the widgets'
layered renderer. Prints medians and 95th percentiles in milliseconds, the render
resolution and the machine's load average.

Run from the repository root:  python benchmarks/widgets.py [--repeats N]
"""
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lstm_course.widgets import explorer as E  # noqa: E402
from lstm_course.widgets._render import figure_png  # noqa: E402


def _moves(n, lo, hi, rng):
    """n slider values on the slider's 0.05 grid, each different from the last."""
    grid = np.round(np.arange(lo, hi + 1e-9, 0.05), 2)
    out, last = [], None
    while len(out) < n:
        v = float(rng.choice(grid))
        if v != last:
            out.append(v)
            last = v
    return out


def time_sliders(sliders, repeats, rng):
    """Move the given sliders in turn; return the time of each assignment (seconds)."""
    times = []
    items = list(sliders.items())
    plans = {name: _moves(repeats, s.min, s.max, rng) for name, s in items}
    for k in range(repeats):
        for name, s in items:
            t0 = time.perf_counter()
            s.value = plans[name][k]
            times.append(time.perf_counter() - t0)
    return np.array(times)


def time_savefig(fig, update, repeats):
    times = []
    for k in range(repeats):
        t0 = time.perf_counter()
        update(k)
        figure_png(fig, dpi=E.RENDER_DPI)
        times.append(time.perf_counter() - t0)
    return np.array(times)


def report(label, t):
    ms = 1e3 * t
    print(f"{label:<44} median {np.median(ms):6.1f} ms   p95 {np.percentile(ms, 95):6.1f} ms   "
          f"max {ms.max():6.1f} ms   n={ms.size}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="moves of each slider (default 20)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"render: PNG at {E.RENDER_DPI} dpi; load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores")

    w = E.explorer_widget()
    parts = w.lstm_course_parts
    time_sliders(parts["sliders"], 2, rng)  # warm-up
    report("single step (layered render)", time_sliders(parts["sliders"], args.repeats, rng))

    w = E.sequence_widget("overwrite")
    parts = w.lstm_course_parts
    sliders = {**parts["gates"], "c0": parts["c0"]}
    time_sliders(sliders, 2, rng)
    report("sequence (layered render)", time_sliders(sliders, args.repeats, rng))
    t = []
    for k in range(args.repeats):
        t0 = time.perf_counter()
        parts["step"].value = 1 + k % 10 if parts["step"].value != 1 + k % 10 else 1 + (k + 1) % 10
        t.append(time.perf_counter() - t0)
    report("sequence, choosing the step to edit", np.array(t))

    fig = E.explorer_figure()
    state = {k: np.array(v, float) for k, v in E.DEFAULT_STEP.items()}

    def upd_step(k):
        state["f"][0] = (k % 20) / 20
        E.update_explorer_figure(fig, state, 0)

    report("single step, savefig of the whole figure", time_savefig(fig, upd_step, args.repeats))
    sch = E.preset_schedule("overwrite")
    fig = E.sequence_figure(sch, step=5)

    def upd_seq(k):
        sch["f"][4] = (k % 20) / 20
        E.update_sequence_figure(fig, sch, step=5)

    report("sequence, savefig of the whole figure", time_savefig(fig, upd_seq, args.repeats))


if __name__ == "__main__":
    main()

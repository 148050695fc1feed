"""Time a widget update on the static site: input event to redrawn SVG, in headless Chromium.

Each widget is written into a page exactly as the book's extension writes it (its
``text/html`` mount point and ``course_build.widget_script``), opened from disk in Debian's
Chromium (Playwright, ``executable_path``), and each of its range inputs is moved in turn
to random positions. An update is timed from just before the ``input`` event is
dispatched to the end of the next animation frame after it (the browser has then laid out
and painted the redrawn SVG); the synchronous part (the module's maths and DOM update)
is printed too. Targets: median <= 16 ms, p95 <= 33 ms (one frame at 60 Hz, two at most).

Run from the repository root:  python benchmarks/widgets.py [--repeats N]
"""
import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from course_build import widget_script  # noqa: E402
from lstm_course import rnn  # noqa: E402
from lstm_course.widgets import explorer, gates, recurrence  # noqa: E402

TIMER = """async ([n]) => {
  const inputs = Array.from(document.querySelectorAll('.lstm-widget input[type=range]'));
  const sync = [], frame = [];
  for (let r = 0; r < n; r++) for (const el of inputs) {
    const lo = Number(el.min), hi = Number(el.max), step = Number(el.step) || 1;
    const k = Math.floor(Math.random() * Math.round((hi - lo) / step + 1));
    el.value = lo + k * step;
    const t0 = performance.now();
    el.dispatchEvent(new Event('input', {bubbles: true}));
    sync.push(performance.now() - t0);
    await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
    frame.push(performance.now() - t0);
  }
  return [sync, frame];
}"""


def widgets():
    p = rnn.init_params(3, 8, np.random.default_rng(0))
    x = np.random.default_rng(1).standard_normal((12, 3))
    return {
        "gate (ch4)": gates.gate_widget(0.0),
        "parameter counts (ch3)": gates.param_count_widget(),
        "gate explorer (ch5)": explorer.explorer_widget(),
        "gate schedule (ch5)": explorer.sequence_widget(),
        "state stepper (ch1)": recurrence.state_stepper(x, p),
        "gradient curve (ch2)": recurrence.gradient_widget(1.0, 0.5, H=32, T=60),
    }


def main():
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="moves of each slider (default 30)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    print(f"headless {chromium}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    folder = Path(tempfile.mkdtemp())
    worst = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for label, w in widgets().items():
            page_path = folder / f"{w._module}.html"
            page_path.write_text(f"<!doctype html><meta charset='utf-8'><main>{w.mount_html()}</main>"
                                 f"{widget_script([w._module])}", encoding="utf-8")
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(page_path.as_uri())
            page.wait_for_function("() => document.documentElement.dataset.lstmWidgets === 'mounted'")
            page.evaluate(TIMER, [3])                                   # warm-up
            sync, frame = (np.array(a) for a in page.evaluate(TIMER, [args.repeats]))
            print(f"{label:<26} to next frame: median {np.median(frame):5.1f} ms  p95 "
                  f"{np.percentile(frame, 95):5.1f} ms   (maths + DOM: median {np.median(sync):5.2f} ms,"
                  f" p95 {np.percentile(sync, 95):5.2f} ms)  n={frame.size}")
            worst.append((np.median(frame), np.percentile(frame, 95)))
            page.close()
        browser.close()
    shutil.rmtree(folder)
    med, p95 = max(m for m, _ in worst), max(p for _, p in worst)
    ok = med <= 16 and p95 <= 33
    print(f"worst widget: median {med:.1f} ms, p95 {p95:.1f} ms -> {'within' if ok else 'OVER'} "
          "the target (median <= 16 ms, p95 <= 33 ms)")


if __name__ == "__main__":
    main()

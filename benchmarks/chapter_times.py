"""How long each chapter takes a student, estimated the way the instructors' page says.

    python benchmarks/chapter_times.py            # every chapter and appendix, run and timed
    python benchmarks/chapter_times.py --no-run   # words and exercises only

For each notebook in the book's table of contents: the words of the Markdown a reader
sees (cells tagged ``remove-cell`` left out, exercise and solution text included, a
number or a role counting as one word), read at ``--wpm`` words a minute; ``--per-exercise``
minutes for each ``{exercise}``; ``--per-widget`` minutes for each widget the chapter
shows; and the time the notebook takes to run from top to bottom in a fresh kernel
(nbclient, as nbval runs it), in processor seconds of this process and the kernel
and in wall seconds. The machine's load average is printed with the table, because wall
times on a shared machine are several times an idle one's.

Prints one Markdown table, ready for ``book/instructors.md``.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import time
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def toc_notebooks() -> list[Path]:
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [BOOK / f"{f}.ipynb" for f in files if (BOOK / f"{f}.ipynb").is_file()]


def words_and_exercises(nb) -> tuple[int, int, int]:
    words, exercises, widgets = 0, 0, 0
    for cell in nb.cells:
        if "remove-cell" in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown":
            text = re.sub(r"\{\w+(:\w+)?\}`[^`]*`", " X ", cell.source)   # a role: one word
            text = re.sub(r"^(:::+|```+)\{?[\w-]*\}?.*$|^:\w+:.*$", " ", text, flags=re.M)
            words += len(re.findall(r"[^\W_]+(?:[-'.][^\W_]+)*", text))
            exercises += len(re.findall(r"^(?::::*|```+)\{exercise\}", cell.source, flags=re.M))
        else:
            widgets += sum(1 for o in cell.get("outputs", [])
                           if "application/vnd.jupyter.widget-view+json" in o.get("data", {}))
    return words, exercises, widgets


def run_seconds(path: Path) -> tuple[float, float]:
    """(processor seconds of this process and its children, wall seconds) for one run."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ["LSTM_COURSE_PROGRESS"] = "0"
    before = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
    return cpu, wall


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wpm", type=int, default=120, help="reading speed, words a minute")
    parser.add_argument("--per-exercise", type=float, default=8.0, help="minutes per exercise")
    parser.add_argument("--per-widget", type=float, default=2.0, help="minutes per widget shown")
    parser.add_argument("--no-run", action="store_true", help="do not run the notebooks")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| notebook | words | reading | exercises | widgets | run (cpu / wall) | total |")
    print("|---|---|---|---|---|---|---|")
    for path in toc_notebooks():
        nb = nbformat.read(path, as_version=4)
        words, exercises, widgets = words_and_exercises(nb)
        reading = words / args.wpm
        doing = exercises * args.per_exercise + widgets * args.per_widget
        cpu = wall = 0.0
        if not args.no_run:
            cpu, wall = run_seconds(path)
        total = reading + doing + wall / 60
        run = "-" if args.no_run else f"{cpu:.0f} s / {wall:.0f} s"
        print(f"| {path.relative_to(BOOK).with_suffix('')} | {words:,} | {reading:.0f} min | "
              f"{exercises} x {args.per_exercise:g} min | {widgets} | {run} | about {total:.0f} min |", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

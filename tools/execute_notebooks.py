"""Execute chapter notebooks in place, the way nbval and the book build will run them.

    python tools/execute_notebooks.py book/01_recurrent_networks.ipynb [more.ipynb ...]
    python tools/execute_notebooks.py --all

Each notebook runs top to bottom in a fresh kernel started in its own folder, with
``LSTM_COURSE_PROGRESS=0`` (no progress bars in stored outputs). No timing metadata
is recorded and the ipywidgets state is not stored (its model ids are random, and on
the static site it would make the page load the widget manager from a CDN; a widget
needs a kernel to respond anyway, and each chapter draws the same figure once with
fixed values), so a re-run that changes nothing leaves the file unchanged in git.
Prints the wall time of each notebook.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def all_notebooks() -> list[Path]:
    return sorted(p for p in (ROOT / "book").rglob("*.ipynb")
                  if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts)


def execute(path: Path, timeout: int = 300) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    os.environ["LSTM_COURSE_PROGRESS"] = "0"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebook under book/")
    args = parser.parse_args(argv)
    paths = all_notebooks() if args.all else args.notebooks
    if not paths:
        parser.error("name notebooks to execute, or pass --all")
    for path in paths:
        if not path.is_file():
            parser.error(f"no such notebook: {path}")
        print(f"{execute(path.resolve()):6.1f} s  {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

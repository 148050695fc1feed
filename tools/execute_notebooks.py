"""Execute chapter notebooks in place, the way nbval and the book build will run them.

    python tools/execute_notebooks.py book/01_recurrent_networks.ipynb [more.ipynb ...]
    python tools/execute_notebooks.py --all

Each notebook runs top to bottom in a fresh kernel started in its own folder, with
``LSTM_COURSE_PROGRESS=0`` (no progress bars in stored outputs). No timing metadata
is recorded and the ipywidgets state is not stored (its model ids are random, and on
the static site it would make the page load the widget manager from a CDN; a widget
needs a kernel to respond anyway, and each chapter draws the same figure once with
fixed values), so a re-run that changes nothing leaves the file unchanged in git.

After the last cell, every ``{eval}`expression``` of the Markdown cells is evaluated in the
same kernel and its result stored in that cell's ``user_expressions`` metadata, in the
format ``jupyterlab-myst`` writes. JupyterLab then shows the prose's numbers and citations
as soon as a chapter opens, before the student runs it; running a Markdown cell evaluates
them again in the student's kernel. An expression that fails stops the run.

Prints the wall time of each notebook.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def all_notebooks() -> list[Path]:
    return sorted(p for p in (ROOT / "book").rglob("*.ipynb")
                  if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts)


EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")


def evaluate_prose(client: NotebookClient, nb) -> None:
    """Store each Markdown cell's ``{eval}`` results as ``jupyterlab-myst`` does."""
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        expressions = list(dict.fromkeys(EVAL_ROLE.findall(cell.source)))
        if not expressions:
            cell.metadata.pop("user_expressions", None)
            continue
        msg_id = client.kc.execute("", silent=True, store_history=False,
                                   user_expressions={str(i): e for i, e in enumerate(expressions)})
        reply = client.wait_for_reply(msg_id)
        results = reply["content"]["user_expressions"]
        stored = []
        for i, expression in enumerate(expressions):
            result = results[str(i)]
            if result["status"] != "ok":
                raise RuntimeError(f"Markdown cell {k}: {{eval}}`{expression}` failed: "
                                   f"{result.get('ename')}: {result.get('evalue')}")
            stored.append({"expression": expression,
                           "result": {"data": result["data"], "metadata": result.get("metadata", {}),
                                      "status": "ok"}})
        cell.metadata["user_expressions"] = stored


def execute(path: Path, timeout: int = 300) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    os.environ["LSTM_COURSE_PROGRESS"] = "0"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        info = client.wait_for_reply(client.kc.kernel_info())
        nb.metadata["language_info"] = info["content"]["language_info"]
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        evaluate_prose(client, nb)
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

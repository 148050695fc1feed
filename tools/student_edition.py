"""Write the student edition of the chapters: copies with every solution removed.

    python tools/student_edition.py --out handout/
    python tools/student_edition.py --out handout/ book/04_core_idea.ipynb

Each notebook under ``book/`` (or each one named) is copied to the same relative path
under ``--out``, with:

- every cell from a ``{solution-start}`` marker to its ``{solution-end}`` marker removed
  (the solution's code and its explanation), markers included;
- every ``{solution}`` directive removed from the Markdown cells (written answers);
- every output and execution count cleared: the student runs the chapter.

The exercises, their stubs and the self-checks stay. ``references.bib`` and the
``data/`` folder are copied beside the chapters, so the copies run and show their
citations in JupyterLab. ``tests/test_student_edition.py`` checks that the copies hold
no solution and run from top to bottom. An exercise stub only defines a function that
raises ``NotImplementedError`` when called, so running a copy raises nothing until the
student calls their function.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
SUPPORT = ("references.bib", "data")

# a {solution} directive: an opening fence of colons or backticks, up to the same fence
_SOLUTION_BLOCK = re.compile(
    r"^(?P<fence>:{3,}|`{3,})\{solution\}[^\n]*\n.*?^(?P=fence)[ \t]*(?:\n|\Z)",
    re.MULTILINE | re.DOTALL)


def all_notebooks() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.ipynb")
                  if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts)


_MARKER = re.compile(r"^(?P<fence>:{3,}|`{3,})\{solution-(?P<kind>start|end)\}[^\n]*\n(?:.*?\n)??(?P=fence)[ \t]*(?:\n|\Z)",
                     re.MULTILINE | re.DOTALL)


def in_solution(cells) -> list[bool]:
    """For each cell (nbformat or JSON dict), whether it starts inside a solution region.

    A Markdown cell may close one region and open the next; its last marker sets the state
    for the cells after it."""
    inside, flags = False, []
    for cell in cells:
        flags.append(inside)
        if cell["cell_type"] == "markdown":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            markers = re.findall(r"\{solution-(start|end)\}", source)
            if markers:
                inside = markers[-1] == "start"
    return flags


def _outside_regions(text: str, inside: bool) -> tuple[str, bool, int]:
    """The parts of a Markdown cell outside solution regions, the state after it, starts seen."""
    kept, pos, starts = [], 0, 0
    for m in _MARKER.finditer(text):
        if m.group("kind") == "start":
            if inside:
                raise ValueError("a {solution-start} inside another solution region")
            kept.append(text[pos:m.start()])
            inside, starts = True, starts + 1
        else:
            if not inside:
                raise ValueError("a {solution-end} without its {solution-start}")
            inside = False
        pos = m.end()
    if not inside:
        kept.append(text[pos:])
    return "".join(kept), inside, starts


def strip_solutions(nb) -> tuple[object, int]:
    """``(nb, removed)``: the notebook without solutions, and how many solutions it held."""
    kept, inside, removed = [], False, 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            if not inside:
                kept.append(cell)
            continue
        text, inside, starts = _outside_regions(cell.source, inside)
        text, n = _SOLUTION_BLOCK.subn("", text)
        removed += starts + n
        if "{solution" in text:
            raise ValueError(f"a solution directive this tool cannot remove: {text[:160]!r}")
        if text.strip():
            cell.source = text.strip("\n")
            kept.append(cell)
    if inside:
        raise ValueError("a {solution-start} without its {solution-end}")
    for cell in kept:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells = kept
    return nb, removed


def write_edition(out: Path, notebooks: list[Path]) -> list[tuple[Path, int]]:
    """Write the student copies under ``out``; returns ``(copy, solutions removed)``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        path = path.resolve()
        rel = path.relative_to(BOOK)
        nb, removed = strip_solutions(nbformat.read(path, as_version=4))
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written.append((target, removed))
    for name in SUPPORT:
        src = BOOK / name
        if src.is_dir():
            shutil.copytree(src, out / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        elif src.is_file():
            shutil.copy2(src, out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="chapters to copy (default: all under book/)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the copies into")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or all_notebooks()
    for path in notebooks:
        if not path.is_file():
            parser.error(f"no such notebook: {path}")
        if BOOK not in path.resolve().parents:
            parser.error(f"{path} is not under {BOOK}")
    if args.out.resolve() == BOOK or BOOK in args.out.resolve().parents:
        parser.error("--out must be outside book/ (the copies would become chapters)")
    for target, removed in write_edition(args.out, notebooks):
        print(f"{removed:3d} solutions removed  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The student edition (``tools/student_edition.py``): no solution left, and every copy runs.

A copy must hold no solution code (no cell of a solution region, no name that only a
solution defines, no ``{solution}`` directive) and still run from top to bottom in a
fresh kernel: a cell after an exercise must not need the solution's definitions.
"""
from __future__ import annotations

import ast
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import student_edition  # noqa: E402

NOTEBOOKS = student_edition.all_notebooks()


def _defined(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _solution_sources(nb) -> tuple[list[str], set[str]]:
    """The code of every solution cell, and the functions only solutions define."""
    code, in_solutions, elsewhere = [], set(), set()
    for cell, inside in zip(nb.cells, student_edition.in_solution(nb.cells)):
        if cell.cell_type == "markdown":
            continue
        if inside:
            code.append(cell.source)
            in_solutions |= _defined(cell.source)
        else:
            elsewhere |= _defined(cell.source)
    return code, in_solutions - elsewhere


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout")
    written = dict(student_edition.write_edition(out, NOTEBOOKS))
    return out, written


def test_the_edition_has_every_chapter_and_its_bibliography(edition):
    out, written = edition
    assert len(written) == len(NOTEBOOKS)
    assert (out / "references.bib").is_file()
    assert sum(written.values()) > 0


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "book")))
def test_a_copy_holds_no_solution(edition, nb_path):
    out, _ = edition
    original = nbformat.read(nb_path, as_version=4)
    copy = nbformat.read(out / nb_path.relative_to(ROOT / "book"), as_version=4)
    solution_code, solution_names = _solution_sources(original)
    sources = [c.source for c in copy.cells]
    assert not [s for s in solution_code if s.strip() and s in sources], "solution code left in the copy"
    text = "\n".join(sources)
    assert "{solution" not in text
    assert not [n for n in solution_names if re.search(rf"\b{n}\b", text)], solution_names
    assert all(not c.get("outputs") for c in copy.cells if c.cell_type == "code")


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "book")))
def test_a_copy_runs_top_to_bottom(edition, nb_path):
    out, _ = edition
    copy = out / nb_path.relative_to(ROOT / "book")
    nb = nbformat.read(copy, as_version=4)
    os.environ["LSTM_COURSE_PROGRESS"] = "0"
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(copy.parent)}}).execute()



def test_strip_solutions_refuses_unbalanced_markers():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(":::{solution-start} ex\n:::")])
    with pytest.raises(ValueError, match="without its"):
        student_edition.strip_solutions(nb)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(":::{solution-end}\n:::")])
    with pytest.raises(ValueError, match="without its"):
        student_edition.strip_solutions(nb)


def test_strip_solutions_keeps_the_text_around_the_markers():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Before.\n\n:::{solution-start} ex\n:class: dropdown\n:::\n\nAnswer text."),
        nbformat.v4.new_code_cell("def gate_solution():\n    return 1"),
        nbformat.v4.new_markdown_cell(":::{solution-end}\n:::\n\nAfter.\n\n:::{solution} ex2\n:class: dropdown\nWritten.\n:::\n"),
        nbformat.v4.new_code_cell("x = 1", outputs=[nbformat.v4.new_output("stream", text="1")]),
    ])
    out, removed = student_edition.strip_solutions(nb)
    assert removed == 2
    assert [c.source for c in out.cells] == ["Before.", "After.", "x = 1"]
    assert out.cells[-1].outputs == []

"""The coursework works with the real nbgrader.

In a temporary copy of ``coursework/`` (its own gradebook), for every assignment:
``nbgrader generate_assignment`` writes a student version without solutions or hidden
tests; three submissions are autograded with ``nbgrader autograde``: the instructor's
solutions typed into the student version (full marks on every autograded cell), the
untouched student version (zero everywhere) and a plausible wrong answer (it loses
exactly the tests it should). The grades are read back with ``nbgrader.api.Gradebook``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "coursework"
ASSIGNMENTS = ["recurrence", "lstm_cell", "bptt", "variants"]

# A plausible wrong answer per assignment: (grade_id of the solution cell, the text
# replaced, its replacement, the autograded cells that must lose all their points).
WRONG = {
    "recurrence": ("rnn_step",
                   "np.concatenate([h_prev, x_t], axis=1)",
                   "np.concatenate([x_t, h_prev], axis=1)",
                   {"test_rnn_step"}),
    "lstm_cell": ("lstm_step",  # the forget and input gates swapped
                  "i_t = input_gate(x_t, h_prev, *block(0))\n"
                  "    f_t = forget_gate(x_t, h_prev, *block(1))",
                  "i_t = input_gate(x_t, h_prev, *block(1))\n"
                  "    f_t = forget_gate(x_t, h_prev, *block(0))",
                  {"test_lstm_step", "test_lstm_step_torch"}),
    "bptt": ("cell_grad",  # the tanh slope forgotten; later parts use cell_grad
             "dh_t * o_t * (1 - tanh_c_t ** 2)",
             "dh_t * o_t",
             {"test_cell_grad", "test_lstm_step_backward", "test_gradient_check"}),
    "variants": ("peephole_step",  # the output gate peeks at the old cell state
                 "p.W_co * c_t)",
                 "p.W_co * c_prev)",
                 {"test_peephole_step"}),
}
# The words the failing tests must use to say what is wrong.
WRONG_WORDS = {
    "recurrence": {"test_rnn_step": "[x_t, h_{t-1}]"},
    "lstm_cell": {"test_lstm_step": "swapped", "test_lstm_step_torch": "f scales c_prev"},
    "bptt": {"test_cell_grad": "slope of the tanh",
             "test_lstm_step_backward": "cell_grad fails its own check",
             "test_gradient_check": "disagrees with finite differences"},
    "variants": {"test_peephole_step": "output gate peeks at C_{t-1}"},
}


def _nbgrader(args, cwd):
    env = dict(os.environ)
    # nbgrader runs the `alembic` script of the same environment: put it on PATH.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["LSTM_COURSE_PROGRESS"] = "0"
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    assert "[ERROR]" not in proc.stderr, proc.stderr
    return proc


def _nbmeta(cell):
    return cell.metadata.get("nbgrader", {})


def _cells_by_id(nb):
    return {_nbmeta(c)["grade_id"]: c for c in nb.cells if _nbmeta(c).get("grade_id")}


def _submission(release, source, wrong=None):
    """The release notebook with the source's solutions typed in (optionally one wrong)."""
    nb = nbformat.read(release, as_version=4)
    solutions = _cells_by_id(nbformat.read(source, as_version=4))
    for cell in nb.cells:
        meta = _nbmeta(cell)
        if meta.get("solution"):
            text = solutions[meta["grade_id"]].source
            if wrong and meta["grade_id"] == wrong[0]:
                assert wrong[1] in text, f"{wrong[1]!r} not in solution {meta['grade_id']}"
                text = text.replace(wrong[1], wrong[2])
            cell.source = text
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copy(COURSE / "nbgrader_config.py", root)
    shutil.copytree(COURSE / "source", root / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for a in ASSIGNMENTS:
        _nbgrader(["generate_assignment", a, "--force"], root)
    for a in ASSIGNMENTS:
        release = root / "release" / a / f"{a}.ipynb"
        source = root / "source" / a / f"{a}.ipynb"
        subs = {"blank": nbformat.read(release, as_version=4),
                "solution": _submission(release, source),
                "wrong": _submission(release, source, WRONG[a])}
        for student, nb in subs.items():
            folder = root / "submitted" / student / a
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{a}.ipynb")
        _nbgrader(["autograde", a, "--force"], root)

    from nbgrader.api import Gradebook
    grades = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for a in ASSIGNMENTS:
            for student in ("blank", "solution", "wrong"):
                sub = gb.find_submission_notebook(a, a, student)
                grades[a, student] = {g.name: (g.auto_score, g.max_score, g.cell_type)
                                      for g in sub.grades}
    return root, grades


def _autograded(grades):
    return {k: v for k, v in grades.items() if v[2] == "code"}


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_source_mixes_autograded_hidden_and_written(a):
    nb = nbformat.read(COURSE / "source" / a / f"{a}.ipynb", as_version=4)
    tests = [c for c in nb.cells if _nbmeta(c).get("grade") and not _nbmeta(c).get("solution")]
    written = [c for c in nb.cells if c.cell_type == "markdown" and _nbmeta(c).get("grade")]
    assert len(tests) >= 3 and all(_nbmeta(c)["points"] > 0 for c in tests)
    assert any("### BEGIN HIDDEN TESTS" in c.source for c in tests)
    assert written and all(_nbmeta(c)["solution"] and _nbmeta(c)["points"] > 0 for c in written)
    assert all(_nbmeta(c)["locked"] for c in tests)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    # the introduction states the points correctly
    auto = sum(_nbmeta(c)["points"] for c in tests)
    manual = sum(_nbmeta(c)["points"] for c in written)
    words = "a written answer" if len(written) == 1 else "written answers"
    assert (f"Points: {auto + manual} in total, {auto} graded automatically and {manual} "
            f"for {words}.") in " ".join(nb.cells[0].source.split())


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_student_version_has_no_solution_and_no_hidden_test(course, a):
    root, _ = course
    text = (root / "release" / a / f"{a}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                   "Model answer"):
        assert marker not in text, f"{a}: the student version contains {marker!r}"
    release = nbformat.read(root / "release" / a / f"{a}.ipynb", as_version=4)
    source = _cells_by_id(nbformat.read(root / "source" / a / f"{a}.ipynb", as_version=4))
    for cell in release.cells:
        meta = _nbmeta(cell)
        if meta.get("solution"):
            stub = "raise NotImplementedError()" if cell.cell_type == "code" else "YOUR ANSWER HERE"
            assert stub in cell.source, f"{a}/{meta['grade_id']}: no stub"
        src = source.get(meta.get("grade_id"))
        if src is not None and "### BEGIN HIDDEN TESTS" in src.source:
            hidden = src.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            for line in hidden.strip().splitlines():
                if len(line.strip()) > 25:
                    assert line not in cell.source, f"{a}: hidden test line visible: {line}"
        assert not cell.get("outputs"), f"{a}: the student version has stored outputs"


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_solution_gets_full_marks(course, a):
    _, grades = course
    auto = _autograded(grades[a, "solution"])
    assert auto
    for name, (score, max_score, _) in auto.items():
        assert score == max_score, f"{a}/{name}: {score} of {max_score} for the solution"
    written = {k: v for k, v in grades[a, "solution"].items() if v[2] == "markdown"}
    assert written and all(v[0] is None for v in written.values())  # left to the grader


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_untouched_student_version_gets_zero(course, a):
    _, grades = course
    for name, (score, max_score, _) in grades[a, "blank"].items():
        assert score == 0, f"{a}/{name}: {score} of {max_score} for an empty submission"


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_wrong_answer_loses_the_right_points(course, a):
    root, grades = course
    lost = WRONG[a][3]
    for name, (score, max_score, _) in _autograded(grades[a, "wrong"]).items():
        want = 0 if name in lost else max_score
        assert score == want, f"{a}/{name}: {score} of {max_score}, expected {want}"
    # and the failing tests say in words what is wrong
    nb = nbformat.read(root / "autograded" / "wrong" / a / f"{a}.ipynb", as_version=4)
    cells = _cells_by_id(nb)
    for name, words in WRONG_WORDS[a].items():
        errors = [o for o in cells[name].outputs if o.output_type == "error"]
        assert errors, f"{a}/{name}: no error output"
        assert words in errors[0].evalue, f"{a}/{name}: {errors[0].evalue!r} lacks {words!r}"


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_every_failure_of_the_empty_version_says_what_to_do(course, a):
    root, _ = course
    nb = nbformat.read(root / "autograded" / "blank" / a / f"{a}.ipynb", as_version=4)
    for cell in nb.cells:
        meta = _nbmeta(cell)
        if meta.get("grade") and not meta.get("solution"):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert errors, f"{a}/{meta['grade_id']}: the empty version passed a test"
            e = errors[0]
            assert e.ename in {"CheckFailed", "NotImplementedError", "NameError"}, (e.ename, e.evalue)
            if e.ename == "CheckFailed":
                assert "not implemented yet" in e.evalue


def test_config_and_kernel(course):
    root, _ = course
    text = (COURSE / "nbgrader_config.py").read_text()
    assert 'c.CourseDirectory.course_id = "lstm-course"' in text
    assert "os.path.dirname(os.path.abspath(__file__))" in text  # root = this folder
    assert (root / "gradebook.db").exists()  # the temporary copy had its own gradebook
    # autograde starts kernel "python3"; it must run the Python that runs nbgrader
    from jupyter_client import KernelManager
    cmd = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert Path(cmd[0]).resolve() == Path(sys.executable).resolve(), cmd

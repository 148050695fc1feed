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
# Each wrong part is charged once: tests of functions built from it use correct parts.
WRONG = {
    "recurrence": ("run_rnn",
                   "np.concatenate([h, x[:, t]], axis=1)",
                   "np.concatenate([x[:, t], h], axis=1)",
                   {"test_run_rnn"}),
    "lstm_cell": ("update",  # the coupled update, where the LSTM has its own input gate
                  "f_t * c_prev + i_t * c_tilde",
                  "f_t * c_prev + (1 - f_t) * c_tilde",
                  {"test_cell_update"}),
    "bptt": ("sequence_backward",  # h's gradient from step t+1 dropped
             "dh = dhs[:, t] + dh_next",
             "dh = dhs[:, t]",
             {"test_sequence_backward", "test_sequence_backward_torch"}),
    "variants": ("full_peephole_step",  # the output gate peeks at the old cell state
                 "c_t @ p.W_co.T)",
                 "c_prev @ p.W_co.T)",
                 {"test_full_peephole_step"}),
}
# The words the failing tests must use to say what is wrong.
WRONG_WORDS = {
    "recurrence": {"test_run_rnn": "wrong order"},
    "lstm_cell": {"test_cell_update": "coupled the gates"},
    "bptt": {"test_sequence_backward": "hidden state is not carried"},
    "variants": {"test_full_peephole_step": "output gate peeks at C_{t-1}"},
}

# Submissions that try to score without solving anything, one of each kind in issue 15.
# "package": answers delegated to lstm_course's library (the self-checks hold no reference
# code since they compare with stored values: tests/test_checks_coursework.py).
PACKAGE = {
    "recurrence": {
        "run_rnn": ("from lstm_course import rnn as R\n"
                    "def run_rnn(x, W, b, h0):\n"
                    "    H = W.shape[0]\n"
                    "    p = R.RNNParams(W[:, H:], W[:, :H], b, 0 * b)\n"
                    "    return R.rnn_forward(x, p, state=h0)[0]"),
        "influence": ("from lstm_course import rnn as R\n"
                      "def influence(x, W, b, h0, delta):\n"
                      "    H = W.shape[0]\n"
                      "    p = R.RNNParams(W[:, H:], W[:, :H], b, 0 * b)\n"
                      "    x2 = x.copy()\n"
                      "    x2[:, 0] += delta\n"
                      "    d = R.rnn_forward(x2, p, state=h0)[0] - R.rnn_forward(x, p, state=h0)[0]\n"
                      "    return np.linalg.norm(d, axis=-1).mean(axis=0) / delta"),
    },
    "lstm_cell": {
        "gates": ("from lstm_course import lstm as L\n"
                  "def _via_lstm(k):\n"
                  "    def gate(x_t, h_prev, W, b):\n"
                  "        H = W.shape[0]\n"
                  "        Z, bb = np.zeros((4 * H, W.shape[1])), np.zeros(4 * H)\n"
                  "        Z[k * H:(k + 1) * H], bb[k * H:(k + 1) * H] = W, b\n"
                  "        p = L.LSTMParams(Z[:, H:], Z[:, :H], bb, 0 * bb)\n"
                  "        _, _, g = L.lstm_step(x_t, (h_prev, 0 * h_prev), p, return_gates=True)\n"
                  "        return g['ifgo'[k]]\n"
                  "    return gate\n"
                  "forget_gate, input_gate = _via_lstm(1), _via_lstm(0)\n"
                  "candidate, output_gate = _via_lstm(2), _via_lstm(3)"),
        "cs231n_step": ("from lstm_course import lstm as L\n"
                        "def cs231n_step(x_t, h_prev, c_prev, Wx, Wh, b):\n"
                        "    H = h_prev.shape[1]\n"
                        "    k = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]\n"
                        "    p = L.LSTMParams(Wx.T[k], Wh.T[k], b[k], 0 * b[k])\n"
                        "    return L.lstm_step(x_t, (h_prev, c_prev), p)"),
        # no library function converts layouts: the converters go through torch_bridge
        "convert": ("from lstm_course import lstm as L, torch_bridge as T\n"
                    "def _via_torch(W_ih, W_hh, b_ih, b_hh):\n"
                    "    return T.from_torch(T.to_torch(L.LSTMParams(W_ih, W_hh, b_ih, b_hh)))\n"
                    "def from_torch(W_ih, W_hh, b_ih, b_hh):\n"
                    "    H = W_hh.shape[1]\n"
                    "    k = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]\n"
                    "    p = _via_torch(W_ih, W_hh, b_ih, b_hh)\n"
                    "    return p.W_ih[k].T, p.W_hh[k].T, (p.b_ih + p.b_hh)[k]\n"
                    "def to_torch(Wx, Wh, b):\n"
                    "    H = Wh.shape[0]\n"
                    "    k = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]\n"
                    "    p = _via_torch(Wx[:, k].T, Wh[:, k].T, b[k], 0 * b)\n"
                    "    return p.W_ih, p.W_hh, p.b_ih, p.b_hh"),
    },
    "bptt": {
        "numgrad": "from lstm_course.gradcheck import numerical_gradient",
        "sequence_backward": (
            "def sequence_backward(dhs, x, p, h0, c0):\n"
            "    _, _, cache = lstm.lstm_forward(x, p, state=(h0, c0), return_cache=True)\n"
            "    dx, dp, (dh0, dc0) = lstm.lstm_backward(dhs, cache)\n"
            "    return dx, dp.W_ih, dp.W_hh, dp.b_ih, dh0, dc0"),
        "gradient_check": (
            "from lstm_course import gradcheck\n"
            "def gradient_check(seed):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    p = lstm.init_params(3, 4, rng)\n"
            "    x = rng.normal(size=(2, 5, 3))\n"
            "    h0, c0 = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))\n"
            "    R = rng.normal(size=(2, 5, 4))\n"
            "    loss = lambda: float(np.sum(R * lstm.lstm_forward(x, p, state=(h0, c0))[0]))\n"
            "    _, _, cache = lstm.lstm_forward(x, p, state=(h0, c0), return_cache=True)\n"
            "    dx, dp, (dh0, dc0) = lstm.lstm_backward(R, cache)\n"
            "    pairs = {'x': (dx, x), 'W_ih': (dp.W_ih, p.W_ih), 'W_hh': (dp.W_hh, p.W_hh),\n"
            "             'b_ih': (dp.b_ih, p.b_ih), 'h0': (dh0, h0), 'c0': (dc0, c0)}\n"
            "    return {k: relative_error(g, gradcheck.numerical_gradient(loss, a, 1e-5))\n"
            "            for k, (g, a) in pairs.items()}"),
    },
    "variants": {
        "coupled_step": ("def coupled_step(x_t, h_prev, c_prev, p):\n"
                         "    return variants.coupled_step(x_t, (h_prev, c_prev), p)"),
        "full_peephole_step": ("def full_peephole_step(x_t, h_prev, c_prev, p):\n"
                               "    return variants.peephole_step(x_t, (h_prev, c_prev), p)"),
    },
}
# "patch": every check function replaced from the answer cell, answers left trivial.
PATCH = (
    "import types\n"
    "import lstm_course.checks as _c1\n"
    "import lstm_course.checks.coursework as _c2\n"
    "for _m in (_c1, _c2):\n"
    "    for _n in dir(_m):\n"
    "        if isinstance(getattr(_m, _n), types.FunctionType):\n"
    "            setattr(_m, _n, lambda *a, **k: print('all checks passed.'))\n")
# "book": the book's own exercise solutions pasted under the names they had in the
# assignments before issue 15 and under the current names where the signatures agree.
BOOK_SOLUTIONS = {  # notebook -> {book name: names to paste it as}
    "book/01_recurrent_networks.ipynb": {"rnn_step_input_first_solution": ["rnn_step"],
                                         "unroll_solution": ["unroll"]},
    # chapter 7's peephole step is in the article's layout (one W on [h, x], gates i, f, o,
    # g); its coupled cell is now an explain exercise, with no code to paste
    "book/06_variants.ipynb": {"peephole_step_solution": ["peephole_step", "full_peephole_step"]},
    # the appendix's step backward is now in cs231n's layout, which no assignment uses
    "book/appendix/bptt.ipynb": {"cell_grad_solution": ["cell_grad"],
                                 "clip_solution": ["clip_by_global_norm"]},
}
CHEATS = ("package", "patch", "book")


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


def _book_paste():
    """The solution cells of the book's exercises, renamed as listed in BOOK_SOLUTIONS."""
    import re
    parts = ["import numpy as np",
             "from lstm_course import lstm, rnn",
             "from lstm_course.activations import sigmoid, tanh"]
    for path, names in BOOK_SOLUTIONS.items():
        for cell in nbformat.read(ROOT / path, as_version=4).cells:
            for book_name, new_names in names.items():
                if (cell.cell_type == "code" and f"def {book_name}(" in cell.source
                        and "NotImplementedError" not in cell.source):
                    code = "\n".join(line for line in cell.source.splitlines()
                                      if not line.startswith("check."))
                    for new in new_names:
                        parts.append(re.sub(rf"\b{book_name}\b", new, code))
    assert len(parts) == 3 + sum(len(v2) for v in BOOK_SOLUTIONS.values() for v2 in v.values())
    return "\n\n".join(parts)


def _cheat(release, kind, a):
    """The release notebook with every answer cell replaced by one kind of cheat."""
    import re
    nb = nbformat.read(release, as_version=4)
    book = _book_paste()
    for cell in nb.cells:
        meta = _nbmeta(cell)
        if not meta.get("solution") or cell.cell_type != "code":
            continue
        if kind == "package" and meta["grade_id"] in PACKAGE[a]:
            cell.source = PACKAGE[a][meta["grade_id"]]
        elif kind == "patch":
            names = re.findall(r"^def (\w+)\(", cell.source, flags=re.M)
            cell.source = PATCH + "".join(
                f"\ndef {n}(*args, **kwargs):\n    return np.zeros((1, 1))\n" for n in names)
        elif kind == "book":
            cell.source = book
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
        subs.update({kind: _cheat(release, kind, a) for kind in CHEATS})
        for student, nb in subs.items():
            folder = root / "submitted" / student / a
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{a}.ipynb")
        _nbgrader(["autograde", a, "--force"], root)

    from nbgrader.api import Gradebook
    grades = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for a in ASSIGNMENTS:
            for student in ("blank", "solution", "wrong", *CHEATS):
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


@pytest.mark.parametrize("kind", CHEATS)
@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_cheats_score_at_most_a_tenth(course, a, kind):
    """Answers imported from or delegated to the package, check functions replaced from an
    answer cell, and the book's exercise solutions pasted in all score at most 10%."""
    _, grades = course
    auto = _autograded(grades[a, kind])
    score = sum(v[0] or 0 for v in auto.values())
    total = sum(v[1] for v in auto.values())
    assert score <= 0.1 * total, f"{a}/{kind}: {score} of {total}: {auto}"


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_every_graded_cell_has_a_hidden_part_that_guards_the_answer(a):
    nb = nbformat.read(COURSE / "source" / a / f"{a}.ipynb", as_version=4)
    for cell in nb.cells:
        meta = _nbmeta(cell)
        if meta.get("grade") and not meta.get("solution"):
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[-1]
            assert "### BEGIN HIDDEN TESTS" in cell.source, f"{a}/{meta['grade_id']}: no hidden part"
            if meta["grade_id"] != "test_design":  # DESIGN is a dict, not code to guard
                assert "_guard.own_work(" in hidden, f"{a}/{meta['grade_id']}: no own_work guard"


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


def _doc_block(path, language, marker):
    """The one fenced ``language`` block of ``path`` that contains ``marker``."""
    import re
    blocks = re.findall(rf"```{language}\n(.*?)```", (ROOT / path).read_text(), flags=re.S)
    found = [b for b in blocks if marker in b]
    assert len(found) == 1, f"{path}: {len(found)} {language} blocks contain {marker!r}"
    return found[0]


def test_zip_collect_reads_a_moodle_download(course):
    """nbgrader zip_collect, configured in nbgrader_config.py, files the notebooks of a
    Moodle "Download all submissions" zip (both of Moodle's layouts) under the students'
    names, and skips a notebook saved under another name."""
    import zipfile
    root, _ = course
    a = "recurrence"
    release = (root / "release" / a / f"{a}.ipynb").read_bytes()
    solution = nbformat.writes(_submission(root / "release" / a / f"{a}.ipynb",
                                           root / "source" / a / f"{a}.ipynb"))
    archive = root / "downloaded" / a / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "LSTM-recurrence-812.zip", "w") as z:
        # "Download submissions in folders" (Moodle's default since 3.1)
        z.writestr(f"Ada Lovelace_1043_assignsubmission_file_/{a}.ipynb", solution)
        # the flat layout, with that option off
        z.writestr(f"Alan Turing_1044_assignsubmission_file_{a}.ipynb", release)
        # saved under another name: skipped with a warning
        z.writestr(f"Grace Hopper_1045_assignsubmission_file_/{a} (1).ipynb", release)
    proc = _nbgrader(["zip_collect", a, "--force"], root)
    assert "Skipped notebook with invalid name" in proc.stderr, proc.stderr
    got = root / "submitted" / "Ada Lovelace" / a / f"{a}.ipynb"
    assert got.read_text() == solution
    assert (root / "submitted" / "Alan Turing" / a / f"{a}.ipynb").read_bytes() == release
    assert not (root / "submitted" / "Grace Hopper").exists()
    # and the collected submission is graded under that student id
    _nbgrader(["autograde", a, "--student", "Ada Lovelace"], root)
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(a, a, "Ada Lovelace")
        assert sub.code_score == sub.max_code_score > 0


def test_manual_grade_with_the_documented_snippet_leaves_the_submission_graded(course):
    """The Gradebook snippet of the instructors' page, run as written (with this
    test's student), clears needs_manual_grade as Formgrader's grading form does."""
    root, _ = course
    from nbgrader.api import Gradebook
    db = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db) as gb:
        assert gb.find_submission_notebook("lstm_cell", "lstm_cell", "solution").needs_manual_grade
    snippet = _doc_block("book/instructors.md", "python", "Gradebook(")
    assert '"alice"' in snippet
    cwd = os.getcwd()
    os.chdir(root)  # the snippet opens gradebook.db in the course folder
    try:
        exec(snippet.replace('"alice"', '"solution"'), {})
    finally:
        os.chdir(cwd)
    with Gradebook(db) as gb:
        sub = gb.find_submission_notebook("lstm_cell", "lstm_cell", "solution")
        grade = gb.find_grade("written_cell", "lstm_cell", "lstm_cell", "solution")
        assert grade.manual_score == 2.5 and not grade.needs_manual_grade
        assert not sub.needs_manual_grade, "the submission still waits for a grader"
        assert sub.score == sub.max_code_score + 2.5


def test_feedback_shows_the_messages_but_not_the_hidden_tests(course):
    """With the course's nbgrader_config.py the HTML feedback keeps the score and each
    failing test's message, and drops the hidden tests' source and every traceback."""
    root, _ = course
    a = "bptt"
    autograded = (root / "autograded" / "wrong" / a / f"{a}.ipynb").read_text()
    for hidden in ("BEGIN HIDDEN TESTS", "own_work", "_spec.loader", "most recent call"):
        assert hidden in autograded  # what the feedback would show without the config
    _nbgrader(["generate_feedback", a, "--student", "wrong", "--force"], root)
    html = (root / "feedback" / "wrong" / a / f"{a}.html").read_text()
    assert WRONG_WORDS[a]["test_sequence_backward"] in html
    assert "Score:" in html
    for hidden in ("HIDDEN TESTS", "own_work", "_spec", "most recent call", "site-packages"):
        assert hidden not in html, f"the feedback shows {hidden!r}"


@pytest.mark.parametrize("doc", ["coursework/README.md", "book/instructors.md"])
def test_command_blocks_run_as_written_from_the_stated_folder(course, tmp_path, doc):
    """Every bash block of the instructors' documentation says the folder it runs from;
    the nbgrader blocks, run literally in that order by bash from a copy of the
    repository's layout with a Moodle download in place, grade a submission through to
    feedback and grades.csv."""
    import re
    import zipfile
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / doc).read_text(), flags=re.S)
    assert blocks
    for block in blocks:
        assert block.startswith("# from the repository's root folder"), block
    blocks = [b for b in blocks if "nbgrader " in b]
    assert any("zip_collect" in b for b in blocks) and any("export" in b for b in blocks)

    repo = tmp_path / "repo"
    (repo / ".venv" / "bin").mkdir(parents=True)  # stands for the course's environment
    (repo / ".venv" / "bin" / "activate").write_text(
        f'export PATH="{Path(sys.executable).parent}:$PATH"\n')
    (repo / "coursework").mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", repo / "coursework")
    shutil.copytree(COURSE / "source", repo / "coursework" / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    root, _ = course
    a = "lstm_cell"
    solution = nbformat.writes(_submission(root / "release" / a / f"{a}.ipynb",
                                           root / "source" / a / f"{a}.ipynb"))
    archive = repo / "coursework" / "downloaded" / a / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "LSTM-lstm_cell-812.zip", "w") as z:
        z.writestr(f"Ada Lovelace_77_assignsubmission_file_/{a}.ipynb", solution)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV",)}
    env["LSTM_COURSE_PROGRESS"] = "0"
    for block in blocks:
        proc = subprocess.run(["bash", "-e", "-c", block], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"{doc}:\n{block}\n{proc.stdout}\n{proc.stderr}"
        assert "[ERROR]" not in proc.stderr, proc.stderr
    course_dir = repo / "coursework"
    assert (course_dir / "feedback" / "Ada Lovelace" / a / f"{a}.html").exists()
    rows = (course_dir / "grades.csv").read_text().splitlines()
    assert any("Ada Lovelace" in r for r in rows), rows

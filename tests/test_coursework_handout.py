"""The student bundle of ``tools/coursework_handout.py`` works without the repository.

For every assignment the bundle holds the student version (as nbgrader makes it), a
wheel of ``lstm_course`` without the instructor material and a requirements file. One
fresh virtual environment (``python -m venv``, no system site-packages) installs a
bundle's requirements from the bundle's folder, with the machine's configured package
sources for the third-party packages only: ``lstm_course`` comes from the bundle's wheel
by file name. In that environment, outside the repository, each release notebook with
the instructor's solutions typed in runs every visible test without an error, and the
untouched release notebook fails only where an answer is missing.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import coursework_handout as handout  # noqa: E402

from test_coursework import ASSIGNMENTS, _nbmeta, _submission  # noqa: E402


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    base = tmp_path_factory.mktemp("handout")
    return {a: handout.build(a, base / a) for a in ASSIGNMENTS}


def _clean_env():
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["LSTM_COURSE_PROGRESS"] = "0"
    return env


@pytest.fixture(scope="module")
def venv(bundles, tmp_path_factory):
    """A fresh environment with the recurrence bundle's requirements installed."""
    env_dir = tmp_path_factory.mktemp("student") / "venv"
    env = _clean_env()
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, env=env)
    py = env_dir / "bin" / "python"
    proc = subprocess.run([str(py), "-m", "pip", "install", "-r", "requirements.txt"],
                          cwd=bundles["recurrence"], env=env, capture_output=True, text=True,
                          timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return env_dir


def test_bundle_contents(bundles):
    for a, out in bundles.items():
        names = sorted(p.name for p in out.iterdir())
        (wheel,) = [n for n in names if n.endswith(".whl")]
        assert names == sorted(["README.txt", "requirements.txt", f"{a}.ipynb", wheel]), names
        req = (out / "requirements.txt").read_text()
        assert f"./{wheel}\n" in req and "lstm-course" not in req and "-e " not in req
        nb = nbformat.read(out / f"{a}.ipynb", as_version=4)
        text = (out / f"{a}.ipynb").read_text()
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Model answer", "_guard"):
            assert marker not in text, f"{a}: the handout notebook contains {marker!r}"
        assert any(_nbmeta(c).get("solution") for c in nb.cells)


def test_wheel_has_the_package_without_instructor_material(bundles):
    wheel = next(bundles["recurrence"].glob("*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        texts = {n: z.read(n).decode() for n in names if n.endswith(".py")}
    # every module of the package is there (subpackages included), except INSTRUCTOR_ONLY
    wanted = {p.relative_to(ROOT).as_posix() for p in (ROOT / "lstm_course").rglob("*.py")
              if "__pycache__" not in p.parts}
    wanted -= set(handout.INSTRUCTOR_ONLY)
    assert wanted <= names, sorted(wanted - names)
    for rel in handout.INSTRUCTOR_ONLY:
        assert rel not in names
    assert not [n for n in names if n.endswith(".ipynb") or n.startswith(("coursework/", "tests/"))]
    assert not [n for n, text in texts.items() if "own_work" in text or "BEGIN HIDDEN" in text]
    # the same wheel in every bundle
    for out in bundles.values():
        assert next(out.glob("*.whl")).name == wheel.name


# What solved graded functions before the self-checks compared with stored values: the
# references and mistake models (each one flag away from the answer) now in
# coursework/check_data.py, and gradcheck.numerical_gradient, the bptt answer.
REFERENCE_CODE = {  # file -> what must not be in it ("*": any file of the wheel)
    "lstm_course/checks/coursework.py": [
        "def _run_article(", "def _influence_of(", "def _sequence_variant(", "def _full_peephole(",
        "def _wrong_step(", "def _layer(", "def _coupled_wrong(", "def _forward_diff("],
    "*": ["def numerical_gradient(f,", "def run_article(", "def influence_of(",
          "def sequence_variant(", "def full_peephole(", "def coupled_wrong("],
}


def _imported(path, text):
    """Every module ``path``'s code imports, relative imports resolved (``a.b`` and ``a.b.c``
    for ``from a.b import c``)."""
    import ast
    package = path[:-3].replace("/", ".").split(".")[:-1]  # the package the module is in
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            found.add(mod)
            found |= {f"{mod}.{a.name}" for a in node.names}
    return found


def test_wheel_holds_no_reference_solution_of_a_graded_function(bundles):
    wheel = next(bundles["recurrence"].glob("*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        texts = {n: z.read(n).decode() for n in names if n.endswith(".py")}
        data = z.read("lstm_course/checks/data/coursework.json").decode()  # the stored cases
    found = [(n, d) for n, text in texts.items()
             for d in REFERENCE_CODE["*"] + REFERENCE_CODE.get(n, []) if d in text]
    assert not found, found
    # and no module of the wheel imports a module left out of it
    left_out = {rel[:-3].replace("/", ".") for rel in handout.INSTRUCTOR_ONLY}
    imports = [(n, m) for n, text in texts.items() for m in _imported(n, text) & left_out]
    assert not imports, imports
    assert '"sequence_backward"' in data and "def " not in data


def test_the_bundle_installs_outside_the_repository(venv):
    py = venv / "bin" / "python"
    out = subprocess.run([str(py), "-c", "import lstm_course, torch, sys; print(lstm_course.__file__);"
                          "print(sys.prefix)"], cwd=venv, env=_clean_env(),
                         capture_output=True, text=True, check=True).stdout.split()
    assert Path(out[0]).is_relative_to(venv), out  # installed from the wheel, not the repository
    assert not Path(out[0]).is_relative_to(ROOT)
    cfg = (venv / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg


def _run(venv, nb, folder, allow_errors=False):
    folder.mkdir()
    path = folder / "nb.ipynb"
    nbformat.write(nb, path)
    args = [str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
            "--ExecutePreprocessor.timeout=900", "--ExecutePreprocessor.kernel_name=python3",
            "--output", "done.ipynb", "nb.ipynb"]
    if allow_errors:
        args.insert(-3, "--allow-errors")
    proc = subprocess.run(args, cwd=folder, env=_clean_env(), capture_output=True, text=True,
                          timeout=1800)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return nbformat.read(folder / "done.ipynb", as_version=4)


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_visible_tests_pass_in_the_students_environment(venv, bundles, tmp_path, a):
    release = bundles[a] / f"{a}.ipynb"
    solved = _submission(release, ROOT / "coursework" / "source" / a / f"{a}.ipynb")
    done = _run(venv, solved, tmp_path / "solved")
    tests = [c for c in done.cells if _nbmeta(c).get("grade") and not _nbmeta(c).get("solution")]
    assert tests
    for cell in done.cells:
        assert not [o for o in cell.get("outputs", []) if o.output_type == "error"], cell.source
    # the untouched version: the set-up cells run, each test fails on a missing answer
    import re
    answered = set()  # the names the answer cells define
    for cell in nbformat.read(ROOT / "coursework" / "source" / a / f"{a}.ipynb", as_version=4).cells:
        if _nbmeta(cell).get("solution") and cell.cell_type == "code":
            answered |= set(re.findall(r"^(?:def |class )?(\w+)\s*(?:\(|=)", cell.source, flags=re.M))
    blank = _run(venv, nbformat.read(release, as_version=4), tmp_path / "blank", allow_errors=True)
    for cell in blank.cells:
        for o in cell.get("outputs", []):
            if o.output_type == "error":
                assert o.ename in {"NotImplementedError", "CheckFailed", "NameError"}, (o.ename, o.evalue)
                if o.ename == "NameError":  # only a name that an unanswered cell defines
                    name = re.search(r"name '(\w+)' is not defined", o.evalue).group(1)
                    assert name in answered, (name, cell.source)

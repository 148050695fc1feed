"""The book builds with zero warnings, and what a reader sees meets the house rules.

The build (the session fixture ``built_site`` in ``tests/conftest.py``) runs on a copy
of ``book/`` with notebook execution switched off: the stored outputs are what the site
shows, and nbval (the other half of ``pytest``) proves that re-running every notebook
reproduces them. So these tests check the site as built from exactly the outputs nbval
validates, without re-executing every chapter a third time.
"""
from __future__ import annotations

import html.parser
import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import student_edition  # noqa: E402


ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def _toc_files() -> list[str]:
    return re.findall(r"^\s*-?\s*file:\s*(\S+)", (BOOK / "_toc.yml").read_text(), flags=re.M)


def _notebooks() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.ipynb") if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts)


def test_book_builds_without_warnings(built_site):
    html_dir, failure_log = built_site
    assert not failure_log, "jupyter-book build -W -n failed:\n" + failure_log[-6000:]
    assert (html_dir / "index.html").is_file()


def test_every_toc_entry_exists():
    for entry in _toc_files():
        stem = BOOK / entry
        assert any(stem.with_suffix(s).exists() for s in (".md", ".ipynb")), f"_toc.yml lists {entry}, which does not exist"


class _ImgCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def test_every_content_image_has_real_alt_text(built_site):
    html_dir, failure_log = built_site
    if failure_log:
        pytest.skip("the build failed; see test_book_builds_without_warnings")
    problems = []
    for page in html_dir.rglob("*.html"):
        if page.parts[-2:-1] == ("_static",):
            continue
        parser = _ImgCollector()
        parser.feed(page.read_text(encoding="utf-8"))
        for img in parser.images:
            src, alt = img.get("src", ""), (img.get("alt") or "").strip()
            if "_static" in src or "logo" in (img.get("class") or ""):
                continue  # theme furniture
            # myst-nb falls back to the image's file path when a cell gives no alt text
            if not alt or alt == src or re.search(r"\.(png|svg|jpe?g)$", alt) or "_images/" in alt:
                problems.append(f"{page.relative_to(html_dir)}: {src} has alt={alt!r}")
    assert not problems, "images without real alt text (set mystnb.image.alt in the cell metadata):\n" + "\n".join(problems)


@pytest.mark.parametrize("nb_path", _notebooks(), ids=lambda p: str(p.relative_to(BOOK)))
def test_notebook_stores_no_error_progress_bar_or_widget_state(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    assert "widgets" not in nb.get("metadata", {}), (
        f"{nb_path.name} stores ipywidgets state; re-execute it with tools/execute_notebooks.py")
    for k, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{nb_path.name}: cell {k} stores an error"
            text = "".join(out.get("text", "")) if out.get("output_type") == "stream" else ""
            assert not re.search(r"\d+it/s|it/s\]", text), f"{nb_path.name}: cell {k} stores a progress bar"
            assert out.get("name") != "stderr", f"{nb_path.name}: cell {k} stores stderr output: {text[:200]!r}"


_GLUE_ROLE = re.compile(r"\{eval\}`glued\.(\w+)`")
_EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
_GLUE_MIME = "application/papermill.record/text/plain"


def _glued_values(nb: dict) -> dict[str, str]:
    """key -> stored text/plain of every ``glue(..., display=False)`` in the notebook."""
    found = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            key = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if key and _GLUE_MIME in data:
                found[key] = "".join(data[_GLUE_MIME])
    return found


def _as_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if re.fullmatch(r"-?\d+", text.strip()) else value


def stored_float_problems(nb: dict) -> list[str]:
    """Glued floats that store more digits than the prose shows (see ``lstm_course.report``).

    The prose shows a glued value as stored (``{eval}`glued.key```), so a float may have at
    most 4 significant digits; more precision is glued as text (``glue(key, v, ".5f")``).
    """
    glued = _glued_values(nb)
    prose = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    problems = []
    for key in _GLUE_ROLE.findall(prose):
        value = _as_float(glued.get(key, ""))
        if value is None:
            continue
        if len(re.sub(r"[^0-9]", "", glued[key].split("e")[0]).strip("0")) > 4:
            problems.append(f"{key} = {glued[key]} is shown unformatted with more than 4 significant digits")
    return problems


def test_stored_float_check_can_fail():
    nb = {"cells": [
        {"cell_type": "markdown", "source": ["ratio {eval}`glued.r`, raw {eval}`glued.q`"]},
        {"cell_type": "code", "source": "", "outputs": [
            {"data": {_GLUE_MIME: "1.1429441413178199e-07"}, "metadata": {"scrapbook": {"name": "r"}}},
            {"data": {_GLUE_MIME: "0.6064896364763327"}, "metadata": {"scrapbook": {"name": "q"}}}]}]}
    assert len(stored_float_problems(nb)) == 2
    nb["cells"][1]["outputs"][0]["data"][_GLUE_MIME] = "'1.1e-07'"
    nb["cells"][1]["outputs"][1]["data"][_GLUE_MIME] = "0.6065"
    assert stored_float_problems(nb) == []


@pytest.mark.parametrize("nb_path", _notebooks(), ids=lambda p: str(p.relative_to(BOOK)))
def test_glued_floats_store_only_the_digits_shown(nb_path):
    """A full-precision float in a stored notebook differs between CPUs (issue: portable results)."""
    problems = stored_float_problems(json.loads(nb_path.read_text(encoding="utf-8")))
    assert not problems, f"{nb_path.name}:\n" + "\n".join(problems)


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def prose_order_problems(nb: dict) -> list[str]:
    """``{eval}`` expressions JupyterLab cannot evaluate when it runs the chapter from the top.

    JupyterLab (jupyterlab-myst) evaluates a Markdown cell's ``{eval}`` expressions when Run
    All reaches that cell, so ``glued.<key>`` must be glued, and ``cite`` and ``glued``
    imported, by a code cell above it. The website would not notice a value glued below.
    """
    glued_above: set[str] = set()
    patterns: list[re.Pattern] = []
    imported = set()
    problems = []
    for k, cell in enumerate(nb["cells"]):
        text = _source(cell)
        if cell["cell_type"] == "code":
            imported.update(n for n in ("cite", "glued") if re.search(rf"import .*\b{n}\b", text))
            glued_above.update(re.findall(r'glue\(\s*"(\w+)"', text))
            for f in re.findall(r'glue\(\s*f"([^"]+)"', text):
                patterns.append(re.compile(re.sub(r"\\\{[^}]*\\\}", r"\\w+", re.escape(f))))
            continue
        if cell["cell_type"] != "markdown":
            continue
        for expression in _EVAL_ROLE.findall(text):
            name = expression.split(".")[0]
            if name not in imported:
                problems.append(f"cell {k}: {{eval}}`{expression}` before {name} is imported")
            m = re.fullmatch(r"glued\.(\w+)", expression)
            if m and m.group(1) not in glued_above and not any(p.fullmatch(m.group(1)) for p in patterns):
                problems.append(f"cell {k}: glued.{m.group(1)} is glued only below this cell")
    return problems


def test_prose_order_check_can_fail():
    nb = {"cells": [
        {"cell_type": "markdown", "source": "see {eval}`cite.p(\"a\")`"},
        {"cell_type": "code", "source": "from lstm_course.cite import cite\nfrom lstm_course.report import glue, glued"},
        {"cell_type": "markdown", "source": "x is {eval}`glued.x`, y_1 is {eval}`glued.y_1`"},
        {"cell_type": "code", "source": 'glue("x", 1)\nfor k in range(2):\n    glue(f"y_{k}", k)'},
        {"cell_type": "markdown", "source": "x is {eval}`glued.x`, y_1 is {eval}`glued.y_1`"}]}
    assert prose_order_problems(nb) == [
        'cell 0: {eval}`cite.p("a")` before cite is imported',
        "cell 2: glued.x is glued only below this cell",
        "cell 2: glued.y_1 is glued only below this cell"]


@pytest.mark.parametrize("nb_path", _notebooks(), ids=lambda p: str(p.relative_to(BOOK)))
def test_prose_reads_only_values_glued_above_it(nb_path):
    """Run All in JupyterLab evaluates each Markdown cell when it reaches it (issue 13)."""
    problems = prose_order_problems(json.loads(nb_path.read_text(encoding="utf-8")))
    assert not problems, f"{nb_path.name}:\n" + "\n".join(problems)


def _plain(text: str) -> str:
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"" else text


@pytest.mark.parametrize("nb_path", _notebooks(), ids=lambda p: str(p.relative_to(BOOK)))
def test_stored_prose_results_are_the_glued_values(nb_path):
    """JupyterLab shows stored ``user_expressions`` before a chapter runs: they must be current."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    glued = _glued_values(nb)
    problems = []
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        wanted = list(dict.fromkeys(_EVAL_ROLE.findall(_source(cell))))
        stored = {u["expression"]: u["result"] for u in cell.get("metadata", {}).get("user_expressions", [])}
        if sorted(stored) != sorted(wanted):
            problems.append(f"cell {k}: stored results for {sorted(stored)}, prose has {sorted(wanted)}")
            continue
        for expression, result in stored.items():
            m = re.fullmatch(r"glued\.(\w+)", expression)
            if m and _plain(result["data"]["text/plain"]) != _plain(glued.get(m.group(1), "")):
                problems.append(f"cell {k}: {expression} stored as {result['data']['text/plain']}, "
                                f"glued as {glued.get(m.group(1))}")
    assert not problems, (f"{nb_path.name} (re-execute it with tools/execute_notebooks.py):\n"
                          + "\n".join(problems))


def _top_level_names(code: str) -> set[str]:
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def solution_problems(nb: dict) -> list[str]:
    """Solution cells that Run All would let overwrite a student's stub, or that show in Lab.

    A stub is a code cell outside the solution regions that raises ``NotImplementedError``;
    the names it defines are the student's. A solution cell must not define them again (it
    uses its own names, so running every cell keeps the student's answer), and its source
    starts collapsed in JupyterLab (``metadata.jupyter.source_hidden``).
    """
    flags = student_edition.in_solution(nb["cells"])
    students: set[str] = set()
    for cell, in_solution in zip(nb["cells"], flags):
        if cell["cell_type"] == "code" and not in_solution and "NotImplementedError" in _source(cell):
            students |= _top_level_names(_source(cell))
    problems = []
    for k, (cell, in_solution) in enumerate(zip(nb["cells"], flags)):
        if cell["cell_type"] != "code" or not in_solution:
            continue
        clash = _top_level_names(_source(cell)) & students
        if clash:
            problems.append(f"cell {k}: the solution redefines the student's {sorted(clash)}")
        if not cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
            problems.append(f"cell {k}: a solution cell shown open in JupyterLab (set jupyter.source_hidden)")
    return problems


def test_solution_check_can_fail():
    stub = {"cell_type": "code", "source": "def my_gate(a, v):\n    raise NotImplementedError", "metadata": {}}
    start = {"cell_type": "markdown", "source": ":::{solution-start} ex\n:::"}
    end = {"cell_type": "markdown", "source": ":::{solution-end}\n:::"}
    bad = {"cell_type": "code", "source": "def my_gate(a, v):\n    return a * v", "metadata": {}}
    good = {"cell_type": "code", "source": "def gate_solution(a, v):\n    return a * v",
            "metadata": {"jupyter": {"source_hidden": True}}}
    assert len(solution_problems({"cells": [stub, start, bad, end]})) == 2
    assert solution_problems({"cells": [stub, start, good, end]}) == []


@pytest.mark.parametrize("nb_path", _notebooks(), ids=lambda p: str(p.relative_to(BOOK)))
def test_solutions_keep_the_students_answers_on_run_all(nb_path):
    """Running every cell must never replace a student's function with the solution (issue 13)."""
    problems = solution_problems(json.loads(nb_path.read_text(encoding="utf-8")))
    assert not problems, f"{nb_path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("nb_path", _notebooks(), ids=lambda p: str(p.relative_to(BOOK)))
def test_every_glue_key_is_glued_once(nb_path):
    """myst-nb warns on a key glued twice, and the -W build fails on it."""
    seen, twice = set(), []
    for cell in json.loads(nb_path.read_text(encoding="utf-8"))["cells"]:
        for out in cell.get("outputs", []):
            key = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if key:
                (twice.append(key) if key in seen else seen.add(key))
    assert not twice, f"{nb_path.name} glues {sorted(set(twice))} more than once"


def test_vietnamese_pages_have_no_english_furniture(built_site):
    """What the build writes around the text is Vietnamese too: the book's title, the part
    captions of the table of contents, the show-code buttons, the exercises' titles."""
    html_dir, failure_log = built_site
    assert not failure_log, failure_log[-3000:]
    english = ["Show code cell", "Hide code cell", "Front matter", ">Appendices<",
               "Understanding LSTM Networks, executably", ">Exercise ", ">Solution to "]
    problems = []
    for page in sorted((html_dir / "vi").rglob("*.html")):
        if "_static" in page.parts or 'http-equiv="Refresh"' in page.read_text(encoding="utf-8"):
            continue
        text = page.read_text(encoding="utf-8")
        problems += [f"{page.relative_to(html_dir)}: {w!r}" for w in english if w in text]
    assert not problems, "\n".join(problems[:50])


def test_vietnamese_images_have_vietnamese_alt_text(built_site):
    """Every figure on a Vietnamese page is described in Vietnamese (figures.po)."""
    html_dir, failure_log = built_site
    assert not failure_log, failure_log[-3000:]
    problems = []
    for page in sorted((html_dir / "vi").rglob("*.html")):
        if "_static" in page.parts:
            continue
        english = html_dir / page.relative_to(html_dir / "vi")
        alts_vi, alts_en = (_ImgCollector(), _ImgCollector())
        alts_vi.feed(page.read_text(encoding="utf-8"))
        alts_en.feed(english.read_text(encoding="utf-8"))
        same = {(i.get("alt") or "").strip() for i in alts_vi.images} & {(i.get("alt") or "").strip() for i in alts_en.images}
        problems += [f"{page.relative_to(html_dir)}: {alt[:70]!r}" for alt in sorted(same) if len(alt) > 20]
    assert not problems, "figures described in English on Vietnamese pages:\n" + "\n".join(problems)


def _translated_outputs(html_dir: Path, mime: str):
    """``(page, index, output, record, pages)`` for every stored ``mime`` output whose
    ``figure_language`` record has a Vietnamese rendering; ``pages`` maps "en" and "vi" to
    the built HTML of the output's page."""
    from lstm_course.figure_language import KEY

    for nb_path in _notebooks():
        rel = nb_path.relative_to(BOOK).with_suffix(".html")
        pages = {"en": (html_dir / rel).read_text(encoding="utf-8"),
                 "vi": (html_dir / "vi" / rel).read_text(encoding="utf-8")}
        for index, cell in enumerate(json.loads(nb_path.read_text(encoding="utf-8"))["cells"]):
            for out in cell.get("outputs", []):
                record = out.get("metadata", {}).get(mime, {}).get(KEY) or {}
                if (record.get("vi") or {}).get("data"):
                    yield rel, index, out, record, pages


def test_vietnamese_pages_show_the_figures_drawn_in_vietnamese(built_site):
    """A figure with words is shown on the Vietnamese page in its translated drawing, and on
    the English page in the English one (``lstm_course.figure_language``; myst-nb names an
    output image by the SHA-256 of its bytes)."""
    import hashlib

    from lstm_course.figure_language import decode

    html_dir, failure_log = built_site
    assert not failure_log, failure_log[-3000:]
    problems, checked = [], 0
    for rel, index, out, record, pages in _translated_outputs(html_dir, "image/png"):
        srcs = {}
        for lang, page in pages.items():
            collector = _ImgCollector()
            collector.feed(page)
            srcs[lang] = " ".join(i.get("src", "") for i in collector.images)
        checked += 1
        en = hashlib.sha256(decode(out["data"]["image/png"])).hexdigest()
        vi = hashlib.sha256(decode(record["vi"]["data"])).hexdigest()
        if not (vi in srcs["vi"] and en not in srcs["vi"] and en in srcs["en"] and vi not in srcs["en"]):
            problems.append(f"{rel} cell {index}")
    assert checked > 20, f"only {checked} figures with words found"
    assert not problems, "figures not in their page's language:\n" + "\n".join(problems)


def test_vietnamese_pages_describe_the_widgets_in_vietnamese(built_site):
    """A widget's description for readers without JavaScript (inside its mount point) is the
    translated one on the Vietnamese page, the English one on the English page."""
    import html as html_lib

    html_dir, failure_log = built_site
    assert not failure_log, failure_log[-3000:]
    problems, checked = [], 0
    for rel, index, _, record, pages in _translated_outputs(html_dir, "text/html"):
        for english, vietnamese in record["vi"]["text"].items():
            checked += 1
            en, vi = html_lib.escape(english), html_lib.escape(vietnamese)
            if not (vi in pages["vi"] and en not in pages["vi"] and en in pages["en"]):
                problems.append(f"{rel} cell {index}: {english[:50]!r}")
    assert checked >= 7, f"only {checked} widget descriptions found"
    assert not problems, "widget descriptions not in their page's language:\n" + "\n".join(problems)

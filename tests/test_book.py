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
from pathlib import Path

import pytest

from lstm_course.report import shown

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


_GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`([^`]+)`")
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

    A float used with a format (``{glue:text}`key:.2f```) must already be rounded to that
    format; one used without a format may have at most 4 significant digits.
    """
    glued = _glued_values(nb)
    prose = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    problems = []
    for role in _GLUE_ROLE.findall(prose):
        key, _, spec = role.partition(":")
        value = _as_float(glued.get(key, ""))
        if value is None:
            continue
        if spec and spec[-1] in "eEfFgG%":
            if shown(value, spec) != value:
                problems.append(f"{key} = {glued[key]} is shown as {spec!r}: glue shown(value, {spec!r})")
        elif len(re.sub(r"[^0-9]", "", glued[key].split("e")[0]).strip("0")) > 4:
            problems.append(f"{key} = {glued[key]} is shown unformatted with more than 4 significant digits")
    return problems


def test_stored_float_check_can_fail():
    nb = {"cells": [
        {"cell_type": "markdown", "source": ["ratio {glue:text}`r:.1e`, raw {glue:text}`q`"]},
        {"cell_type": "code", "source": "", "outputs": [
            {"data": {_GLUE_MIME: "1.1429441413178199e-07"}, "metadata": {"scrapbook": {"name": "r"}}},
            {"data": {_GLUE_MIME: "0.6064896364763327"}, "metadata": {"scrapbook": {"name": "q"}}}]}]}
    assert len(stored_float_problems(nb)) == 2
    nb["cells"][1]["outputs"][0]["data"][_GLUE_MIME] = "1.1e-07"
    nb["cells"][1]["outputs"][1]["data"][_GLUE_MIME] = "0.6065"
    assert stored_float_problems(nb) == []


@pytest.mark.parametrize("nb_path", _notebooks(), ids=lambda p: str(p.relative_to(BOOK)))
def test_glued_floats_store_only_the_digits_shown(nb_path):
    """A full-precision float in a stored notebook differs between CPUs (issue: portable results)."""
    problems = stored_float_problems(json.loads(nb_path.read_text(encoding="utf-8")))
    assert not problems, f"{nb_path.name}:\n" + "\n".join(problems)

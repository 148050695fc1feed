"""The Vietnamese edition is complete and consistent (``book/locales/vi/LC_MESSAGES``).

Sphinx's gettext builder extracts every message of the English pages from a copy of the
book. Each message must have a Vietnamese translation in the page's catalog, and none may
be fuzzy. So a change to the English prose fails here, with the list of messages to
translate, until ``python tools/build_site.py --pot`` has merged it and a translator has
filled it in. The translations must also use the glossary's terms
(``book/locales/vi/GLOSSARY.md``) and avoid the seed translation's known errors.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CATALOGS = BOOK / "locales" / "vi" / "LC_MESSAGES"
# the glossary's terms for the core concepts: an English message that names one must
# use its Vietnamese term (English terms may also appear, in parentheses)
TERMS = {
    "forget gate": "cổng quên",
    "input gate": "cổng đầu vào",
    "output gate": "cổng đầu ra",
    "cell state": "trạng thái ô",
    "hidden state": "trạng thái ẩn",
    "recurrent neural network": "mạng nơ-ron hồi quy",
}
# errors of the machine translation in ../shared/seed (CONTENT.md section 7)
SEED_ERRORS = ["thiên đường", "đơn vị định kỳ", "General et al", "hocreiter", "deep-gated"]


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def untranslated(pot_dir: Path, po_dir: Path) -> list[str]:
    """``page: message`` for every message of ``pot_dir`` missing, empty or fuzzy in ``po_dir``."""
    problems = []
    for pot in sorted(pot_dir.rglob("*.pot")):
        rel = pot.relative_to(pot_dir).with_suffix(".po")
        po_path = po_dir / rel
        wanted = [m.id for m in _read(pot) if m.id]
        if not po_path.is_file():
            problems += [f"{rel}: (no catalog) {w[:70]!r}" for w in wanted]
            continue
        have = {m.id: m for m in _read(po_path) if m.id}
        for msgid in wanted:
            m = have.get(msgid)
            if m is None or not m.string:
                problems.append(f"{rel}: {msgid[:70]!r}")
            elif m.fuzzy:
                problems.append(f"{rel}: (fuzzy) {msgid[:70]!r}")
    return problems


@pytest.fixture(scope="module")
def pot_dir(tmp_path_factory) -> Path:
    """The English messages of a copy of the book, one ``.pot`` per page."""
    work = tmp_path_factory.mktemp("gettext")
    src = work / "book"
    shutil.copytree(BOOK, src, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints", "locales"))
    sys.path.insert(0, str(ROOT / "tools"))
    import build_site

    out = work / "out"
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(src), "--config",
           str(build_site._config(src, "en", "off")), "--path-output", str(out),
           "--builder", "custom", "--custom-builder", "gettext"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    build_site.write_figures_pot(src, out / "_build" / "gettext")   # the figures' alt text
    return out / "_build" / "gettext"


def test_every_english_message_is_translated(pot_dir):
    problems = untranslated(pot_dir, CATALOGS)
    assert not problems, (f"{len(problems)} messages of the English pages have no Vietnamese "
                          "translation (run `python tools/build_site.py --pot`, then translate):\n"
                          + "\n".join(problems[:200]))


def test_the_completeness_check_can_fail(tmp_path):
    pot, po = tmp_path / "pot", tmp_path / "po"
    pot.mkdir(), po.mkdir()
    (pot / "page.pot").write_text('msgid ""\nmsgstr ""\n\nmsgid "One."\nmsgstr ""\n\n'
                                  'msgid "Two."\nmsgstr ""\n\nmsgid "Three."\nmsgstr ""\n')
    (po / "page.po").write_text('msgid ""\nmsgstr ""\n\nmsgid "One."\nmsgstr "Một."\n\n'
                                '#, fuzzy\nmsgid "Two."\nmsgstr "Hai."\n')
    problems = untranslated(pot, po)
    assert len(problems) == 2 and "(fuzzy)" in problems[0] and "Three" in problems[1]


def _translations():
    for po in sorted(CATALOGS.rglob("*.po")):
        for m in _read(po):
            if m.id and m.string:
                yield po.relative_to(CATALOGS), m


def test_translations_use_the_glossary_terms():
    problems = []
    for rel, m in _translations():
        if m.string == m.id:    # kept as it is on purpose (a name, a symbol, the glossary's English column)
            continue
        for english, vietnamese in TERMS.items():
            if re.search(rf"\b{english}s?\b", m.id, re.IGNORECASE) and vietnamese not in m.string.lower():
                problems.append(f"{rel}: {english!r} without {vietnamese!r}: {m.string[:80]!r}")
    assert not problems, "\n".join(problems[:100])


def test_translations_avoid_the_seed_translation_errors():
    problems = [f"{rel}: {e!r} in {m.string[:80]!r}" for rel, m in _translations()
                for e in SEED_ERRORS if e.lower() in m.string.lower()]
    assert not problems, "\n".join(problems)


def _kept_parts(text: str) -> set[str]:
    """What a translation must carry over unchanged: ``{eval}`` roles, inline maths, inline
    code, and the targets of cross-references (their titles may be translated)."""
    parts = set(re.findall(r"\{eval\}`[^`]+`", text))
    for role in re.findall(r"\{(?:doc|ref|numref)\}`([^`]+)`", text):
        m = re.search(r"<([^>]+)>", role)
        parts.add(m.group(1) if m else role)
    rest = re.sub(r"\{[\w:-]+\}`[^`]+`", " ", text)    # roles done; now code and maths
    parts |= set(re.findall(r"`[^`]+`", rest))
    parts |= set(re.findall(r"\$[^$]+\$", re.sub(r"`[^`]+`", " ", rest)))
    return parts


def test_translations_keep_roles_maths_and_code():
    problems = []
    for rel, m in _translations():
        missing = sorted(p for p in _kept_parts(m.id) if p not in m.string)
        if missing:
            problems.append(f"{rel}: {missing[:2]} missing from {m.string[:60]!r}")
    assert not problems, "\n".join(problems[:100])


def test_kept_parts_check_can_fail():
    english = "See {ref}`the step <ex-step>` where $h_t$ is `lstm_step`'s {eval}`glued.n` output."
    assert _kept_parts(english) == {"{eval}`glued.n`", "$h_t$", "`lstm_step`", "ex-step"}


def _figure_outputs():
    """``(notebook, cell index, output)`` of every stored image output of the book."""
    import nbformat

    for nb_path in sorted(BOOK.rglob("*.ipynb")):
        if "_build" in nb_path.parts or ".ipynb_checkpoints" in nb_path.parts:
            continue
        for index, cell in enumerate(nbformat.read(nb_path, as_version=4).cells):
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    yield nb_path.relative_to(BOOK), index, output


def test_every_stored_figure_carries_its_words():
    """Every figure was shown with ``figure_language.install()`` active, so the
    Vietnamese build has its words (and their translated drawing) to use."""
    from lstm_course.figure_language import KEY

    missing = [f"{rel} cell {index}" for rel, index, output in _figure_outputs()
               if KEY not in output.get("metadata", {}).get("image/png", {})]
    assert not missing, ("figures without their words (call figure_language.install() in the "
                         "notebook's first cell, then execute it again):\n" + "\n".join(missing))


def test_stored_figures_are_drawn_with_the_current_translations():
    """A figure whose words' translations changed since it was drawn shows the old ones on
    the Vietnamese site: execute its notebook again with ``tools/execute_notebooks.py``."""
    from lstm_course.figure_language import KEY, catalog, stale

    table = catalog("vi", BOOK / "locales")
    problems = []
    for rel, index, output in _figure_outputs():
        record = output.get("metadata", {}).get("image/png", {}).get(KEY)
        if record and (old := stale(record, "vi", table)):
            problems.append(f"{rel} cell {index}: {old[:3]}")
    assert not problems, ("figures drawn with missing or older translations (translate them in "
                          "figure_text.po, then run tools/execute_notebooks.py on the notebook):\n"
                          + "\n".join(problems))


def test_figure_text_translations_keep_their_numbers():
    """A figure's numbers stay in its translation, in order: that is how a text whose
    numbers came out otherwise on another machine still finds its translation
    (``figure_language.translate``)."""
    from lstm_course.figure_language import CATALOG, numbers

    problems = [f"{m.id!r} -> {m.string!r}" for m in _read(CATALOGS / f"{CATALOG}.po")
                if m.id and m.string and numbers(m.id) != numbers(m.string)]
    assert not problems, "\n".join(problems)

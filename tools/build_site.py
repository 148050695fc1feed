"""Build the course's website in both editions, or extract the text to translate.

    python tools/build_site.py                 # English at book/_build/html/, Vietnamese at book/_build/html/vi/
    python tools/build_site.py --pot           # refresh book/locales/vi/LC_MESSAGES/*.po from the English text

Both builds run Jupyter Book with ``-W -n --keep-going``. The English build executes the
changed notebooks into the cache in ``_build/.jupyter_cache`` (``execute_notebooks: cache``).
The Vietnamese build is the same book with ``language: vi``; it reads that same cache, so
no notebook runs twice. Its translations come from the gettext catalogs in
``book/locales/vi/LC_MESSAGES/``.

``--pot`` runs Sphinx's gettext builder (one ``.pot`` per page) and then ``sphinx-intl
update``. That adds new English messages to the Vietnamese catalogs, empty, and marks
changed ones fuzzy. ``tests/test_translations.py`` fails until every message is
translated and none is fuzzy.

The alt text of the notebooks' figures (``metadata.mystnb.image.alt``) never reaches
Sphinx's messages, because myst-nb turns outputs into images after the translation step.
So ``--pot`` also writes those texts to ``figures.pot``, and ``book/_ext/course_i18n.py``
replaces each figure's alt text from ``figures.po`` on the translated pages. The words
drawn inside the figures go to ``figure_text.pot``: the kernel draws every figure again
with their translations from ``figure_text.po`` and stores it beside the English one
(``lstm_course/figure_language.py``), and the Vietnamese build shows that copy.

``--execute off`` builds from the stored outputs without running anything (the tests do
this on a copy of the book).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("vi",)


def _jb() -> str:
    return str(Path(sys.executable).with_name("jupyter-book"))


def _config(book: Path, language: str, execute: str | None) -> Path:
    """A copy of ``_config.yml`` for one edition, written into ``_build``."""
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["language"] = language
    # Jupyter Book resolves local extensions against the config file's folder
    sphinx["local_extensions"] = {name: str((book / path).resolve())
                                  for name, path in (sphinx.get("local_extensions") or {}).items()}
    run = config.setdefault("execute", {})
    run["cache"] = str((book / "_build" / ".jupyter_cache").resolve())
    if execute is not None:
        run["execute_notebooks"] = execute
    path = book / "_build" / f"_config.{language}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd)
    if proc.returncode:
        raise SystemExit(proc.returncode)


def build(book: Path, execute: str | None = None, seconds: dict | None = None) -> Path:
    """Build both editions; returns the English site's folder (the Vietnamese is its ``vi/``).

    ``seconds``, when given, receives each edition's wall time by language."""
    flags = ["-W", "-n", "--keep-going"]
    seconds = {} if seconds is None else seconds
    t0 = time.perf_counter()
    _run([_jb(), "build", str(book), "--config", str(_config(book, "en", execute)), *flags])
    seconds["en"] = time.perf_counter() - t0
    html = book / "_build" / "html"
    for language in LANGUAGES:
        t0 = time.perf_counter()
        out = book / "_build" / f"edition-{language}"
        _run([_jb(), "build", str(book), "--config", str(_config(book, language, execute)),
              "--path-output", str(out), *flags])
        shutil.rmtree(html / language, ignore_errors=True)
        shutil.copytree(out / "_build" / "html", html / language)
        seconds[language] = time.perf_counter() - t0
    return html


FIGURES = "figures"


def _notebooks(book: Path) -> list[Path]:
    return sorted(p for p in book.rglob("*.ipynb")
                  if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts)


def figure_alts(book: Path) -> list[tuple[str, str, int]]:
    """``(alt text, notebook, cell index)`` of every figure whose cell sets ``mystnb.image.alt``."""
    import nbformat

    found = []
    for nb_path in _notebooks(book):
        for index, cell in enumerate(nbformat.read(nb_path, as_version=4).cells):
            alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")
            if alt:
                found.append((alt, nb_path.relative_to(book).as_posix(), index))
    return found


def figure_words(book: Path) -> list[tuple[str, str, int]]:
    """``(word, notebook, cell index)`` of every word drawn inside the notebooks' stored figures.

    Each figure output records its English words (``lstm_course.figure_language``), so
    this reads the notebooks as last executed: run ``tools/execute_notebooks.py`` first
    when figures changed."""
    import nbformat

    from lstm_course.figure_language import stored_records

    found = []
    for nb_path in _notebooks(book):
        for index, record in stored_records(nbformat.read(nb_path, as_version=4)):
            found += [(word, nb_path.relative_to(book).as_posix(), index) for word in record["words"]]
    return found


def _write_pot(pot_dir: Path, name: str, messages: list[tuple[str, str, int]]) -> Path:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(project=f"LSTM course {name}")
    for message, source, index in messages:
        catalog.add(message, locations=[(source, index)])
    pot_dir.mkdir(parents=True, exist_ok=True)
    path = pot_dir / f"{name}.pot"
    with path.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False)
    return path


def write_figures_pot(book: Path, pot_dir: Path) -> list[Path]:
    """``figures.pot`` (the figures' alt text) and ``figure_text.pot`` (the words drawn in them)."""
    from lstm_course.figure_language import CATALOG

    return [_write_pot(pot_dir, FIGURES, figure_alts(book)),
            _write_pot(pot_dir, CATALOG, figure_words(book))]


def extract(book: Path) -> None:
    """English messages to ``_build/gettext/*.pot``, merged into every language's catalogs."""
    out = book / "_build" / "gettext-src"
    _run([_jb(), "build", str(book), "--config", str(_config(book, "en", "off")),
          "--path-output", str(out), "--builder", "custom", "--custom-builder", "gettext"])
    pot = out / "_build" / "gettext"
    write_figures_pot(book, pot)
    for language in LANGUAGES:
        _run([sys.executable, "-m", "sphinx_intl", "update", "-p", str(pot), "-d",
              str(book / "locales"), "-l", language, "-w", "0"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, default=ROOT / "book", help="the book's folder")
    parser.add_argument("--pot", action="store_true", help="extract messages and update the catalogs")
    parser.add_argument("--execute", choices=("off", "cache", "force"),
                        help="override execute.execute_notebooks for this build")
    args = parser.parse_args(argv)
    if not (args.book / "_config.yml").is_file():
        parser.error(f"no _config.yml in {args.book}")
    if args.pot:
        extract(args.book)
    else:
        print(f"site: {build(args.book, args.execute)}/index.html (Vietnamese: vi/index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

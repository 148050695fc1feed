"""Shared test setup: torch on one thread (deterministic, and fast on 2 cores), the website
built once per session for the tests that read it (``test_book.py``, the browser suite
``test_site_browser.py``, ``test_site_widgets.py``, ``test_site_widget_legibility.py``), and
that suite's fixtures: the site served, Chromium, a folder served for pages of our own
(their helpers are in ``tests/_site.py``)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _site import serve

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


@pytest.fixture(autouse=True, scope="session")
def _torch_one_thread():
    try:
        import torch
    except ImportError:  # the numpy-only tests still run
        yield
        return
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> tuple[Path, str]:
    """``(html_dir, failure_log)``: both editions built with ``-W -n`` from a copy of ``book/``.

    ``tools/build_site.py`` builds the English site into ``html_dir`` and the Vietnamese one
    into ``html_dir / "vi"``. Notebook execution is switched off: the site shows exactly the
    stored outputs, which nbval (the other half of ``pytest``) proves that re-running every
    notebook reproduces. ``failure_log`` is empty when both builds succeeded without
    warnings.
    """
    work = tmp_path_factory.mktemp("book")
    src = work / "book"
    shutil.copytree(BOOK, src, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), "--book", str(src),
                           "--execute", "off"], capture_output=True, text=True, timeout=1200)
    log = proc.stdout + proc.stderr
    return src / "_build" / "html", log if proc.returncode else ""


@pytest.fixture(scope="module")
def site(built_site):
    """``(html_dir, base_url)``: the built site, served on 127.0.0.1 by a thread of this process."""
    html_dir, failure_log = built_site
    if not (html_dir / "index.html").is_file():
        pytest.fail("the site did not build:\n" + failure_log[-3000:])
    with serve(html_dir) as base:
        yield html_dir, base


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (``tests/_browser.py``); the modules using it
    call ``require_browser`` first.

    Per module, not per session: Playwright's sync API refuses to start while another of its
    instances runs, and ``test_widgets_js.py`` and ``test_widgets_i18n.py`` start their own
    after the site's modules. A launch takes a fraction of a second."""
    from _browser import CHROMIUM, sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def widget_pages(tmp_path_factory):
    """``(folder, base_url)``: a folder served on 127.0.0.1 for pages written by a test,
    each holding a widget's mount point and the script the book's extension adds
    (``course_build.widget_script``): the static mechanism without the book, for widgets
    of chapters whose stored outputs are not re-executed yet."""
    folder = tmp_path_factory.mktemp("widget_pages")
    with serve(folder) as base:
        yield folder, base

"""Shared test setup: torch on one thread (deterministic, and fast on 2 cores), and the
website built once per session for the tests that read it (``test_book.py``, the browser
suite ``test_site_browser.py``)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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

"""Shared test setup: torch on one thread (deterministic, and fast on 2 cores), and the
website built once per session for the tests that read it (``test_book.py``, the browser
suite ``test_site_browser.py``)."""
from __future__ import annotations

import re
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
    """``(html_dir, failure_log)``: the book built with ``-W -n`` from a copy of ``book/``.

    Notebook execution is switched off: the site shows exactly the stored outputs, which
    nbval (the other half of ``pytest``) proves that re-running every notebook reproduces.
    ``failure_log`` is empty when the build succeeded without warnings.
    """
    work = tmp_path_factory.mktemp("book")
    src = work / "book"
    shutil.copytree(BOOK, src, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    config = src / "_config.yml"
    text = config.read_text()
    text, n = re.subn(r"execute_notebooks:\s*\w+", "execute_notebooks: 'off'", text)
    assert n == 1, "book/_config.yml should set execute.execute_notebooks exactly once"
    config.write_text(text)
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(src), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    return src / "_build" / "html", log if proc.returncode else ""

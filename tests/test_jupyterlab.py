"""A chapter in JupyterLab, as a student runs it: a kernel-backed widget responds to the keyboard.

The test starts JupyterLab (the one ``requirements.txt`` installs) on 127.0.0.1 with a
token, a temporary root folder holding a copy of chapter 4, and settings, workspaces and
runtime folders of its own (never the user's), then drives Debian's Chromium through
Playwright: Run > Run All Cells, wait for the gate widget to render live, move its slider
with the arrow keys, and check that the number it shows is numpy's for the new value and
that the Python object in the kernel holds the value the reader set (so this is the live
anywidget, not the static site's mount). Skips like the browser suite where Chromium or
Playwright is missing, except in CI.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
from _browser import CHROMIUM, require_browser, sync_playwright

require_browser("the JupyterLab test")

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

NOTEBOOK = "04_core_idea.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``(base_url, token)`` of a JupyterLab serving a folder with a copy of chapter 4."""
    work = tmp_path_factory.mktemp("lab")
    root = work / "root"
    root.mkdir()
    shutil.copy(ROOT / "book" / NOTEBOOK, root / NOTEBOOK)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(work / "runtime"), LSTM_COURSE_PROGRESS="0")
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabApp.user_settings_dir={work / 'settings'}", f"--LabApp.workspaces_dir={work / 'workspaces'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")   # CI runs as root
    log = open(work / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("JupyterLab did not start:\n" + (work / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _run_cell_at_end(page, code: str) -> None:
    """Add a code cell below the last one, type ``code`` and run it (keyboard only)."""
    page.locator(".jp-Notebook .jp-Cell").last.click()
    page.keyboard.press("Escape")         # command mode
    page.keyboard.press("b")              # a new cell below, in edit mode after Enter
    page.keyboard.press("Enter")
    page.keyboard.type(code)
    page.keyboard.press("Shift+Enter")


def test_chapter_runs_and_its_widget_is_live(lab):
    from lstm_course.activations import sigmoid

    base, token = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}", wait_until="domcontentloaded")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            slider = page.locator('.jp-OutputArea-output input[type=range][data-name="a"]')
            # Run All can reach a kernel that is still starting and run nothing (the status
            # bar already says Idle): then no cell gets a number, and we ask again.
            for attempt in range(3):
                page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
                try:
                    slider.wait_for(timeout=45_000)   # the live widget, rendered by anywidget
                    break
                except PlaywrightTimeout:
                    if attempt == 2:
                        raise
            widget = slider.locator("xpath=ancestor::*[contains(@class,'lstm-w')][1]")
            shown = widget.locator('[data-role="g"]')
            slider.scroll_into_view_if_needed()   # Lab renders cells lazily, by viewport
            assert shown.text_content() == f"{float(sigmoid(0.0)):.4f}"
            slider.focus()
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            a = float(slider.input_value())
            assert a > 0
            assert shown.text_content() == f"{float(sigmoid(a)):.4f}"

            # The kernel's object gets the reader's value. ipywidgets sends one update at a
            # time and holds the next until the kernel is idle, so ask a few times.
            code = ("import gc; from lstm_course.widgets.gates import GateWidget; "
                    "print('kernel a =', [w.a for w in gc.get_objects() if isinstance(w, GateWidget)])")
            seen = ""
            for attempt in range(5):
                page.wait_for_timeout(500)
                _run_cell_at_end(page, code)
                out = page.locator(".jp-OutputArea-output", has_text="kernel a =")
                out.nth(attempt).wait_for(timeout=30_000)
                seen = out.nth(attempt).text_content()
                if f"[{a}]" in seen:
                    break
            assert f"[{a}]" in seen, seen
            assert not errors, errors
        finally:
            browser.close()

"""What the browser tests need, found once: Debian's Chromium and Playwright's Python package.

``require_browser(what)`` skips the calling test module with a one-line reason where either is
missing, except in CI (``CI`` set), where ``.ci/run`` installs Chromium and a skip would hide a
failure, so it raises instead. Playwright's own browser download is never used.
"""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def missing() -> str | None:
    if sync_playwright is None:
        return "Playwright's Python package is not installed (pip install -r requirements.txt)"
    if CHROMIUM is None:
        return "no Chromium on PATH (Debian: apt-get install chromium)"
    return None


def require_browser(what: str) -> None:
    """Skip the calling module (or fail in CI) when the browser cannot run."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"{what} cannot run in CI: {reason}")
    pytest.skip(reason, allow_module_level=True)

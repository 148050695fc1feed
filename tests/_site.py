"""What the browser tests of the built website share: serving pages and opening them in Chromium.

Used by ``test_site_browser.py`` (the pages), ``test_site_widgets.py`` (the widgets compute
like numpy) and ``test_site_widget_legibility.py`` (contrast, a phone screen, arrows), whose
fixtures ``site``, ``browser`` and ``widget_pages`` are in ``tests/conftest.py``.

``serve(folder)`` serves a folder on 127.0.0.1 from a thread of this process;
``open_page`` opens a URL in a fresh context that blocks and records every request to
another host; ``open_widget`` opens a page of the site once its widget is mounted;
``widget_page`` writes a page of our own showing a widget as the site would, and opens it;
``set_range`` moves a slider as a pointer would.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve ``folder`` on 127.0.0.1 from a daemon thread; yields its URL ``http://127.0.0.1:PORT/``."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def site_pages(html_dir: Path) -> list[str]:
    """Every HTML page of the built site, relative to ``html_dir`` (Sphinx's own folders left out)."""
    skip = {"_static", "_sources", "_images"}
    return sorted(p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html")
                  if not skip & set(p.relative_to(html_dir).parts))


class PageReport:
    """What one page load did: console errors, failed requests, blocked requests."""

    def __init__(self):
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.external: list[str] = []


def open_page(browser, url: str, local_prefix: str, width: int = 1200, mode: str | None = None):
    """Open ``url`` in a fresh context that blocks every request outside ``local_prefix``.

    ``width``: the viewport's width in CSS pixels (a phone: 360, with touch and 2x pixels);
    ``mode``: the theme's light/dark switch as a reader left it (``localStorage.mode``)."""
    report = PageReport()
    phone = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(viewport={"width": width, "height": 900}, **phone)
    if mode:
        context.add_init_script(f"localStorage.setItem('mode', {mode!r});")

    def route(r):
        target = r.request.url
        if target.startswith(local_prefix) or target.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            report.external.append(target)
            r.abort()

    context.route("**/*", route)
    # generous: a loaded 2-core machine can take long over a chapter's MathJax
    context.set_default_timeout(90_000)
    page = context.new_page()
    page.on("console", lambda m: report.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: report.errors.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: report.failed.append(f"{r.url} ({r.failure})")
            if r.url not in report.external else None)
    page.goto(url, wait_until="load")
    # MathJax typesets asynchronously; wait until it says it is done (pages without it: at once)
    page.wait_for_function("() => !window.MathJax || !MathJax.startup || !MathJax.startup.promise"
                           " || MathJax.startup.promise.then(() => true)", timeout=90_000)
    page.wait_for_load_state("networkidle")
    return context, page, report


def wait_for_widgets(page) -> None:
    """Wait until the page's widget script has mounted every widget of the page."""
    page.wait_for_function("() => document.documentElement.dataset.lstmWidgets === 'mounted'", timeout=10_000)


def open_widget(site, browser, page_name: str, module: str, width: int = 1200):
    """Open ``page_name`` and return ``(context, page, report, widget)`` once it is mounted."""
    html_dir, base = site
    context, page, report = open_page(browser, base + page_name, base)
    if width != 1200:
        page.set_viewport_size({"width": width, "height": 900})
    widget = page.locator(f'.lstm-widget[data-lstm-module="{module}"]')
    assert widget.count() == 1, f"{page_name}: expected one {module} widget, found {widget.count()}"
    page.wait_for_function(f"""() => document.querySelector('.lstm-widget[data-lstm-module="{module}"]')
                               .dataset.mounted !== undefined""", timeout=10_000)
    assert widget.get_attribute("data-mounted") == "true", report.errors
    return context, page, report, widget


def set_range(page, slider, value: float):
    """Move a range input as a pointer would: set its value and fire ``input``."""
    slider.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
                    value)


def widget_page(widget_pages, browser, widget, width: int = 1200, theme: str = "light"):
    """Write a page showing ``widget`` as the site would, open it; returns ``(context, page, report, el)``.

    ``widget_pages``: the fixture's ``(folder, base_url)``; ``theme``: the page's
    ``html[data-theme]``, as the book's theme sets it."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from course_build import widget_script

    folder, base = widget_pages
    name = f"{widget._module}_{width}_{theme}.html"
    (folder / name).write_text(f"<!doctype html><html data-theme='{theme}'><head><meta charset='utf-8'>"
                               "<meta name='viewport' content='width=device-width'><title>w</title></head>"
                               f"<body><main>{widget.mount_html()}</main>{widget_script([widget._module])}"
                               "</body></html>", encoding="utf-8")
    context, page, report = open_page(browser, base + name, base, width=width)
    wait_for_widgets(page)
    el = page.locator(".lstm-widget")
    assert el.get_attribute("data-mounted") == "true", report.errors
    return context, page, report, el

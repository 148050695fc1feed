"""The website in a real browser: every page loads offline, cleanly, with its maths rendered.

Debian's Chromium, driven by Playwright's Python package (``executable_path``: Playwright's
own browser download is not used). The site is the one ``built_site`` builds
(``tests/conftest.py``), served on 127.0.0.1 by a thread of this process; every request to
any other host is blocked and recorded. For every page: no console error, no failed
request, no request to another host, no raw TeX left where MathJax should have typeset,
and every image of the content with real alt text. The index page and one chapter are
also opened from disk (``file://``), as a reader who downloads the site would. Each page
links to itself in the other edition (English at the root, Vietnamese under ``vi/``).

The widgets on these pages are tested in ``test_site_widgets.py`` (they compute like numpy)
and ``test_site_widget_legibility.py`` (contrast, a phone screen); the fixtures are in
``tests/conftest.py``, the helpers in ``tests/_site.py``.

Where Chromium or Playwright is missing the tests skip with a one-line reason, except in
CI (``CI`` set), where ``.ci/run`` installs Chromium and a skip would hide a failure.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from _browser import require_browser
from _site import open_page, site_pages

require_browser("the browser tests")

# Raw TeX that MathJax leaves in the text when it did not run: display and inline
# delimiters, and the commands the book uses most.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\[|\\frac\b|\\tilde\b|\\sigma\b|\\partial\b|\\tanh\b|\\begin\{")


def _content_text(page) -> str:
    return page.evaluate("() => (document.querySelector('main') || document.body).innerText")


def _bad_alt_images(page) -> list[str]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('main img')).filter(img => {
        const alt = (img.getAttribute('alt') || '').trim();
        const src = img.getAttribute('src') || '';
        return !alt || alt === src || /\\.(png|svg|jpe?g)$/i.test(alt) || alt.includes('_images/');
    }).map(img => img.getAttribute('src'))""")


def test_the_site_has_pages(site):
    html_dir, _ = site
    pages = site_pages(html_dir)
    assert "index.html" in pages and "05_walk_through.html" in pages, pages


def test_every_page_loads_offline_without_errors(site, browser):
    html_dir, base = site
    problems = []
    for name in site_pages(html_dir):
        context, page, report = open_page(browser, base + name, base)
        for kind, items in (("console error", report.errors), ("failed request", report.failed),
                            ("request to another host", report.external)):
            problems += [f"{name}: {kind}: {item}" for item in items]
        context.close()
    assert not problems, "\n".join(problems)


def test_every_page_has_its_maths_typeset_and_images_described(site, browser):
    html_dir, base = site
    problems, typeset = [], 0
    for name in site_pages(html_dir):
        if name in ("search.html", "genindex.html"):
            continue
        context, page, _ = open_page(browser, base + name, base)
        raw = RAW_TEX.findall(_content_text(page))
        if raw:
            problems.append(f"{name}: raw TeX left in the page: {sorted(set(raw))}")
        typeset += page.locator("mjx-container").count()
        problems += [f"{name}: image without real alt text: {src}" for src in _bad_alt_images(page)]
        context.close()
    assert typeset > 100, f"only {typeset} formulas were typeset in the whole book: is MathJax loading?"
    assert not problems, "\n".join(problems)


def test_raw_tex_detector_can_fail():
    assert RAW_TEX.search(r"the gate $$f_t = \sigma(W_f)$$")
    assert RAW_TEX.search(r"inline \(h_t\)")
    assert not RAW_TEX.search("h_t = o_t * tanh(C_t) costs $5")


@pytest.mark.parametrize("name", ["index.html", "05_walk_through.html"])
def test_pages_open_from_disk(site, browser, name):
    """A reader who downloads the site opens it with file://: same result, no errors."""
    html_dir, _ = site
    url = (html_dir / name).resolve().as_uri()
    context, page, report = open_page(browser, url, html_dir.resolve().as_uri().rsplit("/", 1)[0])
    assert not report.errors and not report.failed and not report.external, vars(report)
    if name != "index.html":
        assert page.locator("mjx-container").count() > 10
    context.close()


# ---- the two editions: English at the root, Vietnamese under vi/ ---------------------------

def _switch_target(page_file: Path) -> Path | None:
    m = re.search(r'<a class="btn btn-sm lang-switch" href="([^"]+)"', page_file.read_text(encoding="utf-8"))
    return (page_file.parent / m.group(1)).resolve() if m else None


def test_every_page_links_to_itself_in_the_other_edition(site):
    """Each page's language switcher leads to the same page in the other edition and back."""
    html_dir, _ = site
    problems = []
    # (index.html only redirects to the first page; it has no header)
    english = [p for p in site_pages(html_dir) if not p.startswith("vi/")
               and 'http-equiv="Refresh"' not in (html_dir / p).read_text(encoding="utf-8")]
    assert english and all((html_dir / "vi" / p).is_file() for p in english), "a page has no Vietnamese edition"
    for name in english:
        there = _switch_target(html_dir / name)
        if there != (html_dir / "vi" / name).resolve():
            problems.append(f"{name} -> {there}")
            continue
        back = _switch_target(there)
        if back != (html_dir / name).resolve():
            problems.append(f"vi/{name} -> {back}")
    assert not problems, "\n".join(problems)


def test_the_switcher_works_in_the_browser(site, browser):
    """Click the switcher on a chapter: the Vietnamese page opens, in Vietnamese, and back."""
    html_dir, base = site
    context, page, report = open_page(browser, base + "appendix/bptt.html", base)
    try:
        page.click("a.lang-switch")
        page.wait_for_url("**/vi/appendix/bptt.html")
        assert page.evaluate("document.documentElement.lang") == "vi"
        assert "Lan truyền ngược" in _content_text(page)
        page.click("a.lang-switch")
        page.wait_for_url(lambda url: url.endswith("/appendix/bptt.html") and "/vi/" not in url)
        assert page.evaluate("document.documentElement.lang") == "en"
        assert not report.errors, report.errors
    finally:
        context.close()

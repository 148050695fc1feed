"""The website in a real browser: every page loads offline, cleanly, with its maths rendered.

Debian's Chromium, driven by Playwright's Python package (``executable_path``: Playwright's
own browser download is not used). The site is the one ``built_site`` builds
(``tests/conftest.py``), served on 127.0.0.1 by a thread of this process; every request to
any other host is blocked and recorded. For every page: no console error, no failed
request, no request to another host, no raw TeX left where MathJax should have typeset,
and every image of the content with real alt text. The index page and one chapter are
also opened from disk (``file://``), as a reader who downloads the site would.

Where Chromium or Playwright is missing the tests skip with a one-line reason, except in
CI (``CI`` set), where ``.ci/run`` installs Chromium and a skip would hide a failure.
"""
from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from _browser import CHROMIUM, require_browser, sync_playwright

require_browser("the browser tests")

# Raw TeX that MathJax leaves in the text when it did not run: display and inline
# delimiters, and the commands the book uses most.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\[|\\frac\b|\\tilde\b|\\sigma\b|\\partial\b|\\tanh\b|\\begin\{")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_site):
    html_dir, failure_log = built_site
    if not (html_dir / "index.html").is_file():
        pytest.fail("the site did not build:\n" + failure_log[-3000:])
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield html_dir, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _pages(html_dir: Path) -> list[str]:
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
    pages = _pages(html_dir)
    assert "index.html" in pages and "05_walk_through.html" in pages, pages


def test_every_page_loads_offline_without_errors(site, browser):
    html_dir, base = site
    problems = []
    for name in _pages(html_dir):
        context, page, report = open_page(browser, base + name, base)
        for kind, items in (("console error", report.errors), ("failed request", report.failed),
                            ("request to another host", report.external)):
            problems += [f"{name}: {kind}: {item}" for item in items]
        context.close()
    assert not problems, "\n".join(problems)


def test_every_page_has_its_maths_typeset_and_images_described(site, browser):
    html_dir, base = site
    problems, typeset = [], 0
    for name in _pages(html_dir):
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


# ---- the widgets: mounted from the page itself, no kernel ---------------------------------

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


def test_every_widget_on_the_site_mounts(site, browser):
    html_dir, base = site
    found, problems = 0, []
    for name in _pages(html_dir):
        if 'class="lstm-widget"' not in (html_dir / name).read_text(encoding="utf-8"):
            continue
        context, page, report = open_page(browser, base + name, base)
        page.wait_for_function("() => document.documentElement.dataset.lstmWidgets === 'mounted'",
                               timeout=10_000)
        states = page.eval_on_selector_all(".lstm-widget", "els => els.map(e => e.dataset.mounted)")
        found += len(states)
        problems += [f"{name}: a widget did not mount ({s})" for s in states if s != "true"]
        problems += [f"{name}: {e}" for e in report.errors]
        context.close()
    assert found >= 1, "no widget mount point on the site"
    assert not problems, "\n".join(problems)


def test_gate_widget_computes_like_numpy(site, browser):
    from lstm_course.widgets import gates

    context, page, report, w = open_widget(site, browser, "04_core_idea.html", "gate")
    slider = w.locator('input[type=range][data-name="a"]')
    assert w.locator(f'label[for="{slider.get_attribute("id")}"]').inner_text() == "pre-activation a"
    dot = w.locator('[data-role="dot"]')
    before = dot.get_attribute("cy"), w.locator('[data-role="passed"]').first.get_attribute("height")

    def check(a):
        g = float(gates.gate_pass(a, [1.0])[0])
        assert w.locator('[data-role="g"]').inner_text() == f"{g:.4f}"
        assert w.locator('[data-role="power"]').inner_text() == f"{g ** 1000:.3g}"
        assert float(slider.input_value()) == a

    set_range(page, slider, 2.5)          # a pointer drag ends in an input event
    check(2.5)
    assert (dot.get_attribute("cy"), w.locator('[data-role="passed"]').first.get_attribute("height")) != before
    slider.focus()                        # the keyboard: arrows move by one step
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    check(1.0)
    page.keyboard.press("Home")
    check(-8.0)
    assert not report.errors, report.errors
    context.close()


@pytest.fixture(scope="module")
def widget_pages(tmp_path_factory):
    """``(folder, base_url)``: a folder served on 127.0.0.1 for pages written by a test,
    each holding a widget's mount point and the script the book's extension adds
    (``course_build.widget_script``): the static mechanism without the book, for widgets
    of chapters whose stored outputs are not re-executed yet."""
    folder = tmp_path_factory.mktemp("widget_pages")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def widget_page(widget_pages, browser, widget, width: int = 1200, theme: str = "light"):
    """Write a page showing ``widget`` as the site would, open it; returns ``(context, page, report, el)``.

    ``theme``: the page's ``html[data-theme]``, as the book's theme sets it."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
    from course_build import widget_script

    folder, base = widget_pages
    name = f"{widget._module}_{width}_{theme}.html"
    (folder / name).write_text(f"<!doctype html><html data-theme='{theme}'><head><meta charset='utf-8'>"
                               "<meta name='viewport' content='width=device-width'><title>w</title></head>"
                               f"<body><main>{widget.mount_html()}</main>{widget_script([widget._module])}"
                               "</body></html>", encoding="utf-8")
    context, page, report = open_page(browser, base + name, base, width=width)
    page.wait_for_function("() => document.documentElement.dataset.lstmWidgets === 'mounted'", timeout=10_000)
    el = page.locator(".lstm-widget")
    assert el.get_attribute("data-mounted") == "true", report.errors
    return context, page, report, el


def test_param_count_widget_computes_like_numpy(site, browser):
    from lstm_course import counting

    context, page, report, w = open_widget(site, browser, "03_lstm_networks.html", "params")
    D, H = w.locator('input[data-name="D"]'), w.locator('input[data-name="H"]')
    bar = w.locator('[data-role="bar-lstm"]')
    before = bar.get_attribute("width")
    set_range(page, H, 300)
    H.focus()
    page.keyboard.press("ArrowRight")     # 301
    D.focus()
    page.keyboard.press("ArrowLeft")      # one less than the chapter's D
    d = int(D.input_value())
    counts = counting.param_counts(d, 301)
    for kind, n in counts.items():
        assert w.locator(f'[data-role="{kind}"]').inner_text() == f"{n:,}"
    assert bar.get_attribute("width") != before
    assert not report.errors, report.errors
    context.close()


def test_explorer_widget_computes_like_numpy(widget_pages, browser):
    from lstm_course.widgets import explorer

    w0 = explorer.explorer_widget()
    context, page, report, w = widget_page(widget_pages, browser, w0)
    values = {k: list(map(float, v)) for k, v in explorer.DEFAULT_STEP.items()}
    edge = w.locator('[data-edge="edge_f"]')
    before = edge.get_attribute("data-flow"), w.locator('[data-edge="edge_f"] path').get_attribute("stroke-width")

    def check(unit):
        ref = explorer.cell_step(*(values[k][unit] for k in ("f", "i", "c_tilde", "o", "c_prev")))
        for k in ("C", "tanh_C", "h"):
            assert w.locator(f'[data-role="{k}"]').inner_text() == f"{float(ref[k]):+.2f}", k
        flows = explorer.cell_flows(*(values[k][unit] for k in ("f", "i", "c_tilde", "o", "c_prev")))
        assert float(edge.get_attribute("data-flow")) == pytest.approx(flows["forget"], abs=5e-5)
        assert float(w.locator('[data-edge="edge_cell_out"]').get_attribute("data-flow")) == \
            pytest.approx(flows["cell_out"], abs=5e-5)

    check(0)
    set_range(page, w.locator('input[data-name="f"]'), 0.3)
    values["f"][0] = 0.3
    check(0)
    assert (edge.get_attribute("data-flow"),
            w.locator('[data-edge="edge_f"] path').get_attribute("stroke-width")) != before
    c_prev = w.locator('input[data-name="c_prev"]')
    c_prev.focus()
    page.keyboard.press("ArrowRight")      # 1.20 -> 1.25
    values["c_prev"][0] = 1.25
    check(0)
    w.locator('input[data-name="unit"]').nth(0).focus()
    page.keyboard.press("ArrowRight")      # radio group: the keyboard picks unit 2
    assert w.locator('input[data-name="unit"]').nth(1).is_checked()
    check(1)
    assert float(w.locator('input[data-name="i"]').input_value()) == values["i"][1]
    set_range(page, w.locator('input[data-name="c_tilde"]'), -0.25)
    values["c_tilde"][1] = -0.25
    check(1)
    assert not report.errors, report.errors
    context.close()


def test_sequence_widget_computes_like_numpy(widget_pages, browser):
    from lstm_course.widgets import explorer

    context, page, report, w = widget_page(widget_pages, browser, explorer.sequence_widget("overwrite"))
    sch = explorer.preset_schedule("overwrite")
    line = w.locator('[data-role="C-line"]')

    def check(step):
        res = explorer.run_schedule(sch)
        assert w.locator('[data-role="C"]').inner_text() == f"{res['C'][step]:+.2f}"
        assert w.locator('[data-role="h"]').inner_text() == f"{res['h'][step - 1]:+.2f}"
        assert w.locator('[data-role="C_T"]').inner_text() == f"{res['C'][-1]:+.2f}"

    check(1)
    before = line.get_attribute("points")
    w.locator('select[data-name="preset"]').select_option("leak")
    sch = explorer.preset_schedule("leak")
    check(1)
    assert line.get_attribute("points") != before
    step = w.locator('input[data-name="step"]')
    step.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")          # edit step 4
    assert w.locator('input[data-name="f"]').input_value() == "0.7"
    set_range(page, w.locator('input[data-name="f"]'), 0.0)
    sch["f"][3] = 0.0
    check(4)
    set_range(page, w.locator('input[data-name="c0"]'), 2.0)
    sch["c0"] = 2.0
    check(4)
    bar = w.locator('[data-role="f-4"]')
    assert float(bar.get_attribute("height")) == 0.0
    assert not report.errors, report.errors
    context.close()


def test_state_stepper_computes_like_numpy(site, browser):
    import json

    import numpy as np
    from lstm_course import rnn
    from lstm_course.widgets import recurrence

    context, page, report, w = open_widget(site, browser, "01_recurrent_networks.html", "stepper")
    state = json.loads(w.get_attribute("data-state"))      # the attribute stays after mounting
    p = rnn.RNNParams(*(np.array(state[k]) for k in ("W_ih", "W_hh", "b_ih", "b_hh")), nonlinearity="tanh")
    hs = recurrence.unrolled_states(np.array(state["x"]), p)
    T = len(state["x"])
    slider = w.locator('input[data-name="t"]')

    def check(t):
        assert w.locator('[data-role="h_t"]').inner_text() == ", ".join(f"{v:+.2f}" for v in hs[t])
        assert w.locator(f'[data-role="h-0-{t}"]').get_attribute("fill") != "none"
        if t < T:
            assert w.locator(f'[data-role="h-0-{t + 1}"]').get_attribute("fill") == "none"

    check(state["t"])
    set_range(page, slider, 3)
    check(3)
    slider.focus()
    page.keyboard.press("ArrowRight")
    check(4)
    page.keyboard.press("End")
    check(T)
    page.keyboard.press("Home")
    check(0)
    w.locator('button[data-name="play"]').click()          # the play button steps on its own
    page.wait_for_function("() => Number(document.querySelector('.lstm-widget input[data-name=t]').value) >= 2",
                           timeout=5_000)
    w.locator('button[data-name="play"]').click()
    check(int(slider.input_value()))
    assert not report.errors, report.errors
    context.close()


def test_gradient_widget_computes_like_numpy(widget_pages, browser):
    from lstm_course.widgets import recurrence

    kwargs = {"H": 16, "T": 40}
    context, page, report, w = widget_page(widget_pages, browser, recurrence.gradient_widget(1.0, 0.5, **kwargs))
    line = w.locator('[data-role="measured"]')

    def check(radius, scale):
        r = recurrence.gradient_curve(radius, scale, **kwargs)[1]
        assert w.locator('[data-role="ratio"]').inner_text() == f"{r[-1]:.2g}"

    check(1.0, 0.5)
    before = line.get_attribute("points")
    set_range(page, w.locator('input[data-name="radius"]'), 2.0)
    check(2.0, 0.5)
    assert line.get_attribute("points") != before
    scale = w.locator('input[data-name="input_scale"]')
    scale.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    check(2.0, 0.7)
    assert not report.errors, report.errors
    context.close()


def test_temperature_widget_computes_like_numpy(widget_pages, browser):
    import numpy as np
    from lstm_course.widgets import sampling

    chars = "abcdefgh \n"
    logits = np.random.default_rng(4).normal(size=len(chars)) * 2.0
    w0 = sampling.temperature_widget(logits, chars, lambda tau: f"sampled at {tau:.1f}", 1.0, "th", k=6)
    context, page, report, w = widget_page(widget_pages, browser, w0)
    bar = w.locator('[data-role="bar-0"]')

    def check(tau):
        d = sampling.temperature_distribution(logits, chars, tau, k=6)
        assert w.locator('[data-role="p0"]').inner_text() == f"{d.probs[0]:.3f}"
        assert w.locator('[data-role="entropy"]').inner_text() == f"{d.entropy:.2f}"
        assert w.locator('[data-role="sample"]').inner_text() == f"thsampled at {tau:.1f}"

    check(1.0)
    before = bar.get_attribute("height")
    set_range(page, w.locator('input[data-name="temperature"]'), 0.3)
    check(0.3)
    assert bar.get_attribute("height") != before
    w.locator('input[data-name="temperature"]').focus()
    page.keyboard.press("End")
    check(2.0)
    assert not report.errors, report.errors
    context.close()



# ---- dark mode and a phone screen -----------------------------------------------------------

# WCAG 2 contrast of what each widget paints, from computed colours. Text: every HTML element
# of the widget with text of its own (its `color` over the first opaque background below it)
# and every SVG <text> (its `fill` over what is painted under the middle of its box: the
# shapes below it, found with elementsFromPoint and isPointInFill / isPointInStroke, else the
# page). Lines: every stroked SVG shape, at five points along it (a line may cross bars and
# boxes), over what is painted under each point. What is painted under is a fill, or a halo
# (a stroke of the background colour drawn under a line, `data-halo`, not itself a line);
# lines crossing lines are not each other's background. Opacity (the element's and its
# ancestors') and fill/stroke-opacity are composited. Returns one record per text or line.
CONTRAST_JS = """(root) => {
  const ctx = document.createElement("canvas").getContext("2d");
  const parse = (c) => {
    if (!c || c === "none" || c.startsWith("url(")) return null;
    ctx.fillStyle = "#000"; ctx.fillStyle = c;        // the canvas normalises any CSS colour
    const v = ctx.fillStyle;
    if (v.startsWith("#")) return [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16)).concat([1]);
    const p = v.match(/rgba?\\(([^)]+)\\)/)[1].split(",").map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = ([r, g, b]) => {
    const f = (x) => { x /= 255; return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const over = (fg, a, bg) => [0, 1, 2].map((k) => fg[k] * a + bg[k] * (1 - a));
  const opacity = (el) => { let a = 1; for (let e = el; e && e !== document.documentElement; e = e.parentElement) a *= Number(getComputedStyle(e).opacity); return a; };
  const htmlBg = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255];
    for (const c of layers.reverse()) bg = over(c, c[3], bg);
    return bg;
  };
  const bgAt = (x, y, self) => {
    const stack = document.elementsFromPoint(x, y);
    const i = stack.findIndex((e) => e === self || self.contains(e));
    for (const e of (i < 0 ? stack : stack.slice(i + 1))) {
      if (e === self || self.contains(e)) continue;
      if (e instanceof SVGGeometryElement) {
        const cs = getComputedStyle(e);
        const q = new DOMPoint(x, y).matrixTransform(e.getScreenCTM().inverse());
        const st = parse(cs.stroke), f = parse(cs.fill);
        let paint = null;
        if (e.dataset.halo && st && st[3] > 0 && e.isPointInStroke(q)) paint = [st, Number(cs.strokeOpacity)];
        else if (f && f[3] > 0 && e.isPointInFill(q)) paint = [f, Number(cs.fillOpacity)];
        if (paint) return over(paint[0], paint[0][3] * paint[1] * opacity(e), bgAt(x, y, e));
      } else if (e instanceof HTMLElement) return htmlBg(e);
    }
    return htmlBg(self.closest("svg") || self);
  };
  const name = (e) => e.tagName.toLowerCase() + (e.dataset && e.dataset.role ? `[data-role=${e.dataset.role}]` : "")
    + (e.getAttribute("stroke") ? ` stroke=${e.getAttribute("stroke")}` : "") + ` "${(e.textContent || "").trim().slice(0, 30)}"`;
  const record = (kind, e, fg, a, bg) => ({ kind, what: name(e), fg: over(fg, a, bg).map(Math.round),
                                            bg: bg.map(Math.round), ratio: ratio(over(fg, a, bg), bg) });
  const out = [];
  for (const e of root.querySelectorAll("*")) {
    const box = e.getBoundingClientRect(), cs = getComputedStyle(e);
    if ((!box.width && !box.height) || cs.visibility === "hidden" || cs.display === "none") continue;
    const ownText = Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (e instanceof SVGTextElement) {
      const fg = parse(cs.fill);
      if (fg) out.push(record("text", e, fg, fg[3] * Number(cs.fillOpacity) * opacity(e),
                              bgAt(box.x + box.width / 2, box.y + box.height / 2, e)));
    } else if (e instanceof HTMLElement && ownText) {
      const fg = parse(cs.color);
      out.push(record("text", e, fg, fg[3] * opacity(e), htmlBg(e)));
    } else if (e instanceof SVGGeometryElement && !e.dataset.halo) {
      const st = parse(cs.stroke);
      if (!st || !(Number.parseFloat(cs.strokeWidth) > 0) || !e.getTotalLength()) continue;
      const a = st[3] * Number(cs.strokeOpacity) * opacity(e), m = e.getScreenCTM(), len = e.getTotalLength();
      let worst = null;
      for (const u of [0.1, 0.3, 0.5, 0.7, 0.9]) {
        const p = e.getPointAtLength(len * u);
        const r = record("line", e, st, a, bgAt(m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f, e));
        if (!worst || r.ratio < worst.ratio) worst = r;
      }
      out.push(worst);
    }
  }
  return out;
}"""

TEXT_CONTRAST, LINE_CONTRAST = 4.5, 3.0     # WCAG 2: 1.4.3 text (AA), 1.4.11 graphics


def contrast_problems(widget, kinds=("text", "line")) -> tuple[int, list[str]]:
    """``(n_checked, problems)`` for one ``.lstm-widget`` element."""
    records = [r for r in widget.evaluate(CONTRAST_JS) if r["kind"] in kinds]
    module = widget.get_attribute("data-lstm-module")
    bad = [f"{module}: {r['kind']} {r['what']}: {r['fg']} on {r['bg']}, contrast {r['ratio']:.2f}"
           for r in records if r["ratio"] < (TEXT_CONTRAST if r["kind"] == "text" else LINE_CONTRAST)]
    assert sum(r["kind"] == "text" for r in records) >= 3, f"{module}: no text found to check"
    return len(records), bad


def _dark_background(page, widget) -> list[int]:
    """The widget's own background colour, as rgb, checked to be the dark theme's."""
    from lstm_course import diagrams

    bg = widget.evaluate("el => getComputedStyle(el.querySelector('.lstm-w')).backgroundColor")
    want = diagrams.THEMES["dark"]["background"]
    assert bg == "rgb({}, {}, {})".format(*(int(want[i:i + 2], 16) for i in (1, 3, 5))), bg
    return bg


# the chapters whose stored outputs hold widgets, and the others written into pages of our own
SITE_WIDGETS = {"01_recurrent_networks.html": "stepper", "03_lstm_networks.html": "params",
                "04_core_idea.html": "gate"}


def _other_widgets():
    import numpy as np
    from lstm_course.widgets import explorer, recurrence, sampling

    chars = "abcdefgh \n"
    logits = np.random.default_rng(4).normal(size=len(chars)) * 2.0
    return [explorer.explorer_widget(), explorer.sequence_widget("overwrite"),
            recurrence.gradient_widget(1.0, 0.5, H=16, T=40),
            sampling.temperature_widget(logits, chars, lambda tau: f"sampled at {tau:.1f}", 1.0, "th", k=6)]


def test_widgets_are_legible_in_dark_mode(site, browser, widget_pages):
    """The theme's dark mode (a reader's choice, kept in localStorage): text >= 4.5:1, lines >= 3:1."""
    html_dir, base = site
    problems, checked = [], 0
    for name, module in SITE_WIDGETS.items():
        context, page, report = open_page(browser, base + name, base, mode="dark")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        page.wait_for_function("() => document.documentElement.dataset.lstmWidgets === 'mounted'", timeout=10_000)
        w = page.locator(f'.lstm-widget[data-lstm-module="{module}"]')
        _dark_background(page, w)
        n, bad = contrast_problems(w)
        checked, problems = checked + n, problems + bad + [f"{name}: {e}" for e in report.errors]
        context.close()
    for widget in _other_widgets():
        context, page, report, w = widget_page(widget_pages, browser, widget, theme="dark")
        _dark_background(page, w)
        n, bad = contrast_problems(w)
        checked, problems = checked + n, problems + bad + report.errors
        context.close()
    assert checked > 150, checked
    assert not problems, "\n".join(problems)


def test_widgets_text_is_legible_in_light_mode(site, browser, widget_pages):
    """Light mode, text only: there the diagrams' own palette (the cell state's green #009E73 is
    3.4:1 on white) leaves no room for the explorer's arrows to fade with their flow."""
    problems = []
    for widget in _other_widgets():
        context, page, report, w = widget_page(widget_pages, browser, widget, theme="light")
        problems += contrast_problems(w, kinds=("text",))[1]
        context.close()
    for name, module in SITE_WIDGETS.items():
        context, page, report, w = open_widget(site, browser, name, module)
        problems += contrast_problems(w, kinds=("text",))[1]
        context.close()
    assert not problems, "\n".join(problems)


def test_contrast_check_can_fail(widget_pages, browser):
    from lstm_course.widgets import gates

    context, page, report, w = widget_page(widget_pages, browser, gates.gate_widget(0.0), theme="dark")
    assert not contrast_problems(w)[1]
    # dark grey words, a faint axis: both must be caught
    page.evaluate("""() => {
        document.querySelector('.lstm-w label').style.color = '#444';
        const line = document.querySelector('.lstm-w svg line');
        line.setAttribute('stroke', '#16181D'); line.style.opacity = 1; }""")
    bad = contrast_problems(w)[1]
    assert any("text label" in b for b in bad) and any("line" in b for b in bad), bad
    context.close()


# Horizontal overflow: the widget scrolls sideways (scrollWidth > clientWidth), an element of
# it sticks out of its box, the widget sticks out of the viewport, or the page's main content
# or the document becomes wider than the screen.
OVERFLOW_JS = """(w) => {
  const out = [], r = w.getBoundingClientRect(), vw = document.documentElement.clientWidth;
  const main = document.querySelector('main') || document.body;
  for (const [what, e] of [['widget', w], ['widget root', w.querySelector('.lstm-w')], ['main content', main],
                           ['document', document.documentElement]]) {
    if (e.scrollWidth > e.clientWidth) out.push(`${what} scrolls sideways: ${e.scrollWidth} > ${e.clientWidth} px`);
  }
  if (r.left < 0 || r.right > vw) out.push(`widget spans ${r.left}..${r.right} px of a ${vw} px screen`);
  for (const e of w.querySelectorAll('*')) {
    const q = e.getBoundingClientRect();
    if (q.width && (q.right > r.right + 0.5 || q.left < r.left - 0.5))
      out.push(`${e.tagName.toLowerCase()}${e.dataset.name ? '[' + e.dataset.name + ']' : ''} spans ` +
               `${Math.round(q.left)}..${Math.round(q.right)} px, outside the widget's ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return out;
}"""


def test_widgets_fit_a_phone_screen(site, browser, widget_pages):
    """A 360 px wide phone: no widget, nor the page around it, needs sideways scrolling."""
    html_dir, base = site
    problems = []
    for name, module in SITE_WIDGETS.items():
        context, page, report = open_page(browser, base + name, base, width=360)
        page.wait_for_function("() => document.documentElement.dataset.lstmWidgets === 'mounted'", timeout=10_000)
        assert page.evaluate("innerWidth") == 360
        w = page.locator(f'.lstm-widget[data-lstm-module="{module}"]')
        problems += [f"{name}: {p}" for p in w.evaluate(OVERFLOW_JS)]
        context.close()
    for widget in _other_widgets():
        context, page, report, w = widget_page(widget_pages, browser, widget, width=360)
        problems += [f"{widget._module}: {p}" for p in w.evaluate(OVERFLOW_JS)]
        context.close()
    assert not problems, "\n".join(problems)


def test_overflow_check_can_fail(widget_pages, browser):
    from lstm_course.widgets import gates

    context, page, report, w = widget_page(widget_pages, browser, gates.gate_widget(0.0), width=360)
    assert w.evaluate(OVERFLOW_JS) == []
    page.evaluate("() => document.querySelector('.lstm-w svg').style.minWidth = '500px'")
    bad = w.evaluate(OVERFLOW_JS)
    assert any("scrolls sideways" in b for b in bad) and any("svg spans" in b for b in bad), bad
    context.close()


def test_the_explorer_cell_shows_its_arrows_on_the_site(site, browser):
    """The cell box is painted first, so every arrow inside it is visible: at the middle of
    each edge's path, the topmost element belongs to that edge (or to a node or label drawn
    over it), never to the box."""
    context, page, report, w = open_widget(site, browser, "05_walk_through.html", "explorer")
    w.locator("svg.lw-diagram").scroll_into_view_if_needed()
    hidden = page.evaluate("""() => {
        const svg = document.querySelector('.lstm-widget[data-lstm-module="explorer"] svg.lw-diagram');
        const out = [];
        for (const g of svg.querySelectorAll('[data-edge]')) {
            const path = g.querySelector('path');
            const len = path.getTotalLength();
            if (!len) continue;
            const p = path.getPointAtLength(len / 2);
            const pt = svg.createSVGPoint(); pt.x = p.x; pt.y = p.y;
            const sp = pt.matrixTransform(svg.getScreenCTM());
            const top = document.elementFromPoint(sp.x, sp.y);
            if (top && top.tagName === 'rect' && !top.closest('[data-edge]')
                && (top.getAttribute('fill') || '').includes('module')) out.push(g.dataset.edge);
        }
        return out;
    }""")
    assert not hidden, f"edges hidden under the cell box: {hidden}"
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
    english = [p for p in _pages(html_dir) if not p.startswith("vi/")
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

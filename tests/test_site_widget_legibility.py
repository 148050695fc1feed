"""The book's widgets are legible: contrast in dark and light mode, a phone screen, the explorer's arrows.

In a real browser (fixtures in ``tests/conftest.py``, helpers in ``tests/_site.py``), every
widget, on the site where its chapter's stored outputs hold it and in a page of our own
otherwise: in the theme's dark mode text has a contrast of at least 4.5:1 and lines 3:1
(WCAG 2), in light mode text at least 4.5:1; on a 360 px wide phone neither the widget nor
the page around it scrolls sideways; the explorer's cell box hides none of its arrows. The
contrast and overflow checks are also shown to fail on a widget broken on purpose. Skips
like ``test_site_browser.py`` where Chromium or Playwright is missing.
"""
from __future__ import annotations

from _browser import require_browser
from _site import open_page, open_widget, wait_for_widgets, widget_page

require_browser("the browser tests of the widgets' legibility")


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
        wait_for_widgets(page)
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
        wait_for_widgets(page)
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

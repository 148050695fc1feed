"""The book's widgets in a real browser, mounted from the page itself (no kernel): each
computes what its Python twin in ``lstm_course`` computes with numpy.

Every widget on the site mounts; then each widget is moved as a reader would (a slider
dragged, arrow keys, a preset picked, the play button) and what it shows is compared with
numpy. The widgets of chapters whose stored outputs hold them are opened on the site
(``site``); the others in pages of our own (``widget_pages``) holding the widget's mount
point and the script the book's extension adds. Fixtures: ``tests/conftest.py``; helpers:
``tests/_site.py``. Skips like ``test_site_browser.py`` where Chromium or Playwright is missing.
"""
from __future__ import annotations

import pytest

from _browser import require_browser
from _site import open_page, open_widget, set_range, site_pages, wait_for_widgets, widget_page

require_browser("the browser tests of the widgets")


def test_every_widget_on_the_site_mounts(site, browser):
    html_dir, base = site
    found, problems = 0, []
    for name in site_pages(html_dir):
        if 'class="lstm-widget"' not in (html_dir / name).read_text(encoding="utf-8"):
            continue
        context, page, report = open_page(browser, base + name, base)
        wait_for_widgets(page)
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

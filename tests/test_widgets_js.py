"""The widgets' JavaScript maths equals the package's numpy functions (to 1e-9).

Cases are generated here from ``lstm_course`` (gate values, schedules, weights, logits),
serialised as JSON, and computed again by the widgets' ES modules, loaded exactly as
anywidget and the static site load them (``_anywidget.esm_source``: ``common.js`` and the
widget's module joined), in Debian's Chromium driven by Playwright. Where Chromium or
Playwright is missing the tests skip with a one-line reason, except in CI.
"""
from __future__ import annotations

import base64

import numpy as np
import pytest

from lstm_course import counting, rnn
from lstm_course.widgets import _anywidget, explorer, gates, recurrence, sampling

from _browser import CHROMIUM, require_browser, sync_playwright

require_browser("the JavaScript parity tests")

MODULES = ("gate", "params", "explorer", "sequence", "stepper", "gradient", "temperature")
TOL = 1e-9


@pytest.fixture(scope="module")
def js():
    """``js(module, function, *args)``: the result of the module's exported function."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto("about:blank")
        for name in MODULES:
            url = "data:text/javascript;base64," + base64.b64encode(
                _anywidget.esm_source(name).encode()).decode()
            page.evaluate("async ([n, u]) => { (window.mods ||= {})[n] = await import(u); }", [name, url])

        def call(module, fn, *args):
            return page.evaluate("([m, f, a]) => window.mods[m][f](...a)", [module, fn, list(args)])

        yield call
        assert not errors, errors
        browser.close()


def _close(js_value, np_value, tol=TOL):
    a, b = np.asarray(js_value, dtype=float), np.asarray(np_value, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=0)


# ---- formatting shared by all modules: the text equals Python's format() -------------------

FMT_CASES = [0.0, 0.5, 0.125, 0.375, -0.05, 1e-5, 1.5e-5, 9.33e-302, 123456.0, 0.9999, 2.5, -2.5,
             1e21, 3.14159, 0.00012345, 99.95, 1e-320]


@pytest.mark.parametrize("x", FMT_CASES)
def test_number_formats_match_python(js, x):
    assert js("gate", "fmtG", x, 3) == f"{x:.3g}"
    assert js("gate", "fmtG", x, 2) == f"{x:.2g}"
    assert js("gate", "fmtFixed", x, 2) == f"{x:.2f}"
    assert js("gate", "fmtFixed", x, 1, True) == f"{x:+.1f}"
    assert js("gate", "fmtThousands", int(x)) == f"{int(x):,}"


# ---- the gate -------------------------------------------------------------------------------

def test_gate_matches_numpy(js):
    rng = np.random.default_rng(0)
    v = rng.normal(size=5)
    for a in [-40.0, -8.0, -3.5, -0.5, 0.0, 0.5, 1.5, 8.0, 40.0, *rng.uniform(-8, 8, size=6)]:
        out = js("gate", "gatePass", float(a), v.tolist())
        g, passed = gates.gate_pass(a, v)
        _close(out["g"], g)
        _close(out["passed"], passed)
        text = js("gate", "gateSummary", float(a), 1000)
        assert text == {"a": f"{a:+.1f}", "g": f"{float(g):.4f}", "steps": "1,000",
                        "power": f"{float(g) ** 1000:.3g}"}


def test_parity_check_can_fail(js):
    out = js("gate", "gatePass", 0.3, [1.0])
    with pytest.raises(AssertionError):
        _close(out["g"], gates.gate_pass(0.3 + 1e-7, [1.0])[0])


# ---- parameter counts -----------------------------------------------------------------------

@pytest.mark.parametrize("D, H", [(1, 1), (32, 128), (300, 512), (1024, 1024), (7, 1000)])
def test_param_counts_match_counting(js, D, H):
    assert js("params", "paramCounts", D, H) == counting.param_counts(D, H)


# ---- the gate explorer: one step, and the flows along the diagram's arrows -------------------

def _step_cases(n=40):
    rng = np.random.default_rng(1)
    cases = [(1.0, 0.0, 0.0, 1.0, 0.9), (0.0, 1.0, -1.0, 0.0, 2.0), (0.5, 0.5, 0.5, 0.5, -2.0)]
    cases += [tuple(rng.uniform(lo, hi)) for lo, hi in [((0, 0, -1, 0, -2), (1, 1, 1, 1, 2))] for _ in range(n)]
    return [tuple(float(x) for x in c) for c in cases]


def test_cell_step_and_flows_match_numpy(js):
    for f, i, c_tilde, o, c_prev in _step_cases():
        out = js("explorer", "cellStep", f, i, c_tilde, o, c_prev)
        ref = explorer.cell_step(f, i, c_tilde, o, c_prev)
        for k in ("C", "tanh_C", "h", "kept", "written"):
            _close(out[k], ref[k])
        flows = js("explorer", "cellFlows", f, i, c_tilde, o, c_prev, explorer.C_SCALE)
        ref = explorer.cell_flows(f, i, c_tilde, o, c_prev)
        assert flows.keys() == ref.keys()
        for k in ref:
            _close(flows[k], ref[k])


@pytest.mark.parametrize("name", sorted(explorer.PRESETS))
def test_run_schedule_matches_numpy(js, name):
    rng = np.random.default_rng(len(name))
    schedules = [explorer.preset_schedule(name)]
    edited = explorer.preset_schedule(name)
    for k, (lo, hi) in {"f": (0, 1), "i": (0, 1), "c_tilde": (-1, 1), "o": (0, 1)}.items():
        edited[k] = rng.uniform(lo, hi, size=edited[k].shape)
    edited["c0"] = float(rng.uniform(-2, 2))
    schedules.append(edited)
    for sch in schedules:
        out = js("sequence", "runSchedule", {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in sch.items()})
        ref = explorer.run_schedule(sch)
        for k in ("C", "tanh_C", "h", "kept", "written"):
            _close(out[k], ref[k])
        assert js("sequence", "cLimit", ref["C"].tolist(), explorer.C_SCALE) == explorer._c_limit(ref)


# ---- the RNN of chapters 1 and 2: states, and the gradient through time ---------------------

@pytest.mark.parametrize("T, D, H, seed", [(1, 1, 1, 0), (8, 3, 6, 1), (20, 4, 16, 2)])
def test_unrolled_states_match_numpy(js, T, D, H, seed):
    rng = np.random.default_rng(seed)
    p = rnn.init_params(D, H, rng)
    x = 2.0 * rng.standard_normal((T, D))
    out = js("stepper", "unrolledStates", x.tolist(), p.W_ih.tolist(), p.W_hh.tolist(),
             p.b_ih.tolist(), p.b_hh.tolist())
    _close(out, recurrence.unrolled_states(x, p))


@pytest.mark.parametrize("radius, input_scale", [(0.2, 0.0), (0.5, 0.5), (1.0, 0.5), (1.0, 3.0),
                                                 (1.6, 0.1), (3.0, 1.5)])
def test_gradient_curve_matches_numpy(js, radius, input_scale):
    kwargs = {"H": 12, "T": 30, "B": 3, "D": 2, "seed": 5}
    net = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in recurrence.gradient_net(**kwargs).items()}
    out = js("gradient", "gradientCurve", radius, input_scale, net)
    _close(out, recurrence.gradient_curve(radius, input_scale, **kwargs)[1])


# ---- sampling temperature: logits as a trained model gives them -----------------------------

@pytest.mark.parametrize("tau", [0.1, 0.3, 1.0, 1.7, 2.0])
def test_temperature_distribution_matches_numpy(js, tau):
    rng = np.random.default_rng(3)
    chars = "abcdefghijklmnopqrstuvwxyz .,\n"
    logits = 3.0 * rng.standard_normal(len(chars))
    logits[5] = logits[7]                             # a tie: the order stays stable
    out = js("temperature", "temperatureDistribution", logits.tolist(), tau, 10)
    ref = sampling.temperature_distribution(logits, chars, tau, k=10)
    assert tuple(sampling._label(chars[i]) for i in out["top"]) == ref.labels
    _close(out["probs"], ref.probs)
    _close(out["probs_at_1"], ref.probs_at_1)
    _close(out["entropy"], ref.entropy)


# ---- the diagrams' geometry, drawn by the browser as by matplotlib ---------------------------

# diagrams.render._draw_edge: colour and base width of an arrow by its style
EDGE_LOOK = {"cell": ("var(--lw-cell)", "cell_lw"), "peep": ("var(--lw-peephole)", None),
             "mark": ("var(--lw-highlight)", "cell_lw")}


@pytest.mark.parametrize("name", sorted(__import__("lstm_course.diagrams", fromlist=["DIAGRAMS"]).DIAGRAMS))
def test_every_diagram_draws_its_arrows_in_the_renderers_colours(js, name):
    """``drawDiagram`` (common.js) knows every edge style ``diagrams.geometry`` produces."""
    from lstm_course import diagrams

    geom, style = diagrams.geometry(name), diagrams.STYLE
    drawn = js("explorer", "drawnEdges", geom, style)
    assert len(drawn) == len(geom["edges"])
    pt = 1 / (72 * style["unit_in"])
    for e, (stroke, width) in zip(geom["edges"], drawn):
        colour, key = EDGE_LOOK.get(e["style"], ("var(--lw-ink)", "line_lw"))
        assert stroke == colour, (e["name"], e["style"], stroke)
        if key:
            assert width == pytest.approx(style[key] * pt), (e["name"], e["style"])

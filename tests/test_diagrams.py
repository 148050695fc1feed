"""Tests for ``lstm_course.diagrams``: every diagram draws, reads cleanly, and stays put.

Three kinds of check:

* behaviour: each function returns a Figure for several argument combinations and
  both themes, carries alt text, leaves global rcParams and pyplot alone, and the
  ``lstm_cell`` highlight / flows API works (flows update artists in place);
* legibility, measured on the rendered figure: no two texts overlap, no free label
  touches a line, an arrowhead, a box or a dot, every text inside a box fits inside
  it, and nothing is cut off at the figure edge. ``test_checker_catches_*`` prove
  these checks can fail;
* appearance: each drawing is compared with a stored baseline PNG
  (``tests/baseline_images/diagrams/``) with a small tolerance, so any change to a
  drawing is a deliberate decision.

Refreshing the baselines after an intended change to a drawing::

    LSTM_COURSE_UPDATE_BASELINES=1 .venv/bin/pytest tests/test_diagrams.py
    git diff --stat tests/baseline_images/diagrams/   # then look at the new PNGs

The baselines are rendered at a low dpi (``BASELINE_DPI``) to keep them small.
"""
from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch, Polygon  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from lstm_course import diagrams  # noqa: E402

BASELINE_DIR = Path(__file__).parent / "baseline_images" / "diagrams"
BASELINE_DPI = 60
BASELINE_TOL = 2.0  # RMS over 0-255 grey levels
UPDATE = os.environ.get("LSTM_COURSE_UPDATE_BASELINES") == "1"

# (id, function name, kwargs) drawn in both themes
CASES = [
    ("rnn_loop", "rnn_loop", {}),
    ("unrolled_rnn", "unrolled_rnn", {}),
    ("unrolled_rnn_n2", "unrolled_rnn", {"n": 2}),
    ("unrolled_rnn_n6", "unrolled_rnn", {"n": 6}),
    ("unrolled_rnn_n3_noellipsis", "unrolled_rnn", {"n": 3, "ellipsis": False}),
    ("rnn_loop_and_unrolled", "rnn_loop_and_unrolled", {}),
    ("short_gap", "short_gap", {}),
    ("long_gap", "long_gap", {}),
    ("rnn_chain", "rnn_chain", {}),
    ("lstm_chain", "lstm_chain", {}),
    ("notation_legend", "notation_legend", {}),
    ("cell_state_line", "cell_state_line", {}),
    ("gate", "gate", {}),
    ("lstm_cell", "lstm_cell", {}),
    ("lstm_cell_equations", "lstm_cell", {"equation": True}),
    ("lstm_cell_forget", "lstm_cell", {"highlight": "forget", "equation": True}),
    ("lstm_cell_input", "lstm_cell", {"highlight": "input", "equation": True}),
    ("lstm_cell_update", "lstm_cell", {"highlight": "update", "equation": True}),
    ("lstm_cell_output", "lstm_cell", {"highlight": "output", "equation": True}),
    ("lstm_cell_cell_state", "lstm_cell", {"highlight": "cell_state"}),
    ("lstm_cell_inputs", "lstm_cell", {"highlight": "inputs"}),
    ("lstm_cell_two_steps", "lstm_cell", {"highlight": ["forget", "input"], "equation": True}),
    ("lstm_cell_elements", "lstm_cell", {"highlight": {"layer_o", "op_tanh"}}),
    ("lstm_cell_flows", "lstm_cell", {"flows": {"forget": 0.95, "input": 0.1,
                                                 "candidate": 0.6, "cell_in": 1.0,
                                                 "cell_kept": 0.95, "cell_write": 0.1,
                                                 "cell_out": 0.9, "output": 0.4,
                                                 "h": 0.4}}),
    ("peephole_cell", "peephole_cell", {}),
    ("peephole_cell_equations", "peephole_cell", {"equation": True}),
    ("coupled_cell", "coupled_cell", {}),
    ("coupled_cell_equations", "coupled_cell", {"equation": True}),
    ("gru_cell", "gru_cell", {}),
    ("gru_cell_equations", "gru_cell", {"equation": True}),
    ("unrolled_lstm", "unrolled_lstm", {}),
    ("unrolled_lstm_n1", "unrolled_lstm", {"n": 1}),
    ("unrolled_lstm_n4", "unrolled_lstm", {"n": 4}),
    ("depth_gated_cell", "depth_gated_cell", {}),
    ("clockwork_rnn", "clockwork_rnn", {}),
    ("clockwork_rnn_4x12", "clockwork_rnn", {"n_modules": 4, "steps": 12}),
]
# Every case in the light theme; in the dark theme the first case of each function
# plus the highlighted cell (layout does not depend on the theme, colours do).
_DARK = {cid for cid, name, _ in CASES
         if cid == next(c for c, n, _ in CASES if n == name)} | {"lstm_cell_forget"}
ALL = ([(cid, name, kw, "light") for (cid, name, kw) in CASES] +
       [(cid, name, kw, "dark") for (cid, name, kw) in CASES if cid in _DARK])
ALL_IDS = [f"{cid}-{theme}" for (cid, _, _, theme) in ALL]

# Baselines: every diagram in the light theme, plus the main cell in the dark theme.
BASELINES = [c for c in ALL if c[3] == "light" and c[0] not in (
    "unrolled_rnn_n2", "unrolled_rnn_n3_noellipsis", "lstm_cell_two_steps", "lstm_cell_inputs",
    "lstm_cell_elements", "unrolled_lstm_n1", "unrolled_lstm_n4", "peephole_cell_equations",
    "coupled_cell_equations", "clockwork_rnn_4x12")]
BASELINES += [c for c in ALL if c[3] == "dark" and c[0] in ("lstm_cell_forget", "gru_cell")]


def _draw(name, kw, theme):
    fig = getattr(diagrams, name)(theme=theme, **kw)
    FigureCanvasAgg(fig)  # diagrams come with no canvas attached; measure with Agg
    return fig


@pytest.fixture(scope="module")
def drawn():
    """Each case drawn once (and rendered) for the whole module."""
    cache = {}

    def get(cid, name, kw, theme):
        key = (cid, theme)
        if key not in cache:
            fig = _draw(name, kw, theme)
            fig.canvas.draw()
            cache[key] = fig
        return cache[key]

    return get


# --------------------------------------------------------------------------------------
# Geometry of what was drawn
# --------------------------------------------------------------------------------------
def _texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _renderer(fig):
    return fig.canvas.get_renderer()


def _ink_bbox(text, renderer):
    return text.get_window_extent(renderer)


def _segments(line: Line2D):
    xy = line.get_transform().transform(line.get_xydata())
    for a, b in zip(xy[:-1], xy[1:]):
        if not (np.isnan(a).any() or np.isnan(b).any()):
            yield a, b


def _segment_hits_box(a, b, box, pad):
    """Liang-Barsky clip of segment ab against the box grown by pad (display px)."""
    x0, y0, x1, y1 = box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad
    dx, dy = b[0] - a[0], b[1] - a[1]
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return False
    return True


def _box_overlap(b1, b2, pad=0.0):
    return (min(b1.x1, b2.x1) - max(b1.x0, b2.x0) > pad and
            min(b1.y1, b2.y1) - max(b1.y0, b2.y0) > pad)


def _text_overlaps(fig):
    r = _renderer(fig)
    texts = _texts(fig)
    boxes = [_ink_bbox(t, r) for t in texts]
    bad = []
    for (t1, b1), (t2, b2) in itertools.combinations(zip(texts, boxes), 2):
        if _box_overlap(b1, b2):
            bad.append((t1.get_text(), t2.get_text()))
    return bad


def _label_collisions(fig, pad_px=1.0):
    """Free labels (gid 'label:...') that touch a line, an arrowhead, a node or a dot."""
    r = _renderer(fig)
    px_per_pt = fig.dpi / 72
    labels = [t for t in _texts(fig) if (t.get_gid() or "").startswith("label:")]
    lines = [ln for ln in fig.findobj(Line2D) if ln.get_visible() and ln.get_gid()]
    patches = [p for p in fig.findobj(lambda a: isinstance(a, (Circle, Polygon, FancyBboxPatch)))
               if p.get_gid()]
    problems = []
    for t in labels:
        box = _ink_bbox(t, r)
        for ln in lines:
            pad = pad_px + ln.get_linewidth() * px_per_pt / 2
            if any(_segment_hits_box(a, b, box, pad) for a, b in _segments(ln)):
                problems.append((t.get_text(), ln.get_gid()))
        for p in patches:
            pbox = p.get_window_extent(r)
            if p.get_gid().split("_")[-1] == "box" or p.get_gid().endswith("_A") or p.get_gid() == "A":
                # a module: only its border is an obstacle (labels may sit inside it)
                inner = pbox.padded(-p.get_linewidth() * px_per_pt - pad_px)
                if _box_overlap(box, pbox) and not (inner.x0 <= box.x0 and box.x1 <= inner.x1
                                                    and inner.y0 <= box.y0 and box.y1 <= inner.y1):
                    problems.append((t.get_text(), p.get_gid()))
            elif _box_overlap(box, pbox.padded(pad_px)):
                problems.append((t.get_text(), p.get_gid()))
    return problems


def _node_text_overflow(fig):
    """Texts drawn inside a node (gid 'node:<name>') must fit inside its shape."""
    r = _renderer(fig)
    patches = {p.get_gid(): p for p in fig.findobj(lambda a: isinstance(a, (Circle, FancyBboxPatch)))
               if p.get_gid()}
    bad = []
    for t in _texts(fig):
        gid = t.get_gid() or ""
        if not gid.startswith("node:"):
            continue
        patch = patches.get(gid[len("node:"):])
        if patch is None:
            continue
        tb, pb = _ink_bbox(t, r), patch.get_window_extent(r)
        inset = 1.0 if isinstance(patch, FancyBboxPatch) else -1.0
        if not (pb.x0 + inset <= tb.x0 and tb.x1 <= pb.x1 - inset and
                pb.y0 + inset <= tb.y0 and tb.y1 <= pb.y1 - inset):
            bad.append(t.get_text())
    return bad


# --------------------------------------------------------------------------------------
# Behaviour
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cid,name,kw,theme", ALL, ids=ALL_IDS)
def test_draws_a_figure_with_alt_text(drawn, cid, name, kw, theme):
    fig = drawn(cid, name, kw, theme)
    assert isinstance(fig, Figure)
    alt = diagrams.alt_text(fig)
    assert 40 < len(alt) < 600 and alt.endswith(".")
    assert diagrams.alt_text(name, theme=theme, **kw) == alt  # without drawing
    w, h = fig.get_size_inches()
    assert 1.5 <= w <= diagrams.STYLE["max_width_in"] + 1e-9 and 1.0 <= h <= 7.0


def test_draws_into_a_given_axes():
    fig = Figure(figsize=(8, 4))
    ax1, ax2 = fig.subplots(1, 2)
    out = diagrams.gate(ax=ax1)
    assert out is fig
    diagrams.lstm_cell(highlight="forget", ax=ax2)
    assert diagrams.alt_text(fig).startswith("An LSTM cell")


def test_leaves_global_state_alone():
    before = dict(matplotlib.rcParams)
    fignums = plt.get_fignums()
    for name in diagrams.DIAGRAMS:  # each function once, in the theme that changes most
        _draw(name, {}, "dark").canvas.draw()
    assert plt.get_fignums() == fignums, "a diagram opened a pyplot figure"
    after = dict(matplotlib.rcParams)
    assert {k: v for k, v in after.items() if before.get(k) != v} == {}


@pytest.mark.parametrize("step", ["forget", "input", "update", "output", "cell_state", "inputs"])
def test_each_walkthrough_step_dims_the_rest(step):
    fig = diagrams.lstm_cell(highlight=step)
    parts = diagrams.LSTM_PARTS[step]
    lit = [n for n, a in fig.lstm_artists.items() if n in parts]
    dim = [n for n in fig.lstm_artists if n not in parts and not n.startswith("eq_")
           and n != "box"]
    assert lit and dim

    def alpha(a):
        a = a["line"] if isinstance(a, dict) and "line" in a else (
            a["patch"] if isinstance(a, dict) else a)
        return 1.0 if a.get_alpha() is None else a.get_alpha()

    assert all(alpha(fig.lstm_artists[n]) == 1.0 for n in lit)
    assert all(alpha(fig.lstm_artists[n]) < 0.5 for n in dim)


def test_every_part_name_refers_to_a_drawn_element():
    names = set(diagrams.lstm_cell().lstm_artists)
    for part, elements in diagrams.LSTM_PARTS.items():
        assert set(elements) <= names, (part, set(elements) - names)
    for key, elements in diagrams.FLOW_KEYS.items():
        assert set(elements) <= names, (key, set(elements) - names)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="highlight"):
        diagrams.lstm_cell(highlight="forgot")
    with pytest.raises(ValueError, match="theme"):
        diagrams.gate(theme="sepia")
    with pytest.raises(ValueError, match="n must"):
        diagrams.unrolled_rnn(n=0)
    with pytest.raises(ValueError, match="flows"):
        diagrams.lstm_cell(flows={"forgett": 1.0})


def test_equations_follow_the_highlighted_step():
    fig = diagrams.lstm_cell(highlight="output", equation=True)
    eqs = [n for n in fig.lstm_artists if n.startswith("eq_")]
    assert eqs == ["eq_o", "eq_h"]
    fig = diagrams.lstm_cell(equation=True)
    assert len([n for n in fig.lstm_artists if n.startswith("eq_")]) == 6


def test_flows_update_the_same_artists_in_place():
    fig = diagrams.lstm_cell(flows={"forget": 0.0, "h": 0.0})
    line = fig.lstm_artists["edge_f"]["line"]
    thin = line.get_linewidth()
    diagrams.update_flows(fig, {"forget": 1.0})
    assert fig.lstm_artists["edge_f"]["line"] is line
    assert line.get_linewidth() > 3 * thin
    assert line.get_alpha() == pytest.approx(1.0)
    diagrams.update_flows(fig, {"forget": 7.0})  # clipped to 1
    assert line.get_linewidth() == pytest.approx(fig.lstm_artists["edge_f"]["base_lw"] * 2.25)
    n_artists = len(fig.axes[0].get_children())
    diagrams.update_flows(fig, {"h": 0.5, "cell_out": 0.2})
    assert len(fig.axes[0].get_children()) == n_artists
    with pytest.raises(ValueError):
        diagrams.update_flows(Figure(), {"forget": 1.0})


def test_geometry_is_plain_data():
    geom = diagrams.geometry("lstm_cell", highlight="forget")
    text = json.dumps(geom)
    assert "layer_f" in text and geom["extent"][0] < geom["extent"][1]
    assert set(geom) >= {"extent", "modules", "nodes", "edges", "dots", "labels", "parts"}
    # the very data the drawing function renders, obtained without drawing
    assert geom == diagrams.lstm_cell(highlight="forget").lstm_geometry
    for name in diagrams.DIAGRAMS:
        assert isinstance(diagrams.geometry(name), dict)


def test_every_figure_is_a_sketch_and_a_drawing():
    """Each figure module pairs a sketch function (geometry and alt text) with a drawing
    function of the same name; the registry lists both."""
    assert list(diagrams.SKETCHES) != [] and set(diagrams.SKETCHES) == set(diagrams.DIAGRAMS)
    for name, draw in diagrams.DIAGRAMS.items():
        assert draw is getattr(diagrams, name)
        s = diagrams.sketch(name, theme="dark")
        assert s.name == name and s.geometry == diagrams.geometry(name)
        assert diagrams.alt_text(name) == s.alt
    with pytest.raises(ValueError, match="name must be one of"):
        diagrams.geometry("lstm_cel")


@pytest.mark.parametrize("name,needed,out,gap", [
    ("short_gap", ["0", "1"], "3", "2"), ("long_gap", ["0", "1"], "t+1", "t")])
def test_gap_figures_mark_the_inputs_and_the_output_that_needs_them(name, needed, out, gap):
    geom = diagrams.geometry(name)
    labels = {lab["name"]: lab for lab in geom["labels"]}
    edges = {e["name"]: e for e in geom["edges"]}
    step = {lab["text"].split("_")[-1].strip("{}$"): lab["name"].split("_")[0]
            for lab in geom["labels"] if lab["name"].endswith("label_x")}  # "0" -> "A0"
    marked = {e["name"] for e in geom["edges"] if e["style"] == "mark"}
    assert marked == {f"{step[s]}_edge_x" for s in needed} | {f"{step[out]}_edge_h"}
    # without colour: the marked inputs and output are the only bold labels
    bold = {lab["name"] for lab in geom["labels"] if r"\mathbfit" in lab["text"]}
    assert bold == {f"{step[s]}_label_x" for s in needed} | {f"{step[out]}_label_h"}
    # and a bracket spans the gap, from the last needed input to the output
    xs = [p[0] for p in edges["edge_gap"]["points"]]
    assert (min(xs), max(xs)) == (labels[f"{step[needed[-1]]}_label_x"]["x"],
                                  labels[f"{step[out]}_label_h"]["x"])
    assert labels["label_gap"]["text"].replace("$", "") == f"gap of {gap} steps"
    alt = diagrams.alt_text(name)
    sub = out if len(out) == 1 else f"{{{out}}}"   # the alt text writes h_3, h_{t+1}
    assert all(f"x_{s}" in alt for s in needed) and f"h_{sub}" in alt
    assert f"gap of {gap} steps" in alt


def test_the_long_gap_leaves_out_its_middle():
    geom = diagrams.geometry("long_gap")
    names = {lab["name"] for lab in geom["labels"]}
    assert {"label_ellipsis2", "label_ellipsis_x", "label_ellipsis_h"} <= names
    assert "label_ellipsis2" not in {lab["name"] for lab in
                                     diagrams.geometry("short_gap")["labels"]}
    assert "left out" in diagrams.alt_text("long_gap")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_marked_arrows_take_the_themes_highlight_colour(theme):
    fig = diagrams.short_gap(theme=theme)
    colours = diagrams.THEMES[theme]
    for e in fig.lstm_geometry["edges"]:
        line = fig.lstm_artists[e["name"]]["line"]
        want = colours["highlight"] if e["style"] == "mark" else colours["ink"]
        assert matplotlib.colors.same_color(line.get_color(), want), e["name"]
        if e["style"] == "mark":  # thicker too, so the mark does not rest on colour alone
            assert line.get_linewidth() > 1.5 * diagrams.STYLE["line_lw"]


# --------------------------------------------------------------------------------------
# Legibility
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cid,name,kw,theme", ALL, ids=ALL_IDS)
def test_no_text_overlaps_another(drawn, cid, name, kw, theme):
    assert _text_overlaps(drawn(cid, name, kw, theme)) == []


@pytest.mark.parametrize("cid,name,kw,theme", [c for c in ALL if c[3] == "light"],
                         ids=[i for i in ALL_IDS if i.endswith("-light")])
def test_labels_touch_no_line_or_shape(drawn, cid, name, kw, theme):
    # the layout does not depend on the theme, so one theme suffices
    assert _label_collisions(drawn(cid, name, kw, theme)) == []


@pytest.mark.parametrize("cid,name,kw,theme", [c for c in ALL if c[3] == "light"],
                         ids=[i for i in ALL_IDS if i.endswith("-light")])
def test_node_texts_fit_their_shapes_and_nothing_is_cut(drawn, cid, name, kw, theme):
    fig = drawn(cid, name, kw, theme)
    assert _node_text_overflow(fig) == []
    r = _renderer(fig)
    W, H = fig.canvas.get_width_height()
    for t in _texts(fig):
        b = _ink_bbox(t, r)
        assert b.x0 >= 0 and b.y0 >= 0 and b.x1 <= W and b.y1 <= H, t.get_text()


def test_checker_catches_overlapping_texts():
    fig = _draw("gate", {}, "light")
    ax = fig.axes[0]
    t = ax.text(2.9, 2.0, "overlap", ha="left", va="center")
    t.set_gid("label:test")
    fig.canvas.draw()
    assert _text_overlaps(fig)
    assert ("overlap", "edge:edge_gate") not in _label_collisions(fig)  # beside the line
    t.set_position((2.6, 2.0))  # now centred on the vertical gate line
    fig.canvas.draw()
    assert ("overlap", "edge:edge_gate") in _label_collisions(fig)


def test_checker_catches_text_overflowing_a_box():
    fig = _draw("gate", {}, "light")
    node = fig.lstm_artists["layer_sigma"]["text"]
    node.set_text("a much too long name")
    fig.canvas.draw()
    assert _node_text_overflow(fig) == ["a much too long name"]


# --------------------------------------------------------------------------------------
# Appearance: baseline images
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cid,name,kw,theme", BASELINES,
                         ids=[f"{c[0]}-{c[3]}" for c in BASELINES])
def test_matches_baseline_image(drawn, tmp_path, cid, name, kw, theme):
    fig = drawn(cid, name, kw, theme)
    fname = f"{cid}-{theme}.png"
    actual = tmp_path / fname
    fig.savefig(actual, dpi=BASELINE_DPI, facecolor=fig.get_facecolor(),
                metadata={"Software": None})
    expected = BASELINE_DIR / fname
    if UPDATE:
        BASELINE_DIR.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(actual.read_bytes())
        return
    assert expected.exists(), (f"no baseline {expected}; create it with "
                               "LSTM_COURSE_UPDATE_BASELINES=1 pytest tests/test_diagrams.py")
    err = compare_images(str(expected), str(actual), tol=BASELINE_TOL)
    assert err is None, err


def test_no_stale_baselines():
    wanted = {f"{c[0]}-{c[3]}.png" for c in BASELINES}
    present = {p.name for p in BASELINE_DIR.glob("*.png")}
    assert present <= wanted, f"baselines nobody checks: {sorted(present - wanted)}"
    assert sum(p.stat().st_size for p in BASELINE_DIR.glob("*.png")) < 2_000_000

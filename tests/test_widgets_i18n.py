"""The widgets speak the page's language: Vietnamese on the Vietnamese site, English elsewhere.

Every word a widget shows goes through ``tr(english, values)`` of ``js/common.js``, which
looks the English text up in ``STRINGS[<html lang>]`` (and falls back to the English).
The tests here:

* completeness: every ``tr("...")`` key of the seven modules has a non-empty Vietnamese
  entry in ``STRINGS.vi`` with the same ``{placeholders}``, and the table holds no key no
  module uses;
* nothing visible escapes ``tr``: the places where a module puts text on the page (a
  ``label:`` or ``text:`` option, ``.textContent =``, ``setAttribute("aria-label", ...)``,
  ``root``'s label, ``legendText``'s label, ``replaceChildren``'s arguments) hold no string
  literal with a word in it outside ``tr(...)``; a literal of symbols only (``"Cₜ"``,
  ``"■"``, ``" = ["``, ``` `σ(${n.a}) = ` ```) may stand, as may the names in ``KEEP``;
* in Chromium: the same modules, mounted by the site's shim, show Vietnamese on a
  ``<html lang="vi">`` page and the English text, unchanged, on a ``lang="en"`` page.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lstm_course.widgets._anywidget import JS_DIR

MODULES = ("gate", "params", "explorer", "sequence", "stepper", "gradient", "temperature")
#: words that stay as they are in every language (names of networks, a function)
KEEP = {"RNN", "GRU", "LSTM", "tanh"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


# ---- a small JavaScript scanner: string literals and brackets ------------------------------

def _skip_string(src: str, i: int) -> int:
    """``src[i]`` opens a '...' or "..." literal: the index after its end."""
    q = src[i]
    i += 1
    while src[i] != q:
        if src[i] == "\n":
            raise ValueError(f"unterminated string at {i}")
        i += 2 if src[i] == "\\" else 1
    return i + 1


def _skip_template(src: str, i: int) -> int:
    """``src[i]`` opens a `...` literal: the index after its end (``${...}`` skipped)."""
    i += 1
    while src[i] != "`":
        if src[i] == "\\":
            i += 2
        elif src.startswith("${", i):
            i = _skip_code(src, i + 2, "}")
        else:
            i += 1
    return i + 1


PAIRS = {"(": ")", "[": "]", "{": "}"}


def _skip_literal_or_comment(src: str, i: int) -> int | None:
    """The index after the string, template or comment that starts at ``i``; None if none does."""
    c = src[i]
    if c in "'\"":
        return _skip_string(src, i)
    if c == "`":
        return _skip_template(src, i)
    if src.startswith("//", i):
        return src.index("\n", i)
    if src.startswith("/*", i):
        return src.index("*/", i) + 2
    return None


def _walk(src: str, i: int, stop: int | None = None, into_brackets: bool = False):
    """``(index, char, end)`` for each place of ``src[i:stop]`` the scanners look at: ``end``
    is the index after the string, template or comment starting there (None if none does).
    Literals and comments are stepped over whole, and so are brackets opened on the way,
    unless ``into_brackets``."""
    stop = len(src) if stop is None else stop
    while i < stop:
        c = src[i]
        end = _skip_literal_or_comment(src, i)
        yield i, c, end
        if end is not None:
            i = end
        elif c in PAIRS and not into_brackets:
            i = _skip_code(src, i + 1, PAIRS[c])
        else:
            i += 1


def _skip_code(src: str, i: int, close: str) -> int:
    """Scan code from ``i`` to the bracket ``close`` that ends it: the index after it."""
    for j, c, end in _walk(src, i):
        if end is None and c == close:
            return j + 1
    raise ValueError(f"no closing {close!r}")


def literals(src: str, start: int = 0, stop: int | None = None, top_only: bool = False):
    """``(index, literal source)`` of the string and template literals in ``src[start:stop]``;
    ``top_only``: only those outside any bracket opened inside the range."""
    return [(j, src[j:end]) for j, c, end in _walk(src, start, stop, into_brackets=not top_only)
            if end is not None and c in "'\"`"]


def _expression_end(src: str, i: int) -> int:
    """From ``i``, the end of one expression: the first , ; ) ] or } outside brackets and literals."""
    for j, c, end in _walk(src, i):
        if end is None and c in ",;)]}":
            return j
    return len(src)


def _arguments(src: str, open_paren: int) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of a call's arguments; ``src[open_paren]`` is its "("."""
    spans, i = [], open_paren + 1
    end = _skip_code(src, i, ")") - 1
    while i < end:
        j = _expression_end(src, i)
        spans.append((i, j))
        i = j + 1
    return spans


def js_string(literal: str) -> str:
    """The value of a plain '...' or "..." literal."""
    body = literal[1:-1]
    if literal[0] == "'":
        body = body.replace('\\"', '"').replace("\\'", "'").replace('"', '\\"')
    return json.loads(f'"{body}"')


def _text_of(literal: str, fill: str = " ") -> str:
    """A literal's characters, each of a template's ``${...}`` parts as ``fill``."""
    if literal[0] != "`":
        return literal[1:-1]
    i, parts = 1, []
    while i < len(literal) - 1:
        if literal.startswith("${", i):
            i = _skip_code(literal, i + 2, "}")
            parts.append(fill)
        else:
            parts.append(literal[i])
            i += 1
    return "".join(parts)


def wordy(literal: str) -> bool:
    """Whether a literal holds a word (two Latin letters running) besides those in ``KEEP``;
    a template's ``${...}`` parts do not count."""
    words = re.findall(r"[A-Za-z]{2,}", re.sub(r"\\[nrtu]", " ", _text_of(literal)))
    return any(w not in KEEP for w in words)


# ---- where the modules put text on the page ---------------------------------------------------

#: an expression that follows one of these is shown (or read out) as it is
_VALUE_SINKS = re.compile(r"\blabel:\s*|\btext:\s*|\.textContent\s*=\s*|setAttribute\(\s*\"aria-label\"\s*,\s*")
#: calls whose arguments are shown: the function and which argument (None: every one, -1: last)
_CALL_SINKS = {"root": 2, "legendText": -1, "replaceChildren": None}


def untranslated(src: str) -> list[str]:
    """Literals with words that reach the page without ``tr``: ``"line: literal"`` each."""
    spans = []
    for m in _VALUE_SINKS.finditer(src):
        spans.append((m.end(), _expression_end(src, m.end())))
    for m in re.finditer(r"\b(" + "|".join(_CALL_SINKS) + r")\(", src):
        if src[:m.start()].rstrip().endswith("function"):
            continue
        args = _arguments(src, m.end() - 1)
        which = _CALL_SINKS[m.group(1)]
        if which is None:
            spans += args
        elif len(args) > abs(which) - (which < 0):
            spans.append(args[which])
    bad = []
    for start, stop in spans:
        for i, lit in literals(src, start, stop, top_only=True):
            if wordy(lit):
                bad.append(f"{src.count(chr(10), 0, i) + 1}: {lit}")
    return sorted(set(bad), key=lambda b: int(b.split(":")[0]))


def phrases_outside_tr(src: str) -> list[str]:
    """Literals anywhere in ``src`` (not only where text is shown: also those kept in a table
    first, such as slider specs) that hold a phrase (two or more parts between spaces, one of them
    a word), outside ``tr(...)``: ``"line: literal"`` each."""
    inside = [_arguments(src, m.end() - 1)[0] for m in re.finditer(r"(?<![\w.])tr\(", src)]
    bad = []
    for i, lit in literals(src):
        if any(a <= i < b for a, b in inside):
            continue
        tokens = re.sub(r"\\[nrtu]", " ", _text_of(lit, fill="0")).split()
        words = [t.strip("()[],:;.!?“”'\"") for t in tokens]
        if len(tokens) > 1 and any(re.fullmatch(r"[A-Za-z][A-Za-z'-]+", w) and w not in KEEP for w in words):
            bad.append(f"{src.count(chr(10), 0, i) + 1}: {lit}")
    return bad


def tr_calls(src: str) -> list[str]:
    """The first argument of every ``tr(...)`` call, as written."""
    out = []
    for m in re.finditer(r"(?<![\w.])tr\(", src):
        start, stop = _arguments(src, m.end() - 1)[0]
        out.append(src[start:stop].strip())
    return out


def strings_table() -> dict:
    """``STRINGS`` of common.js, read as JSON."""
    src = (JS_DIR / "common.js").read_text(encoding="utf-8")
    m = re.search(r"^export const STRINGS = (\{.*?^\});$", src, re.S | re.M)
    assert m, "common.js: no `export const STRINGS = {...};`"
    return json.loads(re.sub(r",(\s*\})", r"\1", m.group(1)))


def module_source(name: str) -> str:
    return (JS_DIR / f"{name}.js").read_text(encoding="utf-8")


_PLAIN = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")


def tr_keys(src: str) -> list[str]:
    """The keys of the ``tr`` calls in ``src``; each must be one plain string literal."""
    keys = []
    for arg in tr_calls(src):
        if not _PLAIN.fullmatch(arg):
            raise ValueError(f"tr's first argument must be one plain string literal (a key the test "
                             f"can read), found {arg[:80]}")
        keys.append(js_string(arg))
    return keys


def all_keys() -> dict[str, str]:
    """Every ``tr`` key of the modules -> the first module that uses it."""
    keys = {}
    for name in MODULES:
        for key in tr_keys(module_source(name)):
            keys.setdefault(key, name)
    return keys


# ---- 1. the table is complete ----------------------------------------------------------------

def test_every_key_has_a_vietnamese_text_with_its_placeholders():
    vi = strings_table()["vi"]
    keys = all_keys()
    assert len(keys) > 50, "the scanner found too few tr() keys"
    missing = [f"{m}.js: {k!r}" for k, m in keys.items() if not (vi.get(k) or "").strip()]
    assert not missing, "no Vietnamese text in common.js STRINGS.vi for:\n" + "\n".join(missing)
    wrong = [f"{k!r} -> {vi[k]!r}" for k in keys
             if set(PLACEHOLDER.findall(k)) != set(PLACEHOLDER.findall(vi[k]))]
    assert not wrong, "placeholders differ between key and translation:\n" + "\n".join(wrong)
    stale = sorted(set(vi) - set(keys))
    assert not stale, f"STRINGS.vi holds keys no module uses: {stale}"


def test_the_translations_use_the_glossary_terms():
    vi = strings_table()["vi"]
    terms = {"forget gate": "cổng quên", "input gate": "cổng đầu vào", "output gate": "cổng đầu ra",
             "cell state": "trạng thái ô", "hidden state": "trạng thái ẩn", "candidate": "giá trị ứng viên",
             "spectral radius": "bán kính phổ", "time step": "bước thời gian", "layer": "tầng"}
    wrong = [f"{k!r} -> {v!r} (wants {terms[t]!r})" for k, v in vi.items() for t in terms
             if re.search(rf"\b{t}", k) and terms[t] not in v]
    assert not wrong, "\n".join(wrong)


# ---- 2. no visible literal is left out ---------------------------------------------------------

@pytest.mark.parametrize("name", MODULES)
def test_no_visible_text_escapes_tr(name):
    bad = untranslated(module_source(name))
    assert not bad, f"{name}.js: wrap these in tr(...) and add them to STRINGS.vi:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", MODULES)
def test_no_phrase_outside_tr(name):
    bad = phrases_outside_tr(module_source(name))
    assert not bad, f"{name}.js: wrap these in tr(...) and add them to STRINGS.vi:\n" + "\n".join(bad)


def test_the_phrase_check_can_fail():
    assert phrases_outside_tr('const specs = [["f", "f_t  forget gate", 0, 1]];')
    assert phrases_outside_tr('for (const [k, l] of [["D", "input size D"]]) {}')
    assert phrases_outside_tr('const t = `next character after ${p}`;')
    assert not phrases_outside_tr('const specs = [["f", tr("f_t  forget gate"), 0, 1]];')
    assert not phrases_outside_tr('s("text", { transform: `rotate(-90 16 ${y})`, "font-size": 13 }, svg);')
    assert not phrases_outside_tr('const BARS = [["tanh_C", "tanh C_t"], ["h", "h_t"]]; const id = `lw-unit-${g}-${n}`;')


BAD_SAMPLES = [
    's("text", {}, svg).textContent = "steps back k";',
    'title.textContent = `spectral radius ρ = ${fmtFixed(r, 2)}`;',
    'x.textContent = t ? tr("a b") : "no sample stored";',
    'const r = root(el, model.get("themes"), "a gate explorer");',
    'legendText(svg, { x: 1 }, "■", "#0072B2", "at τ");',
    'svg.setAttribute("aria-label", `Bars: ${k} of them.`);',
    'svg.setAttribute("aria-label", tr("Left {a}", { a }) + " and more");',
    'summary.replaceChildren(`after ${T} steps: C = `, h("b", { text: n }));',
    'summary.replaceChildren(h("b", { text: n }), " nats.");',
    'slider(c, { name: "a", label: "pre-activation a", min: 0 });',
    'h("button", { type: "button", text: "▶ play" });',
]
GOOD_SAMPLES = [
    's("text", {}, svg).textContent = tr("steps back k");',
    'legendText(svg, { x: 1 }, "■", "#0072B2", "Cₜ");',
    'summary.replaceChildren(`σ(${n.a}) = `, h("b", { "data-role": "g", text: n.g }), "RNN ", " = [", "   tanh(Cₜ) = ");',
    'svg.setAttribute("aria-label", tr("Bars: {k} of them.", { k }));',
    'slider(c, { name: "a", label: tr("pre-activation a"), min: 0, format: (x) => String(x) });',
    'h("option", { value: n, text: presetLabel(n) });',
    'const t = s("text", { "text-anchor": "middle", "font-size": 13 }, chart);',
]


@pytest.mark.parametrize("sample", BAD_SAMPLES)
def test_the_escape_check_can_fail(sample):
    assert untranslated(sample), sample


@pytest.mark.parametrize("sample", GOOD_SAMPLES)
def test_the_escape_check_passes_translated_or_symbol_text(sample):
    assert not untranslated(sample), untranslated(sample)


def test_the_completeness_check_can_fail():
    assert tr_keys('a = tr("x {n}", { n: f(1, 2) }) + tr(\'y "z"\');') == ["x {n}", 'y "z"']
    for dynamic in ('x.textContent = tr(`after ${T} steps`);', 'x.textContent = tr("a " + b);',
                    'x.textContent = tr(label);'):
        with pytest.raises(ValueError, match="plain string literal"):
            tr_keys(dynamic)


# ---- 3. in the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from _browser import CHROMIUM, require_browser, sync_playwright

    require_browser("the widgets' language test")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _mounted(browser, lang: str, widgets):
    """A page ``<html lang=...>`` with the widgets mounted by the site's shim; (page, errors)."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
    from course_build import widget_script

    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    body = "".join(w.mount_html() for w in widgets)
    page.set_content(f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>w</title></head>"
                     f"<body><main>{body}</main>{widget_script({w._module for w in widgets})}</body></html>")
    page.wait_for_function("() => document.documentElement.dataset.lstmWidgets === 'mounted'", timeout=10_000)
    assert page.locator(".lstm-widget[data-mounted='true']").count() == len(widgets), errors
    return page, errors


def _widgets():
    from lstm_course import rnn
    from lstm_course.widgets import explorer, gates, recurrence

    import numpy as np

    p = rnn.init_params(2, 3, np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=(4, 2))
    return [gates.gate_widget(1.5), explorer.sequence_widget("remember"), recurrence.state_stepper(x, p, t=2)]


def _texts(page):
    return page.evaluate("""() => {
      const w = (m) => document.querySelector(`.lstm-widget[data-lstm-module="${m}"]`);
      const gate = w("gate"), seq = w("sequence"), step = w("stepper");
      return {
        group: gate.querySelector(".lstm-w").getAttribute("aria-label"),
        label: gate.querySelector("label.lw-label").textContent,
        axis: [...gate.querySelectorAll("svg text")].map((t) => t.textContent),
        aria: gate.querySelector("svg").getAttribute("aria-label"),
        preset: seq.querySelector("select option:checked").textContent,
        presetValue: seq.querySelector("select").value,
        summary: seq.querySelector(".lw-summary").textContent,
        play: step.querySelector("button[data-name=play]").textContent,
      };
    }""")


def test_vietnamese_page_shows_vietnamese_and_english_page_english(browser):
    widgets = _widgets()
    page, errors = _mounted(browser, "vi", widgets)
    vi = _texts(page)
    page.click(".lstm-widget[data-lstm-module=stepper] button[data-name=play]")
    playing = page.locator(".lstm-widget[data-lstm-module=stepper] button[data-name=play]").text_content()
    page.close()
    assert not errors, errors
    assert vi["group"] == "khám phá cổng: một cổng sigmoid và phần đi qua nó"
    assert vi["label"] == "tiền kích hoạt a"
    assert "giá trị cổng σ(a)" in vi["axis"] and "phần đi qua cổng" in vi["axis"]
    assert vi["aria"].startswith("Bên trái: đường sigmoid, đánh dấu điểm a = +1.5 tại σ(a) = 0.818.")
    assert (vi["preset"], vi["presetValue"]) == ("ghi nhớ (remember)", "remember")
    assert vi["summary"].startswith("bước 1:  Cₜ = +") and "sau 10 bước: C = " in vi["summary"]
    assert vi["play"] == "▶ chạy" and playing == "❚❚ tạm dừng"

    page, errors = _mounted(browser, "en", widgets)
    en = _texts(page)
    page.close()
    assert not errors, errors
    assert en["group"] == "gate explorer: a sigmoid gate and what passes it"
    assert en["label"] == "pre-activation a"
    assert "gate value σ(a)" in en["axis"] and "what passes the gate" in en["axis"]
    assert en["aria"] == ("Left: the sigmoid with a = +1.5 marked at σ(a) = 0.818. "
                          "Right: the vector v and the share σ(a) · v that passes.")
    assert (en["preset"], en["presetValue"]) == ("remember", "remember")
    assert en["summary"].startswith("step 1:  Cₜ = +") and "after 10 steps: C = " in en["summary"]
    assert en["play"] == "▶ play"

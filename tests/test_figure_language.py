"""Figures drawn in each edition's language from one run (``lstm_course.figure_language``)."""
from __future__ import annotations

import base64
import io
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from lstm_course import figure_language as fl  # noqa: E402

VI = {"hidden state": "trạng thái ẩn", "step": "bước", "forget": "quên", "mean": "trung bình"}


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    return base64.b64encode(buf.getvalue()).decode()


def _labelled_figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1], label="mean")
    ax.set_title("hidden state")
    ax.set_xlabel("step")
    ax.set_ylabel("$h_t$")
    ax.set_xticks([0, 1], ["forget", "the"])
    ax.legend()
    return fig


def test_is_word():
    assert fl.is_word("hidden state") and fl.is_word("$h_t$ (output)") and fl.is_word("tanh")
    assert not any(fl.is_word(s) for s in ("$C_t$", "0.5", "×", "−1", "$\\tilde{C}_t$", "x"))


def test_words_of_a_figure_skip_maths_numbers_and_kept_data():
    fig = _labelled_figure()
    fl.keep(fig, ["the"])
    words = fl.figure_words(fig)
    assert set(words) == {"hidden state", "step", "forget", "mean"}
    plt.close(fig)


def test_translated_figure_is_drawn_then_the_figure_is_restored():
    fig = _labelled_figure()
    fl.keep(fig, ["the"])
    english = _png(fig)
    seen = {}

    def draw(f):
        f.canvas.draw()
        seen["texts"] = {t.get_text() for t in fl._texts(f)}
        return _png(f)

    record = fl.translations(fig, draw, {"vi": VI})
    assert record["words"] == fl.figure_words(fig)
    assert record["vi"]["text"] == {w: VI[w] for w in record["words"]}
    # every word was translated when drawn, tick labels included; the data word was not asked for
    assert {"trạng thái ẩn", "bước", "quên", "trung bình"} <= seen["texts"]
    assert not {"hidden state", "step", "forget", "mean"} & seen["texts"]
    assert "the" in seen["texts"]
    assert record["vi"]["data"] != english
    # and the English figure is back as it was
    assert _png(fig) == english
    assert {"hidden state", "step", "forget", "mean"} <= {t.get_text() for t in fl._texts(fig)}
    plt.close(fig)


def test_figure_without_words_has_no_translated_copy():
    fig, ax = plt.subplots()
    ax.plot(np.arange(3))
    ax.set_xlabel("$t$")
    record = fl.translations(fig, _png, {"vi": VI})
    assert record == {"words": [], "vi": {"text": {}, "data": None}}
    plt.close(fig)


def test_translate_matches_a_text_that_differs_in_its_numbers_only():
    table = {"gender 4": "giới tính 4", "a = 1.5, b = 2": "a = 1.5 và b = 2", "step": "bước"}
    assert fl.translate("step", table) == "bước"
    assert fl.translate("gender 12", table) == "giới tính 12"
    assert fl.translate("a = 0.25, b = 3e-05", table) == "a = 0.25 và b = 3e-05"
    assert fl.translate("gender", table) is None and fl.translate("genders 4", table) is None


def test_stale_lists_words_drawn_with_another_translation():
    record = {"words": ["step", "mean"], "vi": {"text": {"step": "bước", "mean": "tb"}}}
    assert fl.stale(record, "vi", VI) == ["mean"]
    assert fl.stale({"words": ["step"], "vi": {"text": {}}}, "vi", VI) == ["step"]
    assert fl.stale({"words": ["step"], "vi": {"text": {"step": "bước"}}}, "vi", VI) == []


def test_catalog_reads_translated_entries_only(tmp_path):
    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / f"{fl.CATALOG}.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "step"\nmsgstr "bước"\n\nmsgid "mean"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "forget"\nmsgstr "quên"\n', encoding="utf-8")
    assert fl.catalog("vi", tmp_path) == {"step": "bước"}
    assert fl.catalog("fr", tmp_path) == {}


def test_kernel_stores_the_translated_figure(tmp_path):
    """In a real kernel: the shown figure's output carries its translation, ``%matplotlib
    inline`` after install() changes nothing, and the English output is as before."""
    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / f"{fl.CATALOG}.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "step"\nmsgstr "bước"\n', encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"from lstm_course import figure_language\n"
                                  f"figure_language.install(locales={str(tmp_path)!r})\n"
                                  "figure_language.install()  # a second call changes nothing"),
        nbformat.v4.new_code_cell("%matplotlib inline"),
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
                                  "ax.set_xlabel('step'); ax.set_title('loss')\n"
                                  "ax.set_yticks([0, 1], ['gates', '$C_t$'])"),
    ]
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    outputs = [o for o in nb.cells[2].outputs if "image/png" in o.get("data", {})]
    assert len(outputs) == 1
    record = outputs[0]["metadata"]["image/png"][fl.KEY]
    assert sorted(record["words"]) == ["gates", "loss", "step"]   # tick labels too
    assert record["vi"]["text"] == {"step": "bước"}
    assert record["vi"]["data"] and record["vi"]["data"] != outputs[0]["data"]["image/png"]
    assert sorted(fl.stale(record, "vi", {"step": "bước"})) == ["gates", "loss"]


def _mime(language: str | None, record: dict | None, mime: str = "image/png"):
    rendered = []
    renderer = SimpleNamespace(
        renderer=SimpleNamespace(sphinx_env=SimpleNamespace(config=SimpleNamespace(language=language))),
        render_mime_type=lambda data: rendered.append(data.content) or ["node"],
        render_mime_type_inline=lambda data: rendered.append(data.content) or ["inline node"])
    from myst_nb.core.render import MimeData

    data = MimeData(mime, "ENGLISH", output_metadata={mime: {fl.KEY: record}} if record else {})
    return fl.TranslatedFigures.handle_mime(renderer, data, False), rendered


@pytest.mark.parametrize("language, record, mime, expected", [
    ("vi", {"words": ["step"], "vi": {"data": "VIETNAMESE"}}, "image/png", ["VIETNAMESE"]),
    ("en", {"words": ["step"], "vi": {"data": "VIETNAMESE"}}, "image/png", None),
    (None, {"words": ["step"], "vi": {"data": "VIETNAMESE"}}, "image/png", None),
    ("vi", {"words": [], "vi": {"data": None}}, "image/png", None),
    ("vi", None, "image/png", None),
    ("vi", {"words": ["step"], "vi": {"data": "VIETNAMESE"}}, "text/plain", None),
    ("vi", {"words": ["A widget."], "vi": {"data": "<p>VIETNAMESE</p>"}}, "text/html", ["<p>VIETNAMESE</p>"]),
])
def test_website_renderer_shows_the_page_languages_figure(language, record, mime, expected):
    nodes, rendered = _mime(language, record, mime)
    if expected is None:
        assert nodes is None and rendered == []
    else:
        assert nodes == ["node"] and rendered == expected


def test_renderer_is_registered_with_myst_nb():
    from myst_nb.core.render import load_mime_renders

    assert fl.TranslatedFigures in load_mime_renders()


def test_widget_output_carries_its_translated_description(monkeypatch):
    """A widget's text/html (what readers without JavaScript see) has its translation."""
    from lstm_course.widgets import gates

    widget = gates.GateWidget()
    table = {widget._fallback: "Một tiện ích tương tác."}
    monkeypatch.setattr(fl, "catalog", lambda language, locales=fl.LOCALES: table)
    data, metadata = widget._repr_mimebundle_()
    record = metadata["text/html"][fl.KEY]
    assert record["words"] == [widget._fallback]
    assert record["vi"]["text"] == table
    english, translated = data["text/html"], record["vi"]["data"]
    assert widget._fallback.split(":")[0] in english and "Một tiện ích tương tác." in translated
    # the mount point itself is the same: the website's script fills either
    assert english.split("><p>")[0] == translated.split("><p>")[0]


def test_words_of_a_figure_made_without_pyplot():
    """The package's plots build ``Figure`` objects directly (no pyplot canvas to draw on)."""
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subplots()
    ax.set_xticks([0, 1], ["forget", "step"])
    ax.set_title("hidden state")
    assert sorted(fl.figure_words(fig)) == ["forget", "hidden state", "step"]

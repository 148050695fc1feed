"""Every figure in both editions' languages, drawn from one run of the notebook.

The website has an English and a Vietnamese edition built from the same executed
notebooks (``tools/build_site.py``), so a figure cannot be drawn again in the other
language at build time. Instead, when a notebook shows a matplotlib figure, the kernel
draws it twice: the English PNG is the output as usual, and the same figure with its
words translated is kept in that output's metadata::

    output.metadata["image/png"]["lstm_course"] = {
        "words": ["hidden state", ...],        # the English words drawn in the figure
        "vi": {"text": {"hidden state": "trạng thái ẩn", ...}, "data": "<base64 PNG>"},
    }

A widget's output does the same for its ``text/html`` (the description that readers
without JavaScript see in its place): ``metadata["text/html"]["lstm_course"]`` holds the
description and the mount point with it translated (``lstm_course.widgets``, through
:func:`text_record`).

The words come from every visible text of the figure (titles, axis labels, tick labels,
legends, annotations, the words inside diagrams). A text is a word when, outside its
``$...$`` maths, it has two letters in a row; so ``$C_t$``, ``0.5`` and ``×`` stay as they
are, and ``tanh`` is a word (its translation in the catalog is itself). Their translations
come from the gettext catalog ``book/locales/<language>/LC_MESSAGES/figure_text.po``.
Text that is data, such as the English sentences a language model reads, is marked with
:func:`keep` and never translated.

Two sides use this module:

* the kernel: :func:`install` (called by every chapter's hidden first cell) wraps
  IPython's PNG formatter, so every figure shown gets its translations;
* the Vietnamese website build: :class:`TranslatedFigures`, a myst-nb mime renderer
  (entry point ``myst_nb.mime_renderers`` in ``pyproject.toml``), shows the translated
  PNG (or widget description) instead of the English one.

``tools/build_site.py --pot`` collects the words from the notebooks' outputs into
``figure_text.pot``, and ``tests/test_translations.py`` fails when a word has no
translation or a stored figure was drawn with an older one.
"""
from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["LANGUAGES", "KEY", "keep", "is_word", "catalog", "figure_words", "translations",
           "install", "TranslatedFigures", "stored_records", "stale", "decode", "numbers", "translate", "text_record"]

LANGUAGES = ("vi",)
KEY = "lstm_course"
RECORDED = ("image/png", "text/html")   # the outputs that carry a record
LOCALES = Path(__file__).resolve().parents[1] / "book" / "locales"
CATALOG = "figure_text"

_MATH = re.compile(r"\$[^$]*\$")
_LETTERS = re.compile(r"[^\W\d_]{2}")


def is_word(text: str) -> bool:
    """True when ``text`` has words to translate: two letters in a row outside ``$...$``.

    >>> [is_word(s) for s in ("hidden state", "$C_t$", "0.5", "$h_t$ (output)", "×")]
    [True, False, False, True, False]
    """
    return bool(_LETTERS.search(_MATH.sub("", text)))


def keep(fig, texts) -> None:
    """Mark ``texts`` (strings) in ``fig`` as data: drawn in English in every edition.

    For words that are what a model reads or writes (its input sentences, its samples),
    which a translation would falsify.
    """
    fig.lstm_course_keep = set(getattr(fig, "lstm_course_keep", set())) | {str(t) for t in texts}


@lru_cache(maxsize=None)
def catalog(language: str, locales: Path = LOCALES) -> dict[str, str]:
    """English -> translation, from ``<locales>/<language>/LC_MESSAGES/figure_text.po``.

    Untranslated and fuzzy entries are left out. No catalog gives an empty table. Read
    once per process (a kernel sees the catalog as it was when it first drew).
    """
    path = Path(locales) / language / "LC_MESSAGES" / f"{CATALOG}.po"
    if not path.is_file():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}


def _texts(fig):
    """The figure's visible text artists, after a draw (tick labels are made at draw time)."""
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def figure_words(fig, laid_out: bool = False) -> list[str]:
    """The distinct words drawn in ``fig``, in drawing order, minus :func:`keep`'s.

    The figure is laid out first (tick labels are written at draw time), unless
    ``laid_out`` says it was just drawn, as when the kernel has printed its PNG.
    """
    if not laid_out:
        fig.draw_without_rendering()  # on any canvas, pyplot's or none
    kept = getattr(fig, "lstm_course_keep", set())
    words = dict.fromkeys(t.get_text() for t in _texts(fig))
    return [w for w in words if is_word(w) and w not in kept]


def _tickers(fig):
    """Every (axis.major or axis.minor) of the figure: their formatters write the tick labels."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            yield from (axis.major, axis.minor)


def _translating_formatter(formatter, table: dict[str, str]):
    """A tick formatter that writes ``formatter``'s labels through ``table``."""
    from matplotlib.ticker import Formatter

    class Translating(Formatter):
        def __call__(self, x, pos=None):
            label = formatter(x, pos)
            return table.get(label, label)

        def format_ticks(self, values):
            return [table.get(label, label) for label in formatter.format_ticks(values)]

        def set_locs(self, locs):
            formatter.set_locs(locs)

        def get_offset(self):
            return formatter.get_offset()

    return Translating()


def _translated(fig, table: dict[str, str], draw):
    """``draw(fig)`` with every text in ``table`` replaced, then the figure restored."""
    texts = [(t, t.get_text()) for t in _texts(fig) if t.get_text() in table]
    # tick labels are written again by their axis's formatter at every draw
    tickers = [(ticker, ticker.formatter) for ticker in _tickers(fig)]
    try:
        for t, text in texts:
            t.set_text(table[text])
        for ticker, formatter in tickers:
            ticker.formatter = _translating_formatter(formatter, table)
        return draw(fig)
    finally:
        for t, text in texts:
            t.set_text(text)
        for ticker, formatter in tickers:
            ticker.formatter = formatter


_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def numbers(text: str) -> list[str]:
    """The numbers written in ``text``, in order (a translation keeps them, in the same order).

    >>> numbers("gender 4, entropy 1.35 nats, 3.37e-88")
    ['4', '1.35', '3.37e-88']
    """
    return _NUMBER.findall(text)


def translate(text: str, table: dict[str, str]) -> str | None:
    """``text``'s translation in ``table``, or None.

    A text with numbers that came out otherwise on another machine (a unit chosen by
    training, an entropy) matches the entry that differs from it in its numbers only,
    and gets its own numbers in that translation:

    >>> translate("gender 7", {"gender 4": "giới tính 4"})
    'giới tính 7'
    """
    if text in table:
        return table[text]
    template, found = _NUMBER.sub("#", text), numbers(text)
    for english, translated in table.items():
        if _NUMBER.sub("#", english) == template and len(numbers(translated)) == len(found):
            parts = iter(found)
            return _NUMBER.sub(lambda m: next(parts), translated)
    return None


def text_record(words: list[str], render, catalogs: dict[str, dict[str, str]] | None = None) -> dict:
    """The metadata record of the module docstring for an output showing ``words``.

    ``render(table)`` gives the output's data with each word in ``table`` (English ->
    translation) replaced. ``catalogs`` maps a language to its table (default: read from
    the book's catalogs)."""
    if catalogs is None:
        catalogs = {language: catalog(language) for language in LANGUAGES}
    record = {"words": words}
    for language, table in catalogs.items():
        used = {w: t for w in words if (t := translate(w, table)) is not None}
        record[language] = {"text": used, "data": render(used) if used else None}
    return record


def translations(fig, draw, catalogs: dict[str, dict[str, str]], laid_out: bool = False) -> dict:
    """The record for figure ``fig``; ``draw(fig)`` gives its base64 PNG (``laid_out``: see
    :func:`figure_words`)."""
    return text_record(figure_words(fig, laid_out), lambda used: _translated(fig, used, draw), catalogs)


def _add_translations(catalogs, printer, obj, result):
    """IPython's PNG formatter result for ``obj``, with its translations in the metadata."""
    from matplotlib.figure import Figure

    if not isinstance(obj, Figure) or result is None:
        return result
    data, md = result if isinstance(result, tuple) else (result, {})
    # the figure was just drawn for ``result``: its text is laid out
    return data, {**(md or {}), KEY: translations(obj, printer, catalogs, laid_out=True)}


def install(ip=None, locales: Path = LOCALES) -> None:
    """Give every figure ``ip`` (the running IPython) shows its translations (see the docstring).

    Outside IPython, or when called again, it does nothing. It replaces IPython's PNG
    formatter by a subclass that keeps the same registered printers, so ``%matplotlib
    inline`` registering its printer afterwards lands in it and changes nothing.
    """
    if ip is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        ip = get_ipython()
    if ip is None or not hasattr(ip, "display_formatter"):
        return
    old = ip.display_formatter.formatters["image/png"]
    if getattr(old, "lstm_course_catalogs", None) is not None:
        return
    catalogs = {lang: catalog(lang, locales) for lang in LANGUAGES}

    class BilingualPNGFormatter(type(old)):
        lstm_course_catalogs = catalogs

        def __call__(self, obj):
            def draw(fig):  # the figure as this formatter shows it, whichever way it finds
                data = super(BilingualPNGFormatter, self).__call__(fig)
                data = data[0] if isinstance(data, tuple) else data
                return data if isinstance(data, str) else base64.b64encode(data).decode("ascii")

            return _add_translations(catalogs, draw, obj, super().__call__(obj))

    ip.display_formatter.formatters["image/png"] = BilingualPNGFormatter(
        parent=old.parent, type_printers=old.type_printers, deferred_printers=old.deferred_printers,
        singleton_printers=old.singleton_printers, enabled=old.enabled)


class TranslatedFigures:
    """myst-nb mime renderer: on a page built in a language, the output drawn in it.

    Registered as ``myst_nb.mime_renderers`` entry point ``lstm_course_figures``. In the
    English build, or for an output without a translation, it returns None and myst-nb
    renders the output as usual.
    """

    mime_priority_overrides = ()

    @staticmethod
    def handle_mime(renderer, data, inline):
        if data.mime_type not in RECORDED:
            return None
        env = getattr(renderer.renderer, "sphinx_env", None)
        language = getattr(getattr(env, "config", None), "language", None) or "en"
        record = data.output_metadata.get(data.mime_type, {}).get(KEY, {})
        translated = (record.get(language) or {}).get("data")
        if not translated:
            return None
        from dataclasses import replace

        # the same output with the translated data, and no record (so not handled again)
        other = replace(data, content=translated, output_metadata={
            **data.output_metadata, data.mime_type: {k: v for k, v in data.output_metadata[data.mime_type].items()
                                                     if k != KEY}})
        if inline:
            return renderer.render_mime_type_inline(other)
        return renderer.render_mime_type(other)


def stored_records(nb) -> list[tuple[int, dict]]:
    """``(cell index, record)`` of every output of a notebook (an nbformat node or dict)
    that carries one (figures and widgets)."""
    found = []
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            for mime in RECORDED:
                record = output.get("metadata", {}).get(mime, {}).get(KEY)
                if record is not None:
                    found.append((index, record))
    return found


def stale(record: dict, language: str, table: dict[str, str]) -> list[str]:
    """The words of a stored figure that ``table`` does not translate, or translates
    otherwise than the figure was drawn with."""
    drawn = (record.get(language) or {}).get("text", {})
    return [w for w in record["words"] if (t := translate(w, table)) is None or t != drawn.get(w)]


def decode(png: str) -> bytes:
    """The bytes of a base64 PNG as stored in a notebook."""
    return base64.b64decode(png)

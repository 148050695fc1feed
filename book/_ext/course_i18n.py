"""The two editions of the site: English at ``_build/html/`` and Vietnamese at ``_build/html/vi/``.

One set of notebooks produces both. The Vietnamese build reads the translations from the
gettext catalogs in ``book/locales/vi/LC_MESSAGES/`` (Sphinx's ``locale_dirs``, one
catalog per page because ``gettext_compact`` is off); ``tools/build_site.py`` runs both
builds. The figures' alt text comes from the catalog ``figures.po`` (written by
``tools/build_site.py --pot`` from the notebooks' ``mystnb.image.alt``): myst-nb makes
images from outputs after Sphinx's translation step, so this extension replaces the alt
text of each image on a translated page itself. It also adds the language switcher: a link in every page's header to the
same page in the other edition, as a relative URL, so it works from ``file://`` and on
any host.

Enable it in ``_config.yml``::

    sphinx:
      local_extensions:
        course_i18n: _ext
"""
from __future__ import annotations

from pathlib import Path

EDITIONS = {"en": "English", "vi": "Tiếng Việt"}
# words the build itself writes into every page (not from the book's text, so not in the
# catalogs): the book's title, and myst-nb's buttons that show or hide a cell's code
SITE_WORDS = {
    "vi": {
        "html_title": "Hiểu về mạng LSTM, bằng mã chạy được",
        "nb_code_prompt_show": "Hiện phần ẩn của ô mã",
        "nb_code_prompt_hide": "Ẩn lại phần này của ô mã",
    },
}
# where each edition's pages live, relative to the English site's root
ROOTS = {"en": "", "vi": "vi/"}


def other_edition(language: str | None) -> str:
    return "en" if (language or "en") == "vi" else "vi"


def switch_href(pagename: str, language: str | None) -> str:
    """Relative URL of ``pagename`` in the other edition, from that page in this one.

    >>> switch_href("appendix/bptt", "en")
    '../vi/appendix/bptt.html'
    >>> switch_href("intro", "vi")
    '../intro.html'
    """
    here = language if language in ROOTS else "en"
    up = "../" * (pagename.count("/") + ROOTS[here].count("/"))
    return f"{up}{ROOTS[other_edition(here)]}{pagename}.html"


def add_switcher(app, pagename, templatename, context, doctree):
    other = other_edition(app.config.language)
    context["lang_switch"] = {"href": switch_href(pagename, app.config.language),
                              "lang": other, "label": EDITIONS[other]}


def load_figure_alts(app) -> None:
    """English alt text -> translation, from ``<locale_dir>/<language>/LC_MESSAGES/figures.po``."""
    app.env.course_figure_alts = {}
    if (app.config.language or "en") == "en":
        return
    from babel.messages.pofile import read_po

    for locale_dir in app.config.locale_dirs:
        path = Path(app.srcdir) / locale_dir / app.config.language / "LC_MESSAGES" / "figures.po"
        if path.is_file():
            with path.open("rb") as f:
                app.env.course_figure_alts.update(
                    {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy})


def translate_alts(app, doctree, docname) -> None:
    from docutils import nodes

    alts = getattr(app.env, "course_figure_alts", {})
    for image in doctree.findall(nodes.image):
        if image.get("alt") in alts:
            image["alt"] = alts[image["alt"]]


def _exercise_title_transform():
    """A transform that makes the exercises' own titles (the text after ``{exercise}``)
    translatable. sphinx-exercise builds them as subtitle nodes without a source, and Sphinx
    extracts and translates only text that has one, so every exercise's title would stay
    English on a translated page. It runs just before Sphinx's translation transform."""
    from sphinx.transforms import SphinxTransform

    class MarkExerciseTitles(SphinxTransform):
        default_priority = 19   # sphinx.transforms.i18n.Locale is 20

        def apply(self, **kwargs):
            from sphinx_exercise.nodes import exercise_subtitle

            for node in self.document.findall(exercise_subtitle):
                if not node.source:
                    parent = node.parent
                    while parent is not None and not parent.source:
                        parent = parent.parent
                    node.source = parent.source if parent is not None else self.env.doc2path(self.env.docname)
                    node.line = getattr(parent, "line", None) or 1
                node.rawsource = node.rawsource or node.astext()
            if self.app.builder.name == "gettext":
                titles = self.env.__dict__.setdefault("course_exercise_titles", {})
                titles[self.env.docname] = [(n.rawsource, n.source, n.line)
                                            for n in self.document.findall(exercise_subtitle)]

    return MarkExerciseTitles


def add_exercise_titles(app, doctree, docname) -> None:
    """Gettext builds: put the exercises' titles into the page's catalog. sphinx-exercise's
    post-transforms have folded them into a new title by now, which Sphinx's extraction
    would skip; the transform above noted them while they were still apart."""
    if app.builder.name != "gettext":
        return
    from sphinx.builders.gettext import MsgOrigin
    from sphinx.util.i18n import docname_to_domain

    catalog = app.builder.catalogs[docname_to_domain(docname, app.config.gettext_compact)]
    for text, source, line in getattr(app.env, "course_exercise_titles", {}).get(docname, []):
        catalog.add(text, MsgOrigin(source, line))


def translate_toc_captions(app, doctree) -> None:
    """The table of contents' part captions ("Front matter", ...) in the page's language.

    They are in the root page's catalog, but the toctrees that carry them are added to the
    root page after Sphinx's translation step, so they would stay English."""
    if (app.config.language or "en") == "en":
        return
    from sphinx import addnodes

    catalog = _catalog(app, app.env.docname)
    for toc in doctree.findall(addnodes.toctree):
        if toc.get("caption"):
            toc["caption"] = catalog.gettext(toc["caption"])


def _catalog(app, docname):
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    dirs = [str(Path(app.srcdir) / d) for d in app.config.locale_dirs]
    return init_locale(dirs, app.config.language, docname_to_domain(docname, app.config.gettext_compact))[0]


def translate_solution_titles(app, doctree, docname) -> None:
    """A solution's title repeats its exercise's title, which sphinx-exercise copies from
    the exercise as it was before translation; put the page's translation in its place."""
    if (app.config.language or "en") == "en":
        return
    from docutils import nodes
    from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node

    catalog = _catalog(app, docname)
    for solution in doctree.findall(lambda n: isinstance(n, (solution_node, solution_start_node))
                                    and not isinstance(n, solution_end_node)):
        title = solution.children[0] if solution.children else None
        if not isinstance(title, nodes.title):
            continue
        for text in list(title.findall(nodes.Text)):
            translated = catalog.gettext(str(text))
            if translated != str(text):
                text.parent.replace(text, nodes.Text(translated))


def configure(app, config):
    for name, value in SITE_WORDS.get(config.language or "en", {}).items():
        config[name] = value
    config.templates_path.append(str(Path(__file__).parent / "templates"))
    config.html_static_path.append(str(Path(__file__).parent / "static"))
    options = dict(config.html_theme_options or {})
    end = list(options.get("article_header_end") or ["article-header-buttons.html"])
    options["article_header_end"] = ["lang-switch.html", *end]
    config.html_theme_options = options


def setup(app):
    app.add_transform(_exercise_title_transform())
    app.add_css_file("lang-switch.css")
    # after sphinx-external-toc has put the toctrees into the root page
    app.connect("doctree-read", translate_toc_captions, priority=900)
    app.connect("config-inited", configure)
    app.connect("builder-inited", load_figure_alts)
    app.connect("doctree-resolved", translate_alts)
    app.connect("doctree-resolved", add_exercise_titles)
    app.connect("doctree-resolved", translate_solution_titles, priority=900)
    # before the theme renders (and drops as empty) its header templates
    app.connect("html-page-context", add_switcher, priority=100)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

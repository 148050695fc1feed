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


def configure(app, config):
    config.templates_path.append(str(Path(__file__).parent / "templates"))
    options = dict(config.html_theme_options or {})
    end = list(options.get("article_header_end") or ["article-header-buttons.html"])
    options["article_header_end"] = ["lang-switch.html", *end]
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", configure)
    app.connect("builder-inited", load_figure_alts)
    app.connect("doctree-resolved", translate_alts)
    # before the theme renders (and drops as empty) its header templates
    app.connect("html-page-context", add_switcher, priority=100)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

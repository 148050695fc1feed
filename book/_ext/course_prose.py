"""The ``{eval}`` role of the chapters' prose, rendered on the website from stored outputs.

A chapter's Markdown is read in two places. JupyterLab shows it with ``jupyterlab-myst``,
which evaluates each ``{eval}`expression``` in the student's kernel when the cell runs. The
website is built by myst-nb, whose own ``eval`` role works only in its ``inline``
execution mode. This book executes with ``cache`` instead, so this extension replaces the
role. On the website it accepts exactly two forms of expression:

- ``glued.<name>``: the value the notebook glued under ``<name>`` (``lstm_course.report.glue``),
  pasted like myst-nb's ``{glue:text}`<name>```.
- ``cite.p("key", ...)`` and ``cite.t("key", ...)``: sphinxcontrib-bibtex's ``{cite:p}`` and
  ``{cite:t}`` for those keys, linked to the bibliography page.

A translated page (the Vietnamese edition) is parsed twice: the English notebook first,
then each translated paragraph as a small document of its own, which does not hold the
notebook's glue data. So the role keeps each page's glued texts when it meets them in the
notebook and pastes from those inside a translated paragraph.

Anything else is an error at build time, because the website has no kernel to evaluate
it; with ``-W`` the build fails on it. The Python objects behind these names, which
JupyterLab evaluates, are ``lstm_course.report.glued`` and ``lstm_course.cite.cite``.

Enable it in ``_config.yml``::

    sphinx:
      local_extensions:
        course_prose: _ext
"""
from __future__ import annotations

import ast

from sphinx.util.docutils import SphinxRole

FORMS = 'glued.<name>, cite.p("key", ...) or cite.t("key", ...)'


def parse(expression: str) -> tuple[str, str]:
    """``("glue", name)`` or ``("cite:p" | "cite:t", "key1,key2")`` for an ``{eval}`` expression.

    >>> parse('glued.diff_first')
    ('glue', 'diff_first')
    >>> parse('cite.p("a", "b")')
    ('cite:p', 'a,b')
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"{expression!r} is not a Python expression ({exc.msg})") from None
    if isinstance(tree, ast.Attribute) and isinstance(tree.value, ast.Name) and tree.value.id == "glued":
        return "glue", tree.attr
    if (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Attribute)
            and isinstance(tree.func.value, ast.Name) and tree.func.value.id == "cite"
            and tree.func.attr in ("p", "t") and tree.args and not tree.keywords
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in tree.args)):
        return f"cite:{tree.func.attr}", ",".join(a.value for a in tree.args)
    raise ValueError(f"{expression!r}: the website can only show {FORMS}")


class EvalRole(SphinxRole):
    """``{eval}`` on the website: stored glue values and bibliography citations."""

    def paste(self, key: str):
        """The text glued as ``key``: from the notebook, or inside a translated paragraph
        from the texts this page's notebook glued."""
        from docutils import nodes
        from myst_nb.core.variables import format_plain_text
        from myst_nb.ext.glue.roles import PasteTextRole

        pages = glued_texts(self.env)
        document = self.inliner.document
        if "nb_renderer" in document:   # the notebook itself
            glue = document["nb_renderer"].renderer.nb_client.glue_data
            pages[self.env.docname] = {k: v["data"].get("text/plain", "") for k, v in glue.items()}
            return PasteTextRole()("glue:text", self.rawtext, key, self.lineno, self.inliner, {}, [])
        text = pages.get(self.env.docname, {}).get(key)   # a translated paragraph
        if text is None:
            msg = self.inliner.reporter.error(f"{{eval}} nothing glued as {key!r} on this page", line=self.lineno)
            return [], [msg]
        shown = format_plain_text(text, "s")
        return [nodes.inline(shown, shown, classes=["pasted-text"])], []

    def run(self):
        try:
            kind, arg = parse(self.text)
        except ValueError as exc:
            msg = self.inliner.reporter.error(f"{{eval}} {exc}", line=self.lineno)
            return [], [msg]
        if kind == "glue":
            return self.paste(arg)
        role = self.env.get_domain("cite").role(kind.split(":")[1])
        return role(kind, self.rawtext, arg, self.lineno, self.inliner, {}, [])


def glued_texts(env) -> dict[str, dict[str, str]]:
    """docname -> glued key -> stored text/plain, kept in the build environment."""
    if not hasattr(env, "course_glued_texts"):
        env.course_glued_texts = {}
    return env.course_glued_texts


def _purge(app, env, docname):
    glued_texts(env).pop(docname, None)


def _merge(app, env, docnames, other):
    glued_texts(env).update({d: t for d, t in glued_texts(other).items() if d in docnames})


def setup(app):
    # after myst_nb, whose own ``eval`` role needs inline execution
    app.setup_extension("myst_nb")
    app.add_role("eval", EvalRole(), override=True)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

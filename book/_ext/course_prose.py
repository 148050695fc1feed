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

    def run(self):
        try:
            kind, arg = parse(self.text)
        except ValueError as exc:
            msg = self.inliner.reporter.error(f"{{eval}} {exc}", line=self.lineno)
            return [], [msg]
        if kind == "glue":
            from myst_nb.ext.glue.roles import PasteTextRole

            role = PasteTextRole()
            return role("glue:text", self.rawtext, arg, self.lineno, self.inliner, {}, [])
        role = self.env.get_domain("cite").role(kind.split(":")[1])
        return role(kind, self.rawtext, arg, self.lineno, self.inliner, {}, [])


def setup(app):
    # after myst_nb, whose own ``eval`` role needs inline execution
    app.setup_extension("myst_nb")
    app.add_role("eval", EvalRole(), override=True)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

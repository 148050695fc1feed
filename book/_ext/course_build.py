"""Local Sphinx extension for the book build.

Notebooks executed during ``jupyter-book build`` run in kernels started by this
process and inherit its environment. Setting ``LSTM_COURSE_PROGRESS=0`` turns off
the training progress bar of ``lstm_course.train`` there, so executed outputs hold
no tqdm bars (they would go to stderr, which the build treats as an error) and stay
the same from build to build.

It also keeps the site offline and free of console errors: Jupyter Book always loads
``sphinx-thebe``, which writes a script naming thebe's CDN into every page, twice (the
second copy throws "Identifier 'THEBE_JS_URL' has already been declared"). The course
does not use thebe (``launch_buttons.thebe: false``), so its scripts and stylesheet
are dropped from every page, with the inert thebe configuration block it adds to each
notebook page (which names a Binder repository the course does not use).

Enable it in ``_config.yml``::

    sphinx:
      local_extensions:
        course_build: _ext
"""
import os

PROGRESS_ENV = "LSTM_COURSE_PROGRESS"


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "thebe" in name.lower() or "THEBE_JS_URL" in body or "thebe_selector" in body


def drop_thebe(app, pagename, templatename, context, doctree):
    """Remove sphinx-thebe's scripts and stylesheet from the page being written."""
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if not _is_thebe(a)]


def drop_thebe_config(app, doctree, docname):
    """Remove the ``text/x-thebe-config`` block sphinx-thebe put into the page."""
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        if "x-thebe-config" in node.astext() or "kernelName =" in node.astext():
            node.parent.remove(node)


def setup(app):
    os.environ[PROGRESS_ENV] = "0"
    app.connect("html-page-context", drop_thebe)
    app.connect("doctree-resolved", drop_thebe_config, priority=900)  # after sphinx-thebe's
    return {"version": "0.2", "parallel_read_safe": True, "parallel_write_safe": True}

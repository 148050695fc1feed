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

It mounts the course's widgets on the static site (no kernel): a widget's output holds,
besides the live widget view, an inert ``text/html`` mount point ``<div class="lstm-widget"
data-lstm-module="gate" data-state=...>`` (``lstm_course/widgets/_anywidget.py``). The
html builder is set to prefer that ``text/html`` (``nb_mime_priority_overrides`` in
``_config.yml``), and every page that holds a mount point gets one inline
``<script type="module">``: the shim ``lstm_course/widgets/js/static.js`` and each widget
module it needs as a ``data:`` URL, which loads from ``file://`` as well as over http (a
module file beside the page would not: browsers block module imports from disk). The
modules are recorded as dependencies of the pages that mount them, so editing one
rebuilds those pages. Widget state that myst-nb would write into a page (a notebook saved
with its widget state) is dropped: the site never loads the ipywidgets manager.

Enable it in ``_config.yml``::

    sphinx:
      local_extensions:
        course_build: _ext
"""
import base64
import os
import re

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


_MOUNT = re.compile(r'class="lstm-widget" data-lstm-module="(\w+)"')


def _module_files(names):
    from lstm_course.widgets._anywidget import JS_DIR
    return [JS_DIR / "common.js", JS_DIR / "static.js"] + [JS_DIR / f"{n}.js" for n in sorted(names)]


def note_widget_modules(app, doctree):
    """Make every page that mounts a widget depend on the widget's ES module files."""
    from docutils import nodes

    names = set()
    for node in doctree.findall(nodes.raw):
        names.update(_MOUNT.findall(node.astext()))
    if names:
        for path in _module_files(names):
            app.env.note_dependency(str(path))


def widget_script(names) -> str:
    """One inline module script: the modules as data: URLs, then the shim that mounts them."""
    import json

    from lstm_course.widgets._anywidget import JS_DIR, esm_source

    urls = {n: "data:text/javascript;base64," + base64.b64encode(esm_source(n).encode()).decode()
            for n in sorted(names)}
    shim = (JS_DIR / "static.js").read_text(encoding="utf-8")
    return (f'<script type="module">\nconst MODULES = {json.dumps(urls)};\n{shim}</script>\n')


def mount_widgets(app, pagename, templatename, context, doctree):
    """Add the widget script to pages with mount points; drop any ipywidgets state."""
    for key in ("script_files",):
        if key in context:
            context[key] = [a for a in context[key]
                            if "widget-state" not in str(getattr(a, "attributes", {}).get("type", ""))
                            and "html-manager" not in str(getattr(a, "filename", a) or "")
                            and "require.js" not in str(getattr(a, "filename", a) or "")]
    names = set(_MOUNT.findall(context.get("body", "")))
    if names:
        context["body"] += widget_script(names)


def setup(app):
    os.environ[PROGRESS_ENV] = "0"
    app.connect("html-page-context", drop_thebe)
    app.connect("doctree-resolved", drop_thebe_config, priority=900)  # after sphinx-thebe's
    app.connect("doctree-read", note_widget_modules)
    app.connect("html-page-context", mount_widgets)
    return {"version": "0.3", "parallel_read_safe": True, "parallel_write_safe": True}

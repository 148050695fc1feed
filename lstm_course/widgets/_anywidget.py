"""The front-end half of every widget: an anywidget whose ES module also runs on the static site.

Each widget is a :class:`CourseWidget` subclass. Its state lives in traits tagged
``course=True`` (synced to the browser; ``w.a`` reads what the reader set). Its front
end is ``js/<module>.js`` joined with ``js/common.js`` into one ES module
(:func:`esm_source`): anywidget loads it in JupyterLab, and the book's extension
(``book/_ext/course_build.py``) inlines the same module into the pages that show the
widget, where ``js/static.js`` mounts it from the state serialised into the output.

The output's mimebundle therefore holds, besides the widget view:

* ``text/plain``: the class name and its small arguments, no model id, no address;
* ``text/html``: an inert mount point ``<div class="lstm-widget" data-lstm-module=...
  data-state=...>``: the state as JSON, keys sorted, so re-running a notebook writes the
  same text. Traits tagged ``volatile=True`` (numbers that depend on trained weights and
  so on the CPU's floating-point kernels) go into a separate ``data-volatile``
  attribute, which ``tests/nbval_sanitize.cfg`` masks before nbval compares outputs.
"""
from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path

import anywidget
import numpy as np
import traitlets

from .. import diagrams, figure_language

JS_DIR = Path(__file__).resolve().parent / "js"
_IMPORT_COMMON = re.compile(r'^import \{[^}]*\} from "\./common\.js";\n', re.M)


@lru_cache(maxsize=None)
def esm_source(module: str) -> str:
    """``js/common.js`` and ``js/<module>.js`` as one ES module (the import line dropped)."""
    path = JS_DIR / f"{module}.js"
    if not path.is_file():
        raise ValueError(f"module: no front end {path.name} in {JS_DIR}")
    body, n = _IMPORT_COMMON.subn("", path.read_text(encoding="utf-8"))
    if n != 1:
        raise ValueError(f"{path.name}: expected one import from ./common.js, found {n}")
    return (JS_DIR / "common.js").read_text(encoding="utf-8") + "\n" + body


def _plain(value):
    """JSON-ready: numpy arrays and scalars become lists and Python numbers."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def state_json(state: dict) -> str:
    return json.dumps(_plain(state), sort_keys=True, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))


class CourseWidget(anywidget.AnyWidget):
    """Base of the course's widgets: see the module docstring."""

    #: the front end, ``js/<_module>.js``
    _module = ""
    #: the arguments shown in ``text/plain`` (small, deterministic ones only)
    _repr_keys: tuple[str, ...] = ()
    #: a short description for readers without JavaScript (inside the mount point)
    _fallback = "An interactive widget: it runs in the course's website and in JupyterLab."

    themes = traitlets.Dict().tag(sync=True, course=True)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_module" in cls.__dict__:   # not the subclass anywidget derives to add traits
            cls._esm = esm_source(cls._module)

    def __init__(self, **kwargs):
        kwargs.setdefault("themes", diagrams.THEMES)
        super().__init__(**{k: _plain(v) for k, v in kwargs.items()})

    def course_state(self, volatile: bool | None = None) -> dict:
        """The traits the front end reads; ``volatile`` selects one of the two kinds."""
        out = {}
        for name, trait in self.traits(course=True).items():
            is_volatile = bool(trait.metadata.get("volatile"))
            if volatile is None or volatile == is_volatile:
                out[name] = getattr(self, name)
        return out

    def mount_html(self, fallback: str | None = None) -> str:
        """The inert mount point the website's script fills; ``fallback`` replaces ``_fallback``."""
        volatile = self.course_state(volatile=True)
        attrs = (f'class="lstm-widget" data-lstm-module="{self._module}" '
                 f'data-state="{html.escape(state_json(self.course_state(volatile=False)))}"')
        if volatile:
            attrs += f' data-volatile="{html.escape(state_json(volatile))}"'
        return f"<div {attrs}><p>{html.escape(fallback or self._fallback)}</p></div>"

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._repr_keys)
        return f"{type(self).__name__}({args})"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data = {**data, "text/plain": repr(self), "text/html": self.mount_html()}
        # the description in the Vietnamese edition's words (lstm_course.figure_language)
        record = figure_language.text_record(
            [self._fallback], lambda used: self.mount_html(used.get(self._fallback)))
        return data, {**(metadata or {}), "text/html": {figure_language.KEY: record}}

"""Guards for graded coursework: the answer is the student's own code.

The hidden tests of ``coursework/`` call these before they compare any value:

``own_work(fn, name, args, forbidden=...)``
    ``fn`` must be a plain function defined in the notebook (not imported from a
    package, not a ``functools.partial`` or a lambda bound to a package function), and
    while ``fn(*args)`` runs, none of the ``forbidden`` functions may run, nor any code
    of ``lstm_course.checks`` (whose known-mistake models are one flag away from the
    answer) nor, with ``torch_allowed=False``, any of PyTorch. Calls are watched with
    ``sys.setprofile``, so an alias, a ``getattr`` or a helper in between does not hide
    them. Raises ``CheckFailed`` naming the call.

``fresh(module_name)``
    A new copy of a check module, executed from its file, so that a check function
    replaced from an answer cell (``checks.cell_grad = lambda fn: None``) is not the
    one that runs. Hidden tests load this module itself the same way.

The guards keep honest mistakes and the simple cheats out of the grades; a student who
rewrites Python's import machinery can defeat any test that runs in the student's own
kernel, which is why the instructor's page also says to read the submissions.
"""
from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Callable, Iterable

from . import CheckFailed

__all__ = ["own_work", "fresh"]

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # .../lstm_course
_CHECKS_DIR = Path(__file__).resolve().parent  # .../lstm_course/checks


def fresh(module_name: str) -> types.ModuleType:
    """Execute ``module_name`` anew from its source file and return the new module.

    The copy is not put into ``sys.modules``, so nothing a notebook did to the imported
    module (replacing a function, say) carries over.
    """
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.loader is None:
        raise ValueError(f"module_name: no module {module_name!r} to load")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _in(path: str, folder: Path) -> bool:
    try:
        Path(path).resolve().relative_to(folder)
        return True
    except (ValueError, OSError):
        return False


def _qualified(frame) -> str:
    module = frame.f_globals.get("__name__", "?")
    code = frame.f_code
    return f"{module}.{getattr(code, 'co_qualname', code.co_name)}"


def _defined_in_notebook(fn: Callable, name: str) -> None:
    if fn is None:
        raise CheckFailed(f"{name}: not defined; write it in the answer cell.")
    if isinstance(fn, types.MethodType):
        fn = fn.__func__
    if not isinstance(fn, types.FunctionType):
        raise CheckFailed(f"{name}: expected a function written with `def {name}(...)` in the "
                          f"notebook, got {type(fn).__name__}. Graded answers must be your own code, "
                          "not a function imported or wrapped from a package.")
    filename = fn.__code__.co_filename
    if fn.__module__ != "__main__" or _in(filename, _PACKAGE_DIR) or "site-packages" in filename:
        raise CheckFailed(f"{name}: this function comes from {fn.__module__!r} ({filename}), not from "
                          "your notebook. Graded answers must be written in the answer cell.")


def own_work(fn: Callable, name: str, args: tuple = (), kwargs: dict | None = None, *,
             forbidden: Iterable[str] = (), torch_allowed: bool = False):
    """Check that ``fn`` is the student's own and computes ``fn(*args, **kwargs)`` itself.

    ``forbidden`` lists qualified names such as ``"lstm_course.lstm.lstm_backward"``;
    a name ending in ``.*`` forbids a whole module. Returns what ``fn`` returned, so a
    hidden test can go on to compare it.
    """
    _defined_in_notebook(fn, name)
    exact = {f for f in forbidden if not f.endswith(".*")}
    prefixes = tuple(f[:-1] for f in forbidden if f.endswith(".*"))
    seen: list[str] = []

    def tracer(frame, event, arg):
        if seen:
            return
        if event == "call":
            filename = frame.f_code.co_filename
            if not _in(filename, _PACKAGE_DIR):
                if not torch_allowed and "/torch/" in filename.replace("\\", "/"):
                    seen.append("PyTorch (" + _qualified(frame) + ")")
                return
            qual = _qualified(frame)
            if _in(filename, _CHECKS_DIR) and not qual.startswith("lstm_course.checks.integrity"):
                seen.append(qual)
            elif qual in exact or qual.startswith(prefixes):
                seen.append(qual)
        elif event == "c_call" and not torch_allowed:
            module = getattr(arg, "__module__", None) or ""
            owner = getattr(getattr(arg, "__self__", None), "__name__", "") or ""
            if module.startswith("torch") or str(owner).startswith("torch"):
                seen.append(f"PyTorch ({module or owner}.{getattr(arg, '__name__', '?')})")

    previous = sys.getprofile()
    sys.setprofile(tracer)
    try:
        out = fn(*args, **(kwargs or {}))
    finally:
        sys.setprofile(previous)
    if seen:
        raise CheckFailed(f"{name}: your function calls {seen[0]}, which computes what this exercise "
                          "asks you to write. Write the computation yourself; the package's version is "
                          "what your answer is compared with, not a building block for it.")
    return out

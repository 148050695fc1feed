"""Repository-wide pytest setup.

Turns off the training progress bar (``lstm_course.train``) for every test and for
the notebook kernels that ``pytest --nbval`` starts: the kernels inherit this
process's environment, so stored notebook outputs never contain a tqdm bar.

The portability run: every notebook that nbval collects is collected a second time,
as ``<notebook>.ipynb::portability::Cell N``, and that copy runs in a kernel whose
numerical environment differs from the first: PyTorch's plain (non-vectorised)
kernels (``ATEN_CPU_CAPABILITY=default``), MKL limited to SSE4.2 and one OpenMP/MKL
thread. Its stored outputs must match all the same. A stored number that changes with
the floating-point kernels (a full-precision float, a result of training that a tiny
rounding difference moves) fails here on any machine, not only on a reader's
machine with another CPU. ``OPENBLAS_*`` variables are left as they are: some
machines set them to avoid wrong results from older OpenBLAS builds.
``LSTM_COURSE_PORTABILITY=0`` skips the second run (for a quick local check).
"""
from __future__ import annotations

import os
from contextlib import contextmanager

os.environ["LSTM_COURSE_PROGRESS"] = "0"

PORTABILITY_ENV = {
    "ATEN_CPU_CAPABILITY": "default",
    "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


@contextmanager
def _environment(changes: dict[str, str]):
    saved = {k: os.environ.get(k) for k in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


try:
    from nbval.plugin import IPyNbFile
except ImportError:  # nbval not installed: no notebook runs at all
    IPyNbFile = None

if IPyNbFile is not None:

    class PortableNotebook(IPyNbFile):
        """The same notebook, run again in a kernel started with :data:`PORTABILITY_ENV`."""

        def setup(self):
            with _environment(PORTABILITY_ENV):  # the kernel inherits it at start
                super().setup()

    def pytest_collect_file(file_path, parent):
        opt = parent.config.option
        if not getattr(opt, "nbval", False) or file_path.suffix != ".ipynb":
            return None
        if os.environ.get("LSTM_COURSE_PORTABILITY") == "0":
            return None
        rel = file_path.relative_to(parent.config.rootpath).as_posix()
        return PortableNotebook.from_parent(parent, path=file_path,
                                            name=f"{file_path.name}::portability",
                                            nodeid=f"{rel}::portability")

    def pytest_collection_modifyitems(session, config, items):
        """Run the portability copies after everything else (a stable sort keeps each
        notebook's cells in order)."""
        items.sort(key=lambda item: isinstance(item.parent, PortableNotebook))

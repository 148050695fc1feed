"""Local Sphinx extension for the book build.

Notebooks executed during ``jupyter-book build`` run in kernels started by this
process and inherit its environment. Setting ``LSTM_COURSE_PROGRESS=0`` turns off
the training progress bar of ``lstm_course.train`` there, so executed outputs hold
no tqdm bars (they would go to stderr, which the build treats as an error) and stay
the same from build to build.

Enable it in ``_config.yml``::

    sphinx:
      local_extensions:
        course_build: _ext
"""
import os

PROGRESS_ENV = "LSTM_COURSE_PROGRESS"


def setup(app):
    os.environ[PROGRESS_ENV] = "0"
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

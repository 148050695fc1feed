"""Repository-wide pytest setup.

Turns off the training progress bar (``lstm_course.train``) for every test and for
the notebook kernels that ``pytest --nbval`` starts: the kernels inherit this
process's environment, so stored notebook outputs never contain a tqdm bar.
"""
import os

os.environ["LSTM_COURSE_PROGRESS"] = "0"

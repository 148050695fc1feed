"""nbgrader configuration for the LSTM course's coursework.

Run every nbgrader command from this directory (``cd coursework``). Paths are
relative to this file, so the folder works wherever it is copied; the gradebook
is ``gradebook.db`` next to this file.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "lstm-course"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# Students see this where a solution was (nbgrader's default, spelled out).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding runs each notebook in a fresh "python3" kernel: the Python that runs
# nbgrader (ipykernel's own kernel spec starts sys.executable). Each assignment runs
# in under a minute; the limit per cell is generous for slow machines.
c.Execute.timeout = 300

# Keep autograding quiet and reproducible: no progress bars from lstm_course.train.
os.environ.setdefault("LSTM_COURSE_PROGRESS", "0")

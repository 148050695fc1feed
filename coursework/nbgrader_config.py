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

# --- Collecting submissions downloaded from Moodle (nbgrader zip_collect) -------------
# Moodle's "Download all submissions" (assignment activity, Moodle 3.1 or later) writes
# each file as "<Full Name>_<participant number>_assignsubmission_file_/<file name>"
# ("Download submissions in folders", the default) or, with that option off, as
# "<Full Name>_<participant number>_assignsubmission_file_<file name>". The regular
# expression below reads both. The student id is the full name, because Moodle's
# participant number differs from one assignment to the next. Put the downloaded zip
# in downloaded/<assignment>/archive/ and run `nbgrader zip_collect <assignment>`.
c.FileNameCollectorPlugin.named_regexp = (
    r".*[/\\](?P<student_id>[^/\\]+)_(?P<participant>\d+)_assignsubmission_file_"
    r"[/\\]?(?P<file_id>[^/\\]+)$")
# A notebook saved under another name (for example "lstm_cell (1).ipynb") is skipped
# with a warning instead of being graded as a missing submission: read the warnings.
c.ZipCollectApp.strict = True

# --- Feedback without the hidden tests -------------------------------------------------
# WARNING: by default nbgrader 0.9.6's generate_feedback shows the autograded notebook
# as it ran, with the hidden tests restored: their source and the tracebacks of those
# that failed. The two preprocessors added below remove the hidden tests' source
# (nbgrader's own ClearHiddenTests) and replace every traceback of a test cell with one
# line, the error's name and message (the explanation written for the student).
# Keep this line if you copy the folder; without it the feedback shows the hidden tests.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor  # noqa: E402


class HideTestTracebacks(NbGraderPreprocessor):
    """Keep only 'ErrorName: message' of each error in a test cell (grade, not solution)."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        return cell, resources


c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, HideTestTracebacks,
                                    CSSHTMLHeaderPreprocessor]

"""The prose's numbers and citations: ``lstm_course.report.glue``, ``lstm_course.cite`` and
the website's ``{eval}`` role (``book/_ext/course_prose.py``)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lstm_course import report
from lstm_course.cite import Cite, find_bib

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "book" / "references.bib"
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import course_prose  # noqa: E402


def test_glue_stores_the_formatted_text_and_keeps_it_for_the_kernel(capsys):
    report.glue("test_ratio", 1.1429441413178199e-07, ".1e")
    assert report.glued.test_ratio == "1.1e-07"
    report.glue("test_count", 36)
    assert report.glued.test_count == 36
    assert "test_ratio" in repr(report.glued)


def test_glue_rejects_names_the_prose_cannot_read():
    with pytest.raises(ValueError, match="identifier"):
        report.glue("not-a-name", 1)
    with pytest.raises(TypeError, match="format"):
        report.glue("fine", 1.0, 3)


def test_a_value_not_glued_yet_says_what_to_do():
    with pytest.raises(AttributeError, match="run the cell that glues it"):
        report.glued.never_glued_anywhere


def test_citations_read_like_the_website():
    cite = Cite(BIB)
    assert repr(cite.p("hochreiter1997long")) == "[Hochreiter and Schmidhuber, 1997]"
    assert repr(cite.t("gers2000learning")) == "Gers et al. [2000]"
    assert repr(cite.t("olah2015understanding")) == "Olah [2015]"
    assert repr(cite.p("bengio1994learning", "hochreiter1991untersuchungen")) == (
        "[Bengio et al., 1994, Hochreiter, 1991]")


def test_citation_links_to_the_chapter_references_with_the_full_entry():
    cite = Cite(BIB)
    html = cite.p("hochreiter1997long")._repr_html_()
    assert 'href="#References"' in html and "Long short-term memory" in html
    refs = cite.references()
    assert [e.key for e in refs.entries] == ["hochreiter1997long"]
    assert "<li>" in refs._repr_html_()
    assert "run the chapter" in repr(Cite(BIB).references())


def test_citing_an_unknown_key_or_nothing_is_an_error():
    cite = Cite(BIB)
    with pytest.raises(KeyError, match="nosuchkey"):
        cite.p("nosuchkey")
    with pytest.raises(ValueError, match="at least one"):
        cite.p()
    with pytest.raises(TypeError):
        cite.t(1997)


def test_bibliography_is_found_from_a_chapter_folder(tmp_path):
    assert find_bib(BIB.parent) == BIB
    with pytest.raises(FileNotFoundError, match="references.bib"):
        find_bib(tmp_path)


@pytest.mark.parametrize("expression, parsed", [
    ("glued.diff_first", ("glue", "diff_first")),
    ('cite.p("a")', ("cite:p", "a")),
    ('cite.t("a", "b")', ("cite:t", "a,b")),
])
def test_website_role_accepts_glued_values_and_citations(expression, parsed):
    assert course_prose.parse(expression) == parsed


@pytest.mark.parametrize("expression", [
    "x", "glued", "glued.a.b", "cite.p()", "cite.x('a')", "cite.p(key)", "1 + 2", "f'{x:.2f}'",
    "glued.", 'cite.p("a", sep=1)',
])
def test_website_role_refuses_what_it_cannot_show(expression):
    with pytest.raises(ValueError):
        course_prose.parse(expression)


def test_glue_writes_the_record_myst_nb_writes(monkeypatch):
    """``report.glue`` writes myst-nb's glue record itself (importing myst_nb costs ~2 s)."""
    import IPython.display
    import myst_nb.ext.glue as myst_glue

    seen = []
    record = lambda obj, **kw: seen.append((obj, kw))  # noqa: E731
    monkeypatch.setattr(IPython.display, "display", record)
    monkeypatch.setattr(myst_glue, "ipy_display", record)
    for value in (0.125, "0.13", 36, [1, 2]):
        report.glue("same", value)
        myst_glue.glue("same", value, display=False)
    assert len(seen) == 8
    for ours, theirs in zip(seen[::2], seen[1::2]):
        assert ours == theirs

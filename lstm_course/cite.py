"""Citations in a chapter's prose, readable on the website and in JupyterLab alike.

The prose cites a work as ``{eval}`cite.p("hochreiter1997long")``` (parenthetical) or
``{eval}`cite.t("hochreiter1997long")``` (textual, the authors as part of the sentence).
Keys are those of ``book/references.bib``.

- On the website, the course's Sphinx extension (``book/_ext/course_build.py``) turns these
  into sphinxcontrib-bibtex's ``{cite:p}`` and ``{cite:t}``, linked to the bibliography page.
- In JupyterLab, ``jupyterlab-myst`` evaluates the same expression in the kernel. It shows
  the author-year text from :class:`Citation`, linked to the chapter's References section.
  :meth:`Cite.references` writes that section from ``references.bib``, and a tooltip on
  each citation gives the full reference.

The author-year text follows sphinxcontrib-bibtex's ``author_year`` style, which the site
uses. One author gives "Hochreiter"; two give "Hochreiter and Schmidhuber"; three or more
give "Gers et al.". Entries are read and formatted with pybtex, which sphinxcontrib-bibtex
also uses.
"""
from __future__ import annotations

import html
from pathlib import Path

__all__ = ["Citation", "Cite", "cite"]

BIB_NAME = "references.bib"


def find_bib(start: Path | None = None) -> Path:
    """The ``references.bib`` in ``start`` (default: the working folder) or a parent of it."""
    here = Path.cwd() if start is None else Path(start)
    for folder in (here, *here.parents):
        if (folder / BIB_NAME).is_file():
            return folder / BIB_NAME
    raise FileNotFoundError(f"no {BIB_NAME} in {here} or its parents: open the chapter from the book/ folder")


class _Entry:
    """One bibliography entry: the author-year label parts and the full reference."""

    def __init__(self, key: str, authors: str, year: str, full: str):
        self.key, self.authors, self.year, self.full = key, authors, year, full


def _authors(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [" ".join(str(n) for n in p.rich_last_names).replace("{", "").replace("}", "") for p in people]
    if not last:
        return str(entry.fields.get("organization") or entry.fields.get("title", "?"))
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    return f"{last[0]} et al."


def read_bib(path: Path) -> dict[str, _Entry]:
    """Every entry of the BibTeX file at ``path``, by key."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    data = parse_file(str(path), bib_format="bibtex")
    style = find_plugin("pybtex.style.formatting", "plain")()
    full = {e.key: e.text.render_as("text") for e in style.format_entries(data.entries.values())}
    return {key: _Entry(key, _authors(e), str(e.fields.get("year", "n.d.")), full[key])
            for key, e in data.entries.items()}


class Citation:
    """Works cited together, shown ``[A, 1997, B, 2000]`` or ``A [1997]`` (``textual``).

    The brackets and separators are the website's (sphinxcontrib-bibtex's ``author_year``).
    """

    def __init__(self, entries: list[_Entry], textual: bool):
        self.entries, self.textual = entries, textual

    def _label(self, e: _Entry) -> str:
        return f"{e.authors} [{e.year}]" if self.textual else f"{e.authors}, {e.year}"

    def __repr__(self) -> str:
        body = ", ".join(self._label(e) for e in self.entries)
        return body if self.textual else f"[{body}]"

    def _repr_html_(self) -> str:
        links = ", ".join(
            f'<a href="#References" title="{html.escape(e.full, quote=True)}">{html.escape(self._label(e))}</a>'
            for e in self.entries)
        return links if self.textual else f"[{links}]"


class Cite:
    """``cite.p(*keys)`` and ``cite.t(*keys)``; remembers what was cited for :meth:`references`."""

    def __init__(self, bib: Path | None = None):
        self._bib_path, self._entries, self.cited = bib, None, []

    @property
    def entries(self) -> dict[str, _Entry]:
        if self._entries is None:
            self._entries = read_bib(self._bib_path or find_bib())
        return self._entries

    def _get(self, keys: tuple[str, ...]) -> list[_Entry]:
        if not keys:
            raise ValueError("keys: cite at least one work")
        for key in keys:
            if not isinstance(key, str):
                raise TypeError(f"keys: expected bibliography keys as strings, got {key!r}")
            if key not in self.entries:
                raise KeyError(f"{key!r} is not in {self._bib_path or find_bib()}")
            if key not in self.cited:
                self.cited.append(key)
        return [self.entries[k] for k in keys]

    def p(self, *keys: str) -> Citation:
        """A parenthetical citation: [Hochreiter and Schmidhuber, 1997]."""
        return Citation(self._get(keys), textual=False)

    def t(self, *keys: str) -> Citation:
        """A textual citation: Hochreiter and Schmidhuber [1997]."""
        return Citation(self._get(keys), textual=True)

    def references(self) -> "ReferenceList":
        """The works cited so far in this kernel, in full, sorted by author and year."""
        return ReferenceList(sorted((self.entries[k] for k in self.cited),
                                    key=lambda e: (e.authors.lower(), e.year)))


class ReferenceList:
    def __init__(self, entries: list[_Entry]):
        self.entries = entries

    def __repr__(self) -> str:
        if not self.entries:
            return "No works cited yet: run the chapter from the top."
        return "\n".join(e.full for e in self.entries)

    def _repr_html_(self) -> str:
        if not self.entries:
            return f"<p>{html.escape(repr(self))}</p>"
        items = "".join(f"<li>{html.escape(e.full)}</li>" for e in self.entries)
        return f"<ul>{items}</ul>"


cite = Cite()

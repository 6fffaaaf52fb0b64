"""The typed evidence chain: source profile -> document -> passage -> sentence span.

Every span is a pair of character offsets into the document's text exactly as read
(UTF-8, universal newlines), so `text[start:end]` always gives back the quoted words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.authors import surname

FLAG_VOCABULARY = ("polemical", "partisan", "fiction", "ai-generated")

Span = tuple[int, int]


@dataclass(frozen=True)
class SourceProfile:
    """One catalog entry. A document without an entry gets an empty profile."""

    id: str
    file: str
    title: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""
    venue: str = ""
    genre: str = ""
    stance: str = ""
    flags: tuple[str, ...] = ()
    note: str = ""
    short: str = ""
    side: str = ""  # its side in the list's central dispute; sources on different sides are opposed
    cite_as: tuple[str, ...] = ()  # other names members call it by, as the one who says ("Novanglus")
    cataloged: bool = True
    detected: str = ""  # no catalog entry: the genre the text reads like (its flags are detected too)

    @property
    def author(self) -> str:
        if len(self.authors) <= 2:
            return " & ".join(self.authors)
        return ", ".join(self.authors[:-1]) + " & " + self.authors[-1]

    @property
    def short_name(self) -> str:
        """How the answer attributes a claim: "Walsh (1980)", "Kahn & Sayers (1946)"."""
        if self.short:
            return self.short
        surnames = [surname(name) or name.strip() for name in self.authors if name.strip()]
        who = " & ".join(surnames[:2]) + (" et al." if len(surnames) > 2 else "")
        who = who or (f"“{self.title}”" if self.title else self.file)
        year = self.date[:4] if self.date[:4].isdigit() else ""
        return f"{who} ({year})" if year else who


@dataclass(frozen=True)
class Block:
    """A paragraph (level 0), a heading (level 1 to 3, with its title as a table of contents
    shows it), or a block left out of the index (`left_out` says why: "table", "footnote", …)."""

    start: int
    end: int
    level: int = 0
    title: str = ""
    left_out: str = ""

    @property
    def is_paragraph(self) -> bool:
        return not self.level and not self.left_out


@dataclass(frozen=True)
class LoadedDocument:
    """A document's text as read (or as extracted, for HTML, PDF, EPUB and Word), with page spans
    for paged formats and, for formats that mark their structure, its blocks."""

    path: str  # relative to the project folder
    text: str
    kind: str  # "text", "markdown", "html", "pdf", "epub", "docx"
    pages: tuple[Span, ...] = ()
    blocks: tuple[Block, ...] = ()  # empty: found from the text itself (plain text, Markdown)

    def page_at(self, offset: int) -> int | None:
        for number, (start, end) in enumerate(self.pages, start=1):
            if start <= offset < end:
                return number
        return None


@dataclass(frozen=True)
class Passage:
    """A run of paragraphs under one heading, with the spans of its sentences."""

    id: str
    source: str
    section: str
    start: int
    end: int
    sentences: tuple[Span, ...]
    page: int | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id, "source": self.source, "section": self.section, "start": self.start,
            "end": self.end, "sentences": [list(s) for s in self.sentences], "page": self.page,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Passage:
        return cls(
            id=data["id"], source=data["source"], section=data["section"], start=data["start"],
            end=data["end"], sentences=tuple(tuple(s) for s in data["sentences"]), page=data.get("page"),
        )


@dataclass(frozen=True)
class Unit:
    """What gets embedded: one sentence, or a few short ones, inside a passage."""

    id: str
    passage: str
    start: int
    end: int


@dataclass
class PassageHit:
    """A passage found by search, with the scores that ranked it."""

    passage: Passage
    score: float
    dense: float = 0.0  # best cosine similarity of one of its units to the question
    lexical: float = 0.0  # BM25 score
    unit_scores: dict[Span, float] = field(default_factory=dict)  # unit span -> cosine similarity

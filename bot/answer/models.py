"""What an answer is made of. Plain data: the CLI prints it, the Discord layer renders it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Citation:
    """One verbatim quote: `quote == document_text[start:end]`."""

    n: int
    source: str
    quote: str
    start: int
    end: int
    section: str
    passage_id: str
    page: int | None = None

    def to_json(self) -> dict:
        data = {"n": self.n, "source": self.source, "quote": self.quote, "start": self.start,
                "end": self.end, "section": self.section}
        if self.page is not None:
            data["page"] = self.page
        return data


@dataclass(frozen=True)
class SourceNote:
    """A cited source as the reader must see it: who, when, and why to be careful."""

    id: str
    title: str
    author: str
    date: str
    file: str
    flags: tuple[str, ...]
    note: str
    short_name: str
    genre: str = ""
    stance: str = ""
    hints: tuple[str, ...] = ()  # signals found in the quoted text itself (invective, loaded words)
    caveat: str = ""  # one line: the flags with their reasons
    cataloged: bool = True  # False: nobody has vetted the document, and every voice says so
    detected: str = ""  # no catalog entry: the genre its text reads like (its flags are detected too)

    def to_json(self) -> dict:
        return {"title": self.title, "author": self.author, "date": self.date, "file": self.file,
                "flags": list(self.flags), "note": self.note, "hints": list(self.hints),
                "caveat": self.caveat, "profile": "catalog" if self.cataloged else "detected"}


@dataclass(frozen=True)
class Side:
    """One account in a disagreement: the sources holding it and the quotes that show it."""

    sources: tuple[str, ...]
    citations: tuple[int, ...]
    summary: str = ""
    key: int | None = None  # the citation that best shows this side's account


@dataclass(frozen=True)
class Difference:
    """A point on which cited sources give incompatible accounts."""

    point: str
    sides: tuple[Side, ...]

    def to_json(self) -> dict:
        return {"point": self.point,
                "sides": [{"sources": list(s.sources), "citations": list(s.citations),
                           "summary": s.summary, "key": s.key} for s in self.sides]}


@dataclass
class Answer:
    question: str
    answered: bool
    text: str
    lead: str = ""
    citations: list[Citation] = field(default_factory=list)
    sources: dict[str, SourceNote] = field(default_factory=dict)  # in the order they are presented
    disagreement: bool = False
    differences: list[Difference] = field(default_factory=list)
    nearest_topics: list[str] = field(default_factory=list)
    read_as: str = ""  # a follow-up read together with the question before it ("Who killed Trotsky? and why?")
    seconds: float = 0.0

    @classmethod
    def refused(cls, question: str, reason: str) -> Answer:
        """A question the bot would not read (empty, too long): declined, with the reason as its text."""
        return cls(question=question, answered=False, text=reason, lead=reason)

    @property
    def as_read(self) -> str:
        """The question as the bot read it: with the question before it, for a follow-up."""
        return self.read_as or self.question

    def citations_of(self, source: str) -> list[Citation]:
        return [c for c in self.citations if c.source == source]

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "text": self.text,
            "lead": self.lead,
            "citations": [c.to_json() for c in self.citations],
            "sources": {sid: note.to_json() for sid, note in self.sources.items()},
            "disagreement": self.disagreement,
            "differences": [d.to_json() for d in self.differences],
            "nearest_topics": self.nearest_topics,
            "read_as": self.read_as,
        }

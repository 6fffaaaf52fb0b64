"""Cut a document into passages along its own structure, and passages into units to embed.

A passage is a run of paragraphs under one heading, at most `max_words` words, never across a
page break; its sentences come from the one sentence splitter (`index.sentences`), so every unit
is made of whole sentences, and no sentence is longer than a quote may be. Headings become the
passage's section path ("Part I. Arguments … › I. Natural Rights"). Blocks the structure leaves
out (licence, table of contents, footnotes, tables) are not indexed; the file is never altered.
Every span is a pair of offsets into the document text, so `text[start:end]` round-trips.
"""

from __future__ import annotations

from index.models import Block, LoadedDocument, Passage, Span, Unit
from index.sentences import QUOTE_MAX_CHARS, sentence_spans
from index.structure import text_blocks

CHUNKER_VERSION = "7"
UNIT_TARGET_CHARS = 180  # a unit grows until it is at least this long ...
UNIT_MAX_CHARS = 420  # ... and never past this, unless one sentence alone is longer


def document_blocks(document: LoadedDocument) -> list[Block]:
    """The document's blocks: as its loader marked them, or found in the text."""
    if document.blocks:
        return list(document.blocks)
    return text_blocks(document.text, markdown=document.kind == "markdown")


def word_count(text: str, span: Span) -> int:
    return len(text[span[0]:span[1]].split())


def chunk_document(document: LoadedDocument, source_id: str, max_words: int = 180) -> list[Passage]:
    """The document's passages, in reading order."""
    text = document.text
    passages: list[Passage] = []
    path: list[tuple[int, str]] = []  # (level, heading) from the top
    pending: list[Span] = []  # sentences of the passage being filled
    pending_words = 0

    def flush() -> None:
        nonlocal pending, pending_words
        if pending:
            passages.append(make_passage(document, source_id, len(passages), section_of(path), pending))
        pending, pending_words = [], 0

    page = None
    for block in document_blocks(document):
        if block.left_out:
            flush()  # a passage is one run of text: nothing left out lies inside it
            continue
        at = document.page_at(block.start) if document.pages else None
        if at != page:
            flush()  # a passage never runs across a page break: its page number must hold for all of it
            page = at
        if block.level:
            flush()
            path = [(lvl, h) for lvl, h in path if lvl < block.level] + [(block.level, block.title)]
            continue
        for sentence in sentence_spans(text, block.start, block.end, max_chars=QUOTE_MAX_CHARS, max_words=max_words):
            words = word_count(text, sentence)
            if pending and pending_words + words > max_words:
                flush()
            pending.append(sentence)
            pending_words += words
    flush()
    return passages


def section_of(path: list[tuple[int, str]]) -> str:
    return " › ".join(h for _, h in path)


def make_passage(document: LoadedDocument, source_id: str, n: int, section: str, sentences: list[Span]) -> Passage:
    start, end = sentences[0][0], sentences[-1][1]
    return Passage(
        id=f"{source_id}:{n}", source=source_id, section=section, start=start, end=end,
        sentences=tuple(sentences), page=document.page_at(start),
    )


def introduces(text: str, sentence: Span) -> bool:
    """Whether a sentence introduces what follows ("…, he said:"): a unit does not end with it."""
    return text[sentence[0]:sentence[1]].rstrip("-—–").endswith(":")


def make_units(passage: Passage, text: str) -> list[Unit]:
    """Group a passage's sentences into short runs to embed (one sentence if it is long)."""
    units: list[Unit] = []
    run: list[Span] = []
    for sentence in passage.sentences:
        full = run and run[-1][1] - run[0][0] >= UNIT_TARGET_CHARS and not introduces(text, run[-1])
        longest = QUOTE_MAX_CHARS if run and introduces(text, run[-1]) else UNIT_MAX_CHARS
        if run and (full or sentence[1] - run[0][0] > longest):
            units.append(Unit(f"{passage.id}:{len(units)}", passage.id, run[0][0], run[-1][1]))
            run = []
        run.append(sentence)
    if run:
        units.append(Unit(f"{passage.id}:{len(units)}", passage.id, run[0][0], run[-1][1]))
    return units

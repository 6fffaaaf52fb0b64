"""Cut a document into passages along its own structure, with sentence spans inside each.

A passage is a run of paragraphs under one heading, at most `max_words` words; a paragraph
longer than that is cut at sentence boundaries. Headings ("CHAPTER XXI – Murder in Mexico",
"1. Trotsky at Elba", Markdown "#") become the passage's section path. Navigation and
comment-form boilerplate are left out of the index (the file itself is never altered).
Every span is a pair of offsets into the document text, so `text[start:end]` round-trips.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from index.models import LoadedDocument, Passage, Span, Unit

CHUNKER_VERSION = "5"
UNIT_TARGET_CHARS = 180  # a unit grows until it is at least this long ...
UNIT_MAX_CHARS = 420  # ... and never past this, unless one sentence alone is longer

BLOCK_RE = re.compile(r"[^\n]+(?:\n[^\n]+)*")  # runs of non-blank lines
BULLET_RE = re.compile(r"^\s*(?:[•▪◦\-*–]|\d{1,2}[.)])\s+")
MARKDOWN_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
MAJOR_HEADING_RE = re.compile(r"^(?:CHAPTER|PART|BOOK|Book|Chapter|Part)\b")
NUMBERED_HEADING_RE = re.compile(r"^\d{1,2}\.\s+\S")
BOILERPLATE_RES = [
    re.compile(p, re.I)
    for p in (
        r"^\s*(?:\+\s*)?leave a (?:reply|comment)\b", r"you are commenting using your", r"\blog out\b\s*/",
        r"^fill in your details below", r"^connecting to %s", r"^(?:twitter|facebook|google) (?:picture|photo)$",
        r"^[*=_\-]{5,}$", r"^(?:[^|\n]{1,80}\|){2,}[^|\n]{0,40}$", r"^(?:share|tweet|print|email)(?: this)?:?$",
    )
]
COMMENT_FORM_START = re.compile(r"^\s*(?:\+\s*)?leave a reply\b", re.I)

TITLE_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "vs"}
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "prof", "gen", "col", "capt", "lt", "sgt", "maj", "rev", "hon", "jr", "sr",
    "no", "vs", "etc", "cf", "vol", "pp", "p", "ed", "eds", "fig", "ca", "approx", "dept", "univ", "inc", "ltd",
    "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g",
    "i.e", "u.s", "u.s.s.r", "mt", "ft", "op", "cit", "ibid", "viz", "comrade",
}
# A sentence ends at . ! ? … (plus closing quotes or brackets) before white space.
SENTENCE_END_RE = re.compile(r"(?:[.!?…]+|\.\s?\.\s?\.)[\"'”’)\]]*(?=\s)")


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    heading_level: int = 0  # 0 for a paragraph


def iter_blocks(text: str) -> Iterator[Block]:
    """Paragraphs and headings; bulleted lines are paragraphs of their own."""
    for match in BLOCK_RE.finditer(text):
        for start, end in split_bullets(text, match.start(), match.end()):
            start, end = trim(text, start, end)
            if start < end:
                yield Block(start, end, heading_level(text[start:end]))


def split_bullets(text: str, start: int, end: int) -> list[Span]:
    lines, offset = [], start
    for line in text[start:end].split("\n"):
        lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    spans: list[list[int]] = []
    for line_start, line_end in lines:
        line = text[line_start:line_end]
        if not spans or BULLET_RE.match(line) or heading_level(line.strip()):
            spans.append([line_start, line_end])
        else:
            spans[-1][1] = line_end
    return [(a, b) for a, b in spans]


def trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def heading_level(line: str) -> int:
    """1 for chapters, 2 for sections, 0 for ordinary text."""
    if "\n" in line:
        return 0
    if match := MARKDOWN_HEADING_RE.match(line):
        return min(len(match.group(1)), 3)
    words = line.split()
    if not words or len(words) > 12 or len(line) > 90 or line[-1] in ".,;:!?\"”’'…)–—-" or is_boilerplate(line):
        return 0
    if MAJOR_HEADING_RE.match(line):
        return 1
    if NUMBERED_HEADING_RE.match(line) or looks_like_title(words):
        return 2
    return 0


def looks_like_title(words: list[str]) -> bool:
    """Title Case or ALL CAPS with a few words: "Show Trials And Bloody Purges"."""
    alphabetic = [w for w in words if w[:1].isalpha()]
    significant = [w for w in alphabetic if w.lower() not in TITLE_SMALL_WORDS]
    if len(alphabetic) < 2 or not significant:
        return False
    capitalised = sum(1 for w in significant if w[0].isupper())
    return capitalised / len(significant) >= 0.75


def is_boilerplate(line: str) -> bool:
    return any(pattern.search(line) for pattern in BOILERPLATE_RES)


def heading_text(text: str, block: Block) -> str:
    line = text[block.start:block.end]
    if match := MARKDOWN_HEADING_RE.match(line):
        return match.group(2)
    return line


def sentence_spans(text: str, start: int, end: int) -> list[Span]:
    """Sentences of text[start:end]; each line break also ends a sentence."""
    spans: list[Span] = []
    for line_start, line_end in line_spans(text, start, end):
        cursor = line_start
        for match in SENTENCE_END_RE.finditer(text, line_start, line_end):
            if is_abbreviation(text, line_start, match.start()):
                continue
            spans.append(trim(text, cursor, match.end()))
            cursor = match.end()
        spans.append(trim(text, cursor, line_end))
    return [(a, b) for a, b in spans if b - a > 1]


def line_spans(text: str, start: int, end: int) -> list[Span]:
    spans, cursor = [], start
    while cursor < end:
        newline = text.find("\n", cursor, end)
        stop = end if newline == -1 else newline
        spans.append((cursor, stop))
        cursor = stop + 1
    return spans


def is_abbreviation(text: str, line_start: int, dot: int) -> bool:
    """True when the period at `dot` closes an abbreviation or an initial, not a sentence."""
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > line_start and not text[word_start - 1].isspace() and text[word_start - 1] not in "(“\"'":
        word_start -= 1
    word = text[word_start:dot].lower()
    if word in ABBREVIATIONS:
        return True
    # Initials ("Albert E. Kahn", "P.O.U.M.") but not a sentence ending in a capital letter word.
    return len(word.replace(".", "")) == 1 and word[:1].isalpha() and text[word_start].isupper()


def word_count(text: str, span: Span) -> int:
    return len(text[span[0]:span[1]].split())


def split_long(text: str, span: Span, max_words: int) -> list[list[Span]]:
    """Cut one paragraph's sentences into groups of at most max_words words."""
    groups: list[list[Span]] = [[]]
    words = 0
    for sentence in sentence_spans(text, *span):
        n = word_count(text, sentence)
        if groups[-1] and words + n > max_words:
            groups.append([])
            words = 0
        groups[-1].append(sentence)
        words += n
    return [g for g in groups if g]


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
    for block in content_blocks(text):
        at = document.page_at(block.start) if document.pages else None
        if at != page:
            flush()  # a passage never runs across a page break: its page number must hold for all of it
            page = at
        if block.heading_level:
            flush()
            path = [(lvl, h) for lvl, h in path if lvl < block.heading_level]
            path.append((block.heading_level, heading_text(text, block)))
            continue
        for group in split_long(text, (block.start, block.end), max_words):
            words = sum(word_count(text, s) for s in group)
            if pending and pending_words + words > max_words:
                flush()
            pending.extend(group)
            pending_words += words
    flush()
    return passages


def content_blocks(text: str) -> Iterator[Block]:
    """Blocks minus boilerplate; a comment form ends the document's content."""
    for block in iter_blocks(text):
        line = text[block.start:block.end]
        if COMMENT_FORM_START.match(line):
            return
        if not is_boilerplate(line):
            yield block


def section_of(path: list[tuple[int, str]]) -> str:
    return " › ".join(h for _, h in path)


def make_passage(document: LoadedDocument, source_id: str, n: int, section: str, sentences: list[Span]) -> Passage:
    start, end = sentences[0][0], sentences[-1][1]
    return Passage(
        id=f"{source_id}:{n}", source=source_id, section=section, start=start, end=end,
        sentences=tuple(sentences), page=document.page_at(start),
    )


def make_units(passage: Passage) -> list[Unit]:
    """Group a passage's sentences into short runs to embed (one sentence if it is long)."""
    units: list[Unit] = []
    run: list[Span] = []
    for sentence in passage.sentences:
        if run and (run[-1][1] - run[0][0] >= UNIT_TARGET_CHARS or sentence[1] - run[0][0] > UNIT_MAX_CHARS):
            units.append(Unit(f"{passage.id}:{len(units)}", passage.id, run[0][0], run[-1][1]))
            run = []
        run.append(sentence)
    if run:
        units.append(Unit(f"{passage.id}:{len(units)}", passage.id, run[0][0], run[-1][1]))
    return units

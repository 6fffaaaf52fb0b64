"""The one sentence splitter of the project, and the one cutter of over-long sentences.

Works on spans of a document's text, so every sentence is an exact slice `text[start:end]`. Line
breaks inside a paragraph are spaces here: books hard-wrap their lines at about 70 characters.
A full stop does not end a sentence after an abbreviation (a data file per language lists them),
an initial ("J. S. Mill"), a number that opens a list item, or before a lower-case word ("p. 12",
"“Stop!” he cried"). Closing quotes, brackets and footnote markers ("[12]", "*[1]") stay with
the sentence they close. A sentence longer than a quote may be is cut at its best boundary:
a clause (; : — ,), else a word.
"""

from __future__ import annotations

import re

from index.wordlists import index_word_list

Span = tuple[int, int]

QUOTE_MAX_CHARS = 800  # the longest quote: long enough for the long sentences of older books

# Terminal punctuation, then closers: quotes, brackets, emphasis marks and footnote markers.
END_RE = re.compile(r"(?:\.\s?\.\s?\.|[.!?…‽]+)(?:[\"'”’»)\]_*]|\*?\[\d{1,3}\]|\(\d{1,3}\))*(?=\s|$)")
OPENERS = "\"'“‘«([_*¿¡"
CLAUSE_RE = re.compile(r"[;:](?:--|—)?\s|\s(?:—|--|–)\s?|(?<=\w)(?:—|--)(?=\w)|,\s")
ROMAN_RE = re.compile(r"^[ivxlcdm]+$", re.I)
SPACE_LIKE = "\ufeff\u200b\u200c\u200d\u2060"  # a byte-order mark or zero-width space is never quoted


def abbreviations(language: str = "en") -> frozenset[str]:
    """Lower-case abbreviations without their final stop, from `data/abbreviations.<language>.txt`."""
    return index_word_list("abbreviations", language)


def trim(text: str, start: int, end: int) -> Span:
    """The span without white space (nor byte-order marks, zero-width spaces) at either end."""
    while start < end and (text[start].isspace() or text[start] in SPACE_LIKE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in SPACE_LIKE):
        end -= 1
    return start, end


def sentence_spans(text: str, start: int = 0, end: int | None = None, *, max_chars: int = QUOTE_MAX_CHARS,
                   max_words: int | None = None) -> list[Span]:
    """The sentences of `text[start:end]` (one paragraph, or any run of text), each cut further
    when longer than `max_chars` characters or `max_words` words."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    cursor = start
    for match in END_RE.finditer(text, start, end):
        if match.end() <= cursor or not ends_sentence(text, cursor, match, end):
            continue
        spans.append(trim(text, cursor, match.end()))
        cursor = match.end()
    spans.append(trim(text, cursor, end))
    spans = [skip_page_marker(text, span) for span in spans]
    pieces = [piece for span in spans if span[1] - span[0] > 1 for piece in cut(text, span, max_chars, max_words)]
    return [p for p in pieces if p[1] > p[0]]


PAGE_MARKER_RE = re.compile(r"\{\d{1,4}\}\s+|\[(?:page|pg\.?|p\.)\s*\d{1,4}\]\s+", re.I)


def skip_page_marker(text: str, span: Span) -> Span:
    """A sentence starts after a page marker an e-text sets before it ("{19} Whatever …")."""
    marker = PAGE_MARKER_RE.match(text, span[0], span[1])
    return (marker.end(), span[1]) if marker else span


def ends_sentence(text: str, sentence_start: int, match: re.Match[str], end: int) -> bool:
    """Whether the punctuation matched ends the sentence begun at `sentence_start`."""
    following = next_word(text, match.end(), end)
    if following and (following[0].islower() or following[0] in ",;:)]"):
        return False  # "“Stop!” he cried", "p. 12, 14", an ellipsis inside a sentence
    if not text[match.start()] == "." or match.group().startswith("..."):
        return True
    word = word_before(text, sentence_start, match.start())
    if not word:
        return True
    bare = word.lower().strip(OPENERS)
    if bare in abbreviations() or bare.rstrip(".") in abbreviations():
        return False
    if len(bare) == 1 and bare.isalpha() and word.strip(OPENERS)[:1].isupper():
        return False  # an initial: "J. S. Mill", "Albert E. Kahn"
    if "." in bare and all(len(part) <= 2 for part in bare.split(".")):
        return False  # "U.S.A.", "e.g."
    is_number = bare.isdigit() or ROMAN_RE.match(bare)
    return not (is_number and word_starts_line(text, sentence_start, match.start(), word))


def next_word(text: str, position: int, end: int) -> str:
    """The characters that start the next word, past white space and opening quotes."""
    while position < end and (text[position].isspace() or text[position] in SPACE_LIKE):
        position += 1
    while position < end and text[position] in OPENERS:
        position += 1
    return text[position:position + 1]


def word_before(text: str, floor: int, dot: int) -> str:
    begin = dot
    while begin > floor and not text[begin - 1].isspace():
        begin -= 1
    return text[begin:dot]


def word_starts_line(text: str, sentence_start: int, dot: int, word: str) -> bool:
    """A number opening its sentence: "1. The first point", "IV. Of commerce"."""
    return text[sentence_start:dot - len(word)].strip() == ""


def cut(text: str, span: Span, max_chars: int, max_words: int | None) -> list[Span]:
    """A sentence cut into pieces of at most `max_chars` characters and `max_words` words, each at
    the last clause boundary that leaves the piece at least half full, else the last word boundary."""
    start, end = span
    pieces: list[Span] = []
    while too_long(text, start, end, max_chars, max_words):
        limit = limit_of(text, start, end, max_chars, max_words)
        stop = best_boundary(text, start, limit)
        pieces.append(trim(text, start, stop))
        start = trim(text, stop, end)[0]
    pieces.append((start, end))
    return pieces


def too_long(text: str, start: int, end: int, max_chars: int, max_words: int | None) -> bool:
    return end - start > max_chars or bool(max_words and len(text[start:end].split()) > max_words)


def limit_of(text: str, start: int, end: int, max_chars: int, max_words: int | None) -> int:
    """The furthest offset a piece starting at `start` may reach."""
    limit = min(end, start + max_chars)
    if max_words:
        words = list(re.finditer(r"\S+", text[start:limit]))
        if len(words) > max_words:
            limit = start + words[max_words - 1].end()
    return limit


def best_boundary(text: str, start: int, limit: int) -> int:
    """Where to cut before `limit`: a clause boundary in the second half, else a word boundary."""
    half = start + (limit - start) // 2
    clauses = [m.end() for m in CLAUSE_RE.finditer(text, half, limit)]
    if clauses:
        return clauses[-1]
    space = max(text.rfind(" ", half, limit), text.rfind("\n", half, limit))
    return space + 1 if space > start else limit


def split_sentences(text: str) -> list[str]:
    """The sentences of a short text (a question, a quote), as strings."""
    return [text[a:b] for a, b in sentence_spans(text)]


WHOLE_START = re.compile(r"^[\"'“‘«(\[_*¿¡]*[\w$£€§]")
WHOLE_END = re.compile(r"(?:[.!?…‽]|\.\s?\.\s?\.)(?:[\"'”’»)\]_*]|\*?\[\d{1,3}\]|\(\d{1,3}\))*$")


def is_whole(text: str) -> bool:
    """Whether a quote starts where a sentence starts and ends where one ends."""
    text = text.strip()
    return bool(WHOLE_START.match(text)) and not text[:1].islower() and bool(WHOLE_END.search(text))

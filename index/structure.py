"""The structure of a plain-text or Markdown document: paragraphs, headings, and what to leave out.

Books come as e-text collections publish them: lines hard-wrapped at about 70 characters,
paragraphs set apart by blank lines (or an indented first line), a licence header and footer,
a title page, a table of contents, CHAPTER / BOOK / PART / LETTER headings with the chapter's
title on the next line, footnote blocks, illustration and sidenote tags, an index. Web pages saved
as text put one paragraph on a line. Each block found is a paragraph, a heading (with its level
and the title shown in section paths), or a block left out of the index with the reason why.
The file itself is never altered: every block is a span of the text as read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from index.models import Block
from index.sentences import trim

Span = tuple[int, int]

NUMERAL = (r"(?:[IVXLCDM]+|[ivxlcdm]+|\d{1,3}|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|ELEVEN|TWELVE|"
           r"FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|One|Two|Three|Four|Five|Six|Seven|"
           r"Eight|Nine|Ten|First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth)")
KEYWORD_LEVELS = {"volume": 1, "vol": 1, "book": 1, "part": 1, "chapter": 2, "letter": 2, "canto": 2, "act": 2,
                  "stave": 2, "lecture": 2, "essay": 2, "sermon": 2, "speech": 2, "section": 3, "scene": 3}
KEYWORD_RE = re.compile(rf"^(?P<kw>volume|vol|book|part|chapter|letter|canto|act|stave|lecture|essay|sermon|speech|"
                        rf"section|scene)\.?\s+(?P<num>{NUMERAL})\b\.?(?:\s*[.:—–-]*\s*(?P<title>.*))?$", re.I)
NUMBERED_RE = re.compile(r"^(?P<num>[IVXLC]+|\d{1,3})\.?(?:\s+(?P<title>.+))?$")
MATTER = ("preface|introduction|introductory|dedication|contents|table of contents|appendix|index|general index|"
          "footnotes|notes|endnotes|epilogue|prologue|afterword|foreword|conclusion|advertisement|postscript|"
          "glossary|bibliography|errata|summary|acknowledgements|acknowledgments|list of illustrations")
MATTER_RE = re.compile(rf"^(?:{MATTER})(?:\s+{NUMERAL})?[.:]?$", re.I)
LEAVE_OUT_REGIONS = {"contents": "table of contents", "table of contents": "table of contents",
                     "index": "index", "general index": "index", "footnotes": "footnotes", "notes": "footnotes",
                     "endnotes": "footnotes", "list of illustrations": "table of contents"}
MARKDOWN_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
ETEXT_START_RE = re.compile(r"^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
ETEXT_END_RE = re.compile(r"^\s*(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG|End of (?:the )?Project Gutenberg)",
                          re.I | re.M)
LEFT_OUT_BLOCKS = (
    (re.compile(r"^(?:produced by|this e-?(?:book|text) was produced|e-?text prepared by)\b", re.I), "produced by"),
    (re.compile(r"^\[?\s*transcriber[’']?s? notes?\b", re.I), "transcriber's note"),
    (re.compile(r"^\[(?:illustration|sidenote|decoration|image)\b", re.I), "illustration or sidenote"),
    (re.compile(r"^(?:\[(?:page|pg\.?|p\.)\s*\d+\]|\{\d+\})(?:\s*\[illustration\b.*)?$", re.I), "page number"),
    (re.compile(r"^(?:\[footnote\b|footnote \d+:|\[\d{1,3}\]\s+\S|\d{1,3}\s*\[|\*\s+_?[A-Z])", re.I), "footnote"),
    (re.compile(r"^[\s*=_~#.·•-]{3,}$"), "separator"),
    (re.compile(r"^(?:\+\s*)?leave a (?:reply|comment)\b|you are commenting using your|^fill in your details below|"
                r"^(?:share|tweet|print|email)(?: this)?:?$", re.I), "page furniture"),
)
COMMENT_FORM_RE = re.compile(r"^\s*(?:\+\s*)?leave a reply\b", re.I)
SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]*(?:\(\d+\)|\[\d+\])?$|[a-z][.!?]\s+[A-Z]")
TABLE_LINE_RE = re.compile(r"\S\s{3,}\S|\.{4,}\s*\S*\d+\s*$|\|.*\|")
BULLET_RE = re.compile(r"^\s*(?:[•▪◦*–-]|\d{1,2}[.)]|[a-z][.)])\s+\S")
TITLE_SMALL_WORDS = frozenset("""a an and as at by for from in into of on or the to with vs nor but among about upon
through over under against between after before without within""".split())
SHORT_LINE = 60  # a line this short, alone between blank lines and without a full stop, is no paragraph
PROSE_WORDS = 25  # a block this long is a paragraph of prose, whatever it looks like


def text_blocks(text: str, markdown: bool = False) -> list[Block]:
    """The blocks of a plain-text or Markdown document, in reading order."""
    body_start, body_end = etext_body(text)
    blocks = [Block(*span, left_out="e-text licence") for span in ((0, body_start), (body_end, len(text)))
              if trim(text, *span)[1] > trim(text, *span)[0]]
    raw = [classify(text, span, markdown) for span in paragraphs(text, body_start, body_end)]
    raw = comments(text, raw)
    raw = title_page(text, raw)
    raw = merge_titles(text, raw)
    raw = leave_out_regions(text, raw)
    raw = headings_with_text(raw)
    raw = heading_levels(raw)
    return sorted(blocks + raw, key=lambda b: b.start)


def etext_body(text: str) -> Span:
    """Where the work itself lies, between an e-text collection's licence header and footer."""
    start = ETEXT_START_RE.search(text)
    end = ETEXT_END_RE.search(text, start.end() if start else 0)
    return (start.end() if start else 0), (end.start() if end else len(text))


def paragraphs(text: str, start: int, end: int) -> Iterator[Span]:
    """Runs of non-blank lines, split again where a line is indented after a finished sentence,
    where a bulleted or numbered item starts, and around a line that is a heading of its own."""
    for match in re.finditer(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text[start:end]):
        lines = line_spans(text, start + match.start(), start + match.end())
        spans: list[list[int]] = []
        for n, (a, b) in enumerate(lines):
            if not spans or starts_paragraph(text, lines, n) or own_line(text, lines, n):
                spans.append([a, b])
            else:
                spans[-1][1] = b
        for a, b in spans:
            span = trim(text, a, b)
            if span[1] > span[0]:
                yield span


def line_spans(text: str, start: int, end: int) -> list[Span]:
    spans, cursor = [], start
    while cursor < end:
        newline = text.find("\n", cursor, end)
        stop = end if newline == -1 else newline
        spans.append((cursor, stop))
        cursor = stop + 1
    return spans


def starts_paragraph(text: str, lines: list[Span], n: int) -> bool:
    """An indented line after a line that ends a sentence, or a list item, starts a paragraph."""
    line, before = text[lines[n][0]:lines[n][1]], text[lines[n - 1][0]:lines[n - 1][1]]
    if BULLET_RE.match(line):
        return True
    indent, previous_indent = len(line) - len(line.lstrip()), len(before) - len(before.lstrip())
    return indent > previous_indent and before.rstrip()[-1:] in ".!?\"”’:" and len(before.strip()) < 60


def own_line(text: str, lines: list[Span], n: int) -> bool:
    """A line that is a heading of its own, or the line after one, inside a run of lines."""
    line = text[lines[n][0]:lines[n][1]].strip()
    before = text[lines[n - 1][0]:lines[n - 1][1]].strip()
    return bool(MARKDOWN_HEADING_RE.match(line) or MARKDOWN_HEADING_RE.match(before)
                or keyword_heading(line) or keyword_heading(before))


def classify(text: str, span: Span, markdown: bool) -> Block:
    """What one block is, read alone (the blocks around it refine this)."""
    chunk = text[span[0]:span[1]]
    line = " ".join(chunk.split())
    for pattern, reason in LEFT_OUT_BLOCKS:
        if pattern.search(line):
            return Block(*span, left_out=reason)
    if "\n" in chunk:
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if sum(bool(TABLE_LINE_RE.search(ln.strip())) for ln in lines) * 2 > len(lines):
            return Block(*span, left_out="table")
        return Block(*span)
    if (heading := MARKDOWN_HEADING_RE.match(line)) and (markdown or line.startswith("#")):
        return Block(*span, level=min(3, len(heading.group(1))), title=heading.group(2))
    if heading := keyword_heading(line):
        return Block(*span, level=heading[0], title=heading[1])
    if MATTER_RE.match(bare(line)):
        return Block(*span, level=1, title=display_title(bare(line).rstrip(".:")))
    if TABLE_LINE_RE.search(chunk.strip()) and len(line) < 100:
        return Block(*span, left_out="table")
    if looks_like_heading(line):
        return Block(*span, level=3, title=display_title(bare(line).rstrip(".")))
    if len(line) < SHORT_LINE and line[-1:] not in ".!?\"”’)" and len(line.split()) < 12 and not (
            line.rstrip(" –—-").endswith(":")):  # a line ending with a colon introduces what follows
        return Block(*span, left_out="short line")  # a dateline, a salutation, a signature, a byline
    return Block(*span)


def bare(line: str) -> str:
    """A line without emphasis marks around it ("_Chapter X_")."""
    return line.strip().strip("_*").strip()


def keyword_heading(line: str) -> tuple[int, str] | None:
    """(level, title) of "CHAPTER XXI.", "Book II: The Flight", "LETTER IV", "XII. THE SAYERS OF THE LAW."."""
    line = bare(" ".join(line.split()))
    if len(line) > 90:
        return None
    if match := KEYWORD_RE.match(line):
        if not (match.group("kw")[0].isupper()):
            return None
        title = (match.group("title") or "").strip()
        if title and not looks_like_title(title):
            return None
        head = f"{match.group('kw').capitalize()} {match.group('num')}"
        return KEYWORD_LEVELS[match.group("kw").lower()], join_title(head, title)
    if (match := NUMBERED_RE.match(line)) and (not match.group("title") or looks_like_title(match.group("title"))
                                               and not re.search(r"[.!?]\S*\s+\S", match.group("title"))):
        title = (match.group("title") or "").strip()
        if title or match.group("num").isalpha() or len(line) <= 4:
            # "XII. The Sayers of the Law" numbers a chapter; "1. Trotsky at Elba" a section in one
            return (2 if match.group("num").isalpha() else 3), join_title(match.group("num"), title)
    return None


def join_title(head: str, title: str) -> str:
    return f"{head}. {display_title(title.rstrip('.'))}" if title else head


def looks_like_heading(line: str) -> bool:
    """A short line in capitals or Title Case, not a sentence, a dateline or a salutation."""
    text = bare(line)
    words = text.split()
    if not words or len(words) > 12 or len(text) > 80 or text[-1] in ",;:!?\"”’'" or re.search(r"\d{3,}", text):
        return False
    if not text.isupper() and (text.endswith(".") or SENTENCE_END_RE.search(text)):
        return False
    return looks_like_title(text)


def looks_like_title(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2:
        return False
    if sum(c.isupper() for c in letters) >= 0.8 * len(letters):
        return True
    words = [w.strip("\"'“‘(") for w in text.split()]
    significant = [w for w in words if w[:1].isalpha() and w.lower() not in TITLE_SMALL_WORDS]
    return len(words) >= 2 and bool(significant) and sum(w[0].isupper() for w in significant) >= 0.75 * len(significant)


def display_title(title: str) -> str:
    """A heading as a table of contents shows it: capitals made Title Case, Roman numerals kept."""
    title = " ".join(title.split())
    letters = [c for c in title if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return title
    words = []
    for n, word in enumerate(title.split()):
        core = word.strip("\"'“‘(.,:;")
        if re.fullmatch(r"[IVXLCDM]+", core) and core not in ("I",) or "." in core.rstrip("."):
            words.append(word)  # "XXI", "U.S.A."
        elif n and core.lower() in TITLE_SMALL_WORDS:
            words.append(word.lower())
        else:
            words.append(word[:1] + word[1:].lower())
    return " ".join(words)


def comments(text: str, blocks: list[Block]) -> list[Block]:
    """A web page's comment form ends its content: what follows is readers', not the author's."""
    for n, block in enumerate(blocks):
        if COMMENT_FORM_RE.match(text[block.start:block.end]):
            return blocks[:n] + [replace(b, level=0, title="", left_out="comments") for b in blocks[n:]]
    return blocks


def title_page(text: str, blocks: list[Block]) -> list[Block]:
    """Two or more short lines before the first paragraph or structural heading are a title page:
    a section of its own, left out of the index, never the heading of what follows. One title
    line before the text is the text's heading."""
    page: list[int] = []
    for n, block in enumerate(blocks):
        if (block.level and block.level < 3) or block.is_paragraph and not title_page_lines(text, block):
            break
        if block.level or block.is_paragraph or block.left_out == "short line":
            page.append(n)
    if len(page) < 2:
        return blocks
    return [replace(b, level=0, title="", left_out="title page") if n in page else b for n, b in enumerate(blocks)]


def title_page_lines(text: str, block: Block) -> bool:
    """Lines a title page is made of: short ones ("Author of The Great Boer War, etc., etc.",
    "ALL RIGHTS RESERVED, …"), not the first paragraph of an untitled text."""
    lines = text[block.start:block.end].splitlines()
    short = all(len(line.strip()) < SHORT_LINE for line in lines) and len(" ".join(lines).split()) < 3 * len(lines) + 6
    return short and looks_like_title(" ".join(lines))


def merge_titles(text: str, blocks: list[Block]) -> list[Block]:
    """The title on the line after "CHAPTER XXI." belongs to that heading ("Chapter XXI. Negro Slavery")."""
    out: list[Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        if (previous and previous.level and block.level == 3 and "." not in previous.title.split(" ", 1)[-1]
                and is_chapter_head(previous.title)):
            out[-1] = replace(previous, end=block.end, title=f"{previous.title}. {block.title}")
            continue
        out.append(block)
    return out


def is_chapter_head(title: str) -> bool:
    """A heading that is only a keyword and a number ("Chapter XXI", "II"), waiting for its title."""
    return bool(re.fullmatch(rf"(?:[A-Z][a-z]+ )?{NUMERAL}", title)) and not MATTER_RE.match(title)


def leave_out_regions(text: str, blocks: list[Block]) -> list[Block]:
    """A table of contents, an index or a footnote section runs from its heading to the next
    structural heading (for a table of contents: to its first entry, set again as a heading)."""
    out = list(blocks)
    n = 0
    while n < len(out):
        block = out[n]
        region = LEAVE_OUT_REGIONS.get(block.title.lower().rstrip(".:")) if block.level else None
        if not region:
            n += 1
            continue
        out[n] = replace(block, level=0, title="", left_out=region)
        first_entry, seen_table = None, False
        m = n + 1
        while m < len(out):
            entry = (out[m].title or " ".join(text[out[m].start:out[m].end].split())).lower().rstrip(".")
            if region == "table of contents":
                if out[m].level and (entry == first_entry or seen_table):
                    break  # the first entry set again as a heading, or a heading after a table of entries
                if out[m].is_paragraph and len(entry.split()) >= PROSE_WORDS and not TABLE_LINE_RE.search(entry):
                    break
                seen_table = seen_table or out[m].left_out == "table"
                first_entry = first_entry or (entry if entry not in ("page", "chapter") else None)
            elif out[m].level and out[m].level < 3 and not LEAVE_OUT_REGIONS.get(out[m].title.lower().rstrip(".:")):
                break
            out[m] = replace(out[m], level=0, title="", left_out=region)
            m += 1
        n = m
    return out


def headings_with_text(blocks: list[Block]) -> list[Block]:
    """A title line with no paragraph under it before the next heading heads nothing: a line of a
    title page, a dateline or a signature ("SECOND EDITION", "BOSTON, MASS.", "NOVANGLUS.")."""
    out = list(blocks)
    following = None  # the next block that is not left out
    for n in range(len(out) - 1, -1, -1):
        block = out[n]
        if block.left_out:
            continue
        if block.level == 3 and (following is None or following.level or (
                len(block.title.split()) == 1 and not following.is_paragraph)):
            out[n] = replace(block, level=0, title="", left_out="short line")
            continue
        following = block
    return out


def heading_levels(blocks: list[Block]) -> list[Block]:
    """A document whose only headings are plain title lines gets them as its top level."""
    if any(b.level in (1, 2) for b in blocks):
        return blocks
    return [replace(b, level=2) if b.level == 3 else b for b in blocks]

"""The text of a PDF, page by page, as paragraphs a reader would quote.

Lines are joined within a paragraph, and a word hyphenated at a line end is joined again
("exam-" + "ple"). Running headers and footers (a line that recurs at the top or bottom of many
pages, numbers aside) and bare page numbers are left out. The PDF's outline, where it has one,
gives the headings; otherwise headings are found in the text as for plain text. Every block
stays within its page, so a citation carries its page.
"""

from __future__ import annotations

import io
import re
from collections import Counter

from index.extracted import ExtractedText
from index.models import LoadedDocument
from index.structure import classify

PAGE_NUMBER_RE = re.compile(r"^(?:page\s+)?[\divxlcdm]{1,6}(?:\s*(?:/|of)\s*\d+)?$", re.I)
EDGE_LINES = 2  # lines at the top and at the bottom of a page where running heads are looked for
RUNNING_SHARE = 0.5  # a line at a page's edge on at least this share of pages is a running head
SENTENCE_END = ".!?:\"”’)"


def load_pdf(raw: bytes, relative: str, error: type[Exception]) -> LoadedDocument:
    """The PDF's text and blocks; `error(relative, reason)` for a PDF that cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise error(relative, "is an encrypted PDF")
        pages = [(page.extract_text() or "").splitlines() for page in reader.pages]
        outline = outline_titles(reader)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise error(relative, f"is not a readable PDF ({exc})") from exc
    running = running_lines(pages)
    out = ExtractedText()
    for number, lines in enumerate(pages, start=1):
        out.start_page()
        kept = [line.strip() for n, line in enumerate(lines)
                if line.strip() and not is_furniture(line, n, lines, running)]
        for heading, level in outline.get(number, []):
            if not any(same(heading, line) for line in kept):
                out.heading(heading, level)
        for paragraph in paragraphs(kept):
            title = next((lvl for h, lvl in outline.get(number, []) if same(h, paragraph)), None)
            if title:
                out.heading(paragraph, title)
                continue
            block = classify(paragraph, (0, len(paragraph)), markdown=False)
            if block.level:
                out.heading(block.title, block.level)
            else:
                out.add(paragraph, left_out="" if block.left_out in ("", "short line") else block.left_out)
    return out.document(relative, "pdf")


def outline_titles(reader) -> dict[int, list[tuple[str, int]]]:
    """Outline entries by page number (from 1): (title, level)."""
    found: dict[int, list[tuple[str, int]]] = {}

    def visit(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                visit(item, depth + 1)
                continue
            try:
                page = reader.get_destination_page_number(item) + 1
            except Exception:  # an outline entry pointing nowhere is skipped, not fatal
                continue
            found.setdefault(page, []).append((" ".join(str(item.title).split()), min(3, depth + 1)))

    visit(reader.outline or [], 0)
    return found


def normalised(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def running_lines(pages: list[list[str]]) -> set[str]:
    """Lines (numbers aside) at a page's top or bottom on many pages: running heads and feet."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        content = [line for line in lines if line.strip()]
        counts.update({normalised(line) for line in content[:EDGE_LINES] + content[-EDGE_LINES:]})
    return {line for line, n in counts.items() if n >= max(3, RUNNING_SHARE * len(pages))}


def is_furniture(line: str, n: int, lines: list[str], running: set[str]) -> bool:
    content = [i for i, text in enumerate(lines) if text.strip()]
    at_edge = n in content[:EDGE_LINES] + content[-EDGE_LINES:]
    return at_edge and (normalised(line) in running or bool(PAGE_NUMBER_RE.match(line.strip())))


def paragraphs(lines: list[str]) -> list[str]:
    """Lines joined into paragraphs: a line ends its paragraph when it ends a sentence and falls
    short of the page's usual line length; a short line standing alone (a heading) is its own."""
    if not lines:
        return []
    width = sorted(len(line) for line in lines)[int(0.8 * (len(lines) - 1))]
    out: list[str] = []
    current = ""
    for line in lines:
        current = join(current, line) if current else line
        short = len(line) < 0.8 * width
        if short and (line[-1] in SENTENCE_END or len(line.split()) <= 8 and not line[-1] in ",;-"):
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


def join(before: str, line: str) -> str:
    """Two lines of one paragraph: a word hyphenated at the line end is joined again."""
    if re.search(r"[a-z]-$", before) and line[:1].islower():
        return before[:-1] + line
    return before + " " + line


def same(heading: str, line: str) -> bool:
    return " ".join(heading.split()).lower() == " ".join(line.split()).lower()

"""The text of an EPUB book (spine order, chapter titles as sections) and of a Word document
(heading styles as sections)."""

from __future__ import annotations

import io
import re
import zipfile

from index.extracted import ExtractedText
from index.html_text import html_blocks
from index.models import LoadedDocument

WORD_HEADING_RE = re.compile(r"^(?:heading|überschrift|titre|título)\s*(\d)$", re.I)


def load_epub(raw: bytes, relative: str, error: type[Exception]) -> LoadedDocument:
    """Chapters in spine order; a chapter with no heading of its own gets its title from the
    table of contents."""
    import ebooklib
    from ebooklib import epub

    try:
        book = epub.read_epub(io.BytesIO(raw), options={"ignore_ncx": False})
    except Exception as exc:  # ebooklib raises bare exceptions of many kinds for a damaged book
        raise error(relative, f"is not a readable EPUB ({' '.join(str(exc).split()) or type(exc).__name__})") from exc
    titles = toc_titles(book.toc)
    out = ExtractedText()
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT:
            continue
        markup = item.get_content().decode("utf-8", errors="replace")
        chapter = ExtractedText()
        html_blocks(markup, chapter)
        title = titles.get(item.get_name(), "")
        headings = [b.title for b in chapter.blocks if b.level]
        if title and (not headings or headings[0].lower() != title.lower()):
            out.heading(title, 1)  # the chapter's own headings nest under its title
        text = "".join(chapter.parts)
        for block in chapter.blocks:
            level = max(block.level, 2) if title and block.level else block.level  # under the chapter's title
            out.add(text[block.start:block.end], level=level, left_out=block.left_out)
    return out.document(relative, "epub")


def toc_titles(toc) -> dict[str, str]:
    """File name -> title, from an EPUB's table of contents (nested sections flattened)."""
    found: dict[str, str] = {}
    for entry in toc:
        if isinstance(entry, tuple):
            section, children = entry
            found.setdefault(getattr(section, "href", "").split("#")[0], getattr(section, "title", ""))
            found.update({k: v for k, v in toc_titles(children).items() if k not in found})
        else:
            found.setdefault(getattr(entry, "href", "").split("#")[0], getattr(entry, "title", ""))
    return found


def load_docx(raw: bytes, relative: str, error: type[Exception]) -> LoadedDocument:
    """Paragraphs in body order; "Title" and "Heading N" styles are headings; tables left out."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise error(relative, f"is not a readable Word document ({exc})") from exc
    out = ExtractedText()
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            out.add(" ".join(cell.text for row in item.rows for cell in row.cells), left_out="table")
        elif isinstance(item, Paragraph):
            style = (item.style.name if item.style is not None else "") or ""
            if style.lower() == "title":
                out.heading(item.text, 1)
            elif match := WORD_HEADING_RE.match(style):
                out.heading(item.text, int(match.group(1)) + 1)  # under the document's title
            else:
                out.add(item.text)
    return out.document(relative, "docx")

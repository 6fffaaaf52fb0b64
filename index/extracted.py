"""Text extracted from a structured format (HTML, PDF, EPUB, Word), built block by block.

The extracted text is what every offset of such a document refers to; the index keeps it beside
its generation. Blocks are separated by a blank line; inside a block, white space is collapsed,
so a sentence is never broken by the markup it was written in.
"""

from __future__ import annotations

from index.models import Block, LoadedDocument, Span

SEPARATOR = "\n\n"


class ExtractedText:
    """Accumulates paragraphs, headings and left-out blocks, then makes a LoadedDocument."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.blocks: list[Block] = []
        self.pages: list[Span] = []
        self.size = 0
        self.page_start: int | None = None

    def add(self, text: str, *, level: int = 0, left_out: str = "") -> None:
        """One block; empty text is ignored. A heading's text is its title."""
        text = " ".join(text.split())
        if not text:
            return
        if self.parts:
            self.parts.append(SEPARATOR)
            self.size += len(SEPARATOR)
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        self.blocks.append(Block(start, self.size, level=level, title=text if level else "", left_out=left_out))

    def heading(self, text: str, level: int) -> None:
        self.add(text, level=max(1, min(3, level)))

    def start_page(self) -> None:
        self.end_page()
        self.page_start = self.size + (len(SEPARATOR) if self.parts else 0)

    def end_page(self) -> None:
        if self.page_start is not None:
            self.pages.append((self.page_start, max(self.page_start, self.size)))
            self.page_start = None

    def document(self, path: str, kind: str) -> LoadedDocument:
        self.end_page()
        return LoadedDocument(path, "".join(self.parts), kind, pages=tuple(self.pages), blocks=tuple(self.blocks))

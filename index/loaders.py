"""Read documents into text: plain text, Markdown, HTML (main text), PDF, EPUB and Word.

Offsets everywhere refer to the text returned here. For plain text and Markdown that is the
file exactly as Python reads it in text mode (UTF-8, universal newlines); for the other formats
it is the extracted text, which the index keeps beside its generation.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from index.errors import MarginaliaError
from index.html_text import html_blocks
from index.models import LoadedDocument

TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
BINARY_LOADERS = {".pdf": "pdf", ".epub": "epub", ".docx": "docx"}
SUPPORTED_SUFFIXES = set(TEXT_SUFFIXES) | HTML_SUFFIXES | set(BINARY_LOADERS)


class LoadError(MarginaliaError):
    """A document that cannot be read; the build reports it by name and goes on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def file_digest(path: Path, max_bytes: int) -> tuple[str, int]:
    """SHA-256 and size of a file, streamed, refusing files over the limit before reading them."""
    size = checked_size(path, max_bytes)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise LoadError(path, f"cannot be read ({exc.strerror or exc})") from exc
    return digest.hexdigest(), size


def checked_size(path: Path, max_bytes: int, name: str | None = None) -> int:
    """The file's size, refusing an empty file or one over the limit without reading it."""
    name = name or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(name, f"cannot be read ({exc.strerror or exc})") from exc
    if size > max_bytes:
        raise LoadError(name, f"is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit (MAX_FILE_MB)")
    if size == 0:
        raise LoadError(name, "is empty")
    return size


def load_document(path: Path, relative: str, max_bytes: int) -> LoadedDocument:
    """Load one document, or raise LoadError saying why it cannot be used."""
    checked_size(path, max_bytes, relative)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(relative, f"unsupported file type {suffix or '(none)'!r}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(relative, f"cannot be read ({exc.strerror or exc})") from exc
    if suffix in BINARY_LOADERS:
        document = load_binary(BINARY_LOADERS[suffix], raw, relative)
    elif suffix in HTML_SUFFIXES:
        document = html_blocks(decode_text(raw, relative)).document(relative, "html")
    else:
        document = LoadedDocument(relative, decode_text(raw, relative), TEXT_SUFFIXES[suffix])
    if not document.text.strip():
        raise LoadError(relative, "has no text")
    return document


def decode_text(raw: bytes, relative: str) -> str:
    """UTF-8 text with universal newlines, as `open(path, encoding='utf-8').read()` gives it."""
    if b"\x00" in raw[:8192]:
        raise LoadError(relative, "looks binary (it contains NUL bytes), not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(relative, f"is not valid UTF-8 (bad byte at offset {exc.start})") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_binary(kind: str, raw: bytes, relative: str) -> LoadedDocument:
    """A PDF, EPUB or Word document's extracted text and blocks."""
    if kind == "pdf":
        from index.pdf_text import load_pdf

        return load_pdf(raw, relative, LoadError)
    from index.ebook_text import load_docx, load_epub

    return (load_epub if kind == "epub" else load_docx)(raw, relative, LoadError)

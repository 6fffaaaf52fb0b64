"""Loaders: text and Markdown offsets are exact, HTML keeps only the main text, PDF keeps its
pages, and a file that cannot be used is refused with its name and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from index.chunking import chunk_document
from index.loaders import LoadError, load_document
from index.models import LoadedDocument

MAX_BYTES = 1_000_000
SENTENCES = [
    "Café owners in Coyoacán opened at dawn — “before the trams”, one said.",
    "The naïve visitor paid 5 pesos 🙂 for a coffee.",
    "Nobody complained.",
]


def load(path: Path) -> LoadedDocument:
    return load_document(path, path.name, MAX_BYTES)


def spans_text(document: LoadedDocument, spans: list[tuple[int, int]]) -> list[str]:
    return [document.text[start:end] for start, end in spans]


def test_plain_text_is_the_file_as_python_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    body = f"\ufeffHeading Line Here\r\n\r\n{SENTENCES[0]} {SENTENCES[1]}\r\n\r\n{SENTENCES[2]}\r\n"
    path.write_bytes(body.encode("utf-8"))
    document = load(path)
    assert document.text == path.read_text(encoding="utf-8")  # universal newlines, BOM kept
    sentences = [s for p in chunk_document(document, "notes") for s in p.sentences]
    assert spans_text(document, sentences) == SENTENCES


def test_markdown_headings_become_sections_and_offsets_stay_exact(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text(f"# The Visit\n\n{SENTENCES[0]}\n\n## Prices\n\n{SENTENCES[1]} {SENTENCES[2]}\n", encoding="utf-8")
    document = load(path)
    assert document.kind == "markdown" and document.text == path.read_text(encoding="utf-8")
    passages = chunk_document(document, "guide")
    assert [p.section for p in passages] == ["The Visit", "The Visit › Prices"]
    assert [document.text[p.start:p.end] for p in passages] == [SENTENCES[0], f"{SENTENCES[1]} {SENTENCES[2]}"]


HTML_PAGE = """<!doctype html><html><head><title>Trams</title><style>p { color: red }</style>
<script>var tracker = "SCRIPT-CODE";</script></head><body>
<header><a href="/">Home</a> | <a href="/news">NAVIGATION-NEWS</a></header>
<nav><ul><li><a href="/donate">NAVIGATION-DONATE</a></li></ul></nav>
<main><h1>The Trams of Coyoacán</h1>
<p>The first electric tram reached Coyoacán in 1900.</p>
<p>It ran <em>every twenty minutes</em> until the line closed.</p></main>
<aside>SIDEBAR-ADVERT</aside><footer>FOOTER-COPYRIGHT</footer>
<script>document.write("MORE-SCRIPT")</script></body></html>"""


def test_html_keeps_the_main_text_without_navigation_or_script(tmp_path: Path) -> None:
    path = tmp_path / "trams.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    document = load(path)
    assert document.kind == "html"
    assert "The first electric tram reached Coyoacán in 1900." in document.text
    assert "It ran every twenty minutes until the line closed." in " ".join(document.text.split())
    for furniture in ("SCRIPT-CODE", "NAVIGATION-NEWS", "NAVIGATION-DONATE", "SIDEBAR-ADVERT", "FOOTER-COPYRIGHT",
                      "MORE-SCRIPT", "color: red"):
        assert furniture not in document.text
    passages = chunk_document(document, "trams")
    assert passages[0].section == "The Trams of Coyoacán"
    assert document.text[passages[0].start:].startswith("The first electric tram")


PDF_PAGES = [
    ["The harbour at Veracruz was crowded in May.", "Fishing boats left before dawn."],
    ["A storm came from the north on the second night.", "Three boats did not return to the harbour."],
]


def write_pdf(path: Path, pages: list[list[str]]) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for sentences in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, " ".join(sentences))
    pdf.output(str(path))
    return path


def test_pdf_text_is_read_page_by_page_with_page_numbers(tmp_path: Path) -> None:
    document = load(write_pdf(tmp_path / "storm.pdf", PDF_PAGES))
    assert document.kind == "pdf" and len(document.pages) == 2
    for number, ((start, end), sentences) in enumerate(zip(document.pages, PDF_PAGES), start=1):
        page_text = " ".join(document.text[start:end].split())
        assert page_text == " ".join(sentences)
        assert document.page_at(start) == number
    first = chunk_document(document, "storm")[0]
    assert first.page == 1 and document.text[first.start:].startswith(PDF_PAGES[0][0])


def test_no_passage_runs_across_a_page_break(tmp_path: Path) -> None:
    document = load(write_pdf(tmp_path / "storm.pdf", PDF_PAGES))
    for passage in chunk_document(document, "storm"):
        assert {document.page_at(start) for start, _ in passage.sentences} == {passage.page}


BAD_FILES = [
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    ("empty.md", b"", "empty"),
    ("blank.txt", b"  \n\n\t\n", "no text"),
    ("latin1.txt", "Caf\u00e9 au lait".encode("latin-1"), "not valid UTF-8"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", "not a readable PDF"),
    ("table.xlsx", b"PK\x03\x04 spreadsheet", "unsupported file type"),
]


@pytest.mark.parametrize(("name", "content", "reason"), BAD_FILES, ids=[name for name, _, _ in BAD_FILES])
def test_an_unusable_file_is_refused_by_name_with_the_reason(tmp_path: Path, name: str, content: bytes,
                                                              reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as caught:
        load_document(path, f"shelf/{name}", MAX_BYTES)
    assert Path(caught.value.path).name == name and name in str(caught.value)
    assert reason in caught.value.reason


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("A sentence that is perfectly fine. " * 100, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_document(path, "long.txt", max_bytes=1000)
    assert "over the" in caught.value.reason and "limit (MAX_FILE_MB)" in caught.value.reason

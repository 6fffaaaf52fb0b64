"""Documents as study groups bring them, made by the tests: a hard-wrapped e-text with its licence,
Markdown, HTML with inline tags and a table, a PDF with running heads and hyphenation, EPUB and
Word. Quotes are whole sentences, sections read like a table of contents, boilerplate stays out,
and every span is an exact slice of the text the index keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunking import chunk_document, document_blocks, make_units
from index.loaders import load_document
from index.models import LoadedDocument
from index.sentences import is_whole

MAX_BYTES = 5_000_000
LICENCE_HEAD = """The Project Gutenberg EBook of The Lighthouse Keepers, by A. Writer

This eBook is for the use of anyone anywhere at no cost and with almost no
restrictions whatsoever.

*** START OF THIS PROJECT GUTENBERG EBOOK THE LIGHTHOUSE KEEPERS ***




Produced by Volunteers at a Distributed Proofreading Site




THE LIGHTHOUSE KEEPERS

By A. Writer

LONDON
PRINTED FOR THE AUTHOR
1850




CONTENTS

CHAPTER I.    THE ROCK
CHAPTER II.   THE STORM




"""
CHAPTER_ONE = """CHAPTER I.

THE ROCK.


The lighthouse on the Skerry rock was lit for the first time in the autumn of
1810, after four summers of building. Mr. Harding, the engineer, wrote that the
stones were dovetailed "like the joints of a cabinet-maker's drawer."[1] Every
block was cut on the mainland and carried out by boat.

The keepers were three in number. Each served six weeks on the rock and two
weeks ashore, and none of them was allowed to bring his family.

[Footnote 1: Harding, _Account of the Skerry Light_, p. 12.]

"""
CHAPTER_TWO = """CHAPTER II.

THE STORM.


In the great storm of January 1839 the sea broke over the lantern itself. The
keepers kept the light burning through the whole night, and not one ship was
lost on the rock that winter.

"""
LICENCE_FOOT = """

End of the Project Gutenberg EBook of The Lighthouse Keepers, by A. Writer

*** END OF THIS PROJECT GUTENBERG EBOOK THE LIGHTHOUSE KEEPERS ***

Section 1. General Terms of Use and Redistributing Project Gutenberg-tm electronic works
"""


def etext(tmp_path: Path) -> LoadedDocument:
    path = tmp_path / "keepers.txt"
    body = LICENCE_HEAD + CHAPTER_ONE + CHAPTER_TWO + LICENCE_FOOT
    path.write_bytes(body.replace("\n", "\r\n").encode("utf-8"))
    return load_document(path, path.name, MAX_BYTES)


def quotes(document: LoadedDocument) -> list[tuple[str, str]]:
    """(section, unit text) of every unit, in reading order."""
    return [(p.section, document.text[u.start:u.end]) for p in chunk_document(document, "doc")
            for u in make_units(p, document.text)]


def test_a_hard_wrapped_etext_is_quoted_in_whole_sentences_under_its_chapters(tmp_path: Path) -> None:
    document = etext(tmp_path)
    assert "\r" not in document.text  # CRLF read as Python reads text
    found = quotes(document)
    assert found and all(is_whole(text) for _, text in found)
    sections = [section for section, _ in found]
    assert sections[0] == "Chapter I. The Rock" and sections[-1] == "Chapter II. The Storm"
    joined = " ".join(" ".join(text.split()) for _, text in found)
    assert "dovetailed \"like the joints of a cabinet-maker's drawer.\"[1] Every block" in joined


@pytest.mark.parametrize("boilerplate", ["Project Gutenberg", "Produced by", "PRINTED FOR THE AUTHOR", "CONTENTS",
                                         "THE STORM", "Footnote 1", "General Terms of Use", "almost no"])
def test_licence_title_page_contents_and_footnotes_are_not_indexed(tmp_path: Path, boilerplate: str) -> None:
    document = etext(tmp_path)
    assert boilerplate in document.text  # the file is unaltered ...
    for _, text in quotes(document):  # ... but none of it is quoted
        assert boilerplate not in " ".join(text.split())
    left_out = {b.left_out for b in document_blocks(document) if b.left_out}
    assert {"e-text licence", "produced by", "title page", "table of contents", "footnote"} <= left_out


def test_a_lone_line_break_is_a_space_and_spans_stay_exact(tmp_path: Path) -> None:
    document = etext(tmp_path)
    for passage in chunk_document(document, "doc"):
        for start, end in passage.sentences:
            sentence = document.text[start:end]
            assert sentence == sentence.strip() and "\n\n" not in sentence


def test_markdown_headings_nest_like_a_table_of_contents(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# The Tea Trade\n\nTea reached Europe in the seventeenth century.\n\n## Clippers\n\n"
                    "The clippers raced from Fuzhou to London. Their cargo was insured.\n\n# Prices\n\n"
                    "Prices fell after 1870.\n", encoding="utf-8")
    found = quotes(load_document(path, path.name, MAX_BYTES))
    assert [s for s, _ in found] == ["The Tea Trade", "The Tea Trade › Clippers", "Prices"]


HTML = """<html><head><title>Tea</title></head><body>
<nav><a href="/">Home</a></nav>
<article>
<h1>Tea in Japan</h1>
<p>The tea ceremony, <strong>chanoyu</strong>, took its classic form under <a href="/rikyu">Sen no
Rikyū</a>. Its rules were <em>simple</em> and strict.</p>
<h2>Utensils</h2>
<table><tr><th>Item</th><th>Price</th></tr><tr><td>Bowl</td><td>12 ryō</td></tr></table>
<p>The bowl mattered more than the tea.</p>
<form><input name="q"><button>Search the archive</button></form>
</article></body></html>"""


def test_html_inline_tags_never_break_a_sentence_and_tables_are_not_prose(tmp_path: Path) -> None:
    path = tmp_path / "tea.html"
    path.write_text(HTML, encoding="utf-8")
    document = load_document(path, path.name, MAX_BYTES)
    found = quotes(document)
    texts = [" ".join(text.split()) for _, text in found]
    assert "The tea ceremony, chanoyu, took its classic form under Sen no Rikyū." in texts[0]
    assert not any("Bowl" in t or "Price" in t or "Search the archive" in t or "Home" in t for t in texts)
    assert [s for s, _ in found] == ["Tea in Japan", "Tea in Japan › Utensils"]
    assert all(is_whole(t) for t in texts)


def make_pdf(path: Path) -> None:
    from fpdf import FPDF

    class Book(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, "A History of the Harbour", align="C")
            self.ln(12)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, str(self.page_no()), align="C")

    pdf = Book()
    pdf.set_auto_page_break(True, margin=20)
    for title, lines in (("The Old Harbour", ["The harbour at Veracruz was crowded in May, and the fishing",
                                              "boats left before dawn. The customs house kept a careful regis-",
                                              "ter of every ship that entered the port that year."]),
                         ("The Storm", ["A storm came from the north on the second night of June, and",
                                        "three boats did not return to the harbour."])):
        pdf.add_page()
        pdf.start_section(title)
        pdf.set_font("Helvetica", size=14)
        pdf.cell(0, 10, title)
        pdf.ln(14)
        pdf.set_font("Helvetica", size=11)
        for line in lines:
            pdf.cell(0, 7, line)
            pdf.ln(7)
    pdf.output(str(path))


def test_pdf_lines_are_joined_running_heads_left_out_and_pages_kept(tmp_path: Path) -> None:
    path = tmp_path / "harbour.pdf"
    make_pdf(path)
    document = load_document(path, path.name, MAX_BYTES)
    assert document.kind == "pdf" and len(document.pages) == 2
    passages = chunk_document(document, "doc")
    texts = [" ".join(document.text[p.start:p.end].split()) for p in passages]
    assert "The customs house kept a careful register of every ship that entered the port that year." in texts[0]
    assert all("A History of the Harbour" not in t for t in texts)
    assert [(p.section, p.page) for p in passages] == [("The Old Harbour", 1), ("The Storm", 2)]
    assert all(is_whole(document.text[a:b]) for p in passages for a, b in p.sentences)


def make_epub(path: Path) -> None:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("harbour-1")
    book.set_title("Harbour Tales")
    chapters = []
    for n, (title, body) in enumerate((("The Arrival", "<p>The ship came in at dawn. Nobody met it.</p>"),
                                       ("The Departure", "<h2>Morning</h2><p>It left <em>three</em> days later."
                                                         "</p>"))):
        chapter = epub.EpubHtml(title=title, file_name=f"chap{n}.xhtml", lang="en")
        chapter.content = f"<html><body>{body}</body></html>"
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = chapters
    epub.write_epub(str(path), book)


def test_epub_chapters_in_spine_order_with_their_titles(tmp_path: Path) -> None:
    path = tmp_path / "tales.epub"
    make_epub(path)
    document = load_document(path, path.name, MAX_BYTES)
    found = quotes(document)
    assert found == [("The Arrival", "The ship came in at dawn. Nobody met it."),
                     ("The Departure › Morning", "It left three days later.")]


def test_word_heading_styles_become_sections(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.add_heading("Harbour Records", level=0)
    word.add_heading("Ships", level=1)
    word.add_paragraph("Forty ships entered in 1850. Most carried timber.")
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Ship", "Tons"
    word.add_heading("Crews", level=2)
    word.add_paragraph("Each crew signed on for one season.")
    path = tmp_path / "records.docx"
    word.save(str(path))
    document = load_document(path, path.name, MAX_BYTES)
    found = quotes(document)
    assert found == [("Harbour Records › Ships", "Forty ships entered in 1850. Most carried timber."),
                     ("Harbour Records › Ships › Crews", "Each crew signed on for one season.")]
    assert "Tons" in document.text and not any("Tons" in text for _, text in found)


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("broken.epub", b"PK\x03\x04 not really a zip", "not a readable EPUB"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable Word document"),
])
def test_a_damaged_book_is_refused_with_its_name_and_why(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    from index.loaders import LoadError

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_document(path, name, MAX_BYTES)


def test_a_huge_paragraph_without_punctuation_stays_within_the_limits(tmp_path: Path) -> None:
    from index.sentences import QUOTE_MAX_CHARS

    path = tmp_path / "wall.txt"
    path.write_text("\ufeff" + " ".join(f"word{n % 97}" for n in range(10_000)) + "\n", encoding="utf-8")
    document = load_document(path, path.name, MAX_BYTES)
    passages = chunk_document(document, "doc", max_words=120)
    assert passages and all(len(document.text[p.start:p.end].split()) <= 120 for p in passages)
    units = [u for p in passages for u in make_units(p, document.text)]
    assert all(u.end - u.start <= QUOTE_MAX_CHARS for u in units)
    assert not document.text[units[0].start:units[0].end].startswith("\ufeff")  # a BOM is never quoted

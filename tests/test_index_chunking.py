"""Chunking the real reading list: headings become section paths, passages stay under the word
limit, every span round-trips `text[start:end]`, and boilerplate stays out of the passages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SOURCES

from index.build import discover
from index.chunking import chunk_document, make_units
from index.loaders import load_document
from index.models import LoadedDocument, Passage

WORD_RE = re.compile(r"\S*\w\S*")  # a run of non-space with a letter or digit (an ellipsis ". . ." is no word)
DOCUMENTS = [path.name for path in discover(SOURCES)]
KAHN = "kahn-sayers-1946-great-conspiracy-part3.txt"
WALSH = "walsh-1980-trotskys-assassination.txt"


def load(name: str) -> LoadedDocument:
    return load_document(SOURCES / name, name, 10_000_000)


def words(text: str) -> int:
    return len(WORD_RE.findall(text))


def test_chapter_and_section_headings_become_section_paths() -> None:
    document = load(KAHN)
    sections = {p.section for p in chunk_document(document, "kahn")}
    book = "Book Three. Russia’s Fifth Column"
    assert f"{book} › Chapter XXI. Murder in Mexico" in {" › ".join(s.split(" › ")[:2]) for s in sections}
    assert f"{book} › Chapter XVI. Genesis of a Fifth Column › 1. Trotsky at Elba" in sections
    start = document.text.index("CHAPTER XXI – Murder in Mexico")
    following = [p for p in chunk_document(document, "kahn") if p.start > start]
    assert following[0].section.startswith(f"{book} › Chapter XXI. Murder in Mexico")


def test_title_case_headings_become_sections() -> None:
    sections = {p.section for p in chunk_document(load(WALSH), "walsh")}
    assert {"Show Trials And Bloody Purges", "Armed Raid And Assassination", "Trotsky in Mexico"} <= sections


@pytest.mark.parametrize("max_words", [60, 180])
@pytest.mark.parametrize("name", DOCUMENTS)
def test_passages_stay_under_the_word_limit(name: str, max_words: int) -> None:
    document = load(name)
    for passage in chunk_document(document, "doc", max_words):
        if len(passage.sentences) > 1:  # one sentence longer than the limit cannot be cut
            assert words(document.text[passage.start:passage.end]) <= max_words, passage.id


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_span_round_trips(name: str) -> None:
    document = load(name)
    on_disk = (SOURCES / name).read_text(encoding="utf-8")
    assert document.text == on_disk
    passages = chunk_document(document, "doc")
    assert passages
    for before, after in zip(passages, passages[1:]):
        assert before.end <= after.start
    for passage in passages:
        check_passage(on_disk, passage)


def check_passage(text: str, passage: Passage) -> None:
    """Spans are tight (no surrounding white space), ordered, and nested in their passage."""
    body = text[passage.start:passage.end]
    assert body and body == body.strip()
    assert passage.sentences[0][0] == passage.start and passage.sentences[-1][1] == passage.end
    for (start, end), (next_start, _) in zip(passage.sentences, passage.sentences[1:]):
        assert end <= next_start
    for start, end in passage.sentences:
        sentence = text[start:end]
        assert sentence and sentence == sentence.strip() and sentence in body
    for unit in make_units(passage, text):
        assert passage.start <= unit.start < unit.end <= passage.end
        assert text[unit.start:unit.end] == text[unit.start:unit.end].strip()


@pytest.mark.parametrize(("name", "boilerplate"), [
    (KAHN, "Leave a Reply"),
    (KAHN, "You are commenting using your Twitter account"),
    (KAHN, "Connecting to %s"),
    (WALSH, "| Home | News | Donate | Join"),
])
def test_boilerplate_is_left_out_of_passages_but_kept_in_the_file(name: str, boilerplate: str) -> None:
    document = load(name)
    assert boilerplate in (SOURCES / name).read_text(encoding="utf-8")
    for passage in chunk_document(document, "doc"):
        assert boilerplate not in document.text[passage.start:passage.end]


def test_the_text_before_a_comment_form_is_kept(tmp_path: Path) -> None:
    text = ("Closing Remarks\n\nThe archive closes at noon on Saturdays.\n\nShare this:\n\n"
            "Leave a Reply\n\nYou are commenting using your Facebook account. Log Out /  Change )\n\n"
            "A comment after the form is not the author's text.\n")
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    passages = chunk_document(load_document(path, "page.txt", 10_000), "page")
    assert [text[p.start:p.end] for p in passages] == ["The archive closes at noon on Saturdays."]
    assert passages[0].section == "Closing Remarks"

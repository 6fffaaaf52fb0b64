"""Questions and documents as people really type and paste them: invisible characters, escape
sequences, compatibility forms and accents in questions; control characters and secrets in
documents; and the wording of an answer from a reading list of one."""

from __future__ import annotations

import pytest
from conftest import make_settings, write_sources

from bot import display
from bot.answer.compose import Answerer
from bot.answer.hygiene import tidy
from bot.answer.text import render_text
from index.build import BuildReport, build_index
from index.embedding import Embedder
from index.search import Searcher

TEA = ("The tea master Sen no Rikyū shaped the Japanese tea ceremony in the sixteenth century. Rikyū served Oda "
       "Nobunaga and later Toyotomi Hideyoshi as his tea master.\n\n"
       "In 1591 Hideyoshi ordered Rikyū to commit ritual suicide, and he did so at his residence in Kyoto.\n\n"
       "President Lazaro Cardenas of Mexico, who granted Trotsky asylum, drank tea from a Japanese bowl.\n\n"
       "The tea house \x1b]0;pwned\x07\x1b[2Jkept its bowls in a cedar chest that the tea master had built himself.")


@pytest.fixture(scope="module")
def tea(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Answerer:
    """A reading list of one document, with accents, and escape sequences in its text."""
    root = tmp_path_factory.mktemp("tea")
    settings = make_settings(root, write_sources(root / "sources", {"tea-master.txt": TEA}))
    build_index(settings, embedder=embedder)
    return Answerer(settings, Searcher(settings, embedder))


@pytest.mark.parametrize(("typed", "tidied"), [
    ("Who killed Tro\u200btsky?", "Who killed Trotsky?"),
    ("\x1b[31mWho killed Trotsky?\x1b[0m", "Who killed Trotsky?"),
    ("\x1b]0;title\x07Who killed\tTrotsky?\r\n", "Who killed Trotsky?"),
    ("Who killed ｔｒｏｔｓｋｙ？", "Who killed trotsky?"),
    ("\ufeffWho killed\u00a0Trotsky\u2060?", "Who killed Trotsky?"),
    ("Who was Rikyū?", "Who was Rikyū?"),  # accents are kept: the question is shown back as typed
])
def test_a_question_is_normalised_and_stripped_of_invisible_characters(typed: str, tidied: str) -> None:
    assert tidy(typed) == tidied


@pytest.mark.parametrize("typed", ["Who killed Tro\u200btsky?", "\x1b[31mWho killed Trotsky?\x1b[0m",
                                   "Who killed Trotsky\u200d?"])
def test_invisible_characters_do_not_change_the_answer(answerer: Answerer, typed: str) -> None:
    plain = answerer.ask("Who killed Trotsky?")
    answer = answerer.ask(typed)
    assert answer.answered and answer.question == "Who killed Trotsky?"
    assert [c.quote for c in answer.citations] == [c.quote for c in plain.citations]


@pytest.mark.parametrize("question", ["Who was Rikyu?", "Whom did Rikyu serve?", "Who was Sen no Rikyu?",
                                      "Who was sen no rikyū?"])
def test_accents_fold_on_both_sides(tea: Answerer, question: str) -> None:
    answer = tea.ask(question)
    assert answer.answered, answer.text


def test_a_question_with_accents_is_answered_as_without(tea: Answerer) -> None:
    accented, plain = tea.ask("Who was Lázaro Cárdenas?"), tea.ask("Who was Lazaro Cardenas?")
    assert accented.answered == plain.answered and accented.lead == plain.lead
    assert [c.quote for c in accented.citations] == [c.quote for c in plain.citations]


def test_one_source_reads_as_one(tea: Answerer) -> None:
    assert tea.ask("Who was Sen no Rikyu?").lead == "The one source in the reading list addresses this."
    declined = tea.ask("Which football club won the 1954 World Cup?")
    assert declined.lead.startswith("The one source in the reading list does not address this question")
    report = BuildReport(documents=1, passages=1).summary()
    assert report.startswith("Indexed 1 document, 1 passage in")


def test_document_text_is_shown_without_its_control_characters(tea: Answerer) -> None:
    # (the escape sequence runs into "kept", so "keep" is in no passage; "built" is)
    answer = tea.ask("Who built the chest for the tea house bowls?")
    assert answer.answered and any("\x1b" in c.quote for c in answer.citations)  # the quote stays verbatim
    assert not any(display.is_control(ch) and ch != "\n" for ch in render_text(answer))


def test_the_display_helper() -> None:
    assert display.clean("a\x1b[2Jb\n\tc\x07") == "a\ufffd[2Jb\n\tc\ufffd"
    assert display.oneline("  a \n\n b\x1b ") == "a b\ufffd"
    assert display.name("odd\nname\x1b.txt") == "odd\\nname\\x1b.txt"
    assert display.name("\u202etxt.exe") == "\\u202etxt.exe"
    assert display.clip("Kollontai in Mexico and Norway", 12) == "Kollontai i…"
    assert display.clip("short", 12) == "short"
    assert display.count(1, "source") == "1 source" and display.count(2, "entry", "entries") == "2 entries"
    display.hide("a-secret-token-for-this-test")
    assert display.oneline("the a-secret-token-for-this-test value") == "the [token redacted] value"

"""End-to-end behaviour on the bundled reading list (real model, real index)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from bot.answer.compose import Answerer
from bot.answer.models import Answer

TROTSKYIST = {"walsh-1980", "woods-2003"}


def assert_verbatim(answer: Answer, answerer: Answerer) -> None:
    assert len(answer.citations) <= 8
    for citation in answer.citations:
        path = Path(answerer.settings.project_dir) / answer.sources[citation.source].file
        assert path.read_text(encoding="utf-8")[citation.start:citation.end] == citation.quote
        assert len(citation.quote) >= 20


def test_the_assassination_is_answered_from_both_camps_in_their_own_words(answerer: Answerer) -> None:
    answer = answerer.ask("Who killed Trotsky, and why?")
    assert_verbatim(answer, answerer)
    assert set(answer.sources) & TROTSKYIST and "kahn-sayers-1946" in answer.sources
    assert "polemical" in answer.sources["kahn-sayers-1946"].flags
    assert "According to Kahn & Sayers (1946)" in answer.text
    assert answer.disagreement and "who is to blame" in answer.differences[0].point


def test_the_moscow_trial_confessions_show_where_the_sources_differ(answerer: Answerer) -> None:
    answer = answerer.ask("Were the Moscow trial confessions genuine?")
    assert_verbatim(answer, answerer)
    assert answer.disagreement and "they disagree" in answer.lead
    assert "Where the sources differ" in answer.text
    sides = [set(side.sources) for side in answer.differences[0].sides]
    assert any("kahn-sayers-1946" in side for side in sides) and any(side & TROTSKYIST for side in sides)


def test_a_question_only_the_fiction_answers_is_marked_as_fiction(answerer: Answerer) -> None:
    answer = answerer.ask("How many agents did Trotsky train in Siberian camps and send into Germany?")
    assert_verbatim(answer, answerer)
    assert "world-revolution-fiction" in answer.sources
    assert "fiction" in answer.sources["world-revolution-fiction"].flags
    assert "invented, not a record of what happened" in answer.text


def test_chatbot_text_is_marked_unverifiable(answerer: Answerer) -> None:
    answer = answerer.ask("How did Kollontai manage to survive Stalin's purges?")
    assert "randomposter33-ai-chat" in answer.sources
    assert "ai-generated" in answer.sources["randomposter33-ai-chat"].flags
    assert "unverifiable" in answer.text


@pytest.mark.parametrize("question", ["What did Trotsky think about the Kronstadt uprising in 1921?",
                                      "How long does a sponge cake bake?"])
def test_questions_the_sources_do_not_cover_are_declined(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question)
    assert not answer.answered and answer.citations == [] and answer.sources == {}
    assert "None of the 5 sources" in answer.text


def test_a_two_part_question_is_answered_for_the_part_the_sources_cover(answerer: Answerer) -> None:
    answer = answerer.ask("What did the Kronstadt sailors demand in 1921? Who killed Trotsky?")
    assert answer.answered and answer.citations
    assert "one part of the question: “Who killed Trotsky”" in answer.lead
    assert_verbatim(answer, answerer)


def test_an_unmentioned_name_is_given_as_the_reason(answerer: Answerer) -> None:
    answer = answerer.ask("What did Trotsky think about the Kronstadt uprising in 1921?")
    assert "Kronstadt" in answer.lead


def test_a_follow_up_naming_a_source_answers_from_that_source(answerer: Answerer) -> None:
    answer = answerer.ask("and what does Walsh say about that?", previous="Who killed Trotsky?")
    assert answer.answered and set(answer.sources) == {"walsh-1980"}
    assert_verbatim(answer, answerer)


@pytest.mark.parametrize(("question", "source", "flag"), [
    ("What does the fiction page say about the German revolution?", "world-revolution-fiction", "fiction"),
    ("What does The Great Conspiracy say about the Moscow trials?", "kahn-sayers-1946", "polemical"),
])
def test_a_source_named_by_what_it_is_or_its_title_answers_alone(answerer: Answerer, question: str, source: str,
                                                                  flag: str) -> None:
    answer = answerer.ask(question)
    assert_verbatim(answer, answerer)
    assert answer.answered and set(answer.sources) == {source} and flag in answer.sources[source].flags


def test_json_contract(answerer: Answerer) -> None:
    data = answerer.ask("When did Lenin die?").to_json()
    assert {"question", "answered", "text", "citations", "sources", "disagreement"} <= set(data)
    assert data["answered"] and data["citations"]
    for citation in data["citations"]:
        assert {"n", "source", "quote", "start", "end", "section"} <= set(citation)
        assert {"title", "author", "date", "file", "flags", "note"} <= set(data["sources"][citation["source"]])


def test_warming_up_sets_the_loaded_index_aside_from_garbage_collection(answerer: Answerer) -> None:
    gc.unfreeze()
    answerer.warm_up()
    assert gc.get_freeze_count() > 100_000  # the model and index: a full collection no longer walks them
    units = answerer.searcher.snapshot.unit_list  # part of the loaded index
    assert not any(tracked is units for tracked in gc.get_objects())  # frozen objects are not listed

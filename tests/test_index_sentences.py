"""The one sentence splitter: abbreviations, initials, lists, quotation marks, footnote markers,
ellipses, hard-wrapped lines, and a hard cap on length cut at the best boundary."""

from __future__ import annotations

import pytest

from index.sentences import QUOTE_MAX_CHARS, is_whole, sentence_spans, split_sentences


@pytest.mark.parametrize(("text", "sentences"), [
    ("Mr. Smith went to Washington. He met J. S. Mill there.",
     ["Mr. Smith went to Washington.", "He met J. S. Mill there."]),
    ("“Stop!” he cried. Then he ran.", ["“Stop!” he cried.", "Then he ran."]),
    ("See p. 12 of the U.S. report. It says so.[12] The end came.",
     ["See p. 12 of the U.S. report.", "It says so.[12]", "The end came."]),
    ("The vote failed.*[1] Nobody was surprised.", ["The vote failed.*[1]", "Nobody was surprised."]),
    ("1. The first point is this. 2. The second follows.", ["1. The first point is this.", "2. The second follows."]),
    ("He paused... then went on. Then... Nothing moved.", ["He paused... then went on.", "Then...", "Nothing moved."]),
    ("The distance was 3.5 miles (see Vol. II.) and the road was bad. Rain fell.",
     ["The distance was 3.5 miles (see Vol. II.) and the road was bad.", "Rain fell."]),
    ("She said: “I am here.” He left at once.", ["She said: “I am here.”", "He left at once."]),
    ("The trade in\ntea grew, e.g. in\nBoston. Prices fell.", ["The trade in\ntea grew, e.g. in\nBoston.", "Prices fell."]),
])
def test_sentences_end_where_a_reader_ends_them(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_a_byte_order_mark_or_zero_width_space_is_never_part_of_a_sentence() -> None:
    text = "\ufeffThe first line. \u200bThe second line."
    assert [text[a:b] for a, b in sentence_spans(text)] == ["The first line.", "The second line."]


def test_an_over_long_sentence_is_cut_at_a_clause_then_at_a_word() -> None:
    clauses = "; ".join(f"clause number {n} of a sentence that goes on" for n in range(40)) + "."
    pieces = split_sentences(clauses)
    assert all(len(p) <= QUOTE_MAX_CHARS for p in pieces)
    assert all(p.endswith(";") for p in pieces[:-1])
    unpunctuated = " ".join(["word"] * 5000)
    pieces = split_sentences(unpunctuated)
    assert len(pieces) > 1 and all(len(p) <= QUOTE_MAX_CHARS for p in pieces)
    assert all(p.startswith("word") and p.endswith("word") for p in pieces)


def test_a_word_limit_cuts_too() -> None:
    text = " ".join(["word"] * 100) + "."
    spans = sentence_spans(text, max_words=30)
    assert len(spans) == 4 and all(len(text[a:b].split()) <= 30 for a, b in spans)


@pytest.mark.parametrize(("quote", "whole"), [
    ("The harbour was full.", True),
    ("“Is it you?” she asked.", True),
    ("It says so.[12]", True),
    ("and then the rain came.", False),
    ("The harbour was full of", False),
])
def test_whole_sentences_are_told_apart(quote: str, whole: bool) -> None:
    assert is_whole(quote) is whole

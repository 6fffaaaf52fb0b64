"""`marginalia eval` on the project's own data: figures and failures, gold-file mistakes named
with their line and pointing to the README, and citations of every format checked against the
text the index keeps. (The dev questions' bar is in eval_dev_questions.py, run by `make eval`.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_settings, write_sources
from fpdf import FPDF

from bot.answer.compose import Answerer
from bot.evaluation import evaluate, load_gold
from index.build import build_index
from index.embedding import Embedder
from index.errors import MarginaliaError
from index.search import Searcher

# Nothing in the reading list is about baking.
UNANSWERABLE = json.dumps({"id": "u1", "question": "How long does a sponge cake bake?", "kind": "unanswerable",
                           "gold_sources": [], "gold_quotes": {}, "expect_disagreement": False, "expect_flags": {}})


def gold_file(tmp_path: Path, *lines: str) -> Path:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return gold


def test_eval_command_prints_the_figures_and_failures(answerer: Answerer, tmp_path) -> None:
    report = evaluate(answerer, load_gold(gold_file(tmp_path, UNANSWERABLE))).render()
    assert "evidence recall" in report and "refusal 1.00" in report


@pytest.mark.parametrize(("content", "words"), [
    ('{"id": "q1", "question": "Who?"', ("line 1", "not valid JSON")),
    ('[1, 2]', ("line 1", "JSON object")),
    ('{"question": "Who?", "kind": "factual"}', ("line 1", "id", "README")),
    ('{"id": "q1", "question": "Who?", "kind": "factual", "gold_quotes": {"a.txt": "one quote"}}',
     ("line 1", "gold_quotes", "README")),
    ("\n\n", ("no questions", "README")),
])
def test_a_gold_file_with_a_mistake_is_refused_with_where_and_what(tmp_path, content: str, words: tuple) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(content, encoding="utf-8")
    with pytest.raises(MarginaliaError) as raised:
        load_gold(gold)
    assert all(word in str(raised.value) for word in words), str(raised.value)
    assert "shared" not in str(raised.value)  # a user's clone has no ../shared to look in


def test_a_question_the_bot_refuses_to_read_counts_against_it_and_the_run_goes_on(answerer: Answerer,
                                                                                    tmp_path) -> None:
    too_long = json.dumps({"id": "long", "question": "why " * 400, "kind": "factual", "gold_quotes": {},
                           "gold_sources": []})
    tally = evaluate(answerer, load_gold(gold_file(tmp_path, too_long, UNANSWERABLE)))
    assert tally.answerable == 1 and tally.false_refusals == 1 and tally.unanswerable == 1


LIGHTHOUSE_HTML = """<!doctype html><html><head><title>Lights</title></head><body>
<nav>Home &middot; Archive</nav><main><h1>Northern lights</h1>
<p>The lighthouse at Cape Wrath was first lit in 1828 &amp; its lamp burned whale oil.</p>
<p>Its keepers &ldquo;trimmed the wicks&rdquo; every four hours through the winter nights.</p>
</main></body></html>"""
STORM_PAGES = ["The great storm of 1703 wrecked the first Eddystone lighthouse and drowned its builder.",
               "Henry Winstanley was on the rock that night, finishing repairs to the lantern."]


def write_pdf(path: Path, pages: list[str]) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))


def test_html_and_pdf_citations_are_checked_against_the_extracted_text(tmp_path: Path, embedder: Embedder) -> None:
    sources = write_sources(tmp_path / "sources", {"lights.html": LIGHTHOUSE_HTML})
    write_pdf(sources / "storm.pdf", STORM_PAGES)
    settings = make_settings(tmp_path, sources)
    build_index(settings, embedder=embedder)
    answerer = Answerer(settings, Searcher(settings, embedder))
    questions = [
        {"id": "h1", "question": "When was the lighthouse at Cape Wrath first lit?", "kind": "factual",
         "gold_quotes": {"lights.html": ["first lit in 1828"]}},
        {"id": "p1", "question": "What wrecked the first Eddystone lighthouse?", "kind": "factual",
         "gold_quotes": {"storm.pdf": ["wrecked the first Eddystone lighthouse"]}},
    ]
    tally = evaluate(answerer, load_gold(gold_file(tmp_path, *map(json.dumps, questions))))
    report = tally.render(verbose=True)
    assert tally.quotes >= 2 and tally.bad_quotes == 0, report
    assert tally.evidence == [1.0, 1.0], report

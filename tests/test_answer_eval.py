"""The dev question set as a regression guard, scored in-process the way shared/eval/score.py scores.

Thresholds are the issues' acceptance bars that the bot meets today; evidence recall is held at
the index issue's 0.80 (the source-criticism issue asks 0.90, not yet reached).
"""

from __future__ import annotations

import json
import statistics

import pytest

from bot.answer.compose import Answerer
from bot.evaluation import evaluate, load_gold
from index.config import PROJECT_ROOT
from index.errors import MarginaliaError

DEV = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"


def test_dev_questions_meet_the_bar(answerer: Answerer) -> None:
    tally = evaluate(answerer, load_gold(DEV))
    report = tally.render()
    assert tally.bad_quotes == 0, report
    assert max(tally.citations) <= 8, report
    assert tally.flags_ok == tally.flags_n, report
    assert statistics.mean(tally.evidence) >= 0.80, report
    assert tally.refused_ok / tally.unanswerable >= 0.85, report
    assert tally.false_refusals / tally.answerable <= 0.05, report
    assert tally.f1()[2] >= 0.80, report


def test_eval_command_prints_the_figures_and_failures(answerer: Answerer, tmp_path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(DEV.read_text(encoding="utf-8").splitlines()[19] + "\n", encoding="utf-8")  # an unanswerable
    report = evaluate(answerer, load_gold(gold)).render()
    assert "evidence recall" in report and "refusal 1.00" in report


@pytest.mark.parametrize(("content", "words"), [
    ('{"id": "q1", "question": "Who?"', ("line 1", "not valid JSON")),
    ('[1, 2]', ("line 1", "JSON object")),
    ('{"question": "Who?", "kind": "factual"}', ("line 1", "id")),
    ('{"id": "q1", "question": "Who?", "kind": "factual", "gold_quotes": {"a.txt": "one quote"}}',
     ("line 1", "gold_quotes")),
    ("\n\n", ("no questions",)),
])
def test_a_gold_file_with_a_mistake_is_refused_with_where_and_what(tmp_path, content: str, words: tuple) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(content, encoding="utf-8")
    with pytest.raises(MarginaliaError) as raised:
        load_gold(gold)
    assert all(word in str(raised.value) for word in words), str(raised.value)


def test_a_question_the_bot_refuses_to_read_counts_against_it_and_the_run_goes_on(answerer: Answerer,
                                                                                    tmp_path) -> None:
    lines = [json.dumps({"id": "long", "question": "why " * 400, "kind": "factual",
                         "gold_quotes": {}, "gold_sources": []}),
             DEV.read_text(encoding="utf-8").splitlines()[19]]  # an unanswerable
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tally = evaluate(answerer, load_gold(gold))
    assert tally.answerable == 1 and tally.false_refusals == 1 and tally.unanswerable == 1

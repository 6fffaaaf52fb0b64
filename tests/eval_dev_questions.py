"""The dev questions as a regression bar, for `make eval` (not `make test`: they live in
../shared/eval, which a fresh clone does not have). Scored in-process the way the project's scorer
scores; the thresholds are the issues' acceptance bars that the bot meets today. Evidence recall is
held at the index issue's 0.80 (the source-criticism issue asks 0.90, not yet reached).
"""

from __future__ import annotations

import statistics

import pytest
from shared_material import DEV_QUESTIONS

from bot.answer.compose import Answerer
from bot.evaluation import evaluate, load_gold

if not DEV_QUESTIONS.is_file():
    pytest.fail(f"{DEV_QUESTIONS} is missing: `make eval` needs ../shared/eval beside the project", pytrace=False)


def test_dev_questions_meet_the_bar(answerer: Answerer) -> None:
    tally = evaluate(answerer, load_gold(DEV_QUESTIONS))
    report = tally.render()
    assert tally.bad_quotes == 0, report
    assert max(tally.citations) <= 8, report
    assert tally.flags_ok == tally.flags_n, report
    assert statistics.mean(tally.evidence) >= 0.80, report
    assert tally.refused_ok / tally.unanswerable >= 0.85, report
    assert tally.false_refusals / tally.answerable <= 0.05, report
    assert tally.f1()[2] >= 0.80, report

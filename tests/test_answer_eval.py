"""The dev question set as a regression guard, scored in-process the way shared/eval/score.py scores.

Thresholds are the issues' acceptance bars that the bot meets today; evidence recall is held at
the index issue's 0.80 (the source-criticism issue asks 0.90, not yet reached).
"""

from __future__ import annotations

import statistics

from bot.answer.compose import Answerer
from bot.evaluation import evaluate, load_gold
from index.config import PROJECT_ROOT

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

"""Train the judge (`bot/answer/judge.py`) on the readers' grades, validate it leave-one-topic-out,
choose its thresholds on held-out topics, and write the shipped model.

    python -m training.train_judge [--rows training/runs/judge-rows.jsonl] [--write models/judge.json]

The rows come from `training.judge_rows` (the candidates the real answer path gathers for every
labelled question). Each fold trains on four reading lists and predicts the fifth; the thresholds
(cite a source, add a further quote) are chosen on the out-of-fold predictions of four topics and
scored on the fifth (nested), so every figure printed is on a topic neither the weights nor the
thresholds saw. The shipped model is trained on all five, its thresholds chosen on all five
topics' out-of-fold predictions. Fold models go to training/runs/judge-without-LIST.json for
`training.crosstopic --loto`, which scores the real answer path with them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from bot.answer.judge import DIRECTION, FEATURES, QUESTION_FEATURES, question_features
from training.examples import read_jsonl
from training.validate import by_question, choose, render, score

DATA = Path(__file__).parent / "data"
RUNS = Path(__file__).parent / "runs"
SEED = 1940
HIDDEN = 0  # units of one hidden layer; 0 fits a logistic regression (measured: it holds up better across topics)
ALPHA = 1e-2  # L2 penalty


def fit(x: np.ndarray, y: np.ndarray, hidden: int = HIDDEN, alpha: float = ALPHA,
        names: tuple[str, ...] = FEATURES) -> dict:
    """Standardise, then fit a small network, or a logistic regression whose weights keep the
    direction `DIRECTION` gives each feature, to P(y)."""
    from sklearn.neural_network import MLPClassifier

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    if hidden:
        net = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=alpha, max_iter=600, early_stopping=False,
                            random_state=SEED).fit(z, y)
        layers = [[w.tolist(), b.tolist()] for w, b in zip(net.coefs_, net.intercepts_)]
    else:
        w, b = signed_logistic(z, y.astype(np.float64), alpha, [DIRECTION.get(n, 0) for n in names])
        layers = [[w.reshape(-1, 1).tolist(), [b]]]
    return {"features": list(names), "mean": mean.tolist(), "scale": scale.tolist(), "layers": layers}


def signed_logistic(z: np.ndarray, y: np.ndarray, alpha: float, signs: list[int]) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression (mean log loss + alpha/2 |w|^2, as scikit-learn's with
    C = 1 / (alpha n)) with each weight kept to its sign: >= 0 for +1, <= 0 for -1, free for 0."""
    from scipy.optimize import minimize

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        margin = z @ w + b
        p = 1.0 / (1.0 + np.exp(-margin))
        value = np.mean(np.logaddexp(0.0, margin) - y * margin) + 0.5 * alpha * w @ w
        residual = (p - y) / len(y)
        return value, np.append(z.T @ residual + alpha * w, residual.sum())

    bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs] + [(None, None)]
    result = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"maxiter": 5000})
    return result.x[:-1], float(result.x[-1])


def predict(model: dict, x: np.ndarray) -> np.ndarray:
    z = (x - np.array(model["mean"])) / np.array(model["scale"])
    for n, (w, b) in enumerate(model["layers"]):
        z = z @ np.array(w) + np.array(b)
        if n < len(model["layers"]) - 1:
            z = np.maximum(z, 0)
    return 1 / (1 + np.exp(-z.reshape(-1)))


def auc(p: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")


class Data:
    """The rows and questions as arrays, and the fits the nested validation needs."""

    def __init__(self, questions: list[dict], rows: list[dict], hidden: int, alpha: float) -> None:
        self.questions, self.rows, self.hidden, self.alpha = questions, rows, hidden, alpha
        self.x = np.array([r["x"] for r in rows], dtype=np.float64)
        self.y = np.array([r["grade"] == 2 for r in rows])
        self.graded = np.array([r["grade"] >= 0 for r in rows])
        self.lists = np.array([r["list"] for r in rows])
        self.topics = sorted(set(self.lists))
        self.row_ids: dict[str, list[int]] = {}
        for n, r in enumerate(rows):
            self.row_ids.setdefault(r["qid"], []).append(n)

    def quote_model(self, topics: set[str]) -> dict:
        train = self.graded & np.isin(self.lists, sorted(topics))
        return fit(self.x[train], self.y[train], self.hidden, self.alpha)

    def held_out_p(self, topics: set[str]) -> np.ndarray:
        """Each of `topics` predicted by a quote model trained on the others of them."""
        p = np.zeros(len(self.rows))
        for topic in topics:
            held = self.lists == topic
            p[held] = predict(self.quote_model(topics - {topic}), self.x[held])
        return p

    def question_rows(self, topics: set[str], p: np.ndarray) -> tuple[list[dict], np.ndarray, np.ndarray]:
        qs = [q for q in self.questions if q["list"] in topics]
        feats = []
        for q in qs:
            ids = self.row_ids.get(q["id"], [])
            feats.append(question_features(self.x[ids], p[ids]))
        return qs, np.array(feats, dtype=np.float64), np.array([q["answerable"] for q in qs])

    def coverage_model(self, topics: set[str], p: np.ndarray) -> dict:
        _, qx, qy = self.question_rows(topics, p)
        return fit(qx, qy, 0, self.alpha, QUESTION_FEATURES)

    def held_out_coverage(self, topics: set[str], p: np.ndarray) -> dict[str, float]:
        """Each of `topics`' questions' coverage, by a model trained on the others of them."""
        covered = {}
        for topic in topics:
            qs, qx, _ = self.question_rows({topic}, p)
            for q, c in zip(qs, predict(self.coverage_model(topics - {topic}, p), qx)):
                covered[q["id"]] = float(c)
        return covered

    def thresholds(self, topics: set[str], p: np.ndarray) -> tuple[float, float, float]:
        """Thresholds chosen on `topics`, from their held-out quote and coverage predictions `p`."""
        rows = [dict(self.rows[n], p=float(p[n])) for n in np.flatnonzero(np.isin(self.lists, sorted(topics)))]
        return choose([q for q in self.questions if q["list"] in topics], rows, self.held_out_coverage(topics, p))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train_judge")
    parser.add_argument("--rows", type=Path, default=RUNS / "judge-rows.jsonl")
    parser.add_argument("--runs", type=Path, default=RUNS)
    parser.add_argument("--hidden", type=int, default=HIDDEN)
    parser.add_argument("--alpha", type=float, default=ALPHA)
    parser.add_argument("--write", type=Path, default=None, help="write the shipped model here")
    args = parser.parse_args(argv)
    data = Data(read_jsonl(DATA / "questions.jsonl"), read_jsonl(args.rows), args.hidden, args.alpha)
    everything = set(data.topics)
    outer = data.held_out_p(everything)  # each topic predicted by a model that never saw it
    print("held-out topic | AUC of the judge on graded candidates (cosine alone) | AUC of coverage on questions")
    covered_all = data.held_out_coverage(everything, outer)
    for topic in data.topics:
        test = (data.lists == topic) & data.graded
        qs = [q for q in data.questions if q["list"] == topic]
        cov_auc = auc(np.array([covered_all[q["id"]] for q in qs]), np.array([q["answerable"] for q in qs]))
        print(f"{topic} | {auc(outer[test], data.y[test]):.3f} ({auc(data.x[test, 0], data.y[test]):.3f}) | "
              f"{cov_auc:.3f}")
    print("held-out topic | evidence recall | refusal | false refusal | on point | quotes/q | thresholds "
          "(cover, cite, quote) chosen on the other four")
    args.runs.mkdir(parents=True, exist_ok=True)
    for topic in data.topics:
        rest = everything - {topic}
        inner = data.held_out_p(rest)  # the other four, each predicted without itself and without `topic`
        thresholds = data.thresholds(rest, inner)
        quotes = data.quote_model(rest)
        coverage = data.coverage_model(rest, inner)
        held = np.flatnonzero(data.lists == topic)
        p = np.zeros(len(data.rows))
        p[held] = predict(quotes, data.x[held])
        qs, qx, _ = data.question_rows({topic}, p)
        covered = {q["id"]: float(c) for q, c in zip(qs, predict(coverage, qx))}
        m = score(qs, by_question([dict(data.rows[n], p=float(p[n])) for n in held]), covered, thresholds)
        print(render(topic, m, thresholds), flush=True)
        write(args.runs / f"judge-without-{topic}.json", quotes, coverage, thresholds)
    if args.write:
        thresholds = data.thresholds(everything, outer)
        write(args.write, data.quote_model(everything), data.coverage_model(everything, outer), thresholds)
        print(f"wrote {args.write} (cover, cite, quote: {', '.join(f'{t:g}' for t in thresholds)})")
    return 0


def write(path: Path, quotes: dict, coverage: dict, thresholds: tuple[float, float, float]) -> None:
    cover, cite, quote = thresholds
    path.parent.mkdir(parents=True, exist_ok=True)
    model = {"quotes": quotes, "coverage": coverage, "cover": cover, "cite": cite, "quote": quote}
    path.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

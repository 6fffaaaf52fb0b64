"""Train the genre and flag classifier of `index/profiling.py`, and validate it leave-one-topic-out.

    python -m training.train_genre [--lists DIR] [--write models/genre.json]

Documents: the 24 of the training lists (genre in `data/genres.jsonl`, flags from their catalogs)
and the 51 pages of `data/written/` (genre and flags in its README). Each document's units (the
index's own chunking) are embedded with the bundled model, up to 64 spread over the document, and
grouped in runs as at build time. Each list is held out in turn, with a fifth of the written pages
(they are the only chatbot, news and encyclopedia pages, so they are spread over the folds).
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

import numpy as np

from index.chunking import chunk_document, make_units
from index.embedding import Embedder
from index.loaders import load_document
from index.models import FLAG_VOCABULARY
from index.profiling import features, sample
from training.examples import read_jsonl
from training.labels import DEFAULT_LISTS

DATA = Path(__file__).parent / "data"
WRITTEN = DATA / "written"
WRITTEN_GENRES = {"chatbot transcript": "chatbot transcript", "encyclopedic/reference article": "encyclopedia or reference",
                  "news report": "news report", "pamphlet/polemic": "pamphlet or polemic",
                  "narrative fiction": "narrative fiction", "memoir": "memoir", "official report": "official report",
                  "speech/sermon": "speech or sermon"}


def documents(lists: Path) -> list[dict]:
    """Every training document: path, topic, genre, flags."""
    found = []
    for row in read_jsonl(DATA / "genres.jsonl"):
        catalog = tomllib.loads((lists / row["list"] / "catalog.toml").read_text(encoding="utf-8"))
        flags = next(e.get("flags", []) for e in catalog["source"] if e["file"] == row["file"])
        found.append({"path": lists / row["list"] / row["file"], "topic": row["list"], "genre": row["genre"],
                      "flags": flags})
    folds = sorted({d["topic"] for d in found})
    listed = [line for line in (WRITTEN / "README.md").read_text(encoding="utf-8").splitlines()
              if line.startswith("- ") and "|" in line]
    for n, line in enumerate(listed):
        parts = [p.strip() for p in line[2:].split("|")]
        flags = [f.strip() for f in parts[3].split(",") if f.strip() in FLAG_VOCABULARY] if len(parts) > 3 else []
        # spread over the lists' folds: each fold then holds out pages of every genre
        found.append({"path": WRITTEN / parts[0], "topic": folds[n % len(folds)], "genre": WRITTEN_GENRES[parts[1]],
                      "flags": flags})
    return found


def unit_vectors(embedder: Embedder, path: Path) -> np.ndarray:
    document = load_document(path, path.name, 100_000_000)
    units = sample([u for p in chunk_document(document, "doc") for u in make_units(p, document.text)])
    return embedder.embed([document.text[u.start:u.end] for u in units])


def fit(rows: np.ndarray, genres: list[str], flags: list[list[str]]) -> dict:
    from sklearn.linear_model import LogisticRegression

    classes = sorted(set(genres))
    genre = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(rows, genres)
    model = {"genre": {"classes": list(genre.classes_), "coef": genre.coef_.tolist(),
                       "intercept": genre.intercept_.tolist()}, "flags": {}}
    assert list(genre.classes_) == classes
    for flag in FLAG_VOCABULARY:
        y = [flag in f for f in flags]
        if any(y) and not all(y):
            m = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(rows, y)
            model["flags"][flag] = {"coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0])}
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train_genre")
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument("--write", type=Path, default=None)
    args = parser.parse_args(argv)
    docs = documents(args.lists)
    embedder = Embedder()
    for doc in docs:
        doc["vectors"] = unit_vectors(embedder, doc["path"])
        doc["rows"] = features(doc["vectors"])
    topics = sorted({d["topic"] for d in docs})
    right = flags_right = flags_total = 0
    print("held-out topic | documents | genre right | flags right (of the four, per document)")
    for topic in topics:
        train = [d for d in docs if d["topic"] != topic]
        weights = fit(np.vstack([d["rows"] for d in train]),
                      [d["genre"] for d in train for _ in range(len(d["rows"]))],
                      [d["flags"] for d in train for _ in range(len(d["rows"]))])
        test = [d for d in docs if d["topic"] == topic]
        got = [draft_with(weights, d["vectors"]) for d in test]
        r = sum(g.genre == d["genre"] for g, d in zip(got, test))
        fr = sum((f in g.flags) == (f in d["flags"]) for g, d in zip(got, test) for f in FLAG_VOCABULARY)
        right, flags_right, flags_total = right + r, flags_right + fr, flags_total + 4 * len(test)
        print(f"{topic} | {len(test)} | {r}/{len(test)} | {fr}/{4 * len(test)}")
        for g, d in zip(got, test):
            if g.genre != d["genre"]:
                print(f"    {d['path'].name}: read as {g.genre} ({g.confidence:.2f}), is {d['genre']}")
    print(f"all | {len(docs)} | {right}/{len(docs)} | {flags_right}/{flags_total}")
    if args.write:
        weights = fit(np.vstack([d["rows"] for d in docs]), [d["genre"] for d in docs for _ in range(len(d["rows"]))],
                      [d["flags"] for d in docs for _ in range(len(d["rows"]))])
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(json.dumps(weights), encoding="utf-8")
    return 0


def draft_with(weights: dict, vectors: np.ndarray):
    """`profiling.draft` with given weights (a held-out fold's)."""
    import index.profiling as profiling

    original = profiling.model
    profiling.model = lambda: weights
    try:
        return profiling.draft(vectors, [(0, 0)] * len(vectors))
    finally:
        profiling.model = original


if __name__ == "__main__":
    sys.exit(main())

"""How well caveats found from the text alone cover the quotes that need one, with no catalog.

    python -m training.caveat_coverage [--lists DIR] [--loto training/runs]

Each training list in turn is copied without its `catalog.toml` into a temporary folder and
indexed there, so every document is uncatalogued and gets a drafted profile from the genre and
flag classifier trained without that list (`training.train_genre`'s folds). Its labelled
questions are answered through the real answer path (with `--loto`, by the judge trained without
it). A quote needs a caveat when its document's catalog entry has flags; it is covered when the
answer's note on that source carries a detected flag, and matched when one of them is a flag the
catalog gives. Quotes from documents the catalog leaves unflagged that nonetheless get a flag are
counted as over-warned. The lists' catalogs are read only to score.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import tomllib
from collections import defaultdict
from pathlib import Path

import numpy as np

from bot.answer.compose import Answerer
from index import profiling
from index.build import build_index
from index.config import Settings
from index.embedding import Embedder
from index.profiling import features
from index.search import Searcher
from training.examples import read_jsonl
from training.labels import DEFAULT_LISTS
from training.train_genre import documents, fit, unit_vectors

DATA = Path(__file__).parent / "data"


def fold_weights(docs: list[dict], topic: str) -> dict:
    """The genre and flag classifier trained on every document but those of `topic`."""
    train = [d for d in docs if d["topic"] != topic]
    return fit(np.vstack([d["rows"] for d in train]), [d["genre"] for d in train for _ in range(len(d["rows"]))],
               [d["flags"] for d in train for _ in range(len(d["rows"]))])


def catalog_flags(folder: Path) -> dict[str, set[str]]:
    with (folder / "catalog.toml").open("rb") as f:
        return {s["file"]: set(s.get("flags", [])) for s in tomllib.load(f)["source"]}


def score_list(answerer: Answerer, questions: list[dict], flags: dict[str, set[str]]) -> dict:
    t: dict = defaultdict(int)
    for q in questions:
        answer = answerer.ask(q["question"])
        for c in answer.citations:
            note = answer.sources[c.source]
            wanted, got = flags.get(note.file, set()), set(note.flags)
            if wanted:
                t["need"] += 1
                t["covered"] += bool(got)
                t["matched"] += bool(got & wanted)
            else:
                t["clean"] += 1
                t["over"] += bool(got)
    return t


def render(name: str, t: dict) -> str:
    def share(a: str, b: str) -> str:
        return f"{t[a]}/{t[b]} ({t[a] / t[b]:.0%})" if t[b] else "0/0"
    return f"{name} | {share('covered', 'need')} | {share('matched', 'need')} | {share('over', 'clean')}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.caveat_coverage")
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument("--loto", type=Path, default=None,
                        help="folder of judge-without-LIST.json (training.train_judge): each list answered without it")
    args = parser.parse_args(argv)
    questions = read_jsonl(DATA / "questions.jsonl")
    docs = documents(args.lists)
    embedder = Embedder()
    for doc in docs:
        doc["rows"] = features(unit_vectors(embedder, doc["path"]))
    root = Path(tempfile.mkdtemp(prefix="marginalia-caveats-"))
    total: dict = defaultdict(int)
    print("held-out list | quotes needing a caveat that carry one | ... one the catalog gives | "
          "unflagged sources' quotes given a flag")
    original = profiling.model
    try:
        for name in sorted({q["list"] for q in questions}):
            weights = fold_weights(docs, name)
            profiling.model = lambda weights=weights: weights
            folder = root / "sources" / name
            folder.mkdir(parents=True)
            for path in (args.lists / name).iterdir():
                if path.is_file() and path.name != "catalog.toml":
                    shutil.copy2(path, folder / path.name)
            settings = Settings(_env_file=None, sources_dir=folder, data_dir=root / "data" / name, project_dir=folder,
                                chroma_host="", discord_token="",
                                judge_model=(args.loto / f"judge-without-{name}.json") if args.loto else None)
            build_index(settings, embedder=embedder)
            asked = [q for q in questions if q["list"] == name]
            t = score_list(Answerer(settings, Searcher(settings, embedder)), asked, catalog_flags(args.lists / name))
            print(render(name, t), flush=True)
            for k, v in t.items():
                total[k] += v
    finally:
        profiling.model = original
        shutil.rmtree(root, ignore_errors=True)
    print(render("all", total))
    return 0


if __name__ == "__main__":
    sys.exit(main())

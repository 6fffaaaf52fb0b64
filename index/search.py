"""Hybrid search over the serving generation: dense (Chroma) + BM25, fused by reciprocal rank.

Dense search runs over units (short runs of sentences); a passage's dense score is its best
unit's. BM25 runs over passages. Results keep per-source coverage: the best passages of *each*
source that matched, not the top-k of whichever book is longest.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.build import DocumentEntry
from index.config import Settings
from index.embedding import Embedder
from index.errors import IndexUnavailable
from index.fusion import reciprocal_rank_fusion
from index.generations import Layout
from index.lexical import LexicalIndex
from index.models import Passage, PassageHit, SourceProfile, Unit
from index.vectorstore import VectorStore, open_client

log = logging.getLogger("marginalia.search")

DENSE_UNITS = 120  # units fetched from Chroma per question
LEXICAL_PASSAGES = 60  # passages taken from BM25 per question


@dataclass(frozen=True)
class Snapshot:
    """Everything one generation serves, loaded once; replaced whole on reload."""

    generation: str
    profiles: dict[str, SourceProfile]  # by source id, in catalog order
    files: dict[str, str]  # source id -> file, relative to the project folder
    texts: dict[str, str]  # source id -> the text all spans refer to
    passages: list[Passage]
    passage_index: dict[str, int]
    units: dict[str, Unit]
    units_by_passage: dict[str, list[Unit]]
    lexical: LexicalIndex
    collection: object

    def passage_text(self, passage: Passage) -> str:
        return self.texts[passage.source][passage.start:passage.end]


class Searcher:
    """Loads the serving generation and answers search queries. Safe to share between threads."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, client=None) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder(settings.embedding_model, settings.embedding_batch_size)
        self.layout = Layout(settings.data_path)
        self._client = client
        self._snapshot: Snapshot | None = None
        self._reload_lock = threading.Lock()

    @property
    def store(self) -> VectorStore:
        if self._client is None:
            self._client = open_client(self.settings.data_path, self.settings.chroma_host, self.settings.chroma_port)
        return VectorStore(self._client)

    @property
    def snapshot(self) -> Snapshot:
        """The serving generation, loaded on first use (IndexNotBuilt if there is none)."""
        if self._snapshot is None:
            self.reload()
        assert self._snapshot is not None
        return self._snapshot

    def reload(self) -> bool:
        """Switch to the newest complete generation; True if it changed."""
        with self._reload_lock:
            generation = self.layout.require_current()
            if self._snapshot and self._snapshot.generation == generation:
                return False
            self._snapshot = self._load(generation)
            log.info("serving index generation %s", generation)
            return True

    def _load(self, generation: str) -> Snapshot:
        manifest = self.layout.read_manifest(generation)
        folder = self.layout.folder(generation)
        entries = [DocumentEntry.from_json(d) for d in manifest["documents"]]
        passages = [p for e in entries for p in e.passages]
        units_by_passage: dict[str, list[Unit]] = defaultdict(list)
        for entry in entries:
            for unit in entry.units:
                units_by_passage[unit.passage].append(unit)
        try:
            collection = self.store.collection(generation)
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise IndexUnavailable(f"vector collection for generation {generation}: {exc}") from exc
        sources_prefix = self.settings.sources_path.relative_to(self.settings.project_dir) \
            if self.settings.sources_path.is_relative_to(self.settings.project_dir) else self.settings.sources_path
        return Snapshot(
            generation=generation,
            profiles={e.profile.id: e.profile for e in entries},
            files={e.profile.id: (Path(sources_prefix) / e.profile.file).as_posix() for e in entries},
            texts={e.profile.id: (folder / "texts" / f"{e.profile.id}.txt").read_text(encoding="utf-8")
                   for e in entries},
            passages=passages,
            passage_index={p.id: i for i, p in enumerate(passages)},
            units={u.id: u for e in entries for u in e.units},
            units_by_passage=dict(units_by_passage),
            lexical=LexicalIndex(folder / "bm25", len(passages)),
            collection=collection,
        )

    # --- querying ------------------------------------------------------------

    def embed_query(self, question: str) -> np.ndarray:
        return self.embedder.embed_query(question)

    def dense_units(self, vector: np.ndarray, k: int = DENSE_UNITS) -> dict[str, float]:
        """Cosine similarity of the k units nearest the question."""
        snap = self.snapshot
        try:
            result = snap.collection.query(query_embeddings=[vector.tolist()], n_results=min(k, len(snap.units)),
                                           include=["distances"])
        except Exception as exc:  # a Chroma server that went away raises connection errors of many kinds
            raise IndexUnavailable(f"vector search failed: {exc}") from exc
        return {uid: 1.0 - float(d) for uid, d in zip(result["ids"][0], result["distances"][0])}

    def unit_similarities(self, vector: np.ndarray, unit_ids: list[str]) -> dict[str, float]:
        """Cosine similarity of given units, fetching their stored vectors."""
        try:
            vectors = self.store.vectors(self.snapshot.generation, unit_ids)
        except Exception as exc:
            raise IndexUnavailable(f"vector lookup failed: {exc}") from exc
        return {uid: float(np.dot(v, vector)) for uid, v in vectors.items()}

    def search(self, question: str, *, per_source: int = 3, vector: np.ndarray | None = None) -> list[PassageHit]:
        """Fused passage hits, best first, at most `per_source` passages from each source."""
        snap = self.snapshot
        vector = self.embed_query(question) if vector is None else vector
        unit_sims = self.dense_units(vector)
        dense_best: dict[str, float] = {}
        for uid, sim in unit_sims.items():
            pid = snap.units[uid].passage
            dense_best[pid] = max(sim, dense_best.get(pid, -1.0))
        lexical = {snap.passages[i].id: s for i, s in snap.lexical.search(question, LEXICAL_PASSAGES)}
        fused = reciprocal_rank_fusion([
            sorted(dense_best, key=lambda p: -dense_best[p]),
            sorted(lexical, key=lambda p: -lexical[p]),
        ])
        hits = [self._hit(pid, score, dense_best, lexical, unit_sims) for pid, score in fused.items()]
        hits.sort(key=lambda h: -h.score)
        return cap_per_source(hits, per_source)

    def _hit(self, pid: str, score: float, dense: dict[str, float], lexical: dict[str, float],
             unit_sims: dict[str, float]) -> PassageHit:
        snap = self.snapshot
        passage = snap.passages[snap.passage_index[pid]]
        scores = {(u.start, u.end): unit_sims[u.id] for u in snap.units_by_passage.get(pid, []) if u.id in unit_sims}
        return PassageHit(passage, score, dense.get(pid, 0.0), lexical.get(pid, 0.0), scores)


def cap_per_source(hits: list[PassageHit], per_source: int) -> list[PassageHit]:
    counts: dict[str, int] = defaultdict(int)
    kept = []
    for hit in hits:
        if counts[hit.passage.source] < per_source:
            counts[hit.passage.source] += 1
            kept.append(hit)
    return kept

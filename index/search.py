"""Hybrid search over the serving generation: dense (Chroma) + BM25 over the same units.

Units are short runs of sentences inside passages. Search keeps per-source coverage: each source
in play gets its own candidates, so the answer gets the best evidence of *each* source that
matches, not the top-k of whichever book is longest. One vector query fetches a deep pool of
nearest units, which both decides the sources in play and gives each its nearest units (filtered
per-source queries cost ~28 ms each at 77,000 units; the pool query ~9 ms). Passages are ranked
by reciprocal-rank fusion of their units' dense and BM25 rankings.
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
from index.errors import IndexUnavailable, MarginaliaError
from index.fusion import reciprocal_rank_fusion
from index.generations import Layout
from index.lexical import LexicalIndex
from index.models import Passage, PassageHit, SourceProfile, Unit
from index.vectorstore import VectorStore, open_store

log = logging.getLogger("marginalia.search")

DENSE_POOL = 2000  # nearest units over the whole index, from one query (the whole of a small list)
DENSE_UNITS = 100  # the nearest of them decide which sources are in play ...
LEXICAL_UNITS = 50  # ... with the best BM25 units over the whole index
DENSE_PER_SOURCE = 60  # nearest units of each source in play, from the pool
LEXICAL_PER_SOURCE = 20  # best BM25 units within each source in play
SHORTLIST_UNITS = 36  # units read closely per question, across the sources in play ...
SHORTLIST_MIN_PER_SOURCE = 6  # ... and at least this many of each source


@dataclass(frozen=True)
class UnitHit:
    """A candidate unit: how near it is to the question, and its BM25 score."""

    unit: Unit
    source: str
    similarity: float
    lexical: float


@dataclass(frozen=True)
class Snapshot:
    """Everything one generation serves, loaded once; replaced whole on reload."""

    generation: str
    profiles: dict[str, SourceProfile]  # by source id, in catalog order
    files: dict[str, str]  # source id -> file, relative to the project folder
    texts: dict[str, str]  # source id -> the text all spans refer to
    passages: list[Passage]
    passage_index: dict[str, int]
    unit_list: list[Unit]  # manifest order, which is BM25's document order
    unit_position: dict[str, int]
    unit_source: list[str]  # source of each unit, by position
    unit_range: dict[str, tuple[int, int]]  # source -> [first, last) unit positions
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
        self.embedder = embedder or Embedder(settings.embedding_model_path, settings.embedding_batch_size)
        self.layout = Layout(settings.data_path)
        self._client = client
        self._store: VectorStore | None = None
        self._snapshot: Snapshot | None = None
        self._reload_lock = threading.Lock()

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            self._store = open_store(self.settings.data_path, self.settings.chroma_host, self.settings.chroma_port,
                                     self._client)
        return self._store

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
        unit_list = [u for e in entries for u in e.units]
        unit_source = [e.profile.id for e in entries for _ in e.units]
        unit_range, first = {}, 0
        for entry in entries:
            unit_range[entry.profile.id] = (first, first + len(entry.units))
            first += len(entry.units)
        units_by_passage: dict[str, list[Unit]] = defaultdict(list)
        for unit in unit_list:
            units_by_passage[unit.passage].append(unit)
        collection = self.serving_collection(generation)
        sources_prefix = self.settings.sources_path.relative_to(self.settings.project_dir) \
            if self.settings.sources_path.is_relative_to(self.settings.project_dir) else self.settings.sources_path
        return Snapshot(
            generation=generation,
            profiles={e.profile.id: e.shown_profile for e in entries},
            files={e.profile.id: (Path(sources_prefix) / e.profile.file).as_posix() for e in entries},
            texts={e.profile.id: self.layout.text_file(generation, e.profile.id).read_text(encoding="utf-8")
                   for e in entries},
            passages=passages,
            passage_index={p.id: i for i, p in enumerate(passages)},
            unit_list=unit_list,
            unit_position={u.id: i for i, u in enumerate(unit_list)},
            unit_source=unit_source,
            unit_range=unit_range,
            units={u.id: u for u in unit_list},
            units_by_passage=dict(units_by_passage),
            lexical=LexicalIndex(folder / "bm25", len(unit_list)),
            collection=collection,
        )

    def serving_collection(self, generation: str):
        from chromadb.errors import NotFoundError

        try:
            return self.store.collection(generation)
        except NotFoundError as exc:
            raise MarginaliaError(f"The vectors of index generation {generation} are missing from Chroma (a "
                                  "different CHROMA_HOST, or a wiped server). Rebuild with `marginalia index`.") from exc
        except IndexUnavailable:
            raise
        except Exception as exc:  # the server is unreachable: connection errors come in many types
            raise IndexUnavailable(f"vector collection for generation {generation}: {exc}") from exc

    # --- querying ------------------------------------------------------------

    def embed_query(self, question: str) -> np.ndarray:
        return self.embedder.embed_query(question)

    def candidates(self, question: str, vector: np.ndarray | None = None) -> dict[str, list[UnitHit]]:
        """Candidate units per source: its nearest units by embedding and its best by BM25.

        Sources "in play" are those with a unit among the globally nearest or the best BM25
        matches; each of them then gets its own nearest units from the pool, so a short document
        is never crowded out by a long one.
        """
        snap = self.snapshot
        vector = self.embed_query(question) if vector is None else vector
        lexical = snap.lexical.scores(question)
        pool = self._query(vector, DENSE_POOL)  # nearest first
        by_source: dict[str, list[str]] = defaultdict(list)
        for uid in pool:
            by_source[snap.unit_source[snap.unit_position[uid]]].append(uid)
        chosen: dict[str, list[str]] = {}
        for source in self._sources_in_play(list(pool)[:DENSE_UNITS], lexical):
            nearest = by_source[source][:DENSE_PER_SOURCE]
            lexical_best = [snap.unit_list[i].id for i in self._best_lexical(lexical, source)]
            chosen[source] = nearest + [uid for uid in lexical_best if uid not in nearest]
        # Units only BM25 found are beyond the pool: their vectors come in one fetch for all sources.
        similarities = dict(pool)
        beyond = [uid for ids in chosen.values() for uid in ids if uid not in pool]
        similarities.update(self.unit_similarities(vector, beyond))
        return {source: [UnitHit(snap.units[u], source, similarities[u], float(lexical[snap.unit_position[u]]))
                         for u in ids] for source, ids in chosen.items()}

    def shortlist(self, question: str, total: int = SHORTLIST_UNITS,
                  vector: np.ndarray | None = None) -> dict[str, list[UnitHit]]:
        """The units worth reading closely, per source: each source in play gets an equal share of
        `total` (at least SHORTLIST_MIN_PER_SOURCE), its best by fusing its dense and BM25 rankings."""
        found = self.candidates(question, vector)
        share = max(SHORTLIST_MIN_PER_SOURCE, -(-total // max(1, len(found))))
        shortlisted = {}
        for source, hits in found.items():
            fused = fused_scores(hits)
            shortlisted[source] = sorted(hits, key=lambda h: -fused[h.unit.id])[:share]
        return shortlisted

    def _sources_in_play(self, nearest: list[str], lexical: np.ndarray) -> list[str]:
        """The sources worth candidates of their own: those of the globally best units, no more than
        an answer has citations (more could never be cited)."""
        snap = self.snapshot
        by_similarity = [snap.unit_source[snap.unit_position[u]] for u in nearest]
        by_bm25 = [snap.unit_source[i] for i in np.argsort(-lexical)[:LEXICAL_UNITS] if lexical[i] > 0]
        fused = reciprocal_rank_fusion([list(dict.fromkeys(by_similarity)), list(dict.fromkeys(by_bm25))])
        best = sorted(fused, key=lambda source: -fused[source])[:self.settings.max_citations]
        return sorted(best, key=list(snap.profiles).index)

    def _best_lexical(self, lexical: np.ndarray, source: str) -> list[int]:
        first, last = self.snapshot.unit_range[source]
        block = lexical[first:last]
        top = np.argsort(-block)[:LEXICAL_PER_SOURCE]
        return [first + int(i) for i in top if block[i] > 0]

    def _query(self, vector: np.ndarray, k: int) -> dict[str, float]:
        """Cosine similarity of the k units nearest the question, nearest first."""
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
        """Passages ranked by fusing the dense and BM25 rankings of their units, `per_source` at most each."""
        snap = self.snapshot
        hits = [h for found in self.candidates(question, vector).values() for h in found]
        fused = fused_scores(hits)
        passages: dict[str, PassageHit] = {}
        for hit in sorted(hits, key=lambda h: -fused[h.unit.id]):
            passage = snap.passages[snap.passage_index[hit.unit.passage]]
            entry = passages.setdefault(passage.id, PassageHit(passage, fused[hit.unit.id], hit.similarity, hit.lexical))
            entry.unit_scores[(hit.unit.start, hit.unit.end)] = hit.similarity
        ranked = sorted(passages.values(), key=lambda h: -h.score)
        return cap_per_source(ranked, per_source)


def fused_scores(hits: list[UnitHit]) -> dict[str, float]:
    """Each unit's score from fusing its dense and BM25 rankings among `hits`."""
    return reciprocal_rank_fusion([
        [h.unit.id for h in sorted(hits, key=lambda h: -h.similarity)],
        [h.unit.id for h in sorted(hits, key=lambda h: -h.lexical) if h.lexical > 0],
    ])


def cap_per_source(hits: list[PassageHit], per_source: int) -> list[PassageHit]:
    counts: dict[str, int] = defaultdict(int)
    kept = []
    for hit in hits:
        if counts[hit.passage.source] < per_source:
            counts[hit.passage.source] += 1
            kept.append(hit)
    return kept

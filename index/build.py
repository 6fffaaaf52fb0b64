"""Build the index: incremental (unchanged documents are not re-embedded) and atomic.

A build writes a new generation beside the serving one and switches `CURRENT` to it only when
it is complete and verified. If it fails or is killed, the previous generation keeps serving.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from index.catalog import CATALOG_NAME, Catalog, load_catalog
from index.chunking import CHUNKER_VERSION, chunk_document, make_units
from index.config import Settings
from index.embedding import Embedder
from index.errors import MarginaliaError
from index.generations import Layout
from index.lexical import LEXICAL_VERSION, LexicalIndex, build_bm25
from index.loaders import LoadError, file_digest, is_supported, load_document
from index.models import Passage, SourceProfile, Unit
from index.names import escaped, inside
from index.profiling import Draft, draft, sample
from index.vectorstore import VectorStore, open_store

log = logging.getLogger("marginalia.build")

# progress(stage, done, total): stages are "reading", "embedding", "storing", "verifying".
Progress = Callable[[str, int, int], None]


@dataclass
class BuildReport:
    generation: str = ""
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    recatalogued: list[str] = field(default_factory=list)  # unchanged text, edited catalog entry
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    # Added or changed documents with no catalog entry: (file, detected genre, detected flags).
    drafted: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    embedded: int = 0  # units embedded in this build (0 when nothing changed)
    characters: int = 0  # characters of text embedded in this build
    seconds: float = 0.0
    switched: bool = False  # False when nothing changed and the serving generation was kept

    def summary(self) -> str:
        """The report for a person; file names with control characters are shown escaped."""
        failed = "".join(f"\n  failed: {escaped(file)}: {reason}" for file, reason in self.failed)
        failed += "".join(f"\n  not in the catalog: {escaped(file)} {draft_line(genre, flags)}"
                          for file, genre, flags in self.drafted)
        state = "new generation " + self.generation if self.switched else "nothing changed; index kept"
        return (f"Indexed {count(self.documents, 'document')}, {count(self.passages, 'passage')} in "
                f"{self.seconds:.1f} s ({state}): {len(self.added)} added, {len(self.changed)} changed, "
                f"{len(self.removed)} removed, {len(self.unchanged)} unchanged ({len(self.recatalogued)} with new "
                f"catalog details), {len(self.failed)} failed.{failed}")

    def to_json(self) -> dict:
        return asdict(self)


def draft_line(genre: str, flags: tuple[str, ...]) -> str:
    """What a drafted profile says of a document, and how to turn it into a catalog entry."""
    reads = f"reads like {genre or 'nothing the classifier knows'}"
    return (f"{reads} (detected{'; flags: ' + ', '.join(flags) if flags else ''}); "
            "`marginalia profile FILE` prints a catalog entry to check and paste")


def count(n: int, noun: str) -> str:
    """`n` `noun`s, in the singular for one: "1 document", "2 documents"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass
class DocumentEntry:
    """One document in a generation: what it was, and what the index holds of it."""

    profile: SourceProfile
    sha256: str
    size: int
    kind: str
    passages: list[Passage]
    units: list[Unit]
    text: str | None = None  # loaded text, for documents (re-)read in this build
    detected: Draft | None = None  # for a document with no catalog entry: its drafted profile

    @property
    def shown_profile(self) -> SourceProfile:
        """The profile readers see: an uncatalogued document's with its detected genre and flags."""
        if self.profile.cataloged or self.detected is None:
            return self.profile
        return replace(self.profile, flags=self.detected.flags, detected=self.detected.genre)

    def to_json(self) -> dict:
        return {"profile": asdict(self.profile), "sha256": self.sha256, "size": self.size, "kind": self.kind,
                "passages": [p.to_dict() for p in self.passages],
                "units": [[u.id, u.passage, u.start, u.end] for u in self.units],
                "detected": self.detected.to_json() if self.detected else None}

    @classmethod
    def from_json(cls, data: dict) -> DocumentEntry:
        profile = data["profile"]
        profile = SourceProfile(**{**profile, "authors": tuple(profile["authors"]), "flags": tuple(profile["flags"]),
                                   "cite_as": tuple(profile.get("cite_as", ()))})
        return cls(profile=profile, sha256=data["sha256"], size=data["size"], kind=data["kind"],
                   passages=[Passage.from_dict(p) for p in data["passages"]],
                   units=[Unit(*u) for u in data["units"]],
                   detected=Draft.from_json(data["detected"]) if data.get("detected") else None)


def discover(sources: Path) -> list[Path]:
    """Candidate documents: every visible file but the catalog, and every broken link (to be
    reported, not silently passed over), in a stable order."""
    if not sources.is_dir():
        raise MarginaliaError(f"The sources folder {sources} does not exist (SOURCES_DIR).")
    return sorted(p for p in sources.rglob("*") if (p.is_file() or is_broken_link(p)) and p.name != CATALOG_NAME
                  and not any(part.startswith(".") for part in p.relative_to(sources).parts))


def is_broken_link(path: Path) -> bool:
    """A symbolic link whose target is missing."""
    return path.is_symlink() and not path.exists()


def leads_outside(path: Path, sources: Path) -> bool:
    """A file reached through a link (to it, or to a folder above it) that resolves outside the
    sources folder: `/etc/passwd` or a `.env` must never be indexed and quoted."""
    return not inside(sources, path)


class Builder:
    """One build of the index. Use `build_index()`."""

    def __init__(self, settings: Settings, embedder: Embedder, store: VectorStore, progress: Progress | None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.layout = Layout(settings.data_path)
        self.progress = progress or (lambda stage, done, total: None)
        self.report = BuildReport()
        self.signature = {"model": embedder.label, "chunker": CHUNKER_VERSION,
                          "passage_words": settings.passage_words, "lexical": LEXICAL_VERSION}
        self.reusable = True  # False when the model or chunking changed: nothing old can be reused

    def run(self) -> BuildReport:
        started = time.perf_counter()
        with self.layout.build_lock():
            catalog = load_catalog(self.settings.sources_path)
            previous = self.layout.current()
            old = self.previous_entries(previous)
            entries = self.read_documents(catalog, old)
            self.report.removed = sorted(set(old) - set(entries) - {f for f, _ in self.report.failed})
            self.report.removed += sorted(f for f, _ in self.report.failed if f in old)
            self.count(entries)
            report = self.report
            if previous and not (report.added or report.changed or report.removed or report.recatalogued):
                self.report.generation = previous
            else:
                self.write_generation(entries, previous)
            self.collect_garbage(previous)
        self.report.seconds = time.perf_counter() - started
        return self.report

    def previous_entries(self, generation: str | None) -> dict[str, DocumentEntry]:
        if generation is None:
            return {}
        manifest = self.layout.read_manifest(generation)
        if manifest.get("signature") != self.signature:
            log.info("model or chunking changed since the last build; every document is re-embedded")
            self.reusable = False
        return {d["profile"]["file"]: DocumentEntry.from_json(d) for d in manifest["documents"]}

    def read_documents(self, catalog: Catalog, old: dict[str, DocumentEntry]) -> dict[str, DocumentEntry]:
        sources = self.settings.sources_path
        files = discover(sources)
        entries: dict[str, DocumentEntry] = {}
        max_bytes = int(self.settings.max_file_mb * 1_000_000)
        for n, path in enumerate(files, start=1):
            self.progress("reading", n, len(files))
            relative = path.relative_to(sources).as_posix()
            if is_broken_link(path):
                self.fail(relative, "a link to a file that does not exist")
                continue
            if leads_outside(path, sources):
                self.fail(relative, "a link to a file outside the sources folder; not indexed")
                continue
            if not is_supported(path):
                self.fail(relative, f"unsupported file type {path.suffix or '(none)'!r}")
                continue
            profile = catalog.profile_for(relative)
            try:
                entries[relative] = self.read_one(path, relative, profile, old.get(relative), max_bytes)
            except LoadError as exc:
                self.fail(relative, exc.reason)
                continue
            if not profile.cataloged:
                log.warning("%s has no catalog entry; indexing it with an empty profile", escaped(relative))
        return entries

    def read_one(self, path: Path, relative: str, profile: SourceProfile, before: DocumentEntry | None,
                 max_bytes: int) -> DocumentEntry:
        sha256, size = file_digest(path, max_bytes)
        if before and self.reusable and before.sha256 == sha256 and before.profile.id == profile.id:
            if before.profile != profile:  # catalog edits (title, flags, note) need no re-embedding
                self.report.recatalogued.append(relative)
                before.profile = profile
            self.report.unchanged.append(relative)
            return before
        document = load_document(path, relative, max_bytes)
        passages = chunk_document(document, profile.id, self.settings.passage_words)
        if not passages:
            raise LoadError(relative, "has no indexable text")
        units = [u for p in passages for u in make_units(p, document.text)]
        (self.report.changed if before else self.report.added).append(relative)
        return DocumentEntry(profile, sha256, size, document.kind, passages, units, document.text)

    def fail(self, relative: str, reason: str) -> None:
        log.warning("skipped %s: %s", escaped(relative), reason)
        self.report.failed.append((relative, reason))

    def count(self, entries: dict[str, DocumentEntry]) -> None:
        self.report.documents = len(entries)
        self.report.passages = sum(len(e.passages) for e in entries.values())

    def write_generation(self, entries: dict[str, DocumentEntry], previous: str | None) -> None:
        if not entries:
            raise MarginaliaError(f"No readable documents in {self.settings.sources_path}; nothing to index.")
        generation = self.layout.new_generation()
        folder = self.layout.folder(generation)
        (folder / "texts").mkdir(parents=True)
        self.write_texts(entries, generation, previous)
        vectors = self.unit_vectors(entries, previous)
        self.draft_profiles(entries, vectors)
        self.store_vectors(generation, entries, vectors)
        units = [(e.profile.id, u) for e in entries.values() for u in e.units]
        texts = {e.profile.id: self.layout.text_file(generation, e.profile.id).read_text(encoding="utf-8")
                 for e in entries.values()}
        # BM25 over the very units that are embedded, so both rankings speak of the same things.
        build_bm25([texts[source][u.start:u.end] for source, u in units], folder / "bm25")
        manifest = {"generation": generation, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "signature": self.signature, "documents": [e.to_json() for e in entries.values()],
                    "failed": [list(f) for f in self.report.failed]}
        self.layout.write_manifest(generation, manifest)
        self.verify(generation, entries)
        self.layout.mark_complete(generation)
        self.layout.switch_to(generation)
        self.report.generation, self.report.switched = generation, True

    def draft_profiles(self, entries: dict[str, DocumentEntry], vectors: dict[str, np.ndarray]) -> None:
        """A drafted profile for each document without a catalog entry, from the vectors at hand."""
        for entry in entries.values():
            if entry.profile.cataloged:
                entry.detected = None
            elif entry.units and (entry.detected is None or entry.text is not None):
                units = sample(entry.units)
                entry.detected = draft(np.vstack([vectors[u.id] for u in units]), [(u.start, u.end) for u in units])
                if entry.detected and entry.profile.file in self.report.added + self.report.changed:
                    self.report.drafted.append((entry.profile.file, entry.detected.genre, entry.detected.flags))

    def write_texts(self, entries: dict[str, DocumentEntry], generation: str, previous: str | None) -> None:
        """The text every span refers to, kept with the generation (HTML and PDF are extracted)."""
        for entry in entries.values():
            target = self.layout.text_file(generation, entry.profile.id)
            if entry.text is not None:
                target.write_text(entry.text, encoding="utf-8", newline="\n")
            else:
                shutil.copyfile(self.layout.text_file(previous, entry.profile.id), target)

    def unit_vectors(self, entries: dict[str, DocumentEntry], previous: str | None) -> dict[str, np.ndarray]:
        """Vectors for every unit: copied from the previous generation, or embedded now."""
        reused = [u.id for e in entries.values() if e.text is None for u in e.units]
        vectors = self.store.vectors(previous, reused) if previous and reused else {}
        fresh: list[tuple[str, str]] = []
        for entry in entries.values():
            if entry.text is None and all(u.id in vectors for u in entry.units):
                continue
            text = entry.text if entry.text is not None else self.previous_text(previous, entry)
            fresh += [(u.id, text[u.start:u.end]) for u in entry.units]
        self.embed(fresh, vectors)
        return vectors

    def previous_text(self, previous: str | None, entry: DocumentEntry) -> str:
        return self.layout.text_file(previous, entry.profile.id).read_text(encoding="utf-8")

    def embed(self, fresh: list[tuple[str, str]], vectors: dict[str, np.ndarray]) -> None:
        total, done = len(fresh), 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            self.progress("embedding", done, total)

        self.progress("embedding", 0, total)
        # Longest first: batches of similar length pad less, and the progress bar's estimate is honest.
        order = sorted(range(total), key=lambda i: -len(fresh[i][1]))
        embedded = self.embedder.embed([fresh[i][1] for i in order], progress=step)
        for row, i in enumerate(order):
            vectors[fresh[i][0]] = embedded[row]
        self.report.embedded = total
        self.report.characters = sum(len(t) for _, t in fresh)

    def store_vectors(self, generation: str, entries: dict[str, DocumentEntry], vectors: dict[str, np.ndarray]) -> None:
        # Only ids and vectors: where a unit lies is in the generation's manifest, read by search.
        ids = [u.id for e in entries.values() for u in e.units]
        self.progress("storing", 0, len(ids))
        collection = self.store.create(generation)
        matrix = np.vstack([vectors[i] for i in ids]) if ids else np.zeros((0, 1), np.float32)
        self.store.add(collection, ids, matrix)
        self.progress("storing", len(ids), len(ids))

    def verify(self, generation: str, entries: dict[str, DocumentEntry]) -> None:
        """Refuse to switch to a generation that is not whole."""
        self.progress("verifying", 0, 1)
        units = sum(len(e.units) for e in entries.values())
        stored = self.store.collection(generation).count()
        if stored != units:
            raise MarginaliaError(f"Index verification failed: {stored} vectors stored for {units} units.")
        lexical = LexicalIndex(self.layout.folder(generation) / "bm25", units)
        if lexical.retriever.scores["num_docs"] != units:
            raise MarginaliaError("Index verification failed: the BM25 index does not match the units.")
        self.progress("verifying", 1, 1)

    def collect_garbage(self, previous: str | None) -> None:
        """Keep the serving generation and the one it replaced (a running bot reads it until it reloads)."""
        keep = {self.layout.current(), previous} - {None}
        for generation in self.layout.all_generations():
            if generation not in keep:
                self.layout.remove(generation)
        self.store.drop_all_except(keep)


def build_index(settings: Settings, *, embedder: Embedder | None = None, client=None,
                progress: Progress | None = None) -> BuildReport:
    """Build or update the index under settings.data_path; see the module docstring."""
    Layout(settings.data_path).prepare_for_writing()  # before Chroma, whose own error would mislead
    embedder = embedder or Embedder(settings.embedding_model_path, settings.embedding_batch_size)
    store = open_store(settings.data_path, settings.chroma_host, settings.chroma_port, client)
    return Builder(settings, embedder, store, progress).run()

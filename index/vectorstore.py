"""Vectors in Chroma: embedded (PersistentClient under the data folder) or a `chroma run` server.

Both go through the same code: only the client differs. Each index generation has its own
collection, so a build never touches the collection that is serving questions.

Embedded Chroma writes to its SQLite file even to read (it fails with "attempt to write a readonly
database" otherwise), so a Chroma folder that cannot be written (a read-only disk, another user's
files) is served from a private copy in the temporary folder, removed when the process ends.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import suppress
from pathlib import Path

import numpy as np

from index.errors import IndexUnavailable

log = logging.getLogger("marginalia.vectorstore")

COLLECTION_PREFIX = "marginalia-"
CHROMA_FILE = "chroma.sqlite3"


def open_client(data_path: Path, host: str = "", port: int = 8000):
    """A Chroma client: HTTP when a host is configured, else embedded under data_path/chroma."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if host:
            return chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
        folder = data_path / "chroma"
        if not is_writable(folder):
            folder = readable_copy(folder)
        folder.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
    except IndexUnavailable:
        raise
    except Exception as exc:  # chromadb raises bare Exceptions for connection failures
        where = f"Chroma server at {host}:{port}" if host else "embedded Chroma"
        raise IndexUnavailable(f"{where}: {exc}") from exc


def is_writable(folder: Path) -> bool:
    """Whether Chroma can write in `folder` (or create it). os.access sees a read-only disk even for root."""
    if not folder.exists():
        return True  # created by a build, which checks DATA_DIR first
    database = folder / CHROMA_FILE
    return os.access(folder, os.W_OK) and (not database.exists() or os.access(database, os.W_OK))


def readable_copy(folder: Path) -> Path:
    """A private, writable copy of a Chroma folder that cannot be written, removed at exit."""
    target = Path(tempfile.mkdtemp(prefix="marginalia-chroma-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    try:
        shutil.copytree(folder, target, dirs_exist_ok=True)
    except OSError as exc:
        raise IndexUnavailable(f"the data folder cannot be written and {folder} could not be copied to {target}: "
                               f"{exc.strerror or exc}") from exc
    log.info("%s cannot be written; serving the index from a copy in %s", folder, target)
    return target


class VectorStore:
    """Unit vectors of every generation, one collection per generation.

    Collections are named `marginalia-<namespace>-<generation>`: the namespace belongs to one data
    folder, so indexes sharing a Chroma server never see or remove each other's collections.
    """

    def __init__(self, client, namespace: str) -> None:
        self.client = client
        self.prefix = f"{COLLECTION_PREFIX}{namespace}-"

    def name(self, generation: str) -> str:
        return f"{self.prefix}{generation}"

    def create(self, generation: str):
        name = self.name(generation)
        self.drop(generation)  # a leftover from a killed build of the same name
        return self.client.create_collection(name, configuration={"hnsw": {"space": "cosine"}},
                                             embedding_function=None)

    def collection(self, generation: str):
        return self.client.get_collection(self.name(generation), embedding_function=None)

    def add(self, collection, ids: Sequence[str], vectors: np.ndarray) -> None:
        step = max(1, min(self.client.get_max_batch_size(), 4000))
        for begin in range(0, len(ids), step):
            collection.add(ids=list(ids[begin:begin + step]), embeddings=vectors[begin:begin + step])

    def vectors(self, generation: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (the ones that exist)."""
        if not ids:
            return {}
        found = {}
        collection = self.collection(generation)
        for begin in range(0, len(ids), 4000):
            result = collection.get(ids=list(ids[begin:begin + 4000]), include=["embeddings"])
            found.update(zip(result["ids"], np.asarray(result["embeddings"], dtype=np.float32)))
        return found

    def generations(self) -> list[str]:
        return [c.name[len(self.prefix):] for c in self.client.list_collections() if c.name.startswith(self.prefix)]

    def drop(self, generation: str) -> None:
        from chromadb.errors import NotFoundError

        with suppress(NotFoundError):  # already gone is as good as dropped
            self.client.delete_collection(self.name(generation))

    def drop_all_except(self, keep: Iterable[str]) -> None:
        keep = set(keep)
        for generation in self.generations():
            if generation not in keep:
                self.drop(generation)


def open_store(data_path: Path, host: str = "", port: int = 8000, client=None) -> VectorStore:
    """The vector store of one data folder (its namespace), embedded or on a Chroma server."""
    from index.generations import Layout

    return VectorStore(client or open_client(data_path, host, port), Layout(data_path).namespace())

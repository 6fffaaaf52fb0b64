"""Vectors in Chroma: embedded (PersistentClient under the data folder) or a `chroma run` server.

Both go through the same code: only the client differs. Each index generation has its own
collection, so a build never touches the collection that is serving questions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from pathlib import Path

import numpy as np

from index.errors import IndexUnavailable

COLLECTION_PREFIX = "marginalia-"


def open_client(data_path: Path, host: str = "", port: int = 8000):
    """A Chroma client: HTTP when a host is configured, else embedded under data_path/chroma."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if host:
            return chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
        (data_path / "chroma").mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(data_path / "chroma"), settings=chroma_settings)
    except Exception as exc:  # chromadb raises bare Exceptions for connection failures
        where = f"Chroma server at {host}:{port}" if host else "embedded Chroma"
        raise IndexUnavailable(f"{where}: {exc}") from exc


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

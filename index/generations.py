"""Index generations on disk: each build writes a new one; `CURRENT` names the one serving.

    DATA_DIR/
      CURRENT                    the serving generation's id (replaced atomically)
      NAMESPACE                  this folder's prefix for its Chroma collections
      build.lock                 held while a build runs (one build at a time, across processes)
      generations/<id>/          manifest.json, texts/<source>.txt, bm25/, COMPLETE
      chroma/                    embedded Chroma (one collection per generation)

A generation without COMPLETE is a build that failed or was killed: it is never served and
is removed by the next build. Generation ids and source ids are checked before they become part of
a path (`index/names.py`), so nothing read from these files can point outside DATA_DIR.

A complete index in a folder that cannot be written still serves (see `vectorstore.py`); only
building needs to write, and `prepare_for_writing` says plainly when it cannot.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import BuildInProgress, DataDirUnusable, IndexNotBuilt, MarginaliaError
from index.names import child

MANIFEST = "manifest.json"
COMPLETE = "COMPLETE"
GENERATION_RE = re.compile(r"\d{8}-\d{6}-[0-9a-f]{6}")  # what new_generation() makes


class Layout:
    def __init__(self, data_path: Path) -> None:
        self.root = data_path
        self.generations_dir = data_path / "generations"
        self.current_file = data_path / "CURRENT"

    def folder(self, generation: str) -> Path:
        """A generation's folder; a name that is not a generation id (from a CURRENT file edited by
        hand, say) is a damaged index, never a path elsewhere."""
        if not GENERATION_RE.fullmatch(generation):
            raise MarginaliaError(f"The index names a generation {generation!r} that cannot exist. "
                                  "Rebuild it with `marginalia index`.")
        return self.generations_dir / generation

    def text_file(self, generation: str, source: str) -> Path:
        """The text a source's spans refer to, kept with its generation."""
        try:
            return child(self.folder(generation) / "texts", source, ".txt")
        except ValueError as exc:
            raise MarginaliaError(f"The index generation {generation} is damaged ({exc}). "
                                  "Rebuild it with `marginalia index`.") from exc

    def check_folder(self) -> None:
        """DataDirUnusable when DATA_DIR is a file: reading it would fail with a puzzling error."""
        if self.root.exists() and not self.root.is_dir():
            raise DataDirUnusable.is_a_file(self.root)

    def prepare_for_writing(self) -> None:
        """Create DATA_DIR if need be; DataDirUnusable, saying which, when it is a file, cannot be
        created or cannot be written."""
        self.check_folder()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataDirUnusable.cannot_create(self.root, exc) from exc
        if not os.access(self.root, os.W_OK):  # a read-only disk too, for root as well
            raise DataDirUnusable.not_writable(self.root)

    def namespace(self) -> str:
        """This data folder's own prefix for vector collections, so several indexes can share one
        Chroma server without a build of one touching the others' collections."""
        path = self.root / "NAMESPACE"
        try:
            return path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            try:
                write_atomically(path, secrets.token_hex(4))
            except OSError as exc:
                raise DataDirUnusable.not_writable(self.root) from exc
            return path.read_text(encoding="utf-8").strip()

    def new_generation(self) -> str:
        return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)

    def current(self) -> str | None:
        """The serving generation, or None when no complete build exists."""
        self.check_folder()
        try:
            generation = self.current_file.read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):  # no folder yet, or a path through a file
            return None
        except OSError as exc:
            raise DataDirUnusable.cannot_read(self.root, exc) from exc
        if not GENERATION_RE.fullmatch(generation):
            return None  # not ours: a new build replaces it
        return generation if self.is_complete(generation) else None

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
        return sorted(p.name for p in self.generations_dir.iterdir()
                      if p.is_dir() and not p.is_symlink() and GENERATION_RE.fullmatch(p.name))

    def remove(self, generation: str) -> None:
        shutil.rmtree(self.folder(generation), ignore_errors=True)

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """Hold the build lock; BuildInProgress if another build (any process) holds it."""
        self.prepare_for_writing()
        try:
            handle = open(self.root / "build.lock", "a+")  # noqa: SIM115 - closed by the `with` below
        except OSError as exc:  # writable folder, but a lock file left by another user
            raise DataDirUnusable.not_writable(self.root) from exc
        with handle:
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

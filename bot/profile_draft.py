"""`marginalia profile FILE…`: a draft catalog entry an admin can check and paste.

The genre and flags are the classifier's guesses (`index/profiling.py`), marked as detected, with
the passages that read most like the genre; an admin vets them before they count.
"""

from __future__ import annotations

import json
from pathlib import Path

from index.catalog import uncatalogued_id
from index.chunking import chunk_document, make_units
from index.embedding import Embedder
from index.errors import MarginaliaError
from index.loaders import LoadError, load_document
from index.profiling import draft, model, sample

MAX_BYTES = 100_000_000
EVIDENCE_CHARS = 160


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def profile_entry(path: Path, embedder: Embedder, taken: set[str]) -> str:
    """The draft entry of one file, as TOML with comments."""
    try:
        document = load_document(path, path.name, MAX_BYTES)
    except LoadError as exc:
        return f"# {path.name}: not profiled: {exc.reason}"
    units = sample([u for p in chunk_document(document, "doc") for u in make_units(p, document.text)])
    if not units:
        return f"# {path.name}: not profiled: no text to read"
    vectors = embedder.embed([document.text[u.start:u.end] for u in units])
    found = draft(vectors, [(u.start, u.end) for u in units])
    source_id = uncatalogued_id(path.name, taken)
    taken.add(source_id)
    lines = ["[[source]]", f"id = {toml_string(source_id)}", f"file = {toml_string(path.name)}",
             f"title = {toml_string(path.stem)}", "authors = []", 'date = ""']
    if found:
        lines.append(f"genre = {toml_string(found.genre)}  # detected ({found.confidence:.0%} sure): check it")
        lines.append(f"flags = {json.dumps(list(found.flags))}  # detected: keep only what the text bears out")
        for start, end in found.evidence:
            quote = " ".join(document.text[start:end].split())
            quote = quote if len(quote) <= EVIDENCE_CHARS else quote[:EVIDENCE_CHARS].rsplit(" ", 1)[0] + " …"
            lines.append(f"# reads like this: “{quote}”")
    lines += ['stance = ""', 'note = ""']
    return "\n".join(lines)


def profile_files(paths: list[Path], embedder: Embedder | None = None) -> str:
    if model() is None:
        raise MarginaliaError("No genre model in models/genre.json; run `python -m training.train_genre --write "
                              "models/genre.json` (needs the training reading lists).")
    embedder = embedder or Embedder()
    taken: set[str] = set()
    return "\n\n".join(profile_entry(path, embedder, taken) for path in paths)

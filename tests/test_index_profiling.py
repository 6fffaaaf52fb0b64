"""A drafted profile for a document with no catalog entry: `marginalia profile FILE` prints a
catalog entry that parses, passes the catalog's own checks, and marks genre and flags as detected,
with passages of the file that show them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.profile_draft import profile_files
from index.catalog import validate_entry
from index.embedding import Embedder
from index.models import FLAG_VOCABULARY
from index.profiling import model

CHAT = ("Great question! Here's a breakdown of how lighthouses work.\n\n"
        "1. The lamp: modern lighthouses use LED lamps.\n\n2. The lens: a Fresnel lens bends the light.\n\n"
        "It's important to note that many lighthouses are now automated. I hope this helps! "
        "Would you like me to explain how the light is timed?\n")


def test_a_draft_entry_parses_and_marks_what_was_detected(tmp_path: Path, embedder: Embedder) -> None:
    assert model() is not None  # the shipped classifier
    path = tmp_path / "lighthouse-chat.txt"
    path.write_text(CHAT, encoding="utf-8")
    text = profile_files([path], embedder)
    entry = tomllib.loads(text)["source"][0]
    assert entry["id"] == "lighthouse-chat" and entry["file"] == path.name
    assert validate_entry(entry, tmp_path) == []
    assert set(entry["flags"]) <= set(FLAG_VOCABULARY) and entry["genre"]
    assert "# detected" in text and "# reads like this: “" in text
    quoted = [line.split("“", 1)[1].rstrip("”").removesuffix(" …") for line in text.splitlines()
              if line.startswith("# reads like this")]
    assert quoted and all(q in " ".join(CHAT.split()) for q in quoted)


def test_a_file_that_cannot_be_read_gets_a_line_not_a_traceback(tmp_path: Path, embedder: Embedder) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert profile_files([empty], embedder) == "# empty.txt: not profiled: is empty"


def test_an_uncatalogued_document_gets_a_detected_profile_in_the_answer(tmp_path: Path, embedder: Embedder) -> None:
    from conftest import make_settings, write_sources

    from bot.answer.compose import Answerer
    from index.build import build_index
    from index.search import Searcher

    sources = write_sources(tmp_path / "sources", {
        "lighthouse-chat.txt": CHAT,
        "keepers.txt": "The Skerry light was first lit in 1810. Its keepers served six weeks on the rock.\n",
    }, '[[source]]\nid = "keepers"\nfile = "keepers.txt"\ntitle = "The Keepers"\nauthors = ["Ann Reed"]\n')
    settings = make_settings(tmp_path, sources)
    report = build_index(settings, embedder=embedder)
    assert [file for file, _, _ in report.drafted] == ["lighthouse-chat.txt"]  # the catalogued one has no draft
    assert "not in the catalog: lighthouse-chat.txt reads like" in report.summary()
    assert "marginalia profile" in report.summary()
    searcher = Searcher(settings, embedder)
    answer = Answerer(settings, searcher).ask("How do lighthouses work, with LED lamps?")
    data = answer.to_json()["sources"]
    assert data["lighthouse-chat"]["profile"] == "detected"
    assert set(data["lighthouse-chat"]["flags"]) <= set(FLAG_VOCABULARY)
    assert "reads like" in data["lighthouse-chat"]["caveat"] and "(detected)" in data["lighthouse-chat"]["caveat"]
    assert "not in the catalog" in answer.text
    keepers = searcher.snapshot.profiles["keepers"]
    assert keepers.cataloged and keepers.detected == "" and keepers.flags == ()  # the catalog's word stands

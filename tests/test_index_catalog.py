"""The catalog: every problem reported at once; the bundled catalog matches sources/; a document
without an entry is still indexed, with a warning and an empty profile."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from conftest import SOURCES, make_settings, write_sources

from bot.answer.compose import Answerer
from index.build import build_index, discover
from index.catalog import load_catalog
from index.embedding import Embedder
from index.errors import CatalogError
from index.models import FLAG_VOCABULARY
from index.names import is_slug
from index.search import Searcher

BROKEN_CATALOG = """
[[source]]
id = "river"
file = "river.txt"

[[source]]
id = "ghost"
file = "missing.txt"
colour = "blue"

[[source]]
id = "river"
file = "bees.txt"

[[source]]
id = "lamps"
file = "lamps.txt"
flags = ["partisan", "satire"]
"""

DOCUMENTS = {
    "river.txt": "The mill on the river Ouse ground corn for three centuries before it burned down in 1902.",
    "bees.txt": "A honeybee colony keeps its hive near 35 degrees by fanning its wings and clustering in winter.",
    "lamps.txt": "The lighthouse at Cape Wrath was first lit in 1828, its lamp fed with whale oil.",
}


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources", DOCUMENTS, BROKEN_CATALOG)
    with pytest.raises(CatalogError) as caught:
        load_catalog(sources)
    problems = caught.value.problems
    assert len(problems) == 4, problems
    expected = ["unknown key 'colour'", "file 'missing.txt' not found", "duplicate id 'river'",
                "unknown flag 'satire'"]
    for fragment, problem in zip(expected, problems):
        assert fragment in problem
    assert all(problem in str(caught.value) for problem in problems)


def test_a_duplicate_of_an_entry_with_another_problem_is_reported_too(tmp_path: Path) -> None:
    catalog = ('[[source]]\nid = "river"\nfile = "river.txt"\ncolour = "blue"\n\n'
               '[[source]]\nid = "river"\nfile = "bees.txt"\n')
    sources = write_sources(tmp_path / "sources", DOCUMENTS, catalog)
    with pytest.raises(CatalogError) as caught:
        load_catalog(sources)
    assert any("duplicate id 'river'" in problem for problem in caught.value.problems), caught.value.problems


def test_a_valid_entry_becomes_a_profile(tmp_path: Path) -> None:
    catalog = ('[[source]]\nid = "lamps"\nfile = "lamps.txt"\ntitle = "Lamps"\nauthors = ["A. Keeper", "B. Keeper"]\n'
               'date = "1901"\nflags = ["polemical", "partisan"]\nnote = "Read with care."\n')
    sources = write_sources(tmp_path / "sources", {"lamps.txt": DOCUMENTS["lamps.txt"]}, catalog)
    profile = load_catalog(sources).by_file["lamps.txt"]
    assert (profile.id, profile.title, profile.date, profile.note) == ("lamps", "Lamps", "1901", "Read with care.")
    assert profile.authors == ("A. Keeper", "B. Keeper") and profile.flags == ("polemical", "partisan")
    assert profile.cataloged


def test_cite_as_is_a_list_of_names_and_survives_the_index(tmp_path: Path, embedder: Embedder) -> None:
    entry = '[[source]]\nid = "lamps"\nfile = "lamps.txt"\ntitle = "Lamps"\n'
    bad = write_sources(tmp_path / "bad", {"lamps.txt": DOCUMENTS["lamps.txt"]}, entry + 'cite_as = "the lamp book"\n')
    with pytest.raises(CatalogError) as caught:
        load_catalog(bad)
    assert any("'cite_as' must be a list of strings" in p for p in caught.value.problems), caught.value.problems
    sources = write_sources(tmp_path / "sources", {"lamps.txt": DOCUMENTS["lamps.txt"]},
                            entry + 'cite_as = ["the lamp book", " ", "Wrath"]\n')
    assert load_catalog(sources).by_file["lamps.txt"].cite_as == ("the lamp book", "Wrath")
    settings = make_settings(tmp_path, sources)
    build_index(settings, embedder=embedder)
    assert Searcher(settings, embedder).snapshot.profiles["lamps"].cite_as == ("the lamp book", "Wrath")


def test_a_question_naming_a_source_by_a_cite_as_name_is_answered_from_it_alone(
        tmp_path: Path, embedder: Embedder) -> None:
    catalog = ('[[source]]\nid = "lamps"\nfile = "lamps.txt"\ntitle = "Lamps"\ncite_as = ["the keeper\'s log"]\n\n'
               '[[source]]\nid = "river"\nfile = "river.txt"\ntitle = "River"\n')
    documents = {"lamps.txt": "The lighthouse at Cape Wrath was first lit in 1828, its lamp fed with whale oil.",
                 "river.txt": "The lighthouse on the river mouth was first lit in 1870, its lamp fed with paraffin."}
    settings = make_settings(tmp_path, write_sources(tmp_path / "sources", documents, catalog))
    build_index(settings, embedder=embedder)
    answerer = Answerer(settings, Searcher(settings, embedder))
    both = answerer.ask("When was the lighthouse first lit?")
    assert {c.source for c in both.citations} == {"lamps", "river"}
    named = answerer.ask("What does the Keeper's Log say about when the lighthouse was first lit?")
    assert {c.source for c in named.citations} == {"lamps"}


def test_the_bundled_catalog_describes_exactly_the_bundled_documents() -> None:
    catalog = load_catalog(SOURCES)
    files = {path.relative_to(SOURCES).as_posix() for path in discover(SOURCES)}
    assert set(catalog.by_file) == files
    assert len(catalog.by_id) == len(catalog.by_file) == 5


def test_an_uncatalogued_document_is_indexed_with_a_warning_and_an_empty_profile(
        tmp_path: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture) -> None:
    catalog = '[[source]]\nid = "river"\nfile = "river.txt"\ntitle = "The Mill"\nflags = ["partisan"]\n'
    sources = write_sources(tmp_path / "sources", DOCUMENTS, catalog)
    settings = make_settings(tmp_path, sources)
    with caplog.at_level(logging.WARNING):
        report = build_index(settings, embedder=embedder)
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("bees.txt" in message and "no catalog entry" in message for message in warned)
    assert report.documents == 3 and not report.failed
    profiles = Searcher(settings, embedder).snapshot.profiles
    bees = next(p for p in profiles.values() if p.file == "bees.txt")
    assert not bees.cataloged and bees.authors == () and bees.note == ""
    assert bees.detected and set(bees.flags) <= set(FLAG_VOCABULARY)  # drafted from the text, shown as detected
    assert profiles["river"].cataloged and profiles["river"].flags == ("partisan",)


def test_an_uncatalogued_document_is_searchable(tmp_path: Path, embedder: Embedder) -> None:
    sources = write_sources(tmp_path / "sources", DOCUMENTS)  # no catalog at all
    settings = make_settings(tmp_path, sources)
    build_index(settings, embedder=embedder)
    searcher = Searcher(settings, embedder)
    hits = searcher.search("How do bees keep their hive warm in winter?")
    assert hits and searcher.snapshot.profiles[hits[0].passage.source].file == "bees.txt"
    assert {p.file for p in searcher.snapshot.profiles.values()} == set(DOCUMENTS)


def test_uncatalogued_documents_with_the_same_stem_are_both_indexed(tmp_path: Path, embedder: Embedder) -> None:
    sources = write_sources(tmp_path / "sources", {"notes.txt": DOCUMENTS["river.txt"]})
    write_sources(sources / "more", {"notes.txt": DOCUMENTS["bees.txt"]})
    settings = make_settings(tmp_path, sources)
    report = build_index(settings, embedder=embedder)
    assert report.documents == 2 and not report.failed
    files = {profile.id: profile.file for profile in Searcher(settings, embedder).snapshot.profiles.values()}
    assert sorted(files.values()) == ["more/notes.txt", "notes.txt"] and len(files) == 2


@pytest.mark.parametrize("file", ["/etc/hostname", "../../etc/hostname", "../outside.txt", "link-out.txt"])
def test_a_catalog_file_outside_the_sources_folder_is_a_catalog_problem(tmp_path: Path, file: str) -> None:
    (tmp_path / "outside.txt").write_text("Not on the reading list.", encoding="utf-8")
    sources = write_sources(tmp_path / "sources", DOCUMENTS,
                            f'[[source]]\nid = "elsewhere"\nfile = "{file}"\n')
    (sources / "link-out.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(CatalogError) as caught:
        load_catalog(sources)
    (problem,) = caught.value.problems
    assert "outside the sources folder" in problem, problem


@pytest.mark.parametrize("source_id", ["../../../../tmp/x", "Walsh-1980", "walsh 1980", "a" * 65, ".", "..",
                                       "walsh/1980", "rikyū", "tab\tid"])
def test_a_catalog_id_that_is_not_a_slug_is_a_catalog_problem(tmp_path: Path, source_id: str) -> None:
    entry = {"id": source_id, "file": "river.txt"}
    catalog = "[[source]]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in entry.items())
    sources = write_sources(tmp_path / "sources", {"river.txt": DOCUMENTS["river.txt"]}, catalog)
    with pytest.raises(CatalogError) as caught:
        load_catalog(sources)
    (problem,) = caught.value.problems
    assert "is not a slug" in problem and "\t" not in problem, problem


def test_slug_ids_are_accepted_and_uncatalogued_ids_are_slugs(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources", {"river.txt": DOCUMENTS["river.txt"]},
                            '[[source]]\nid = "river_1902.v2-a"\nfile = "river.txt"\n')
    catalog = load_catalog(sources)
    assert catalog.by_id["river_1902.v2-a"].file == "river.txt"
    for file in ("Sen no Rikyū.txt", "..txt", "a\nb.txt", "Ünïcödé/ÆØ.md", "x" * 200 + ".txt", "…!.txt"):
        assert is_slug(catalog.profile_for(file).id), file


def test_catalog_problems_are_listed_one_a_line(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources", DOCUMENTS, BROKEN_CATALOG)
    with pytest.raises(CatalogError) as caught:
        load_catalog(sources)
    lines = str(caught.value).splitlines()
    assert lines[0].endswith("has 4 problems:") and len(lines) == 5
    assert all(line.startswith("  - entry ") for line in lines[1:])

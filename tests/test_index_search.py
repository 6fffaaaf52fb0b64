"""Hybrid search over the real reading list finds the passages known to answer, and keeps
per-source coverage (the long book does not crowd out the short essays)."""

from __future__ import annotations

from collections import Counter

import pytest

from index.config import Settings
from index.embedding import Embedder
from index import search
from index.search import Searcher

WALSH, WOODS, KAHN, AI_CHAT = "walsh-1980", "woods-2003", "kahn-sayers-1946", "randomposter33-ai-chat"
MERCADER = "Trotsky was struck a fatal blow with an ice-pick by Ramon Mercader"


@pytest.fixture(scope="module")
def searcher(real_index: Settings, embedder: Embedder) -> Searcher:
    return Searcher(real_index, embedder)


@pytest.mark.parametrize(("question", "source", "needle"), [
    ("Who killed Trotsky with an ice-pick?", WALSH, MERCADER),
    ("Who was Frank Jacson?", KAHN, "traveling under the name of Frank Jacson"),
    ("What was Kollontai's mission in Mexico?", AI_CHAT, "Kollontai’s mission was ideological and diplomatic"),
    ("What happened in the night of 24th/25th May?", WALSH, "came the first direct assault on Trotsky's life"),
    ("Who was Shpigelglas?", WOODS, "Shpigelglas, the GPU agent put in charge of Trotsky's assassination"),
])
def test_the_shortlist_holds_the_known_passage(searcher: Searcher, question: str, source: str, needle: str) -> None:
    """What the answer layer reads closely (the shortlist) holds the unit known to answer."""
    text = searcher.snapshot.texts[source]
    hits = searcher.shortlist(question)[source]
    assert any(needle in text[h.unit.start:h.unit.end] for h in hits), [text[h.unit.start:h.unit.end][:80] for h in hits]


def test_the_shortlist_gives_every_source_in_play_its_share(searcher: Searcher) -> None:
    shortlist = searcher.shortlist("Who killed Trotsky?")
    assert len(shortlist) >= 3
    assert all(len(hits) >= search.SHORTLIST_MIN_PER_SOURCE for hits in shortlist.values())
    assert sum(len(h) for h in shortlist.values()) <= search.SHORTLIST_UNITS + len(shortlist)


def test_a_rare_name_is_found_by_its_letters(searcher: Searcher) -> None:
    top = searcher.search("Zborowski")[0]
    assert "Zborowski" in searcher.snapshot.passage_text(top.passage) and top.lexical > 0


def test_every_source_that_speaks_to_the_question_is_represented(searcher: Searcher) -> None:
    hits = searcher.search("Who killed Trotsky?", per_source=2)
    per_source = Counter(h.passage.source for h in hits)
    assert {WALSH, WOODS, KAHN} <= set(per_source)
    assert max(per_source.values()) <= 2
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_with_a_shallow_vector_pool_each_source_in_play_still_gets_exactly_scored_candidates(
        searcher: Searcher, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a long reading list the pool of nearest units reaches only some sources; a source in
    play through its words alone still gets candidates, with their true similarity."""
    monkeypatch.setattr(search, "DENSE_POOL", 15)
    monkeypatch.setattr(search, "DENSE_UNITS", 15)
    question = "Who was Shpigelglas, and what happened to Zborowski?"
    found = searcher.candidates(question)
    assert {WOODS, WALSH} <= set(found) and all(found.values())
    vector = searcher.embed_query(question)
    for hits in found.values():
        exact = searcher.unit_similarities(vector, [h.unit.id for h in hits])
        assert all(abs(h.similarity - exact[h.unit.id]) < 1e-3 for h in hits)
    assert sum(len(hits) for hits in found.values()) > 15  # more than the pool: BM25's own picks


def test_the_served_texts_are_the_source_files_unaltered(searcher: Searcher, real_index: Settings) -> None:
    """Every span the search returns is an offset into the very file in sources/."""
    snapshot = searcher.snapshot
    for source, profile in snapshot.profiles.items():
        assert snapshot.texts[source] == (real_index.sources_path / profile.file).read_text(encoding="utf-8")

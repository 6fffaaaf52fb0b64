"""The reading list as the bot serves it: the sources of the serving index generation. No Discord.

/sources shows what answers actually come from, so profiles are read from the serving
generation (catalog entries as they were at the last build), including uncatalogued documents.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.answer.caveats import caveat_line
from bot.answer.compose import Answerer
from index.models import SourceProfile
from index.search import Snapshot

AUTOCOMPLETE_CHOICES = 25  # Discord's maximum


@dataclass(frozen=True)
class SourceInfo:
    """One source: its catalog profile, its caveat, and what the index holds of it."""

    profile: SourceProfile
    file: str
    caveat: str
    passages: int
    characters: int
    sections: tuple[str, ...]

    def matches(self, text: str) -> bool:
        """Whether `text` (what a member typed) occurs in its id, name, title or authors."""
        wanted = text.casefold().strip()
        haystack = " ".join((self.profile.id, self.profile.short_name, self.profile.title, self.profile.author))
        return wanted in haystack.casefold()


class Library:
    """Source information per serving generation, computed once per generation."""

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer
        self._cached: tuple[str, list[SourceInfo]] | None = None

    async def sources(self) -> list[SourceInfo]:
        """Every source, in catalog order; loading the index and describing it run in threads."""
        snap = await asyncio.to_thread(lambda: self.answerer.searcher.snapshot)
        cached = self._cached
        if cached is None or cached[0] != snap.generation:
            # Return what this call computed: another may have replaced the cache during the await.
            cached = self._cached = (snap.generation, await asyncio.to_thread(describe, snap))
        return cached[1]

    async def find(self, name: str) -> SourceInfo | None:
        """The source with this id, else the only one whose names contain `name`."""
        sources = await self.sources()
        exact = [s for s in sources if s.profile.id == name]
        loose = [s for s in sources if s.matches(name)]
        if exact or len(loose) == 1:
            return (exact or loose)[0]
        return None

    async def matching(self, text: str) -> list[SourceInfo]:
        """Sources whose names contain `text`, for autocomplete."""
        return [s for s in await self.sources() if s.matches(text)][:AUTOCOMPLETE_CHOICES]


def describe(snap: Snapshot) -> list[SourceInfo]:
    """What /sources shows of each source; reads a snapshot, which is never changed once loaded."""
    infos = []
    for source, profile in snap.profiles.items():
        passages = [p for p in snap.passages if p.source == source]
        sections = tuple(dict.fromkeys(p.section for p in passages if p.section))
        infos.append(SourceInfo(profile, snap.files[source], caveat_line(profile), len(passages),
                                len(snap.texts[source]), sections))
    return infos

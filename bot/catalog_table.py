"""The reading list as a plain-text table for `marginalia sources`.

Like /sources in Discord it lists what answers come from: every document of the serving index,
uncatalogued ones marked, with their catalog entries as they were at the last build. Before the
first build it lists the catalog. Reading the index's manifest needs neither the model nor Chroma.
"""

from __future__ import annotations

from bot.display import clip, count, name
from index.build import DocumentEntry
from index.catalog import load_catalog
from index.config import Settings
from index.generations import Layout
from index.models import SourceProfile

COLUMNS = (("author", 24), ("date", 10), ("flags", 22), ("title", 60))  # after the id, which is never cut
UNCATALOGUED = "not in the catalog"


def reading_list_table(settings: Settings) -> str:
    """The serving index's documents, or the catalog when nothing is indexed yet."""
    layout = Layout(settings.data_path)
    generation = layout.current()
    if generation is None:
        profiles = list(load_catalog(settings.sources_path).by_file.values())
        entries = count(len(profiles), "entry", "entries")
        return table(profiles) + f"\n\nNothing is indexed yet: this is the catalog ({entries}). " \
            "`marginalia index` builds the index."
    documents = layout.read_manifest(generation)["documents"]
    profiles = [DocumentEntry.from_json(document).profile for document in documents]
    unvetted = sum(not p.cataloged for p in profiles)
    note = f", {unvetted} of them {UNCATALOGUED} (nobody has vetted {'it' if unvetted == 1 else 'them'})" \
        if unvetted else ""
    return table(profiles) + f"\n\n{count(len(profiles), 'document')} in the index{note}."


def table(profiles: list[SourceProfile]) -> str:
    """One row a document, cut cells ending with an ellipsis, then each document's note."""
    columns = (("id", max([2] + [len(p.id) for p in profiles])), *COLUMNS)  # ids are slugs, at most 64
    rows = [tuple(heading for heading, _ in columns)]
    for p in profiles:
        flags = ", ".join(p.flags) if p.cataloged else UNCATALOGUED
        rows.append((p.id, p.author or "—", p.date or "undated", flags or "—", p.title))
    lines = ["  ".join(clip(name(cell), width).ljust(width) for cell, (_, width) in zip(row, columns)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for _, width in columns))
    notes = [f"{name(p.id)}: {name(p.note)}" for p in profiles if p.note]
    return "\n".join(lines + ([""] + notes if notes else []))

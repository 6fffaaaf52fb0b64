"""The catalog as a plain-text table for `marginalia sources`."""

from __future__ import annotations

from index.catalog import Catalog

COLUMNS = (("id", 26), ("author", 24), ("date", 10), ("flags", 22), ("title", 60))


def catalog_table(catalog: Catalog) -> str:
    rows = [("id", "author", "date", "flags", "title")]
    for profile in catalog.by_file.values():
        rows.append((profile.id, profile.author or "—", profile.date or "undated", ", ".join(profile.flags) or "—",
                     profile.title))
    lines = ["  ".join(cell[:width].ljust(width) for cell, (_, width) in zip(row, COLUMNS)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for _, width in COLUMNS))
    notes = [f"{p.id}: {p.note}" for p in catalog.by_file.values() if p.note]
    return "\n".join(lines + [""] + notes)

"""The documents report: how Marginalia reads each document of a folder.

    python -m benchmarks.documents DIR [DIR ...] [--sections]

Per document: the units (what is embedded and quoted) and the share that are whole sentences,
the headings found, the blocks left out of the index (licence, table of contents, footnotes,
tables, …) and the characters indexed. Nothing is embedded; it runs in seconds.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from index.chunking import chunk_document, document_blocks, make_units
from index.loaders import LoadError, is_supported, load_document
from index.sentences import is_whole

MAX_BYTES = 100_000_000


def report(path: Path, root: Path, show_sections: bool) -> tuple[int, int, list[str]]:
    """(units, whole-sentence units, lines) for one document."""
    relative = path.relative_to(root).as_posix()
    try:
        document = load_document(path, relative, MAX_BYTES)
    except LoadError as exc:
        return 0, 0, [f"{relative}: skipped ({exc.reason})"]
    blocks = document_blocks(document)
    passages = chunk_document(document, "doc")
    units = [u for p in passages for u in make_units(p, document.text)]
    whole = sum(is_whole(document.text[u.start:u.end]) for u in units)
    left_out = Counter()
    for block in blocks:
        if block.left_out:
            left_out[block.left_out] += block.end - block.start
    headings = [b.title for b in blocks if b.level]
    indexed = sum(p.end - p.start for p in passages)
    share = whole / len(units) if units else 0.0
    lines = [f"{relative}: {len(units)} units, {share:.1%} whole sentences, {len(headings)} headings, "
             f"{indexed:,} chars indexed of {len(document.text):,}"]
    if left_out:
        lines.append("    left out: " + ", ".join(f"{reason} {chars:,}" for reason, chars in left_out.most_common()))
    if headings:
        shown = headings if show_sections else headings[:8] + (["…"] if len(headings) > 8 else [])
        lines.append("    headings: " + " | ".join(shown))
    if show_sections:
        for section in dict.fromkeys(p.section for p in passages):
            lines.append(f"    § {section or '—'}")
    return len(units), whole, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.documents", description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--sections", action="store_true", help="list every heading and section path")
    args = parser.parse_args(argv)
    total_units = total_whole = 0
    for folder in args.folders:
        files = sorted(p for p in folder.rglob("*") if p.is_file() and is_supported(p))
        for path in files:
            units, whole, lines = report(path, folder, args.sections)
            total_units += units
            total_whole += whole
            print("\n".join(lines))
    share = total_whole / total_units if total_units else 0.0
    print(f"\nall: {total_units} units, {total_whole} whole sentences ({share:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

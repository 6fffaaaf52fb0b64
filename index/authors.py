"""Who wrote a document: a person's surname, and never one for an organisation or a description.

The words that make an author an organisation are data (`data/organisation-words.en.txt`).
"""

from __future__ import annotations

from index.wordlists import index_word_list

NAME_PARTICLES = frozenset("de da di del della van von der den du la le ten ter bin ibn al el".split())


def surname(author: str) -> str:
    """A person's surname ("Lynn Walsh" -> "Walsh", "@RandomPoster33" -> "RandomPoster33"); empty
    for an organisation or a description ("an unnamed AI chatbot", "Tea Shop Ltd")."""
    words = author.replace(",", " ").split()
    if not words or len(words) > 5:
        return ""
    if any(w.lower().strip(".") in index_word_list("organisation-words") for w in words):
        return ""
    if any(w[:1].islower() and w.lower() not in NAME_PARTICLES for w in words):
        return ""  # "an unnamed AI chatbot", "Panel on Climate Change"
    last = words[-1].lstrip("@")
    return last if last[:1].isupper() or last[:1].isdigit() or words[-1].startswith("@") else ""

"""How document text and names are shown, in a terminal and on Discord: control characters
replaced, runs of whitespace made one space where one line is wanted, names escaped, cut text
marked with an ellipsis, and the bot's own token never shown.

Documents are not trusted: an ANSI escape in a quote would clear a terminal or set its title, a
newline in a file name would split a line in two, and a document that holds the token (a pasted
`.env`) must not show it. No Discord here; the Discord layer escapes markdown on top of this.
"""

from __future__ import annotations

from index.names import escaped, is_control

REPLACEMENT = "\ufffd"  # shown in place of a control character in document text
REDACTED = "[token redacted]"
MIN_SECRET_CHARS = 8  # a very short "secret" would shred ordinary words
ELLIPSIS = "…"

_secrets: set[str] = set()


def hide(secret: str) -> None:
    """Never show `secret` (the bot's token) from now on, in this process."""
    if len(secret) >= MIN_SECRET_CHARS:
        _secrets.add(secret)


def redact(text: str) -> str:
    """`text` with every hidden secret replaced."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def clean(text: str) -> str:
    """Document text as it may be shown: line breaks and tabs kept, other control characters
    replaced, secrets redacted."""
    if any(is_control(c) and c not in "\n\t" for c in text):
        text = "".join(REPLACEMENT if is_control(c) and c not in "\n\t" else c for c in text)
    return redact(text)


def oneline(text: str) -> str:
    """Document text on one line: `clean`, then every run of whitespace one space."""
    return " ".join(clean(text).split())


def name(text: str) -> str:
    """A file name, id, title or section as it may be shown: control characters escaped."""
    return redact(escaped(text))


def clip(text: str, width: int) -> str:
    """At most `width` characters; a longer text is cut and ends with an ellipsis."""
    if len(text) <= width:
        return text
    return text[:max(0, width - 1)].rstrip() + ELLIPSIS


def count(n: int, noun: str, plural: str = "") -> str:
    """`n` `noun`s, in the singular for one: "1 source", "2 sources"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"

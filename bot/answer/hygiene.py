"""A question as typed, made fit to read: the one place questions are tidied.

Text pasted from elsewhere carries invisible characters: a zero-width space inside "Trotsky"
would split the name, a colour escape around a question would add words such as "31mWho".
Compatibility forms (full-width letters, ligatures) are folded by NFKC, so "ｔｒｏｔｓｋｙ" is
"trotsky". Accents are kept here (the question is shown back as typed); matching folds them.
"""

from __future__ import annotations

import re
import unicodedata

# Terminal escape sequences, removed whole: CSI ("\x1b[31m"), OSC ("\x1b]0;title\x07") and the
# two-character ones ("\x1bc").
ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
INVISIBLE = ("Cf", "Cs", "Co", "Cn")  # format (zero-width, bidi, BOM), lone surrogates, private, unassigned


def tidy(text: str) -> str:
    """NFKC, escape sequences and invisible characters removed, control characters and runs of
    whitespace made one space, ends trimmed."""
    text = ESCAPE_SEQUENCE.sub("", unicodedata.normalize("NFKC", text))
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if category in INVISIBLE:
            continue
        kept.append(" " if category == "Cc" else character)
    return " ".join("".join(kept).split())

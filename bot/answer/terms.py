"""Words that carry a question's meaning, and how rare each is in the reading list."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.lexical import LexicalIndex, stemmer, unaccented
from index.sentences import split_sentences
from index.wordlists import word_list

DATA = Path(__file__).parent / "data"
WORD_RE = re.compile(r"(?u)\b\w\w+\b")
# Function words and question scaffolding: they say nothing about what a passage is about.
STOPWORDS = frozenset("""
a about above actually after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing done down during each ever exactly few for from
further had has have having he her here hers herself him himself his how however i if in into is it its
itself just know let like many me more most much must my myself no nor not now of off on once only or other
our ours ourselves out over own really same say said says she should so some such tell than that the their
theirs them themselves then there these they this those through to too under until up very was we were what
when where which while who whom whose why will with would you your yours yourself yourselves did does get
got happen happened happens anything something someone anyone thing things way ways one ones two first
give given use used make made take took see seen go went come came also especially please
""".split())


@lru_cache(maxsize=1)
def word_forms() -> dict[str, frozenset[str]]:
    """Stem -> the stems of the same word's other forms (`data/word-forms.en.txt`)."""
    forms: dict[str, set[str]] = {}
    for line in word_list(DATA / "word-forms.en.txt"):
        stems = {stem(w) for w in line.split()}
        for s in stems:
            forms.setdefault(s, set()).update(stems - {s})
    return {s: frozenset(others) for s, others in forms.items()}


def other_forms(term: str) -> frozenset[str]:
    """The stems of a stem's other forms as a word: "keep" -> {"kept"}; none for a regular word."""
    return word_forms().get(term, frozenset())


def words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return stemmer().stemWord(word)


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning, in order, repeats kept."""
    return [stem(w) for w in words(text) if is_content_word(w)]


def is_content_word(word: str) -> bool:
    """Not a function word; numbers only when they look like years."""
    return word not in STOPWORDS and (not word.isdigit() or len(word) == 4)


class TermStats:
    """Inverse document frequency of stems, read from the BM25 index (documents = passages)."""

    def __init__(self, lexical: LexicalIndex) -> None:
        self.vocab: dict[str, int] = lexical.retriever.vocab_dict
        self.df = np.diff(lexical.retriever.scores["indptr"])
        self.n = int(lexical.retriever.scores["num_docs"])

    def frequency(self, term: str) -> int:
        index = self.vocab.get(term)
        return int(self.df[index]) if index is not None and index < len(self.df) else 0

    def idf(self, term: str) -> float:
        df = self.frequency(term)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def weights(self, stems: list[str]) -> dict[str, float]:
        return {s: self.idf(s) for s in dict.fromkeys(stems)}


def fold(text: str) -> str:
    """Lower case without accents, so "Cárdenas" and "cardenas" meet (as BM25 matches them)."""
    return unaccented(text).lower()


CAPITALISE = "A-ZÀ-ÖØ-Þ"  # capital letters, Latin-1 included ("Ávila"); both name patterns use them
CAPITALISED_RE = re.compile(rf"\b[{CAPITALISE}]\w+\b")
NAME_SHARE = 0.8
QUOTED_RE = re.compile(r"(?:(?<=\s)|^)['‘“\"]([^'‘’“”\"]{3,80})['’”\"](?=[\s?.!,;:]|$)")
TOKEN_RE = re.compile(r"[^\W\d_][\w’'-]*")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Another name the sources themselves give a person: "Karl Reich, alias Johanson", "Ramon Mercader
# ("Jacson")", "Mercader who was living under the pseudonym Jacques Mornard", "under the name of
# Mornard" (i.e. Mercader or 'Jacson').
_NAME = rf"[{CAPITALISE}][\w'-]+(?:\s+[{CAPITALISE}][\w'-]+)*"
_Q = r"[\"“'‘]?"
ALIAS_CUE = re.compile(r"alias|pseudonym|under\s+the\s+name|\(\s*[\"“'‘]")
ALIAS_REACH = 120  # characters either side of a cue in which its names are looked for
ALIAS_RES = (
    re.compile(rf"({_NAME}),?\s+alias\s+{_Q}({_NAME})"),
    re.compile(rf"({_NAME})\s+\(\s*[\"“'‘]({_NAME})[\"”'’]\s*\)"),
    re.compile(rf"({_NAME}),?\s+who\s+was\s+\w+\s+under\s+the\s+(?:pseudonym|name)(?:\s+of)?\s+({_NAME})"),
    re.compile(rf"under\s+the\s+name\s+of\s+({_NAME})\W{{0,3}}\(i\.e\.\s+{_Q}({_NAME}){_Q}(?:\s+or\s+{_Q}({_NAME}))?"),
)


class Vocabulary:
    """Every word of the reading list (folded), for spelling repair and "never mentioned" checks."""

    def __init__(self, texts: list[str]) -> None:
        self.folded = " ".join(" ".join(fold(t).split()) for t in texts)
        self.counts = Counter(WORD_RE.findall(self.folded))
        capitalised: Counter[str] = Counter()
        for word, n in Counter(w for t in texts for w in CAPITALISED_RE.findall(t)).items():
            capitalised[fold(word)] += n  # fold each distinct word once, not every occurrence
        # Names: words written with a capital nearly everywhere ("Trotsky", "Coyoacan"), so not
        # just at the start of sentences.
        self.names = frozenset(w for w, n in capitalised.items() if n >= NAME_SHARE * self.counts.get(w, n))
        self.aliases = aliases(texts, self.names)
        self.stems = frozenset(stem(w) for w in self.counts)
        # Each corpus word of five letters or more (seen twice or more: a word the sources use once
        # is rarely the one a typo meant, and the index would double) under each of its one- and
        # two-letter deletions: a symmetric delete index, a lookup instead of trying every double
        # edit. Built here, once per index generation, not by whichever question first needs it.
        self.deletion_index: dict[str, list[str]] = {}
        for word, n in self.counts.items():
            if n >= 2 and len(word) >= 5 and word.isalpha():
                for d in deletions(word):
                    self.deletion_index.setdefault(d, []).append(word)

    def content_words(self) -> list[str]:
        """Every word of the corpus that can carry meaning, most frequent first."""
        return [w for w, _ in self.counts.most_common() if w not in STOPWORDS and w.isalpha()]

    def knows(self, word: str) -> bool:
        return fold(word) in self.counts

    def correct(self, word: str) -> str:
        """The most frequent corpus word one edit away from an unknown word, else (for a long word)
        two edits away; the word itself when it is short, known, or another form of a known word."""
        folded = fold(word)
        # Short words are left alone: "kids" is English even where the sources never use it; so is
        # another form of a word the sources use ("collaborate" beside their "collaborator").
        if len(folded) < 5 or folded in self.counts or not folded.isalpha() or stem(folded) in self.stems:
            return word
        # Most typos leave a letter out ("happend", "murderd"), so insertions are tried first.
        for candidates in edits1_by_kind(folded):
            known = [w for w in candidates if w in self.counts]
            if known:
                return self.most_frequent(known)
        if len(folded) >= 7:  # long words may be two slips away
            known = [w for w in self.near(folded) if distance(folded, w) <= 2]
            if known:
                return self.most_frequent(known)
        return word

    def most_frequent(self, words: list[str]) -> str:
        return max(words, key=lambda w: (self.counts[w], w))  # ties broken by the word: the same pick every run

    def near(self, word: str) -> set[str]:
        """Corpus words that share with the word a string made by deleting up to two letters from
        each: every word two edits away, and some more."""
        return {w for d in deletions(word) for w in self.deletion_index.get(d, ())}

    def repair(self, question: str) -> str:
        """The question with misspelt words replaced by the corpus words they were meant to be."""
        return TOKEN_RE.sub(lambda m: self.correct(m.group(0)), question)

    def mentions(self, phrase: str) -> bool:
        return " ".join(fold(phrase).split()) in self.folded

    def unmentioned(self, question: str) -> list[str]:
        """Specific things the question names that no source mentions: quoted titles and proper names."""
        missing = [p for p in QUOTED_RE.findall(question) if not self.mentions(p)]
        for name in proper_names(question):
            if not self.knows(name) and not any(name in p for p in missing):
                missing.append(name)
        return missing


def aliases(texts: list[str], names: frozenset[str]) -> dict[str, frozenset[str]]:
    """For each (folded) surname, the other surnames the sources give the same person.

    Keyed by surname: two people of one surname (Lev and Sergei Sedov) share their aliases.
    """
    groups: dict[str, set[str]] = {}
    for text in texts:
        for found in named_together(text):
            found &= names
            merged = found.union(*(groups.get(name, set()) for name in found))
            for name in merged:
                groups[name] = merged
    return {name: frozenset(group - {name}) for name, group in groups.items() if len(group) > 1}


def named_together(text: str) -> Iterator[set[str]]:
    """The surnames of each "X, alias Y" (and the like) in a text, folded.

    Only the text around the words that introduce another name is searched: scanning a whole
    20 MB reading list once per pattern costs a second.
    """
    for start, end in windows(ALIAS_CUE.finditer(text), ALIAS_REACH, len(text)):
        for pattern in ALIAS_RES:
            for match in pattern.finditer(text, start, end):
                yield {fold(name.split()[-1]).strip("'-") for name in match.groups() if name}


def windows(cues: Iterator[re.Match[str]], reach: int, size: int) -> Iterator[tuple[int, int]]:
    """The spans `reach` characters either side of each cue, overlapping spans merged."""
    span: tuple[int, int] | None = None
    for cue in cues:
        start, end = max(0, cue.start() - reach), min(size, cue.end() + reach)
        if span and start <= span[1]:
            span = (span[0], end)
            continue
        if span:
            yield span
        span = (start, end)
    if span:
        yield span


def proper_names(question: str) -> list[str]:
    """Capitalised words that do not start a sentence ("Kronstadt"; not "I", not "What")."""
    names = []
    for sentence in split_sentences(question):
        for token in TOKEN_RE.findall(sentence)[1:]:
            name = re.sub(r"[’']s$", "", token).strip("'’-")
            if len(name) > 1 and name[:1].isupper():
                names.append(name)
    return names


def edits1_by_kind(word: str) -> list[set[str]]:
    """Words one edit away: insertions, transpositions, replacements, deletions."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    inserts = {a + c + b for a, b in splits for c in LETTERS}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    deletes = {a + b[1:] for a, b in splits if b}
    return [inserts, transposes, replaces, deletes]


def deletions(word: str) -> set[str]:
    """The word and every string made from it by deleting one or two letters."""
    once = {word[:i] + word[i + 1:] for i in range(len(word))}
    return {word} | once | {d[:i] + d[i + 1:] for d in once for i in range(len(d))}


def distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn a into b."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


SYNONYM_FLOOR = 0.65  # static-embedding cosine from which a word counts as a near synonym


class Lexicon:
    """What the answer layer knows of one index generation's words."""

    def __init__(self, lexical: LexicalIndex, texts: list[str], word_vectors: Callable[[list[str]], np.ndarray]) -> None:
        self.stats = TermStats(lexical)
        self.vocabulary = Vocabulary(texts)
        self.word_vectors = word_vectors
        # Every inflected form of an indexed stem, so "killed" meets "murdered", not only "murder".
        self.words = [w for w in self.vocabulary.content_words()
                      if w not in self.vocabulary.names and stem(w) in self.stats.vocab]
        self.word_stems = [stem(w) for w in self.words]
        self.vectors = word_vectors(self.words) if self.words else None

    def synonyms(self, words: list[str]) -> dict[str, list[tuple[str, float]]]:
        """For each word's stem, the indexed stems close to it in meaning, with their similarity.

        A name has none: "Trotskyist" is not a way of saying "Trotsky".
        """
        found: dict[str, list[tuple[str, float]]] = {}
        if self.vectors is None or not words:
            return found
        similarities = self.word_vectors(words) @ self.vectors.T
        for word, row in zip(words, similarities):
            own = stem(word)
            close: dict[str, float] = {}
            if fold(word) not in self.vocabulary.names:
                for i in np.flatnonzero(row >= SYNONYM_FLOOR):
                    other = self.word_stems[i]
                    if other != own:
                        close[other] = max(close.get(other, 0.0), float(row[i]))
                for form in other_forms(own):  # "kept" is "keep", whatever the vectors say
                    if self.stats.frequency(form):
                        close[form] = 1.0
            found[own] = sorted(close.items(), key=lambda item: -item[1])
        return found

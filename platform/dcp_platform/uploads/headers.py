"""Reading a column header as people write it: its words (normalised) and the item numbers it names.

"12) How long has the household continuously lived in the district?", "LEAD_NAT", "hhmSex2", "Hhld Mbr 2 Age",
"tenancy.startDate", "2nd person sex": question numbers are dropped, camelCase, snake_case and dotted names
split, phrases and abbreviations expanded (the general vocabulary, then the collection's), unknown short words
resolved against the words the definition uses ("nat" -> "nationality", "chg" -> "charge"), words stemmed. Item
numbers come from "Person 2", "P2", "HHM2", "member2", "second person", "lead tenant" (the first) ...
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .vocabulary import (
    FIRST_ITEM_WORDS,
    NOT_ITEM_AFTER,
    NOT_ITEM_BEFORE,
    ORDINALS,
    STOPWORDS,
    SYNONYMS,
    ColumnVocabulary,
)

# "12) ...", "Q3 ...", "1. ...", "Question 4: ..." at the start of a survey's header
_QUESTION_NUMBER_RE = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\d{1,3}[a-z]?\s*(?:[).:\-]\s*|\s+(?=[A-Za-z]))", re.I)
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2})")
_LETTER_DIGIT_RE = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_ORDINAL_RE = re.compile(r"\b(" + "|".join(sorted(ORDINALS, key=len, reverse=True)) + r")\b", re.I)
_VOWELS = frozenset("aeiou")
_ITEM_DIGITS = frozenset("123456789")  # a member of a group is named by one digit: "12" is not a member
_PATH_DOT_RE = re.compile(r"(?<=[A-Za-z0-9\]])\.(?=[A-Za-z])")  # "tenancy.startDate", not "No. of" or "3.5"


def stem(word: str) -> str:
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def raw_tokens(text: str) -> list[str]:
    """Lower-case tokens of a header: question number dropped, camelCase / snake_case / dots / digits split."""
    text = _QUESTION_NUMBER_RE.sub("", text or "", count=1)
    text = _ORDINAL_RE.sub(lambda m: f" {ORDINALS[m.group(1).lower()]} ", text)
    text = _LETTER_DIGIT_RE.sub(" ", _CAMEL_RE.sub(" ", text))
    return [token for token in re.split(r"[^A-Za-z0-9]+", text.lower()) if token]


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(char in letters for char in short)


@dataclass(frozen=True)
class HeaderReading:
    words: tuple[str, ...]  # stemmed, item words left in (the scorer decides what they mean)
    items: tuple[int, ...]  # item numbers named, 1 for "lead"/"main"/"first" ...
    context: frozenset[str] = frozenset()  # words only from the leading parts of a dotted name ("property.")


class HeaderReader:
    """Reads headers with a collection's vocabulary and the words of one definition (for unknown abbreviations)."""

    def __init__(self, vocabulary: ColumnVocabulary | None = None, definition_words: Iterable[str] = ()) -> None:
        self.vocabulary = vocabulary or ColumnVocabulary()
        self.expansions = self.vocabulary.words
        self.phrases = sorted(
            ((tuple(key.split()), value.split()) for key, value in self.vocabulary.phrases.items()),
            key=lambda pair: -len(pair[0]),
        )
        counts: Counter[str] = Counter(w for w in definition_words if len(w) > 2 and w.isalpha())
        for expansion in self.expansions.values():
            counts.update(w for w in expansion.split() if len(w) > 2 and w.isalpha())
        self.word_counts = counts
        self.known = frozenset(counts) | frozenset(self.expansions) | STOPWORDS
        self._read = lru_cache(maxsize=4096)(self._read_uncached)

    def read(self, header: str) -> HeaderReading:
        return self._read(header)

    def words(self, text: str) -> list[str]:
        return list(self.read(text).words)

    def id_words(self, identifier: str) -> list[str]:
        """Words of a question id or flat name: the words of its parts, and of its run-together parts split."""
        spaced = []
        for token in raw_tokens(identifier.replace("_", " ")):
            spaced.extend(self._split_compound(token, force=True))
        return self.words(" ".join(spaced))

    # ------------------------------------------------------------------------------------------ internals

    def _apply_phrases(self, tokens: list[str]) -> list[str]:
        if not self.phrases:
            return tokens
        result: list[str] = []
        index = 0
        while index < len(tokens):
            for key, expansion in self.phrases:
                if tuple(tokens[index : index + len(key)]) == key:
                    result.extend(expansion)
                    index += len(key)
                    break
            else:
                result.append(tokens[index])
                index += 1
        return result

    def _split_compound(self, word: str, force: bool = False) -> list[str]:
        """"tenancycode" -> ["tenancy", "code"] when both halves are known words (ids often run words together).

        `force` splits a word the definition itself uses (its ids: "prevten" -> "prev", "ten").
        """
        if (word in self.known and not force) or len(word) < 6:
            return [word]
        for cut in range(len(word) - 3, 2, -1):
            head, tail = word[:cut], word[cut:]
            if head in self.known and (tail in self.known or self._split_compound(tail) != [tail]):
                return [head, *self._split_compound(tail)]
        return [word]

    def resolve(self, token: str) -> str:
        """An unknown abbreviation -> the definition's word it most likely shortens ("nat" -> "nationality")."""
        if token in self.known or not 3 <= len(token) <= 4 or not token.isalpha():
            return token  # longer words are words ("house" is not "household")
        prefixed = [w for w in self.word_counts if w.startswith(token) and len(w) > len(token) + 1]
        if prefixed:
            return max(prefixed, key=lambda w: (self.word_counts[w], -len(w)))
        if sum(1 for c in token if c in _VOWELS) <= 1:  # "chg", "mbr", "wchr": letters kept from a longer word
            shortened = [w for w in self.word_counts if w[0] == token[0] and len(w) > len(token) + 1
                         and _is_subsequence(token, w)]
            if shortened:
                return max(shortened, key=lambda w: (self.word_counts[w], -len(w)))
        return token

    def _expand(self, token: str) -> list[str]:
        if token in self.expansions:
            return self.expansions[token].split()
        parts = self._split_compound(token)
        if len(parts) > 1:
            return [w for part in parts for w in (self.expansions.get(part, part).split())]
        resolved = self.resolve(token)
        return self.expansions.get(resolved, resolved).split()

    def _read_uncached(self, header: str) -> HeaderReading:
        segments = _PATH_DOT_RE.split(header or "")
        if len(segments) > 1:  # "property.address.town": the last part says what it is, the others where
            last = self._read_words(segments[-1])
            leading = self._read_words(" ".join(segments[:-1]))
            context = frozenset(leading.words) - set(last.words)
            return HeaderReading(leading.words + last.words, tuple(dict.fromkeys(leading.items + last.items)), context)
        return self._read_words(header)

    def _rejoin(self, tokens: list[str]) -> list[str]:
        """"PCode" was split as "P Code": a single letter and the next word that make a known word go back."""
        result: list[str] = []
        for token in tokens:
            if result and len(result[-1]) == 1 and result[-1].isalpha() and result[-1] + token in self.expansions:
                result[-1] += token
            else:
                result.append(token)
        return result

    def _read_words(self, header: str) -> HeaderReading:
        tokens = self._apply_phrases(self._rejoin(raw_tokens(header)))
        items: list[int] = []
        kept: list[str] = []
        for index, token in enumerate(tokens):
            if token.isdigit():
                before = tokens[index - 1] if index else ""
                after = tokens[index + 1] if index + 1 < len(tokens) else ""
                if before in NOT_ITEM_BEFORE:
                    if kept and kept[-1] == before:
                        kept[-1] = f"{before}{token}"  # "line 2", "part 1" name a field, not a person
                    continue
                if token in _ITEM_DIGITS and after not in NOT_ITEM_AFTER:
                    items.append(int(token))
                continue
            if token in FIRST_ITEM_WORDS:
                items.append(1)
            kept.append(token)
        result: list[str] = []
        for token in kept:
            if token in STOPWORDS:
                continue
            for word in self._expand(token):
                if word.isdigit():
                    if word in _ITEM_DIGITS:
                        items.append(int(word))  # a phrase that names an item ("co tenant" -> "person 2")
                    continue
                if word not in STOPWORDS:
                    result.append(stem(word))
        return HeaderReading(tuple(result), tuple(dict.fromkeys(items)))


_GENERAL = HeaderReader(ColumnVocabulary(), [w for value in SYNONYMS.values() for w in value.split()])


def words(text: str) -> list[str]:
    """Normalised words of a header or label with the general vocabulary only."""
    return _GENERAL.words(text)


def item_numbers(text: str) -> list[int]:
    return list(_GENERAL.read(text).items)

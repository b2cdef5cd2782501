"""Proposing a mapping from a provider's own columns to the definition's template fields.

Evidence comes from two places: the header (its words against each question's id, label, error name, option
labels and the definition's optional `synonyms`) and the values in the column (dates, postcodes, numbers in
range, answer codes or labels, yes/no ticks). One column may fill several template fields (a whole date fills
day, month and year; a whole postcode fills both parts), and each yes/no tick column can fill one option of a
checkboxes question. A column whose best score is below the threshold is left for the user: never guessed.

Nothing here is specific to a collection: every target comes from the definition.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dcp_platform.definitions import Definition, Question, normalise_postcode

from .vocabulary import FIRST_ITEM_WORDS, ITEM_WORDS, STOPWORDS, SYNONYMS

THRESHOLD = 0.42
SAMPLE_ROWS = 300

_OUTWARD_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_INWARD_RE = re.compile(r"^[0-9][A-Z]{2}$")
_NUMBER_RE = re.compile(r"^[+-]?£?\d[\d,]*(\.\d+)?$")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{2}|\d{4})$"),
    re.compile(r"^(?P<d>\d{1,2})[ \-/](?P<mon>[A-Za-z]{3,9})[ \-/](?P<y>\d{2}|\d{4})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)
TICK_VALUES = frozenset({"1", "0", "y", "n", "yes", "no", "true", "false", "x", "t", "f"})


# ---------------------------------------------------------------------------------------------- words


def _stem(word: str) -> str:
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def _split_compound(word: str, known: frozenset[str]) -> list[str]:
    """"tenancycode" -> ["tenancy", "code"] when both halves are known words (ids often run words together)."""
    if word in known or len(word) < 6:
        return [word]
    for cut in range(len(word) - 3, 2, -1):
        head, tail = word[:cut], word[cut:]
        if head in known and (tail in known or _split_compound(tail, known) != [tail]):
            return [head, *_split_compound(tail, known)]
    return [word]


_KNOWN: frozenset[str] = frozenset(SYNONYMS) | frozenset(v for value in SYNONYMS.values() for v in value.split())


def words(text: str, known: frozenset[str] = _KNOWN) -> list[str]:
    """Normalised words of a header or label: split camelCase and digits, expand abbreviations, stem."""
    spaced = _CAMEL_RE.sub(" ", text or "")
    result: list[str] = []
    for token in re.split(r"[^A-Za-z0-9]+", spaced.lower()):
        for raw in _split_compound(token, known) if token else []:
            if not raw or raw in STOPWORDS:
                continue
            for word in SYNONYMS.get(raw, raw).split():
                if word not in STOPWORDS:
                    result.append(_stem(word))
    return result


def item_numbers(text: str) -> list[int]:
    """Item numbers a header names ("Person 2", "P2_AGE"), with "lead"/"main" ... meaning the first."""
    spaced = _CAMEL_RE.sub(" ", text or "")
    numbers = [int(n) for n in re.findall(r"(?<![0-9])([1-9])(?![0-9])", spaced)]
    if FIRST_ITEM_WORDS & set(re.split(r"[^a-z]+", spaced.lower())):
        numbers.append(1)
    return numbers


_ITEM_STEMS = frozenset(_stem(w) for w in ITEM_WORDS | FIRST_ITEM_WORDS)


# ---------------------------------------------------------------------------------------------- values


def parse_date(text: str) -> tuple[int, int, int] | None:
    """(day, month, year) of a date written in a common way, or None. Impossible dates keep their parts."""
    value = text.strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        parts = match.groupdict()
        month = int(parts["m"]) if parts.get("m") else _MONTHS.get((parts.get("mon") or "")[:3].lower(), 0)
        year = int(parts["y"])
        year = year + 2000 if year < 100 else year
        day = int(parts["d"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return day, month, year
    return None


def is_real_date(text: str) -> bool:
    parts = parse_date(text)
    if parts is None:
        return False
    try:
        date(parts[2], parts[1], parts[0])
    except ValueError:
        return False
    return True


@dataclass
class ColumnProfile:
    header: str
    values: list[str]
    distinct: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.distinct = Counter(v.strip() for v in self.values if v.strip())

    def share(self, test: Any) -> float:
        total = sum(self.distinct.values())
        if not total:
            return 0.0
        return sum(count for value, count in self.distinct.items() if test(value)) / total

    @property
    def empty(self) -> bool:
        return not self.distinct


def _number(text: str) -> float | None:
    cleaned = text.replace(",", "").replace("£", "")
    if not _NUMBER_RE.match(text.strip()):
        return None
    try:
        return float(cleaned)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------- targets


@dataclass
class Target:
    """Something one source column can fill: a whole question, a part of one, or one tick option."""

    key: str
    question: Question
    item: int | None
    kind: str  # value | date | date_part | postcode | postcode_part | tick
    fields: tuple[int, ...]
    part: Any = None
    bag: set[str] = field(default_factory=set)  # words that describe the target
    core: set[str] = field(default_factory=set)  # words from the id / name: strong evidence


def _question_text(question: Question) -> list[str]:
    synonyms = question.extra.get("synonyms") or []
    return [question.label, question.error_name or "", *[str(s) for s in synonyms]]


def _id_words(question: Question, flat_name: str) -> set[str]:
    return set(words(question.id.replace("_", " "))) | set(words(flat_name.replace("_", " ")))


def build_targets(definition: Definition) -> list[Target]:
    targets: list[Target] = []
    for question in definition.questions.values():
        if question.template_codec and len(question.template_fields_for(1) or question.all_template_fields()) > 1:
            continue  # multi-column codecs are template-only encodings
        items: Iterable[int | None] = sorted(question.template_fields) if isinstance(question.template_fields, dict) \
            else [None]
        for item in items:
            numbers = tuple(question.template_fields_for(item))
            if not numbers:
                continue
            flat = definition.flat_name(question, item)
            core = _id_words(question, flat)
            bag = core | {w for text in _question_text(question) for w in words(text)}
            key = flat if item is not None else question.id
            if question.type == "date" and len(numbers) == 3:
                targets.append(Target(key, question, item, "date", numbers, None, set(bag), set(core)))
                for part, number in zip(("day", "month", "year"), numbers, strict=True):
                    targets.append(Target(f"{key}.{part}", question, item, "date_part", (number,), part,
                                          bag | {part}, core | {part}))
            elif question.type == "postcode" and len(numbers) == 2:
                targets.append(Target(key, question, item, "postcode", numbers, None, set(bag), set(core)))
                for part, number in zip(("outward", "inward"), numbers, strict=True):
                    extra = {"outward", "part", "1", "first"} if part == "outward" else {"inward", "part", "2", "second"}
                    targets.append(Target(f"{key}.{part}", question, item, "postcode_part", (number,), part,
                                          bag | extra, core | {part}))
            else:
                option_words = {w for option in question.options for w in words(option.label)}
                targets.append(Target(key, question, item, "value", numbers[:1] if len(numbers) > 1 else numbers,
                                      None, bag | option_words, core))
        for option in question.options:
            if option.template_fields:
                core = set(words(str(option.code).replace("_", " "))) | set(words(option.flat_name or ""))
                bag = core | set(words(option.label)) | set(words(question.label))
                targets.append(Target(f"{question.id}={option.code}", question, None, "tick",
                                      tuple(option.template_fields), option.code, bag, core | set(words(option.label))))
    return targets


# ---------------------------------------------------------------------------------------------- scoring


def _idf(targets: Sequence[Target]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    for target in targets:
        frequency.update(target.bag)
    total = len(targets)
    return {word: math.log(1 + total / count) for word, count in frequency.items()}


def header_score(header_words: list[str], target: Target, idf: dict[str, float]) -> float:
    if not header_words:
        return 0.0
    unique = set(header_words)
    default = sorted(idf.values())[len(idf) // 2] if idf else 1.0  # a word no target knows: a typical weight
    weight = sum(idf.get(w, default) for w in unique)
    matched = sum(idf.get(w, default) for w in unique & target.bag)
    core_hit = sum(idf.get(w, default) for w in unique & target.core)
    precision = matched / weight
    core_weight = sum(idf.get(w, default) for w in target.core) or 1.0
    recall = core_hit / core_weight
    return min(1.0, 0.75 * precision + 0.25 * recall)


def _option_match(question: Question, value: str) -> bool:
    text = value.strip().lower()
    return any(str(option.code).lower() == text or option.label.lower() == text for option in question.options)


def value_score(profile: ColumnProfile, target: Target) -> float:  # noqa: PLR0911 - one branch per kind
    """How well the column's values fit the target: 0 (impossible) to 1 (typical)."""
    if profile.empty:
        return 0.5
    question = target.question
    kind = question.type
    dates = profile.share(lambda v: parse_date(v) is not None)
    if target.kind == "date":
        return dates
    if target.kind == "date_part":
        limits = {"day": (1, 31), "month": (1, 12), "year": (0, 2100)}[target.part]
        return profile.share(lambda v: v.isdigit() and limits[0] <= int(v) <= limits[1])
    if target.kind == "postcode":
        return profile.share(lambda v: normalise_postcode(v) is not None)
    if target.kind == "postcode_part":
        pattern = _OUTWARD_RE if target.part == "outward" else _INWARD_RE
        return profile.share(lambda v: bool(pattern.match(v.strip().upper())))
    if target.kind == "tick":
        return profile.share(lambda v: v.lower() in TICK_VALUES)
    if dates > 0.8:
        return 0.0  # a date column fills only a date
    if kind in ("integer", "decimal", "money"):
        numbers = [n for n in (_number(v) for v in profile.distinct) if n is not None]
        if not numbers or len(numbers) < 0.8 * len(profile.distinct):
            return 0.1 if kind != "integer" else profile.share(lambda v: v.upper() == "R") * 0.8
        low = question.min if isinstance(question.min, int | float) else None
        high = question.max if isinstance(question.max, int | float) else None
        inside = sum(1 for n in numbers if (low is None or n >= low) and (high is None or n <= high)) / len(numbers)
        return inside
    if question.options:
        matched = profile.share(lambda v: _option_match(question, v))
        distinct = len(profile.distinct)
        if distinct > max(3 * len(question.options), 30):
            return 0.1  # free text, not a coded answer
        return 0.55 + 0.45 * matched  # unmatched labels are for the value mapping, not a reason to refuse
    if kind == "postcode":
        return profile.share(lambda v: normalise_postcode(v) is not None)
    if profile.share(lambda v: normalise_postcode(v) is not None) > 0.8:
        return 0.2
    if kind == "email":
        return profile.share(lambda v: "@" in v)
    return 0.7


def _item_fit(numbers: list[int], target: Target) -> float:
    if target.item is None:
        return 1.0 if not numbers else 0.9
    if not numbers:
        return 0.85 if target.item == 1 else 0.0
    return 1.0 if target.item in numbers else 0.0


@dataclass
class ColumnProposal:
    column: str
    index: int
    target: Target | None
    score: float

    @property
    def fields(self) -> list[int]:
        return list(self.target.fields) if self.target else []

    def as_json(self) -> dict[str, Any]:
        return {"column": self.column, "fields": self.fields, "score": round(self.score, 3)}


class AutoMapper:
    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.targets = build_targets(definition)
        self.idf = _idf(self.targets)

    def scores(self, profile: ColumnProfile) -> list[tuple[float, Target]]:
        header_words = words(profile.header)
        numbers = item_numbers(profile.header)
        result: list[tuple[float, Target]] = []
        for target in self.targets:
            fit = _item_fit(numbers, target)
            if fit == 0.0:
                continue
            seen = header_words if target.item is None else [w for w in header_words if w not in _ITEM_STEMS]
            if target.kind == "tick" and not set(seen) & target.core:
                continue  # a tick column must name its option
            text = header_score(seen, target, self.idf)
            if text < 0.15:
                continue
            values = value_score(profile, target)
            result.append((text * fit * (0.35 + 0.65 * values), target))
        result.sort(key=lambda pair: -pair[0])
        return result

    def propose(self, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[ColumnProposal]:
        samples: list[list[str]] = [[] for _ in headers]
        for count, row in enumerate(rows):
            if count >= SAMPLE_ROWS:
                break
            for index in range(len(headers)):
                samples[index].append(row[index] if index < len(row) else "")
        candidates: list[tuple[float, int, Target]] = []
        for index, header in enumerate(headers):
            for score, target in self.scores(ColumnProfile(header, samples[index]))[:12]:
                candidates.append((score, index, target))
        # Greedy: the strongest pairs first; a template field is filled by one column only.
        candidates.sort(key=lambda c: -c[0])
        chosen: dict[int, tuple[float, Target]] = {}
        used: set[int] = set()
        best: dict[int, float] = {}
        for score, index, target in candidates:
            best.setdefault(index, score)
            if index in chosen or score < THRESHOLD or used & set(target.fields):
                continue
            chosen[index] = (score, target)
            used.update(target.fields)
        return [
            ColumnProposal(header, index, chosen[index][1] if index in chosen else None,
                           chosen[index][0] if index in chosen else best.get(index, 0.0))
            for index, header in enumerate(headers)
        ]


# ---------------------------------------------------------------------------------------------- values


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in STOPWORDS).lower()


def suggest_code(question: Question, value: str) -> tuple[Any, float]:
    """The question's option code that a provider's value most likely means, with a confidence 0..1."""
    text = value.strip()
    lowered = text.lower()
    if not text or not question.options:
        return None, 0.0
    for option in question.options:
        if str(option.code).lower() == lowered:
            return option.code, 1.0
        if option.label.lower() == lowered:
            return option.code, 1.0
    if lowered in TICK_VALUES and question.type in ("yesno", "radios"):
        wanted = "yes" if lowered in {"1", "y", "yes", "true", "t", "x"} else "no"
        for option in question.options:
            if option.label.lower().startswith(wanted):
                return option.code, 0.8
    value_words = set(words(text))
    best: tuple[Any, float] = (None, 0.0)
    for option in question.options:
        abbreviations = {_initials(option.label), *re.findall(r"\(([A-Za-z]{2,6})\)", option.label.lower())}
        if lowered.replace(".", "") in abbreviations and len(lowered) >= 2:
            return option.code, 0.85
        label_words = set(words(option.label))
        if not value_words or not label_words:
            continue
        overlap = len(value_words & label_words) / len(value_words | label_words)
        prefix = option.label.lower().startswith(lowered) and len(lowered) >= 3
        score = max(overlap, 0.7 if prefix else 0.0)
        if score > best[1]:
            best = (option.code, score)
    return best if best[1] >= 0.34 else (None, best[1])


def to_template_cells(target: Target, raw: str) -> dict[int, str]:
    """Split one source cell into the template cells it fills."""
    text = raw.strip()
    if target.kind == "date":
        parts = parse_date(text)
        if parts is None:
            return {target.fields[0]: text, target.fields[1]: "", target.fields[2]: ""} if text else {}
        return dict(zip(target.fields, (str(p) for p in parts), strict=True))
    if target.kind == "postcode":
        compact = re.sub(r"\s+", "", text.upper())
        if len(compact) > 3:
            return {target.fields[0]: compact[:-3], target.fields[1]: compact[-3:]}
        return {target.fields[0]: text}
    if target.kind == "tick":
        return {target.fields[0]: "1" if text.lower() in {"1", "y", "yes", "true", "t", "x"} else "0" if text else ""}
    return {target.fields[0]: text}

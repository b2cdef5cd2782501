"""Proposing a mapping from a provider's own columns to the definition's template fields.

Evidence comes from three places. The header (headers.py: its words against each question's id, label, error
name, option labels, and the synonyms its definition and collection give it; the item number it names). The
values in the column (dates, postcodes, numbers in range, money, answer codes or labels, yes/no ticks, lists of
options, identifiers, free text). And what users confirmed before (learned.py: a header an organisation, or
several organisations, mapped to a target). One column may fill several template fields (a whole date fills
day, month and year; a whole postcode both parts; a list of ticked options every option of a checkboxes
question), and each yes/no tick column can fill one option of a checkboxes question.

The file is decided as a whole: every (column, target) pair is scored, then pairs are taken strongest first so
that each template field is filled once and a column that lost its target to a stronger column only takes
another when that one is nearly as good; a column whose best evidence is thin is left for the user, never
guessed. Nothing here is specific to a collection: every target comes from the definition.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dcp_platform.definitions import Definition, Question, normalise_postcode

from .headers import HeaderReader, HeaderReading, item_numbers, stem, words
from .learned import LearnedMappings, header_key
from .vocabulary import FIRST_ITEM_WORDS, ITEM_WORDS, STOPWORDS, WHO_WORDS, ColumnVocabulary

__all__ = ["AutoMapper", "ColumnProfile", "ColumnProposal", "Target", "item_numbers", "parse_date", "words"]

THRESHOLD = 0.42
SAMPLE_ROWS = 300
# A column whose best target went to a stronger column takes its next best only when that is nearly as good.
FALLBACK_SHARE = 0.85

_OUTWARD_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_INWARD_RE = re.compile(r"^[0-9][A-Z]{2}$")
_NUMBER_RE = re.compile(r"^[+-]?£?\d[\d,]*(\.\d+)?$")
_DECIMAL_RE = re.compile(r"^[+-]?£?\d[\d,]*\.\d{1,2}$")
_IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-_.]*$")
_LIST_SPLIT_RE = re.compile(r"\s*(?:;#|;|\||,)\s*")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DATE_PATTERNS = (
    re.compile(rf"^(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_TIME}$"),
    re.compile(rf"^(?P<d>\d{{1,2}})[/.\-](?P<m>\d{{1,2}})[/.\-](?P<y>\d{{2}}|\d{{4}}){_TIME}$"),
    re.compile(rf"^(?P<d>\d{{1,2}})[ \-/](?P<mon>[A-Za-z]{{3,9}})[ \-/](?P<y>\d{{2}}|\d{{4}}){_TIME}$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)
# Excel's day numbers for 1 January 2000 and 31 December 2049: spreadsheets often export dates as these.
_SERIAL_RANGE = (36526, 54788)
_EXCEL_EPOCH = date(1899, 12, 30)
TICK_VALUES = frozenset({"1", "0", "y", "n", "yes", "no", "true", "false", "x", "t", "f"})
TRUE_VALUES = frozenset({"1", "y", "yes", "true", "t", "x"})
_ITEM_STEMS = frozenset(stem(w) for w in ITEM_WORDS | FIRST_ITEM_WORDS)
_WHO_STEMS = frozenset(stem(w) for w in WHO_WORDS | FIRST_ITEM_WORDS)


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


def serial_date(text: str) -> tuple[int, int, int] | None:
    """An Excel day number (46115 = 3 April 2026) as (day, month, year), for 2000 to 2049 only."""
    value = text.strip()
    if not value.isdigit() or not _SERIAL_RANGE[0] <= int(value) <= _SERIAL_RANGE[1]:
        return None
    day = _EXCEL_EPOCH + timedelta(days=int(value))
    return day.day, day.month, day.year


def is_real_date(text: str) -> bool:
    parts = parse_date(text)
    if parts is None:
        return False
    try:
        date(parts[2], parts[1], parts[0])
    except ValueError:
        return False
    return True


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace("£", "")
    if not _NUMBER_RE.match(text.strip()):
        return None
    try:
        return float(cleaned)
    except ValueError:
        return None


@dataclass
class ColumnProfile:
    """What a column holds, from a sample of its rows: the shares of its non-empty values of each shape."""

    header: str
    values: list[str]
    distinct: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.distinct = Counter(v.strip() for v in self.values if v.strip())
        self._shares: dict[str, float] = {}

    @property
    def empty(self) -> bool:
        return not self.distinct

    def share(self, test: Any) -> float:
        total = sum(self.distinct.values())
        if not total:
            return 0.0
        return sum(count for value, count in self.distinct.items() if test(value)) / total

    def shape(self, name: str) -> float:
        """Share of values that are dates, serials, postcodes, numbers, decimals, ticks, identifiers, text."""
        if name not in self._shares:
            tests = {
                "date": lambda v: parse_date(v) is not None,
                "serial": lambda v: serial_date(v) is not None,
                "postcode": lambda v: normalise_postcode(v) is not None,
                "number": lambda v: _number(v) is not None,
                "decimal": lambda v: bool(_DECIMAL_RE.match(v)),
                "tick": lambda v: v.lower() in TICK_VALUES,
                "identifier": lambda v: bool(_IDENTIFIER_RE.match(v)) and any(c.isdigit() for c in v),
                "text": lambda v: " " in v.strip(),
                "email": lambda v: "@" in v and "." in v.split("@")[-1],
            }
            self._shares[name] = self.share(tests[name])
        return self._shares[name]

    @property
    def distinct_share(self) -> float:
        """Distinct values / values: near 1 for references, low for coded answers."""
        total = sum(self.distinct.values())
        return len(self.distinct) / total if total else 0.0


# ---------------------------------------------------------------------------------------------- targets


@dataclass
class Target:
    """Something one source column can fill: a whole question, a part of one, one tick option, or all options."""

    key: str
    question: Question
    item: int | None
    kind: str  # value | date | date_part | postcode | postcode_part | tick | choices
    fields: tuple[int, ...]
    part: Any = None
    bag: set[str] = field(default_factory=set)  # words that describe the target
    core: set[str] = field(default_factory=set)  # words from the id, label and synonyms: strong evidence
    own: set[str] = field(default_factory=set)  # a tick option's own words (not its question's): a tick header names one
    names: list[frozenset[str]] = field(default_factory=list)  # the words of each of its names (label, synonyms, id)


def _question_texts(question: Question, synonyms: Sequence[str]) -> list[str]:
    own = question.extra.get("synonyms") or []
    return [question.label, question.error_name or "", *[str(s) for s in own], *synonyms]


def build_targets(definition: Definition, reader: HeaderReader | None = None,
                  vocabulary: ColumnVocabulary | None = None) -> list[Target]:
    reader = reader or HeaderReader(vocabulary)
    read, id_read = reader.words, reader.id_words
    vocabulary = vocabulary or ColumnVocabulary()
    targets: list[Target] = []
    for question in definition.questions.values():
        synonyms = vocabulary.synonyms_for(definition.form, question.id)
        texts = _question_texts(question, synonyms)
        label_words = {w for text in texts for w in read(text)}
        text_names = [frozenset(read(text)) for text in texts if text]
        codec_fields = question.template_fields_for(1) or question.all_template_fields()
        if question.template_codec and len(codec_fields) > 1 and not (question.type == "date" and len(codec_fields) == 3):
            continue  # multi-column codecs are template-only encodings (a date's still takes day, month, year)
        items: Iterable[int | None] = sorted(question.template_fields) if isinstance(question.template_fields, dict) \
            else [None]
        for item in items:
            numbers = tuple(question.template_fields_for(item))
            if not numbers:
                continue
            flat = definition.flat_name(question, item)
            id_words = set(id_read(question.id)) | set(id_read(flat))
            core = id_words | {w for w in label_words if w not in _ITEM_STEMS or item is None}
            bag = set(core)
            key = flat if item is not None else question.id
            names = [frozenset(id_read(question.id)), frozenset(id_read(flat)), *text_names]
            if item is not None:
                names = [name - _ITEM_STEMS for name in names]
            names = [name for name in names if name]
            if question.type == "date" and len(numbers) == 3:
                targets.append(Target(key, question, item, "date", numbers, None, set(bag), set(core), names=names))
                for part, number in zip(("day", "month", "year"), numbers, strict=True):
                    targets.append(Target(f"{key}.{part}", question, item, "date_part", (number,), part,
                                          bag | {part}, core | {part}, names=[n | {part} for n in names]))
            elif question.type == "postcode" and len(numbers) == 2:
                targets.append(Target(key, question, item, "postcode", numbers, None, set(bag), set(core),
                                      names=names))
                for part, number in zip(("outward", "inward"), numbers, strict=True):
                    extra = {"outward", "part1", "first", "out"} if part == "outward" else \
                        {"inward", "part2", "second", "in"}
                    targets.append(Target(f"{key}.{part}", question, item, "postcode_part", (number,), part,
                                          bag | extra, core | {part}, names=[n | {part} for n in names]))
            else:
                option_words = {w for option in question.options for w in read(option.label)}
                targets.append(Target(key, question, item, "value", numbers[:1] if len(numbers) > 1 else numbers,
                                      None, bag | option_words, core, names=names))
        ticked = [option for option in question.options if option.template_fields]
        for option in ticked:
            option_core = set(id_read(str(option.code))) | set(id_read(option.flat_name or ""))
            option_label = set(read(option.label))
            targets.append(Target(f"{question.id}={option.code}", question, None, "tick",
                                  tuple(option.template_fields), option.code,
                                  option_core | option_label | label_words, option_core | option_label,
                                  own=option_label | (option_core - label_words),
                                  names=[n for n in (frozenset(option_label), frozenset(option_core)) if n]))
        if len(ticked) > 1:
            fields = tuple(number for option in ticked for number in option.template_fields)
            core = set(id_read(question.id)) | label_words
            option_words = {w for option in ticked for w in read(option.label)}
            targets.append(Target(f"{question.id}=*", question, None, "choices", fields, None,
                                  core | option_words, core, names=[n for n in text_names if n]))
    return targets


def definition_words(definition: Definition, vocabulary: ColumnVocabulary | None = None) -> list[str]:
    """Every word of the definition's ids, labels and synonyms (not option labels), as written: for abbreviations."""
    vocabulary = vocabulary or ColumnVocabulary()
    texts: list[str] = []
    for question in definition.questions.values():
        texts.extend([question.id.replace("_", " "),
                      *_question_texts(question, vocabulary.synonyms_for(definition.form, question.id))])
        texts.extend(str(option.flat_name or "") for option in question.options)
    return [w for text in texts for w in re.split(r"[^a-z]+", text.lower()) if w]


# ---------------------------------------------------------------------------------------------- scoring


def _idf(targets: Sequence[Target]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    for target in targets:
        frequency.update(target.bag)
    total = len(targets)
    return {word: math.log(1 + total / count) for word, count in frequency.items()}


def header_score(header_words: Sequence[str], target: Target, idf: dict[str, float], default: float,
                 ignorable: frozenset[str] = frozenset()) -> float:
    """How well a header's words name the target: 1 when they are one of its names exactly.

    Precision: the share of the header's words (by weight) that the target's id, label or synonyms use (its
    option labels count a little). Recall: the share of the best-matching name's words the header has. Words
    that only say who or where (`ignorable`: "lead", "person", a dotted name's leading parts) count only when
    the target uses them.
    """
    unique = set(header_words)
    counted = {w for w in unique if w in target.bag or w not in ignorable}
    weight = sum(idf.get(w, default) for w in counted)
    if not weight:
        return 0.0
    core_hit = sum(idf.get(w, default) for w in unique & target.core)
    bag_hit = sum(idf.get(w, default) for w in (unique & target.bag) - target.core)
    precision = (core_hit + 0.3 * bag_hit) / weight
    recall = 0.0
    for name in target.names:
        name_weight = sum(idf.get(w, default) for w in name)
        if name_weight:
            recall = max(recall, sum(idf.get(w, default) for w in name & unique) / name_weight)
    return min(1.0, 0.6 * precision + 0.4 * recall)


class ValueJudge:
    """How well a column's values fit a target: 0 (impossible) to 1 (typical). Option matches are remembered."""

    def __init__(self, learned: LearnedMappings | None = None) -> None:
        self.learned = learned or LearnedMappings()
        self._codes: dict[tuple[str, str], bool] = {}
        self._facts: dict[str, list[OptionFacts]] = {}

    def option_matches(self, target: Target, value: str) -> bool:
        key = (target.question.id, value.lower())
        if key not in self._codes:
            facts = self._facts.get(target.question.id)
            if facts is None:
                facts = self._facts[target.question.id] = option_facts(target.question)
            code, confidence = suggest_code(target.question, value, facts)
            self._codes[key] = confidence >= 0.5 or self.learned.code_for(target.key, value) is not None
        return self._codes[key]

    def _options(self, profile: ColumnProfile, target: Target) -> float:
        question = target.question
        if profile.shape("date") > 0.8 or profile.shape("postcode") > 0.8:
            return 0.0
        if profile.shape("decimal") > 0.5:
            return 0.05  # money, not a coded answer
        distinct = len(profile.distinct)
        if distinct > max(3 * len(question.options), 30):
            return 0.1  # free text, not a coded answer
        matched = profile.share(lambda v: self.option_matches(target, v))
        numeric = profile.shape("number") > 0.9
        return (0.5 + 0.3 * matched) if numeric else (0.45 + 0.55 * matched)

    def _number(self, profile: ColumnProfile, target: Target) -> float:
        question = target.question
        numbers = [n for n in (_number(v) for v in profile.distinct) if n is not None]
        if not numbers or len(numbers) < 0.8 * len(profile.distinct):
            return 0.1 if question.type != "integer" else profile.share(lambda v: v.upper() == "R") * 0.8
        low = question.min if isinstance(question.min, int | float) else None
        high = question.max if isinstance(question.max, int | float) else None
        inside = sum(1 for n in numbers if (low is None or n >= low) and (high is None or n <= high)) / len(numbers)
        if question.type == "integer" and profile.shape("decimal") > 0.5:
            return 0.3 * inside  # pounds and pence are not a count
        if question.type in ("money", "decimal") and profile.shape("decimal") < 0.2:
            return 0.75 * inside
        return inside

    def _text(self, profile: ColumnProfile, target: Target) -> float:
        question = target.question
        if question.type == "email":
            return profile.shape("email")
        if question.type == "postcode":
            return profile.shape("postcode")
        if profile.shape("date") > 0.8 or profile.shape("serial") > 0.8:
            return 0.05
        if profile.shape("postcode") > 0.8 or profile.shape("decimal") > 0.8 or profile.shape("email") > 0.8:
            return 0.15
        if profile.shape("tick") > 0.9:
            return 0.2
        if question.pattern:
            pattern = re.compile(question.pattern)
            return 0.2 + 0.6 * profile.share(lambda v: bool(pattern.match(v)))
        if question.max_length:
            return 0.7 * profile.share(lambda v: len(v) <= question.max_length)
        return 0.7

    def score(self, profile: ColumnProfile, target: Target) -> float:
        value = self._score(profile, target)
        if len(profile.distinct) == 1 and sum(profile.distinct.values()) >= 10:
            return min(value, 0.6)  # one value in every row fits many questions: it says little
        return value

    def _score(self, profile: ColumnProfile, target: Target) -> float:  # noqa: PLR0911 - one branch per kind
        if profile.empty:
            return 0.5
        kind = target.kind
        if kind == "date":
            return max(profile.shape("date"), 0.9 * profile.shape("serial"))
        if kind == "date_part":
            limits = {"day": (1, 31), "month": (1, 12), "year": (2000, 2100)}[target.part]
            return profile.share(lambda v: v.isdigit() and limits[0] <= int(v) <= limits[1])
        if kind == "postcode":
            return profile.shape("postcode")
        if kind == "postcode_part":
            pattern = _OUTWARD_RE if target.part == "outward" else _INWARD_RE
            return profile.share(lambda v: bool(pattern.match(v.strip().upper())))
        if kind == "tick":
            return profile.shape("tick")
        if kind == "choices":
            return 0.3 + 0.7 * profile.share(lambda v: all(self.option_matches(target, part) for part in choice_parts(v)))
        question = target.question
        if profile.shape("date") > 0.8 or profile.shape("serial") > 0.9:
            return 0.0  # a date column fills only a date
        if question.type in ("integer", "decimal", "money"):
            return self._number(profile, target)
        if question.options:
            return self._options(profile, target)
        if question.options_source:
            return 0.1 if profile.shape("number") > 0.8 or profile.shape("text") > 0.5 else 0.7
        return self._text(profile, target)


def _item_fit(items: Sequence[int], target: Target) -> float:
    if target.item is None:
        return 1.0 if not items else 0.9
    if not items:
        return 0.85 if target.item == 1 else 0.0
    return 1.0 if target.item in items else 0.0


@dataclass
class ColumnProposal:
    column: str
    index: int
    target: Target | None
    score: float
    learned: bool = False  # proposed because users confirmed this header before

    @property
    def fields(self) -> list[int]:
        return list(self.target.fields) if self.target else []

    def as_json(self) -> dict[str, Any]:
        return {"column": self.column, "fields": self.fields, "score": round(self.score, 3)}


class AutoMapper:
    def __init__(self, definition: Definition, vocabulary: ColumnVocabulary | None = None) -> None:
        self.definition = definition
        self.vocabulary = vocabulary or ColumnVocabulary()
        self.reader = HeaderReader(self.vocabulary, definition_words(definition, self.vocabulary))
        self.targets = build_targets(definition, self.reader, self.vocabulary)
        self.by_key = {target.key: target for target in self.targets}
        self.idf = _idf(self.targets)
        self.default_weight = sorted(self.idf.values())[len(self.idf) // 2] if self.idf else 1.0

    def read(self, header: str) -> HeaderReading:
        return self.reader.read(header)

    def scores(self, profile: ColumnProfile, judge: ValueJudge | None = None) -> list[tuple[float, Target]]:
        judge = judge or ValueJudge()
        reading = self.read(profile.header)
        result: list[tuple[float, Target]] = []
        for target in self.targets:
            fit = _item_fit(reading.items, target)
            if fit == 0.0:
                continue
            seen = reading.words if target.item is None else [w for w in reading.words if w not in _ITEM_STEMS]
            seen_set = set(seen)
            if not seen_set & target.bag:
                continue  # no word in common: nothing to score
            if target.kind == "tick" and not seen_set & target.own:
                continue  # a tick column must name its option
            ignorable = reading.context if target.item is not None else reading.context | _WHO_STEMS
            text = header_score(seen, target, self.idf, self.default_weight, ignorable)
            if text < 0.15:
                continue
            values = judge.score(profile, target)
            result.append((text * fit * (0.35 + 0.65 * values), target))
        result.sort(key=lambda pair: -pair[0])
        return result

    def propose(self, headers: Sequence[str], rows: Iterable[Sequence[str]],
                learned: LearnedMappings | None = None) -> list[ColumnProposal]:
        learned = learned or LearnedMappings()
        samples: list[list[str]] = [[] for _ in headers]
        for count, row in enumerate(rows):
            if count >= SAMPLE_ROWS:
                break
            for index in range(len(headers)):
                samples[index].append(row[index] if index < len(row) else "")
        judge = ValueJudge(learned)
        candidates: list[tuple[float, int, Target, bool]] = []
        skipped: set[int] = set()
        for index, header in enumerate(headers):
            confirmed = learned.target_for(header_key(header))
            if confirmed is not None:
                if confirmed.key == "":
                    skipped.add(index)  # users chose not to use this column
                    continue
                target = self.by_key.get(confirmed.key)
                if target is not None:
                    candidates.append((confirmed.score, index, target, True))
            for score, target in self.scores(ColumnProfile(header, samples[index]), judge)[:12]:
                candidates.append((score, index, target, False))
        return self._assign(headers, candidates, skipped)

    def _assign(self, headers: Sequence[str], candidates: list[tuple[float, int, Target, bool]],
                skipped: set[int]) -> list[ColumnProposal]:
        """Strongest pairs first; a template field is filled by one column only."""
        candidates.sort(key=lambda c: (-c[0], c[1]))
        chosen: dict[int, tuple[float, Target, bool]] = {}
        used: set[int] = set()
        best: dict[int, float] = {}
        for score, index, target, was_learned in candidates:
            if index in skipped:
                continue
            best.setdefault(index, score)
            if index in chosen or score < THRESHOLD or used & set(target.fields):
                continue
            if score < FALLBACK_SHARE * best[index]:
                continue  # its best target went to another column: this one is a guess
            chosen[index] = (score, target, was_learned)
            used.update(target.fields)
        proposals: list[ColumnProposal] = []
        for index, header in enumerate(headers):
            if index in chosen:
                score, target, was_learned = chosen[index]
                proposals.append(ColumnProposal(header, index, target, score, was_learned))
            else:
                proposals.append(ColumnProposal(header, index, None, best.get(index, 0.0)))
        return proposals


# ---------------------------------------------------------------------------------------------- values


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in STOPWORDS).lower()


@dataclass(frozen=True)
class OptionFacts:
    """What suggest_code compares a value with, worked out once per option."""

    code: Any
    code_text: str
    label: str  # lower case
    initials: str
    abbreviations: frozenset[str]
    words: frozenset[str]


def option_facts(question: Question) -> list[OptionFacts]:
    facts = []
    for option in question.options:
        initials = _initials(option.label)
        abbreviations = frozenset({initials, *re.findall(r"\(([A-Za-z]{2,6})\)", option.label.lower())})
        facts.append(OptionFacts(option.code, str(option.code).lower(), option.label.lower(), initials,
                                 abbreviations, frozenset(words(option.label))))
    return facts


def suggest_code(question: Question, value: str, facts: Sequence[OptionFacts] | None = None) -> tuple[Any, float]:
    """The question's option code that a provider's value most likely means, with a confidence 0..1."""
    text = value.strip()
    lowered = text.lower()
    if not text or not question.options:
        return None, 0.0
    facts = option_facts(question) if facts is None else facts
    for fact in facts:
        if fact.code_text == lowered or fact.label == lowered:
            return fact.code, 1.0
    if lowered in TICK_VALUES and question.type in ("yesno", "radios"):
        wanted = "yes" if lowered in TRUE_VALUES else "no"
        for fact in facts:
            if fact.label.startswith(wanted):
                return fact.code, 0.8
    value_words = set(words(text))
    compact = lowered.replace(".", "")
    best: tuple[Any, float] = (None, 0.0)
    for fact in facts:
        if compact in fact.abbreviations and len(compact) >= 2:
            return fact.code, 0.85
        initials = fact.initials
        score = 0.75 if len(compact) >= 2 and initials.startswith(compact) and len(initials) - len(compact) <= 2 \
            else 0.0
        shared = value_words & fact.words
        if shared:  # every word of the value in the label ("Medical or welfare") counts most
            coverage = len(shared) / len(value_words)
            overlap = len(shared) / len(value_words | fact.words)
            score = max(score, 0.6 * coverage + 0.4 * overlap)
        if fact.label.startswith(lowered) and len(lowered) >= 3:
            score = max(score, 0.7)
        if score > best[1]:
            best = (fact.code, score)
    return best if best[1] >= 0.34 else (None, best[1])


def choice_parts(raw: str) -> list[str]:
    """The answers a list cell names: "Homeless;Medical or welfare;" (Forms), "A;#B" (SharePoint), "CBL, CHR"."""
    return [part for part in _LIST_SPLIT_RE.split(raw.strip()) if part]


def choices_codes(question: Question, raw: str, mapped: dict[str, Any] | None = None) -> list[Any]:
    """The option codes a list cell names, in the cell's order; `mapped`: the user's part (lower case) -> code."""
    codes: list[Any] = []
    for part in choice_parts(raw):
        code = (mapped or {}).get(part.lower())
        if code is None:
            code, confidence = suggest_code(question, part)
            code = code if confidence >= 0.5 else None
        if code is not None and code not in codes:
            codes.append(code)
    return codes


def to_template_cells(target: Target, raw: str, mapped: dict[str, Any] | None = None) -> dict[int, str]:
    """Split one source cell into the template cells it fills (`mapped`: a list column's answers -> codes)."""
    text = raw.strip()
    if target.kind == "date":
        parts = parse_date(text) or serial_date(text)
        if parts is None:
            return {target.fields[0]: text, target.fields[1]: "", target.fields[2]: ""} if text else {}
        return dict(zip(target.fields, (str(p) for p in parts), strict=True))
    if target.kind == "postcode":
        compact = re.sub(r"\s+", "", text.upper())
        if len(compact) > 3:
            return {target.fields[0]: compact[:-3], target.fields[1]: compact[-3:]}
        return {target.fields[0]: text}
    if target.kind == "tick":
        return {target.fields[0]: "1" if text.lower() in TRUE_VALUES else "0" if text else ""}
    if target.kind == "choices":
        if not text:
            return {}
        ticked = {str(code) for code in choices_codes(target.question, text, mapped)}
        return {number: "1" if str(option.code) in ticked else "0"
                for option in target.question.options for number in option.template_fields}
    return {target.fields[0]: text}

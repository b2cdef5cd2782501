"""Vocabulary for reading column headers: general English and administrative-data wording, and a collection's own.

The general part is ordinary wording found in any organisation's exports (stop words, abbreviations of dates,
numbers, addresses, people), not any collection's field list. A collection adds the words its providers'
systems use for its questions through its plugin (`CollectionPlugin.column_vocabulary`, a YAML file:
abbreviations, phrases, and other names per question) and its definitions (a question's `synonyms`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

STOPWORDS = frozenset(
    ["a", "an", "and", "any", "are", "as", "at", "be", "by", "cd", "desc", "description", "did", "do", "does",
     "field", "flag", "for", "from", "has", "have", "how", "id", "ind", "indicator", "in", "is", "it", "its", "of",
     "on", "or", "that", "the", "their", "there", "these", "they", "this", "to", "typ", "value", "was", "were",
     "what", "when", "where", "which", "who", "whom", "will", "with", "you", "your", "yn", "if", "please", "select",
     "tick", "all", "apply", "enter", "give", "given", "s", "e", "g", "eg", "ie", "etc", "each", "per", "been",
     "our", "we", "us", "would", "should", "can", "not", "applicable", "na", "opt", "optional", "mandatory"]
)

# abbreviation or variant -> the word(s) a definition is likely to use
SYNONYMS: dict[str, str] = {
    "no": "number", "num": "number", "nbr": "number", "nr": "number", "qty": "number", "count": "number",
    "ref": "reference", "refno": "reference", "code": "reference", "number": "reference",
    "dt": "date", "dte": "date", "d": "day", "dd": "day",
    "mm": "month", "mon": "month", "mth": "month", "yy": "year", "yyyy": "year", "yr": "year", "yrs": "year",
    "dob": "date birth", "amt": "amount", "chg": "charge", "chrg": "charge", "charges": "charge",
    "svc": "service", "serv": "service", "wk": "week", "wkly": "week", "weekly": "week", "pw": "week",
    "pcm": "month", "monthly": "month", "freq": "often", "frequency": "often",
    "addr": "address", "add1": "address line1", "add2": "address line2", "ln": "line", "pc": "postcode",
    "pcode": "postcode", "postal": "postcode", "zip": "postcode", "post": "postcode",
    "hh": "household", "hhold": "household", "hshld": "household", "hhld": "household", "occupants": "person",
    "persons": "person", "people": "person", "members": "person", "member": "person", "occupant": "person",
    "mbr": "person", "individual": "person",
    "org": "organisation", "orgn": "organisation", "organization": "organisation",
    "owner": "owns", "owning": "owns", "owned": "owns", "managed": "manages", "managing": "manages",
    "manager": "manages", "la": "local authority", "lad": "local authority", "council": "local authority",
    "borough": "local authority", "district": "local authority",
    "gender": "sex", "ethnicity": "ethnic", "ethnic": "ethnic", "nat": "nationality", "citizenship": "nationality",
    "relationship": "partner", "rel": "partner", "relation": "partner",
    "commenced": "start", "commencement": "start", "commence": "start", "begin": "start", "began": "start",
    "startdate": "start date", "enddate": "end date",
    "inc": "income", "earnings": "income", "salary": "income",
    "disability": "disabled", "illness": "illness", "health": "health",
    "prev": "last", "previous": "last", "previously": "last", "prior": "last", "former": "last", "before": "last",
    "loc": "location", "length": "long", "duration": "long", "became": "become", "anyone": "anybody",
    "someone": "anybody", "years": "year", "months": "month", "weeks": "week", "total": "total",
    "town": "town", "city": "city", "county": "county", "email": "email", "user": "assigned", "officer": "assigned",
    "assignee": "assigned", "identity": "identify", "reason": "reason", "rsn": "reason", "pre": "last",
    "yearly": "year", "annual": "year", "annually": "year",
}

# Words that say which member of a repeating group a column is about, and the words for "the first one".
ITEM_WORDS = frozenset({"person", "member", "lead", "tenant", "household", "applicant", "occupant", "hhm", "p"})
# Of those, the words that only say who a record-level column is about ("household" says what: "household income").
WHO_WORDS = ITEM_WORDS - {"household"}
FIRST_ITEM_WORDS = frozenset({"lead", "main", "primary", "first", "head"})
ORDINALS: dict[str, int] = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
    "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
}
# A digit after these words is not an item number ("address line 2", "part 1 of the postcode").
NOT_ITEM_BEFORE = frozenset({"line", "part", "ln", "q", "question", "section", "phase", "stage", "level", "band"})
# ... nor before these ("2 years", "12 months").
NOT_ITEM_AFTER = frozenset({"year", "years", "yr", "yrs", "month", "months", "week", "weeks", "day", "days",
                            "hour", "hours", "plus"})


@dataclass(frozen=True)
class ColumnVocabulary:
    """A collection's words for reading providers' headers, merged over the general vocabulary."""

    abbreviations: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)  # "rental object" -> "property reference"
    questions: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # form -> question id -> names

    def synonyms_for(self, form: str, question_id: str) -> list[str]:
        return list(self.questions.get(form, {}).get(question_id, []))

    @property
    def words(self) -> dict[str, str]:
        return {**SYNONYMS, **self.abbreviations}


def load_column_vocabulary(path: Path | None) -> ColumnVocabulary:
    if path is None or not path.is_file():
        return ColumnVocabulary()
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def lowered(mapping: dict[str, Any] | None) -> dict[str, str]:
        return {str(k).lower(): str(v).lower() for k, v in (mapping or {}).items()}

    questions = {
        str(form): {str(qid): [str(name) for name in names or []] for qid, names in (per_form or {}).items()}
        for form, per_form in (raw.get("questions") or {}).items()
    }
    return ColumnVocabulary(lowered(raw.get("abbreviations")), lowered(raw.get("phrases")), questions)

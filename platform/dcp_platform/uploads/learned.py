"""What users confirmed before, as the automatic mapper reads it (pure data: learning.py reads and writes it).

A header an organisation mapped is proposed to that organisation again straight away; across organisations a
header counts once more than one organisation has confirmed the same target for it. Value -> code choices
likewise (the value review pre-selects them and the mapper counts them as matching answers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# How strongly a confirmed header is proposed: above any header-and-values score for the organisation's own,
# a little lower for other organisations' (still above the threshold and almost every computed score).
OWN_SCORE = 0.99
SHARED_SCORE = 0.95
NOT_USED = ""  # the target key of a column the user chose not to use


def header_key(header: str) -> str:
    """A header as learning keys it: case, spacing and surrounding punctuation do not matter."""
    return re.sub(r"\s+", " ", (header or "").strip().lower()).strip(" :?*")[:200]


def value_key(value: str) -> str:
    return re.sub(r"\s+", " ", (value or "").strip().lower())[:200]


@dataclass(frozen=True)
class ConfirmedTarget:
    key: str  # a mapper target key, or NOT_USED
    score: float


@dataclass
class LearnedMappings:
    headers: dict[str, ConfirmedTarget] = field(default_factory=dict)  # header_key -> target
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # target key -> value_key -> code

    def target_for(self, key: str) -> ConfirmedTarget | None:
        return self.headers.get(key)

    def code_for(self, target_key: str, value: str) -> Any:
        return self.values.get(target_key, {}).get(value_key(value))

    def codes_for(self, target_key: str) -> dict[str, Any]:
        return dict(self.values.get(target_key, {}))

"""Model fields for records."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from django.db import models
from psycopg.types.json import Json


class RecordJSONField(models.JSONField):  # type: ignore[type-arg]
    """A JSONField that Django inserts row by row in bulk_create instead of through UNNEST arrays.

    Django 5.2 bulk-inserts on PostgreSQL as UNNEST(array, ...). Every JSON document then has to be escaped
    into an array literal (a regular-expression substitution per quote), which cost a third of the time of
    storing 1,000 answer-rich records. Having get_placeholder opts the model out of that strategy.
    """

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"


class WholeJSONField(RecordJSONField):
    """JSON kept as PostgreSQL `json` (the text as written) instead of `jsonb`, for values that are only ever
    stored and read back whole, never searched inside by SQL (a record's derived values, its history).

    `jsonb` parses every document into its binary form on the way in (sorting each object's keys): for a CORE
    record's derived values, about 15 µs of the database's CPU, a sixth of its work on an upload chunk. `json`
    only checks that the text is JSON. What `json` lacks: an equality operator (so no DISTINCT, GROUP BY, UNION
    or `=` over these columns) and jsonb's operators and indexes; `->` and `->>` work.

    Values go in typed as `json`, so the database never parses them as `jsonb` first. psycopg reads `json` into
    Python values itself (Django has it hand over only `jsonb` as text), so they come out as read.
    """

    def db_type(self, connection: Any) -> str:
        return "json"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        return Json(value, dumps=json.dumps if self.encoder is None else partial(json.dumps, cls=self.encoder))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value

"""Idempotency-Key storage: a retried request with the same key and body gets the first response again.

A key is claimed with one INSERT ... ON CONFLICT DO NOTHING inside the request's transaction: a second request
with the same key waits for the first to finish, then finds its row and replays its response. Rows are
forgotten after a while (tasks.forget_old_idempotent_requests_task).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from dcp_platform.records.copying import insert_fields, prepared_values
from django.db import connection, transaction
from django.db.models import Field
from rest_framework.request import Request
from rest_framework.response import Response

from .answers import ApiError
from .errors import ApiProblem, api_exception_handler
from .models import ApiKey, IdempotentRequest


@functools.cache
def _idempotency_sql() -> tuple[str, str, list[Field[Any, Any]]]:
    """Claim an Idempotency-Key (INSERT ... ON CONFLICT DO NOTHING) and remember the response: SQL and fields."""
    quote = connection.ops.quote_name
    opts = IdempotentRequest._meta
    fields = insert_fields(IdempotentRequest)

    def column(name: str) -> str:
        return quote(str(opts.get_field(name).column))  # type: ignore[union-attr]

    table, pk = quote(opts.db_table), quote(str(opts.pk.column))  # type: ignore[union-attr]
    # Names come from the model's metadata only; every value is a bound parameter.
    claim = (
        f"INSERT INTO {table} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join('%s' for _ in fields)}) "
        f"ON CONFLICT ({column('api_key')}, {column('key')}) DO NOTHING RETURNING {pk}"
    )
    remember = f"UPDATE {table} SET {column('status_code')} = %s, {column('response')} = %s WHERE {pk} = %s"  # noqa: S608
    return claim, remember, fields


def idempotent(request: Request, compute: Callable[[], Response]) -> Response:
    """Run `compute` once per Idempotency-Key: a retry with the same body gets the first response again."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return compute()
    if not key.strip() or len(key) > 255:
        raise ApiProblem(400, [ApiError("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters")])
    api_key = request.auth
    assert isinstance(api_key, ApiKey)
    digest = hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
    path = f"{request.method} {request.path}"
    claim, remember, fields = _idempotency_sql()
    entry = IdempotentRequest(api_key=api_key, key=key, method_path=path, body_digest=digest, status_code=0, response={})
    with transaction.atomic():
        with connection.cursor() as cursor:
            # A request with the same key still running holds its row: this waits for it to finish. No row back
            # means the first request has finished (its row was committed), with no error to roll back to.
            cursor.execute(claim, prepared_values(entry, fields))
            claimed = cursor.fetchone()
        if claimed is None:
            first = IdempotentRequest.objects.get(api_key=api_key, key=key)
            if first.body_digest != digest or first.method_path != path:
                raise ApiProblem(422, [ApiError(
                    "idempotency_key_reused",
                    "This Idempotency-Key was used for a different request. Use a new key for each new record.",
                )]) from None
            headers = {"Idempotent-Replayed": "true"}
            location = (first.response.get("links") or {}).get("self") if isinstance(first.response, dict) else None
            if location and first.status_code == 201:
                headers["Location"] = location
            return Response(first.response, status=first.status_code, headers=headers)
        try:
            response = compute()
        except ApiProblem as problem:
            response = api_exception_handler(problem, {})  # type: ignore[assignment]
            assert response is not None
        response_field = IdempotentRequest._meta.get_field("response")
        with connection.cursor() as cursor:
            cursor.execute(remember, [response.status_code,
                                      response_field.get_db_prep_save(response.data, connection), claimed[0]])
        return response

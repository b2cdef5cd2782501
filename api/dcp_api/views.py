"""The submission API (/api/v1/ on each collection's site): records, batches, dry runs and reference data.

Views stay thin: answers are parsed against the collection-year definition (answers.py), every write goes
through dcp_platform.records.services (the same path as the web form and bulk upload).
"""

from __future__ import annotations

import codecs
import io
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from dcp_platform.accounts.selectors import related_organisations_for
from dcp_platform.collector import collector_paused
from dcp_platform.definitions import Definition, Evaluation
from dcp_platform.quality.selectors import open_queries_by_record
from dcp_platform.records.models import Record, RecordStatus
from dcp_platform.records.selectors import records_visible_to
from dcp_platform.records.services import (
    HardProblemsFound,
    NewRecord,
    OrganisationNotAllowed,
    ReadOnlyAccess,
    RecordResult,
    RecordWriteRefused,
    VersionConflict,
    WindowClosed,
    build_eval_context,
    record_check,
    record_create,
    record_update,
    records_create_many,
)
from dcp_platform.registry import definitions_for
from django.db import DatabaseError, connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .answers import (
    ApiError,
    encode_json,
    evaluation_json,
    json_with,
    parse_answers,
    problem_error,
    record_json,
    refused_problems,
)
from .auth import ApiKeyAuthentication, KeyForThisCollection, PerKeyRateThrottle
from .errors import ApiProblem, api_exception_handler
from .idempotency import idempotent

MAX_BATCH = 1000
# A batch of 1,000 complete CORE records is about 2.5 MB of JSON. DRF reads the body itself, so Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE does not protect it: this does, before anything is read.
MAX_BODY_BYTES = 20 * 1024 * 1024


def _schema() -> str:
    return str(getattr(connection, "schema_name", "public"))


def _definition(form: str, year: int) -> Definition:
    definition = definitions_for(_schema()).get((form, int(year)))
    if definition is None:
        raise ApiProblem(404, [ApiError("not_found", f"There is no form {form} for {year} in this collection")])
    return definition


def _refusal(refused: RecordWriteRefused, definition: Definition) -> ApiProblem:
    """The refusal as an API problem, with every other problem the same check found (one response for all of a
    record's problems); its status is the first refusal's (hard problems, then the window, then organisations)."""
    problem = _one_refusal(refused, definition)
    for other in refused.also:
        problem.errors.extend(_one_refusal(other, definition).errors)
    return problem


def _one_refusal(refused: RecordWriteRefused, definition: Definition) -> ApiProblem:
    if isinstance(refused, HardProblemsFound):
        return ApiProblem(422, [problem_error(p) for p in refused_problems(refused.evaluation)])
    if isinstance(refused, OrganisationNotAllowed):
        question = refused.question_id or definition.owner_question
        return ApiProblem(403, [ApiError("organisation_not_allowed", refused.message, question=question,
                                         pointer=f"/answers/{question}" if question else None)])
    if isinstance(refused, WindowClosed):
        question = definition.date_question
        return ApiProblem(422, [ApiError("window_closed", refused.message, question=question,
                                         pointer=f"/answers/{question}" if question else None)])
    if isinstance(refused, ReadOnlyAccess):  # who the user is, not what they sent
        return ApiProblem(403, [ApiError("read_only", refused.message)])
    if isinstance(refused, VersionConflict):
        return ApiProblem(412, [ApiError("version_conflict", refused.message)])
    return ApiProblem(422, [ApiError("refused", refused.message)])


def _every_problem(
    request: Request, definition: Definition, answers: dict[str, Any], confirmations: dict[str, Any],
    errors: list[ApiError], record: Record | None = None,
) -> list[ApiError]:
    """Answers that cannot be read (`errors`) with every other problem of the record, in one response rather
    than in stages: the answers that could be read are checked as the write would check them (hard rules, the
    window, the organisations; nothing is stored). A question with an unreadable answer is reported once."""
    unreadable = {(e.question, e.item) for e in errors if e.question}
    try:
        record_check(form=definition.form, year=definition.year, user=request.user,  # type: ignore[arg-type]
                     answers=answers, confirmations=confirmations, record=record, refuse_hard_problems=True)
    except RecordWriteRefused as refused:
        others = _refusal(refused, definition).errors
    else:
        others = []
    return errors + [e for e in others if not e.question or (e.question, e.item) not in unreadable]


def _body(request: Request) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict):
        raise ApiProblem(400, [ApiError("invalid_body", "The request body must be a JSON object", "")])
    return data


def _answers_and_confirmations(
    definition: Definition, body: dict[str, Any], pointer: str = ""
) -> tuple[dict[str, Any], dict[str, Any], list[ApiError]]:
    unknown = sorted(set(body) - {"answers", "confirmations", "id", "version"})
    errors = [ApiError("unknown_field", f"{name} is not understood here: send answers and confirmations",
                       f"{pointer}/{name}") for name in unknown]
    answers, answer_errors = parse_answers(definition, body.get("answers"), pointer=f"{pointer}/answers")
    confirmations = body.get("confirmations") or {}
    if not isinstance(confirmations, dict) or not all(isinstance(v, str) for v in confirmations.values()):
        errors.append(ApiError("invalid_type", "confirmations must be an object of confirmation keys and tokens",
                               f"{pointer}/confirmations"))
        confirmations = {}
    return answers, confirmations, errors + answer_errors


def _base_url(request: Request, form: str, year: int) -> str:
    return request.build_absolute_uri(f"/api/v1/{form}/{year}/records/")


def _etag(record: Record) -> str:
    return f'"{record.version}"'


def _open_queries(request: Request, record_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The open queries about each record, as the API shows them (with their page in the service)."""
    return {record_id: [
        {"id": query.pk, "subject": query.subject, "state": query.state, "raised_at": query.raised_at.isoformat(),
         "link": request.build_absolute_uri(reverse("quality:query", args=[query.pk]))}
        for query in queries
    ] for record_id, queries in open_queries_by_record(record_ids).items()}


def _record_response(request: Request, result: RecordResult, form: str, year: int, status: int) -> Response:
    queries = _open_queries(request, [result.record.pk]) if status == 200 else {}
    body = record_json(result.record, result.evaluation, base_url=_base_url(request, form, year),
                       open_queries=queries.get(result.record.pk))
    headers = {"ETag": _etag(result.record)}
    if status == 201:
        headers["Location"] = body["links"]["self"]
    return Response(body, status=status, headers=headers)


class EncodedJSON(dict[str, Any]):
    """Response data that comes with its JSON text already written with answers.encode_json."""

    def __init__(self, data: dict[str, Any], text: str) -> None:
        super().__init__(data)
        self.text = text


class ApiJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer, which writes EncodedJSON's text as it is when it would have written the same."""

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: dict[str, Any] | None = None) -> bytes:
        if (isinstance(data, EncodedJSON) and self.compact and not self.ensure_ascii and self.strict
                and self.get_indent(accepted_media_type, renderer_context or {}) is None):
            return data.text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
        return super().render(data, accepted_media_type, renderer_context)  # type: ignore[no-any-return]


# Every digit as "0": a run of 19 zeros then marks a number orjson might read differently (see ApiJSONParser).
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)


class ApiJSONParser(JSONParser):
    """DRF's JSONParser, reading with orjson (2.5 times as fast: a 1,000-record batch in about 4 ms, not 11) where
    it gives the same data: UTF-8 text without a number of 19 digits or more (orjson reads integers beyond 64
    bits as floats). Whatever orjson refuses (NaN, 1e400, a lone surrogate, a byte-order mark, bad JSON) is read
    again by DRF's parser, for its data or its error message."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        body = stream.read()
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        if codecs.lookup(encoding).name == "utf-8" and b"0" * 19 not in body.translate(_DIGITS_AS_ZERO):
            try:
                return orjson.loads(body)
            except orjson.JSONDecodeError:
                pass
        return super().parse(io.BytesIO(body), media_type, parser_context)


class ApiView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [KeyForThisCollection]
    throttle_classes = [PerKeyRateThrottle]
    renderer_classes = [ApiJSONRenderer]
    # The configured parsers, JSON read faster.
    parser_classes = [ApiJSONParser if parser is JSONParser else parser for parser in api_settings.DEFAULT_PARSER_CLASSES]

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return api_exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise ApiProblem(413, [ApiError(
                "body_too_large", f"The request body must be smaller than {MAX_BODY_BYTES // (1024 * 1024)} MB"
            )])


class ApiRoot(ApiView):
    def get(self, request: Request) -> Response:
        base = request.build_absolute_uri("/api/v1/")
        return Response({
            "organisations": f"{base}organisations",
            "definitions": f"{base}definitions",
            "forms": [
                {"form": form, "year": year, "title": definition.title, "records": f"{base}{form}/{year}/records",
                 "openapi": f"{base}{form}/{year}/openapi.json", "docs": f"{base}{form}/{year}/docs"}
                for (form, year), definition in sorted(definitions_for(_schema()).items())
            ],
        })


class OrganisationList(ApiView):
    def get(self, request: Request) -> Response:
        own = request.user.organisation_id  # type: ignore[union-attr]
        return Response({"organisations": [
            {"code": org.code, "name": org.name, "provider_type": org.provider_type, "own": org.pk == own}
            for org in related_organisations_for(user=request.user).order_by("name")  # type: ignore[arg-type]
        ]})


class DefinitionList(ApiView):
    def get(self, request: Request) -> Response:
        base = request.build_absolute_uri("/api/v1/definitions/")
        return Response({"definitions": [
            {"form": form, "year": year, "title": definition.title, "links": {"self": f"{base}{form}/{year}"}}
            for (form, year), definition in sorted(definitions_for(_schema()).items())
        ]})


class DefinitionDetail(ApiView):
    def get(self, request: Request, form: str, year: int) -> Response:
        return Response(_definition(form, year).to_json())


class RecordCursor(CursorPagination):
    ordering = ("updated_at", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _filtered(request: Request, form: str, year: int) -> QuerySet[Record]:
    records = records_visible_to(user=request.user).filter(form=form, year=year)  # type: ignore[arg-type]
    records = records.select_related("owning_organisation", "managing_organisation")
    params = request.query_params
    errors: list[ApiError] = [
        ApiError("invalid_parameter", f"{name} contains a character that is not allowed", name)
        for name, value in params.items() if "\x00" in value
    ]
    if errors:
        raise ApiProblem(400, errors)
    if params.get("updated_since"):
        since = _parse_datetime(params["updated_since"])
        if since is None:
            errors.append(ApiError("invalid_parameter",
                                   "updated_since must be an ISO 8601 date and time with a time zone, "
                                   "for example 2026-06-01T09:00:00Z", "updated_since"))
        else:
            records = records.filter(updated_at__gt=since)
    if params.get("status"):
        if params["status"] not in RecordStatus.values:
            errors.append(ApiError("invalid_parameter", f"status must be one of {', '.join(RecordStatus.values)}",
                                   "status"))
        records = records.filter(status=params["status"])
    if params.get("organisation"):
        code = params["organisation"]
        records = records.filter(Q(owning_organisation__code=code) | Q(managing_organisation__code=code))
    if errors:
        raise ApiProblem(400, errors)
    return records


def _parse_datetime(text: str) -> datetime | None:
    try:
        value = parse_datetime(text)
    except ValueError:
        return None
    return value if value is not None and value.tzinfo is not None else None


class RecordCollection(ApiView):
    def get(self, request: Request, form: str, year: int) -> Response:
        definition = _definition(form, year)
        records = _filtered(request, form, year)
        paginator = RecordCursor()
        try:
            # A savepoint: a doctored cursor can reach the database as a bad timestamp.
            with transaction.atomic():
                page = list(paginator.paginate_queryset(records, request, view=self) or [])
        except (DRFNotFound, DatabaseError, ValueError) as error:
            raise ApiProblem(400, [ApiError("invalid_parameter", "The cursor is not valid", "cursor")]) from error
        base = _base_url(request, form, year)
        queries = _open_queries(request, [r.pk for r in page])
        return Response({
            "records": [record_json(r, _evaluate(definition, r), base_url=base, open_queries=queries.get(r.pk))
                        for r in page],
            "links": {"next": paginator.get_next_link(), "previous": paginator.get_previous_link()},
        })

    def post(self, request: Request, form: str, year: int) -> Response:
        definition = _definition(form, year)
        body = _body(request)

        def create() -> Response:
            answers, confirmations, errors = _answers_and_confirmations(definition, body)
            if errors:
                raise ApiProblem(422, _every_problem(request, definition, answers, confirmations, errors))
            try:
                result = record_create(
                    form=form, year=year, user=request.user, answers=answers,  # type: ignore[arg-type]
                    confirmations=confirmations, channel="api", api_key_id=request.auth.pk,  # type: ignore[union-attr]
                    refuse_hard_problems=True,
                )
            except RecordWriteRefused as refused:
                raise _refusal(refused, definition) from None
            return _record_response(request, result, form, year, 201)

        return idempotent(request, create)


class RecordValidate(ApiView):
    """A dry run: the problems, warnings, derived values and status the record would have. Stores nothing."""

    def post(self, request: Request, form: str, year: int) -> Response:
        definition = _definition(form, year)
        answers, confirmations, errors = _answers_and_confirmations(definition, _body(request))
        if errors:
            raise ApiProblem(422, _every_problem(request, definition, answers, confirmations, errors))
        try:
            result = record_check(form=form, year=year, user=request.user, answers=answers,  # type: ignore[arg-type]
                                  confirmations=confirmations)
        except RecordWriteRefused as refused:
            raise _refusal(refused, definition) from None
        body = evaluation_json(result.evaluation)
        body["valid"] = not refused_problems(result.evaluation)
        return Response(body)


def _evaluate(definition: Definition, record: Record) -> Evaluation:
    """The record's problems as a write would see them (the rules read the organisations' provider types)."""
    known = {org.code: org for org in (record.owning_organisation, record.managing_organisation) if org is not None}
    context = build_eval_context(definition=definition, answers=record.answers, known=known)
    return definition.evaluate(record.answers, confirmations=record.confirmations, context=context)


def _version_from_if_match(request: Request) -> int:
    header = request.headers.get("If-Match")
    if not header:
        raise ApiProblem(428, [ApiError(
            "if_match_required",
            "Send the ETag of the record you read in an If-Match header, so that changes made by someone else "
            "since are not overwritten",
        )])
    text = header.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise ApiProblem(412, [ApiError("version_conflict", "If-Match must be the record's ETag, for example \"3\"")])
    return int(text)


class RecordItem(ApiView):
    def _record(self, request: Request, form: str, year: int, record_id: str) -> Record:
        public_id = _uuid_or_none(record_id)
        record = None if public_id is None else records_visible_to(user=request.user).select_related(  # type: ignore[arg-type]
            "owning_organisation", "managing_organisation"
        ).filter(form=form, year=year, public_id=public_id).first()
        if record is None:
            raise ApiProblem(404, [ApiError("not_found", "There is no record with this id that you can see")])
        return record

    def get(self, request: Request, form: str, year: int, record_id: str) -> Response:
        definition = _definition(form, year)
        record = self._record(request, form, year, str(record_id))
        evaluation = _evaluate(definition, record)
        body = record_json(record, evaluation, base_url=_base_url(request, form, year),
                           open_queries=_open_queries(request, [record.pk]).get(record.pk))
        return Response(body, headers={"ETag": _etag(record)})

    def patch(self, request: Request, form: str, year: int, record_id: str) -> Response:
        definition = _definition(form, year)
        record = self._record(request, form, year, str(record_id))
        version = _version_from_if_match(request)
        answers, confirmations, errors = _answers_and_confirmations(definition, _body(request))
        if errors:
            raise ApiProblem(422, _every_problem(request, definition, answers, confirmations, errors, record))
        try:
            result = record_update(
                record=record, user=request.user, changes=answers, confirmations=confirmations,  # type: ignore[arg-type]
                channel="api", api_key_id=request.auth.pk, expected_version=version,  # type: ignore[union-attr]
                refuse_hard_problems=True,
            )
        except RecordWriteRefused as refused:
            raise _refusal(refused, definition) from None
        return _record_response(request, result, form, year, 200)


class RecordBatch(ApiView):
    """Up to 1,000 records per request: items without `id` are created, items with `id` and `version` updated.

    Each item succeeds or fails on its own; results come back in the order sent.
    """

    def post(self, request: Request, form: str, year: int) -> Response:
        with collector_paused():  # from reading the body to the response's data (dcp_platform.collector)
            definition = _definition(form, year)
            body = _body(request)
            return idempotent(request, lambda: self._run(request, definition, body))

    def _run(self, request: Request, definition: Definition, body: dict[str, Any]) -> Response:
        items = body.get("records")
        if not isinstance(items, list) or not items:
            raise ApiProblem(422, [ApiError("invalid_body", "Send records: a list of 1 to 1,000 records", "/records")])
        if len(items) > MAX_BATCH:
            raise ApiProblem(413, [ApiError("batch_too_large", f"Send at most {MAX_BATCH} records per request",
                                            "/records")])
        form, year = definition.form, definition.year
        base = _base_url(request, form, year)
        results: list[dict[str, Any] | None] = [None] * len(items)
        creates: list[tuple[int, NewRecord]] = []
        for index, item in enumerate(items):
            pointer = f"/records/{index}"
            if not isinstance(item, dict):
                results[index] = _failed(index, 422, [ApiError("invalid_type", "Each record must be an object", pointer)])
                continue
            answers, confirmations, errors = _answers_and_confirmations(definition, item, pointer)
            if errors:
                existing = None
                if item.get("id") is not None:
                    public_id = _uuid_or_none(item.get("id"))
                    existing = None if public_id is None else records_visible_to(user=request.user).filter(  # type: ignore[arg-type]
                        form=form, year=year, public_id=public_id).first()
                if item.get("id") is None or existing is not None:  # (an unknown id: its own 404 once readable)
                    errors = _every_problem(request, definition, answers, confirmations, errors, existing)
                results[index] = _failed(index, 422, errors)
            elif item.get("id") is None:
                creates.append((index, NewRecord(answers, confirmations)))
            else:
                results[index] = self._update(request, definition, index, item, answers, confirmations, base)
        outcomes = records_create_many(
            form=form, year=year, user=request.user, new_records=[new for _, new in creates],  # type: ignore[arg-type]
            channel="api", api_key_id=request.auth.pk, refuse_hard_problems=True,  # type: ignore[union-attr]
        )
        # Each result's JSON text is written as it is made: a created record's answers and derived values as
        # the batch encoded them for storing, not encoded a second time for the response.
        texts: list[str | None] = [None] * len(items)
        for (index, _new), outcome in zip(creates, outcomes, strict=True):
            if isinstance(outcome, RecordWriteRefused):
                problem = _refusal(outcome, definition)
                results[index] = _failed(index, problem.status_code, problem.errors)
            else:
                record = record_json(outcome.record, outcome.evaluation, base_url=base)
                results[index] = {"index": index, "status": 201, "record": record}
                if outcome.stored_json is not None:
                    answers_json, derived_json = outcome.stored_json
                    record_text = json_with(record, {"answers": answers_json, "derived": derived_json})
                    texts[index] = f'{{"index":{index},"status":201,"record":{record_text}}}'  # as the line above
        done = [r for r in results if r is not None]
        data = {
            "created": sum(1 for r in done if r["status"] == 201),
            "updated": sum(1 for r in done if r["status"] == 200),
            "failed": sum(1 for r in done if r["status"] >= 400),
            "results": done,
        }
        listed = ",".join(text or encode_json(r) for text, r in zip(texts, results, strict=True) if r is not None)
        return Response(EncodedJSON(data, json_with(data, {"results": f"[{listed}]"})))

    def _update(
        self, request: Request, definition: Definition, index: int, item: dict[str, Any],
        answers: dict[str, Any], confirmations: dict[str, Any], base: str,
    ) -> dict[str, Any]:
        pointer = f"/records/{index}"
        public_id = _uuid_or_none(item.get("id"))
        record = None if public_id is None else records_visible_to(user=request.user).filter(  # type: ignore[arg-type]
            form=definition.form, year=definition.year, public_id=public_id,
        ).first()
        if record is None:
            return _failed(index, 404, [ApiError("not_found", "There is no record with this id that you can see",
                                                 f"{pointer}/id")])
        version = item.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            return _failed(index, 428, [ApiError("version_required",
                                                 "Send the version of the record you read, to update it",
                                                 f"{pointer}/version")])
        try:
            with transaction.atomic():
                result = record_update(
                    record=record, user=request.user, changes=answers, confirmations=confirmations,  # type: ignore[arg-type]
                    channel="api", api_key_id=request.auth.pk, expected_version=version,  # type: ignore[union-attr]
                    refuse_hard_problems=True,
                )
        except RecordWriteRefused as refused:
            problem = _refusal(refused, definition)
            return _failed(index, problem.status_code, problem.errors)
        queries = _open_queries(request, [result.record.pk]).get(result.record.pk)
        return {"index": index, "status": 200,
                "record": record_json(result.record, result.evaluation, base_url=base, open_queries=queries)}


def _uuid_or_none(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def _failed(index: int, status: int, errors: list[ApiError]) -> dict[str, Any]:
    return {"index": index, "status": status, "errors": [e.as_json() for e in errors]}


class NotFound(ApiView):
    """Any other path under /api/v1/: a JSON 404 rather than the web site's page."""

    authentication_classes = []
    permission_classes = []

    def get(self, request: Request, rest: str = "") -> Response:
        return Response({"errors": [{"code": "not_found", "message": "There is nothing at this address"}]}, status=404)

    post = patch = put = delete = get

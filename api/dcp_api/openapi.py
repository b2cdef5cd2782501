"""OpenAPI 3.1 documents, one per collection form and year, built from the collection-year definition.

Answer options become enums, each question says when it applies (its page and question conditions) and which
official template fields it fills. The committed copies under docs/openapi/ are checked against this by a test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from dcp_platform.definitions import Definition, Expression, Question

_DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


def _constant(bound: Any) -> Any:
    if bound is None or isinstance(bound, Expression):
        return None
    if isinstance(bound, date):
        return None
    if isinstance(bound, Decimal):
        return float(bound)
    return bound


def _when(definition: Definition, question: Question) -> str | None:
    page = definition.page(question.page_id) if question.page_id else None
    conditions = [c.source for c in (page.condition if page else None, question.condition) if c is not None]
    section = next((s for s in definition.sections if s.id == question.section_id), None)
    if section is not None and section.condition is not None:
        conditions.insert(0, section.condition.source)
    return " and ".join(f"({c})" for c in conditions) if conditions else None


def _description(definition: Definition, question: Question) -> str:
    parts = [question.label]
    if question.hint:
        parts.append(question.hint)
    when = _when(definition, question)
    parts.append(f"Asked when: {when}." if when else "Always asked.")
    if not question.required:
        parts.append("Optional.")
    if question.set_by_system:
        parts.append("In some cases the platform works this answer out from others and ignores what is sent.")
    if question.options:
        parts.append("Codes: " + "; ".join(f"{o.code} = {o.label}" for o in question.options) + ".")
    fields = question.all_template_fields()
    if fields:
        parts.append("Official template field" + ("s " if len(fields) > 1 else " ") + ", ".join(map(str, fields)) + ".")
    return " ".join(parts)


def _codes_schema(question: Question) -> dict[str, Any]:
    codes = [o.code for o in question.options]
    types = sorted({"integer" if isinstance(c, int) and not isinstance(c, bool) else "string" for c in codes})
    return {"type": types[0] if len(types) == 1 else types, "enum": codes}


def answer_schema(definition: Definition, question: Question) -> dict[str, Any]:
    kind = question.type
    schema: dict[str, Any]
    if kind in ("text", "email"):
        schema = {"type": "string", "minLength": 1}
        if question.max_length:
            schema["maxLength"] = question.max_length
        if kind == "email":
            schema["format"] = "email"
    elif kind == "integer":
        schema = {"type": "integer"}
        for key, bound in (("minimum", question.min), ("maximum", question.max)):
            value = _constant(bound)
            if value is not None:
                schema[key] = int(value)
    elif kind in ("decimal", "money"):
        schema = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": _DECIMAL_PATTERN}]}
    elif kind == "date":
        schema = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    elif kind == "postcode":
        schema = {"type": "string", "examples": ["SW1A 1AA"]}
    elif kind == "checkboxes":
        item = _codes_schema(question) if question.options else {"type": "string"}
        schema = {"type": "array", "items": item, "uniqueItems": True, "minItems": 1}
    elif question.options:
        schema = _codes_schema(question)
    else:
        schema = {"type": "string", "minLength": 1}
    schema["description"] = _description(definition, question)
    return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}], "description": schema.get("description", "")}


def answers_schema(definition: Definition, *, for_changes: bool) -> dict[str, Any]:
    """The answers object. For changes (PATCH) every answer may be null, which removes it."""
    properties: dict[str, Any] = {}
    for question in sorted(definition.questions.values(), key=lambda q: q.position):
        if question.group is not None:
            continue
        schema = answer_schema(definition, question)
        properties[question.id] = _nullable(schema) if for_changes else schema
    for group in definition.groups.values():
        item_properties = {
            qid: answer_schema(definition, definition.questions[qid]) for qid in group.question_ids
        }
        how_many = (f"As many items as {group.count.source}." if group.count is not None
                    else "As many items as there are.")
        array: dict[str, Any] = {
            "type": "array",
            "description": f"{group.title}: one object per item, in order. {how_many} Sending the list replaces it.",
            "items": {"type": "object", "properties": item_properties, "additionalProperties": False},
        }
        if group.max_items is not None:
            array["maxItems"] = group.max_items
        properties[group.id] = _nullable(array) if for_changes else array
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _derived_schema(definition: Definition) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Values the platform works out from the answers. Never accepted as input.",
        "properties": {d.id: {"description": d.label or d.id} for d in definition.derived},
    }


_ERROR = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "What kind of problem, e.g. invalid_answer, hard_rule, window_closed."},
        "message": {"type": "string", "description": "Plain English, fit to show to a person."},
        "pointer": {"type": "string", "description": "JSON pointer into the request body."},
        "question": {"type": "string", "description": "The question id the problem is about."},
        "group": {"type": "string"},
        "item": {"type": "integer", "description": "1-based item number in a repeating group."},
        "rule": {"type": "string", "description": "The validation rule id."},
        "template_fields": {"type": "array", "items": {"type": "integer"},
                            "description": "Official bulk-upload template field numbers."},
    },
}

_WARNING = {
    "allOf": [{"$ref": "#/components/schemas/Error"}],
    "type": "object",
    "properties": {
        "questions": {"type": "array", "items": {"type": "string"}},
        "confirmation": {
            "type": "object",
            "description": "To confirm the answers are right, send confirmations: {key: token} in an update.",
            "properties": {"key": {"type": "string"}, "token": {"type": "string"}},
        },
    },
}


def _errors_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}


def _json(ref: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }
    if headers:
        response["headers"] = headers
    return response


_COMMON = {
    "401": _errors_response("No API key, or a key that is not valid for this collection."),
    "403": _errors_response("The key's organisation may not do this (e.g. submit for that organisation)."),
    "429": {**_errors_response("Too many requests for this key; wait for Retry-After seconds."),
            "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
}
_ETAG = {"ETag": {"description": "The record's version; send it back in If-Match to update.",
                  "schema": {"type": "string"}}}


def build_openapi(definition: Definition, *, collection_title: str) -> dict[str, Any]:
    form, year = definition.form, definition.year
    base = f"/api/v1/{form}/{year}"
    record_body = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "answers": {"$ref": "#/components/schemas/Answers"},
            "confirmations": {"$ref": "#/components/schemas/Confirmations"},
        },
    }
    schemas: dict[str, Any] = {
        "Answers": answers_schema(definition, for_changes=False),
        "AnswerChanges": answers_schema(definition, for_changes=True),
        "Confirmations": {"type": "object", "additionalProperties": {"type": "string"},
                          "description": "Confirmation key -> token, from a warning's confirmation."},
        "Derived": _derived_schema(definition),
        "Error": _ERROR,
        "Errors": {"type": "object", "required": ["errors"],
                   "properties": {"errors": {"type": "array", "items": {"$ref": "#/components/schemas/Error"}}}},
        "Warning": _WARNING,
        "NotKept": {
            "type": "object", "required": ["code", "question", "pointer", "message"],
            "description": "An answer sent that was not kept because the other answers make its question not "
                           "apply (a combination the rules refuse is an error instead).",
            "properties": {
                "code": {"type": "string", "const": "answer_not_kept"},
                "question": {"type": "string"}, "group": {"type": ["string", "null"]},
                "item": {"type": ["integer", "null"]}, "pointer": {"type": "string"},
                "value": {}, "message": {"type": "string"},
            },
        },
        "NewRecord": record_body,
        "RecordChanges": {**record_body, "properties": {
            "answers": {"$ref": "#/components/schemas/AnswerChanges"},
            "confirmations": {"$ref": "#/components/schemas/Confirmations"},
        }},
        "Record": {
            "type": "object",
            "required": ["id", "version", "status", "answers", "derived", "warnings", "errors", "missing"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "form": {"type": "string", "const": form},
                "year": {"type": "integer", "const": year},
                "version": {"type": "integer"},
                "status": {"type": "string", "enum": ["not_started", "in_progress", "completed"]},
                "owning_organisation": {"type": ["string", "null"]},
                "managing_organisation": {"type": ["string", "null"]},
                "answers": {"type": "object", "description": "Stored answers (see Answers for each question)."},
                "derived": {"$ref": "#/components/schemas/Derived"},
                "confirmations": {"$ref": "#/components/schemas/Confirmations"},
                "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Warning"}},
                "not_kept": {"type": "array", "items": {"$ref": "#/components/schemas/NotKept"},
                             "description": "Answers sent in this request that were not kept (empty when reading)."},
                "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Error"}},
                "missing": {"type": "array", "items": {"type": "string"},
                            "description": "Questions that apply and are not answered yet."},
                "open_queries": {
                    "type": "array", "description": "Analysts' queries about the record that are not resolved yet: "
                                                    "answer them in the service, at their link.",
                    "items": {"type": "object", "required": ["id", "subject", "state", "raised_at", "link"],
                              "properties": {
                                  "id": {"type": "integer"}, "subject": {"type": "string"},
                                  "state": {"type": "string", "enum": ["open", "answered"]},
                                  "raised_at": {"type": "string", "format": "date-time"},
                                  "link": {"type": "string", "format": "uri"},
                              }},
                },
                "source": {"type": "string", "enum": ["web", "upload", "api", "system"]},
                "created_at": {"type": ["string", "null"], "format": "date-time"},
                "updated_at": {"type": ["string", "null"], "format": "date-time"},
                "links": {"type": "object", "properties": {"self": {"type": "string"}}},
            },
        },
        "RecordList": {
            "type": "object",
            "required": ["records", "links"],
            "properties": {
                "records": {"type": "array", "items": {"$ref": "#/components/schemas/Record"}},
                "links": {"type": "object", "properties": {
                    "next": {"type": ["string", "null"]}, "previous": {"type": ["string", "null"]},
                }},
            },
        },
        "Validation": {
            "type": "object",
            "required": ["valid", "status", "errors", "warnings", "missing", "derived"],
            "properties": {
                "valid": {"type": "boolean"},
                "status": {"type": "string", "enum": ["not_started", "in_progress", "completed"]},
                "derived": {"$ref": "#/components/schemas/Derived"},
                "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Error"}},
                "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Warning"}},
                "not_kept": {"type": "array", "items": {"$ref": "#/components/schemas/NotKept"}},
                "missing": {"type": "array", "items": {"type": "string"}},
            },
        },
        "BatchRequest": {
            "type": "object",
            "required": ["records"],
            "additionalProperties": False,
            "properties": {"records": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {
                "type": "object",
                "additionalProperties": False,
                "description": "Without id: a new record. With id and version: changes to that record.",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "version": {"type": "integer"},
                    "answers": {"$ref": "#/components/schemas/AnswerChanges"},
                    "confirmations": {"$ref": "#/components/schemas/Confirmations"},
                },
            }}},
        },
        "BatchResult": {
            "type": "object",
            "required": ["created", "updated", "failed", "results"],
            "properties": {
                "created": {"type": "integer"}, "updated": {"type": "integer"}, "failed": {"type": "integer"},
                "results": {"type": "array", "items": {
                    "type": "object",
                    "required": ["index", "status"],
                    "properties": {
                        "index": {"type": "integer"},
                        "status": {"type": "integer", "description": "201 created, 200 updated, 4xx refused."},
                        "record": {"$ref": "#/components/schemas/Record"},
                        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Error"}},
                    },
                }},
            },
        },
        "Organisations": {
            "type": "object",
            "properties": {"organisations": {"type": "array", "items": {"type": "object", "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "provider_type": {"type": "string"},
                "own": {"type": "boolean"},
            }}}},
        },
    }
    record_id = {"name": "record_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    idempotency = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {
        "type": "string", "minLength": 1, "maxLength": 255,
    }, "description": "Send a unique key per new record: a retry with the same key and body returns the first result."}
    paths: dict[str, Any] = {
        f"{base}/records": {
            "get": {
                "operationId": "listRecords",
                "summary": "Records your organisation can see, oldest change first",
                "parameters": [
                    {"name": "updated_since", "in": "query", "schema": {"type": "string", "format": "date-time"},
                     "description": "Only records changed after this time (ISO 8601 with a time zone)."},
                    {"name": "status", "in": "query",
                     "schema": {"type": "string", "enum": ["not_started", "in_progress", "completed"]}},
                    {"name": "organisation", "in": "query", "schema": {"type": "string"},
                     "description": "An organisation code: records it owns or manages."},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"},
                     "description": "From links.next of the previous page."},
                    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                ],
                "responses": {"200": _json("RecordList", "A page of records."),
                              "400": _errors_response("A filter is not valid."), **_COMMON},
            },
            "post": {
                "operationId": "createRecord",
                "summary": "Create a record (complete or partial)",
                "description": "Hard problems refuse the record (422). Soft problems come back as warnings; "
                               "confirm them with an update. Partial records are kept in progress.",
                "parameters": [idempotency],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/NewRecord"}}}},
                "responses": {
                    "201": _json("Record", "Created.", {**_ETAG, "Location": {"schema": {"type": "string"}}}),
                    "400": _errors_response("The body is not JSON, or the Idempotency-Key is not valid."),
                    "422": _errors_response("Answers that are not valid, or outside the collection window."),
                    **_COMMON,
                },
            },
        },
        f"{base}/records/validate": {
            "post": {
                "operationId": "validateRecord",
                "summary": "Check a record without storing it",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/NewRecord"}}}},
                "responses": {"200": _json("Validation", "What the record's problems and status would be."),
                              "400": _errors_response("The body is not JSON."),
                              "422": _errors_response("Answers that cannot be read at all."), **_COMMON},
            },
        },
        f"{base}/records/batch": {
            "post": {
                "operationId": "batchRecords",
                "summary": "Create or update up to 1,000 records; each succeeds or fails on its own",
                "parameters": [idempotency],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/BatchRequest"}}}},
                "responses": {"200": _json("BatchResult", "One result per record, in the order sent."),
                              "400": _errors_response("The body is not JSON."),
                              "413": _errors_response("More than 1,000 records."),
                              "422": _errors_response("No list of records."), **_COMMON},
            },
        },
        f"{base}/records/{{record_id}}": {
            "parameters": [record_id],
            "get": {
                "operationId": "getRecord",
                "summary": "One record",
                "responses": {"200": _json("Record", "The record.", _ETAG),
                              "404": _errors_response("No such record that you can see."), **_COMMON},
            },
            "patch": {
                "operationId": "updateRecord",
                "summary": "Change some answers (null removes an answer) or confirm warnings",
                "parameters": [{"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"},
                                "description": "The ETag from when you read the record."}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/RecordChanges"}}}},
                "responses": {
                    "200": _json("Record", "Changed.", _ETAG),
                    "400": _errors_response("The body is not JSON."),
                    "404": _errors_response("No such record that you can see."),
                    "412": _errors_response("The record changed since you read it: read it again."),
                    "422": _errors_response("Answers that are not valid, or the window is closed."),
                    "428": _errors_response("No If-Match header."),
                    **_COMMON,
                },
            },
        },
        "/api/v1/organisations": {
            "get": {"operationId": "listOrganisations", "summary": "Organisations you may submit records for",
                    "responses": {"200": _json("Organisations", "The organisations."), **_COMMON}},
        },
        f"/api/v1/definitions/{form}/{year}": {
            "get": {"operationId": "getDefinition",
                    "summary": "The questions, answer codes, conditions and rules of this form and year",
                    "responses": {"200": {"description": "The definition.",
                                          "content": {"application/json": {"schema": {"type": "object"}}}},
                                  **_COMMON}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{collection_title}: {definition.title} {year} to {year + 1} API",
            "version": "1",
            # Markdown (the docs page renders it): "<key>" outside a code span is read as a tag and vanishes.
            "description": (
                f"Send {definition.title.lower()} records for the {year} to {year + 1} collection year from your own "
                "system. The same rules apply as on the web form and in bulk upload. Authenticate with an API key "
                "created by a data coordinator, sent in the header `Authorization: Bearer <key>`."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"apiKey": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                           "description": "An API key from the collection's API keys page."}},
        },
    }

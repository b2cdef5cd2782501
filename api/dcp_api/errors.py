"""The API's one error format, {"errors": [{code, message, pointer?, ...}]}: the exception views raise and the
handler that writes it (DRF's own errors too)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .answers import ApiError


class ApiProblem(APIException):
    """An error response in the API's one format: {"errors": [{code, message, pointer?, ...}]}."""

    def __init__(self, status_code: int, errors: list[ApiError]) -> None:
        super().__init__(detail="")
        self.status_code = status_code
        self.errors = errors


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApiProblem):
        return Response({"errors": [e.as_json() for e in exc.errors]}, status=exc.status_code)
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    detail = getattr(exc, "detail", None)
    if isinstance(detail, dict | list):
        message = "The request is not valid"
    else:
        message = str(detail or response.status_text)
    response.data = {"errors": [{"code": str(code), "message": message}]}
    return response

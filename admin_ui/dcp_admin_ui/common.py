"""What every support page shares: the door (support users with a verified second factor) and error handling."""

from __future__ import annotations

from typing import Any

from dcp_platform.accounts.models import User
from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form: on the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


def page_of(request: HttpRequest, items: QuerySet[Any]) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The list's filters, to keep them in the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()

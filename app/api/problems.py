"""Validation failures of the API as RFC 9457 problem details with field errors."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec

from app.errors import problem
from rooms.errors import Invalid


class FieldError(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct):
    """RFC 9457 problem details, as every API error is answered."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None


PROBLEM_RESPONSES = {
    401: ResponseSpec(Problem, description="Missing, unknown or revoked bearer token"),
    422: ResponseSpec(Problem, description="Invalid body; `errors` names each field"),
}

MESSAGES = {
    "empty": "must not be empty",
    "too_long": "is too long",
    "invalid": "is invalid",
    "invalid_characters": "contains invalid characters",
}


def invalid_request(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, ValidationException)
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        key = str(item.get("key", "")).removeprefix("$.").removeprefix("data.") or "body"
        errors.append({"field": key, "message": str(item.get("message", "invalid"))})
    if not errors:
        errors = [{"field": "body", "message": str(exc.detail)}]
    return problem(422, "Unprocessable Content", "The request body is invalid.", errors=errors)


def invalid_domain_input(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, Invalid)
    errors = [
        {"field": field, "message": MESSAGES.get(code, code)} for field, code in exc.errors.items()
    ]
    return problem(422, "Unprocessable Content", "The request body is invalid.", errors=errors)

"""Validation failures of the API as RFC 9457 problem details with field errors."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec

from app.errors import problem
from rooms.kernel.errors import Invalid


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


PROBLEM_MEDIA_TYPE = "application/problem+json"


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(Problem, description=description, media_type=PROBLEM_MEDIA_TYPE)


PROBLEM_RESPONSES = {
    400: _spec("Malformed request"),
    401: _spec("Missing, unknown or revoked bearer token"),
    403: _spec("The credential lacks the scope this route needs"),
    404: _spec("No such room for this credential (missing or another authority's)"),
    409: _spec(
        (
            "The room is closed (read-only), the file is not known to be clean, or a "
            "request with this Idempotency-Key is still in progress"
        ),
    ),
    413: _spec("A file or the whole request is too large"),
    422: _spec(
        (
            "Invalid input (`errors` names each field), or an Idempotency-Key reused "
            "with a different request"
        ),
    ),
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """The problem answers of an operation, for its OpenAPI ``responses`` (400 always)."""
    return {code: PROBLEM_RESPONSES[code] for code in (400, *codes)}


MESSAGES = {
    "empty": "must not be empty",
    "too_long": "is too long",
    "invalid": "is invalid",
    "invalid_characters": "contains invalid characters",
    "too_many": "has more files than allowed",
    "unknown_field": "is not a field of this form",
    "not_a_file": "must be sent as a file part, with a filename",
    "not_text": "must be a plain field, not a file",
    "room_limit": "would exceed the room's storage limit",
    "zip_not_allowed": "is a ZIP archive, and archives are not accepted",
    "zip_invalid": "is a damaged ZIP container",
    "zip_too_many_entries": "is a ZIP container with too many entries",
    "zip_encrypted": "is an encrypted ZIP container",
    "zip_path": "is a ZIP container with an unsafe entry path",
    "zip_nested": "is a ZIP container with a nested archive",
    "zip_ratio": "is a ZIP container that unpacks suspiciously large",
    "zip_too_large": "is a ZIP container that unpacks too large",
}


def message_for(code: str) -> str:
    """A sentence for a domain error code; file checks say what was really found."""
    kind, _, found = code.partition(":")
    if kind == "type_mismatch":
        return f"is really {found} content, which does not match its name"
    if kind == "type_not_allowed":
        return f"is {found} content, which is not an accepted file type"
    return MESSAGES.get(code, code)


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
    errors = [{"field": field, "message": message_for(code)} for field, code in exc.errors.items()]
    return problem(422, "Unprocessable Content", "The request body is invalid.", errors=errors)

"""The upload routes' request bodies: JSON with small base64 files, or streamed multipart.

``POST /rooms/{id}/messages`` and ``POST /rooms/{id}/decisions`` take either. They
declare no ``data`` parameter, so Litestar reads nothing before the handler: a
multipart body goes to ``app.files.accept`` as it arrives (constant memory), and a
JSON body is read here within its limit and decoded as Litestar would (the same
problem details for the same mistakes). ``both_bodies`` documents the two in OpenAPI.

Limits: a JSON body carries at most ``uploads.max_base64_mb`` of files (decoded, all
together), checked on its declared length before it is read and on the encoded
lengths before anything is decoded (413 beyond); a multipart body has the browser
uploads' limits (``uploads.max_file_mb`` per file, ``max_files``, the room's space).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.spec import Operation
from multipart import parse_options_header

from app.files.accept import FORM_AROUND
from app.files.base64_files import decoded_size
from app.files.upload_stream import ReceivedUpload, TooLarge
from app.settings import Settings
from rooms.kernel.errors import Invalid

T = TypeVar("T")
MB = 1024 * 1024


# --- which body ---------------------------------------------------------------------------


def is_multipart_type(content_type: str) -> bool:
    mime, _ = parse_options_header(content_type)
    return bool(mime == "multipart/form-data")


def is_multipart(request: Request[Any, Any, Any]) -> bool:
    return is_multipart_type(request.headers.get("content-type", ""))


# --- JSON -----------------------------------------------------------------------------------


def json_limit(settings: Settings) -> int:
    """The largest JSON body: the base64 files, and the text and JSON around them."""
    files = (settings.uploads.max_base64_mb * MB + 2) // 3 * 4
    return files + 6 * settings.messages.max_length + FORM_AROUND  # escaped: 6 bytes a character


async def json_body(request: Request[Any, Any, Any], type_: type[T]) -> T:
    """The JSON body as ``type_``: 411 without a length, 413 beyond ``json_limit``, read
    only then; 400 for malformed JSON, 422 naming each invalid field."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise HTTPException(status_code=411, detail="Send the body with a Content-Length.")
    if int(length) > json_limit(request.app.state.settings):
        raise HTTPException(status_code=413, detail="The request body is too large.")
    # Request.json() refuses what is not UTF-8, nested too deep or holds NUL
    # (app.text_input); the conversion is then what Litestar does for ``data``.
    value = await request.json()
    try:
        return msgspec.convert(value, type=type_, strict=False)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `")
        key = where.rstrip("`").removeprefix("$").removeprefix(".") or "data"
        raise ValidationException(
            detail="The request body is invalid.", extra=[{"message": message, "key": key}]
        ) from None


def check_base64_total(settings: Settings, encoded: Iterable[str]) -> None:
    """413 when the base64 files of a JSON body decode to more than ``max_base64_mb``.

    From the encoded lengths: nothing is decoded before this passed.
    """
    limit = settings.uploads.max_base64_mb
    if sum(decoded_size(text) for text in encoded) > limit * MB:
        raise HTTPException(
            status_code=413,
            detail=(
                f"Files in a JSON body are limited to {limit} MB together; "
                "send larger files as multipart/form-data."
            ),
        )


# --- multipart --------------------------------------------------------------------------


def max_field(settings: Settings) -> int:
    """The largest plain field of an upload form: a message of ``max_length`` in UTF-8."""
    return max(FORM_AROUND, 4 * settings.messages.max_length)


def form_errors(
    received: ReceivedUpload, *, text: set[str], files: set[str], required: set[str]
) -> dict[str, str]:
    """Refusals for the parts of an upload form: unknown ones, and the wrong kind of part."""
    errors: dict[str, str] = {}
    for name in received.fields:
        if name in files:
            errors[name] = "not_a_file"
        elif name not in text:
            errors[name] = "unknown_field"
    for file in received.files:
        if file.field in text:
            errors[file.field] = "not_text"
        elif file.field not in files:
            errors[file.field or "file"] = "unknown_field"
    for name in sorted(required - set(received.fields) - set(errors)):
        errors[name] = "empty"
    return errors


def size_refusal(exc: TooLarge, *, field: str, max_file: int, many: bool) -> Exception:
    """What a multipart body over a limit is answered with, as for JSON bodies.

    Too many files, or more than the room has left: 422 (``too_many``, ``room_limit``);
    a file over ``max_file`` or a body over its declared limit: 413. ``many``: the
    field takes several files (``attachments[2]``), else one (``document``).
    """
    if exc.what == "count":
        return Invalid({field: "too_many"})
    if exc.what == "total":
        return Invalid({field: "room_limit"})
    if exc.what == "body":
        return HTTPException(status_code=413, detail="The request body is too large.")
    where = f"{field}[{exc.index}]" if many and exc.index is not None else field
    return HTTPException(status_code=413, detail=f"{where} is larger than {max_file // MB} MB.")


def bad_multipart() -> HTTPException:
    return HTTPException(status_code=400, detail="The body is not well-formed multipart/form-data.")


# --- OpenAPI ------------------------------------------------------------------------------


def binary(media_type: str, description: str) -> dict[str, Any]:
    """A file part of a form (OpenAPI 3.1, with the 3.0 spelling for older tools)."""
    return {
        "type": "string",
        "format": "binary",
        "contentMediaType": media_type,
        "description": description,
    }


def both_bodies(json_type: type, form: dict[str, Any], description: str) -> type[Operation]:
    """An ``operation_class`` documenting a JSON body (``json_type``) or a multipart ``form``.

    Litestar documents the ``data`` parameter only, which these routes do not declare;
    the schemas are inlined (no components), the JSON one from msgspec.
    """
    (ref,), definitions = msgspec.json.schema_components([json_type], ref_template="#/$defs/{name}")
    json_schema = _inline(ref, definitions)
    body = {
        "required": True,
        "description": description,
        "content": {
            "application/json": {"schema": json_schema},
            "multipart/form-data": {"schema": form},
        },
    }

    class WithBothBodies(Operation):
        def to_schema(self) -> dict[str, Any]:
            schema = super().to_schema()
            schema["requestBody"] = body
            return schema

    WithBothBodies.__name__ = f"{json_type.__name__}OrForm"
    return WithBothBodies


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            return _inline(definitions[ref.rsplit("/", 1)[1]], definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node

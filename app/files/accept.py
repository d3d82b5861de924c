"""accept(): the one way an uploaded file becomes part of a recorded change.

Every upload route calls it: a browser's files (``POST /rooms/{id}/uploads``), a
decision's document from the page, and a case store's message or decision through
the API, as a streamed multipart body or as base64 in a small JSON body. The route
checks CSRF (pages) and the access gate first, so that nothing is read before they
passed, and passes in what differs: the source, the ``Rules`` (the allowed types,
the limits, how a refusal names a file) and the ``record`` step (``app.files.record``).

1. receive: the files to temporary files (``app.files.upload_stream``), in constant
   memory for multipart; size and SHA-256 are taken on the way; a limit crossed
   refuses at once (``TooLarge``), a broken body with ``BadUpload``;
2. check: each file's real type by its content (``rooms.files.filetypes``) against
   the route's types (``attachment_types`` or ``pdf_only``);
3. stage: each file into storage under a new key of the room (``app.files.staging``);
4. record: the route's domain action; if it refuses, or anything else fails, every
   staged file is deleted again. What the action records (the new item, its files)
   reaches the live channel and wakes the scanner after its commit, by the facts it
   records (``app.publish``): the pipeline publishes nothing itself.

The temporary files are removed on every path. Refusals: ``TooLarge``, ``BadUpload``,
``Invalid`` (``TypeRefused`` for a type that is not accepted), and whatever the
domain action raises.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar
from uuid import UUID

from litestar import Litestar, Request

from app.files.base64_files import BadEncoding, receive_base64
from app.files.staging import staged_files
from app.files.upload_stream import (
    FirstPart,
    ReceivedUpload,
    TooLarge,
    receive,
    temp_dir,
)
from rooms.casework.attachments import StoredFile
from rooms.casework.decisions import sniff_document
from rooms.files.filenames import display_name
from rooms.files.filetypes import Detected, ZipLimits, verify
from rooms.kernel.errors import Invalid

T = TypeVar("T")

FORM_AROUND = 64 * 1024
"""Bytes a multipart body may carry besides its files: small fields and the framing."""


# --- what a route accepts --------------------------------------------------------------


class TypeCheck(Protocol):
    """The real type of the file at ``path``, or ``Invalid`` with one code saying why not."""

    def __call__(self, path: Path, *, name: str, claimed_type: str | None) -> Detected: ...


def attachment_types(*, allow_zip: bool) -> TypeCheck:
    """Attachments: the allow-list of ``rooms.files.filetypes``, ZIP archives if allowed."""

    def check(path: Path, *, name: str, claimed_type: str | None) -> Detected:
        return verify(
            path,
            claimed_name=name,
            claimed_type=claimed_type,
            allow_zip=allow_zip,
            # Word and Excel keep a chart's data as an embedded workbook.
            limits=ZipLimits(allow_office_embeddings=True),
        )

    return check


def pdf_only(path: Path, *, name: str, claimed_type: str | None) -> Detected:
    """A decision's document: a PDF, or a refusal that says what was found."""
    return sniff_document(path, name=name, claimed_type=claimed_type)


def _named_file(_: int) -> str:
    return "file"


@dataclass(frozen=True)
class Rules:
    """What one route accepts: the types, the limits, and how refusals name a file."""

    types: TypeCheck
    max_file: int
    """Bytes per file."""
    max_files: int
    max_body: int | None = None
    """The largest declared ``Content-Length``; beyond it ``TooLarge("body")`` before reading."""
    max_total: int | None = None
    """All files together, while receiving (``TooLarge("total")``); a declared length
    beyond it plus ``around`` is refused so before reading."""
    around: int = FORM_AROUND
    max_field: int = FORM_AROUND
    """Bytes of one plain form field."""
    required: bool = False
    """At least one file, else ``Invalid({field(0): "empty"})``."""
    field: Callable[[int], str] = _named_file
    """The name of the i-th file in refusals: ``"file"``, ``"document"``, ``"attachments[2]"``."""


@dataclass(frozen=True)
class Multipart:
    """A multipart/form-data body, read as it arrives."""

    content_type: str
    body: AsyncIterator[bytes]
    declared: int | None = None
    """The body's ``Content-Length``, if sent."""
    first_part: FirstPart | None = None
    """The check of the body's first part (a page form's CSRF token), if any."""

    @classmethod
    def of(cls, request: Request[Any, Any, Any], first_part: FirstPart | None = None) -> Multipart:
        length = request.headers.get("content-length") or ""
        return cls(
            request.headers.get("content-type", ""),
            request.stream(),
            int(length) if length.isdigit() else None,
            first_part,
        )


@dataclass(frozen=True)
class Base64Files:
    """The files of a small JSON body: ``(name, content_base64)`` pairs, in memory."""

    files: Sequence[tuple[str, str]]


Record = Callable[[ReceivedUpload, list[StoredFile]], Awaitable[T]]
"""The record step: called with what was received and the staged files, in this order."""


class TypeRefused(Invalid):
    """A file whose real type the route does not accept; ``code`` says what was found."""

    def __init__(self, errors: dict[str, str], index: int, code: str) -> None:
        super().__init__(errors)
        self.index = index
        self.code = code


# --- the pipeline ----------------------------------------------------------------------


async def accept(
    app: Litestar,
    source: Multipart | Base64Files,
    rules: Rules,
    *,
    room_id: UUID,
    record: Record[T],
    check_fields: Callable[[ReceivedUpload], Mapping[str, str]] | None = None,
    on_received: Callable[[ReceivedUpload], None] | None = None,
) -> T:
    """Receive, check, stage and record an upload into the room ``room_id``.

    ``check_fields`` validates the form's other fields once the body is in (its
    errors are refused together with a file's); ``on_received`` is told what was
    received before anything is checked. Returns the record step's result.
    """
    received = await _receive(app, source, rules)
    try:
        if on_received is not None:
            on_received(received)
        errors = dict(check_fields(received)) if check_fields is not None else {}
        checked = _check(received, rules, errors)
        async with staged_files(app.state.storage, room_id) as staged:
            for file, (name, detected) in zip(received.files, checked, strict=True):
                await staged.adopt(file.path, name, detected.mime, file.size, file.sha256)
            return await record(received, staged.files)
    finally:
        received.discard()


async def _receive(app: Litestar, source: Multipart | Base64Files, rules: Rules) -> ReceivedUpload:
    directory = temp_dir(app.state.settings.data_path)
    if isinstance(source, Base64Files):
        try:
            return await receive_base64(
                source.files,
                directory=directory,
                max_file=rules.max_file,
                max_files=rules.max_files,
            )
        except BadEncoding as exc:
            raise Invalid({f"{rules.field(exc.index)}.content_base64": "invalid"}) from None
    if source.declared is not None:  # before a byte of the body is read
        if rules.max_body is not None and source.declared > rules.max_body:
            raise TooLarge("body")
        if rules.max_total is not None and source.declared > rules.max_total + rules.around:
            raise TooLarge("total")
    return await receive(
        source.content_type,
        source.body,
        directory=directory,
        max_file=rules.max_file,
        max_files=rules.max_files,
        max_total=rules.max_total,
        max_field=rules.max_field,
        first_part=source.first_part,
    )


def _check(
    received: ReceivedUpload, rules: Rules, errors: dict[str, str]
) -> list[tuple[str, Detected]]:
    """Each file's display name and real type; the first refusal, with the form's errors."""
    if rules.required and not received.files:
        raise Invalid({**errors, rules.field(0): "empty"})
    checked = []
    for index, file in enumerate(received.files):
        name = display_name(file.name)
        try:
            detected = rules.types(file.path, name=name, claimed_type=file.claimed_type)
        except Invalid as exc:
            code = next(iter(exc.errors.values()))
            raise TypeRefused({**errors, rules.field(index): code}, index, code) from None
        checked.append((name, detected))
    if errors:
        raise Invalid(errors)
    return checked

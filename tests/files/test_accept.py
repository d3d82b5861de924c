"""accept(): staged files stay only when the change is recorded; temporary files never.

The record steps here are stand-ins for the domain actions (``app.files.record``):
what matters is what the pipeline does around them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.files import accept as pipeline
from app.files.accept import Base64Files, Multipart, Rules, TypeRefused, accept
from app.files.upload_stream import ReceivedUpload, TooLarge
from rooms.casework.attachments import StoredFile
from rooms.kernel.db import write_transaction
from rooms.kernel.errors import Invalid
from rooms.kernel.events import ItemAdded
from rooms.outbound.outbox import do_record
from tests import builders
from tests.cast import ERIKA
from tests.facts import committed_facts

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BOUNDARY = "acceptboundary"


def form(*files: tuple[str, bytes], fields: dict[str, str] | None = None) -> Multipart:
    data = b""
    for name, value in (fields or {}).items():
        data += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        data += value.encode() + b"\r\n"
    for filename, content in files:
        data += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{filename}"\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    data += f"--{BOUNDARY}--\r\n".encode()

    async def body() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 1000):
            yield data[start : start + 1000]

    return Multipart(f"multipart/form-data; boundary={BOUNDARY}", body(), len(data))


RULES = Rules(types=pipeline.attachment_types(allow_zip=False), max_file=10_000, max_files=3)


def nothing_left(app: Any, tmp_path) -> bool:  # type: ignore[no-untyped-def]
    temp = list((tmp_path / "var" / "tmp" / "uploads").glob("*"))
    stored = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    return temp == [] and stored == []


async def test_recorded_files_stay_and_the_scanner_is_woken_after_the_commit(app, tmp_path) -> None:
    """The pipeline publishes nothing itself: what the record step's action records
    (here a stand-in that records an item with its two files) is announced after that
    action's commit, and wakes the scanner because files came with it."""
    created = (await builders.room(ERIKA)).room
    room = created.id
    seen: list[StoredFile] = []
    fact = ItemAdded(room, created.authority_id, seq=7, kind="upload", side="applicant", files=2)

    async def record(received: ReceivedUpload, files: list[StoredFile]) -> int:
        seen.extend(files)
        async with write_transaction():
            await do_record(fact)
            assert heard == []  # nothing announced before the change is committed
        return 7

    with committed_facts() as heard:
        result = await accept(
            app, form(("a.pdf", PDF), ("b.txt", b"Text")), RULES, room_id=room, record=record
        )
    assert result == 7
    assert [(f.name, f.mime) for f in seen] == [
        ("a.pdf", "application/pdf"),
        ("b.txt", "text/plain"),
    ]
    assert all(f.storage_key.startswith(f"rooms/{room}/") for f in seen)
    assert [await app.state.storage.exists(f.storage_key) for f in seen] == [True, True]
    assert heard == [fact] and fact.wakes_scanner
    assert list((tmp_path / "var" / "tmp" / "uploads").glob("*")) == []


@pytest.mark.parametrize("source", ["multipart", "base64"])
async def test_a_refused_record_leaves_nothing_stored(app, tmp_path, source) -> None:
    async def refuse(received: ReceivedUpload, files: list[StoredFile]) -> None:
        assert [await app.state.storage.exists(f.storage_key) for f in files] == [True]
        raise Invalid({"file": "room_limit"})

    upload = form(("a.pdf", PDF)) if source == "multipart" else Base64Files([("a.pdf", "JVBERi0=")])
    with committed_facts() as heard, pytest.raises(Invalid):
        await accept(app, upload, RULES, room_id=uuid.uuid4(), record=refuse)
    assert nothing_left(app, tmp_path)
    assert heard == []


async def test_a_refused_type_is_never_staged_nor_recorded(app, tmp_path) -> None:
    async def record(received: ReceivedUpload, files: list[StoredFile]) -> None:
        raise AssertionError("not reached")

    upload = form(("ok.pdf", PDF), ("bild.png", b"<!doctype html><script>x</script>"))
    rules = Rules(
        types=RULES.types, max_file=10_000, max_files=3, field=lambda i: f"attachments[{i}]"
    )
    with pytest.raises(TypeRefused) as refused:
        await accept(app, upload, rules, room_id=uuid.uuid4(), record=record)
    assert refused.value.errors == {"attachments[1]": "type_mismatch:html"}
    assert (refused.value.index, refused.value.code) == (1, "type_mismatch:html")
    assert nothing_left(app, tmp_path)


async def test_the_forms_errors_come_with_a_files(app, tmp_path) -> None:
    async def record(received: ReceivedUpload, files: list[StoredFile]) -> None:
        raise AssertionError("not reached")

    def check(received: ReceivedUpload) -> dict[str, str]:
        return {} if received.fields.get("summary") else {"summary": "empty"}

    rules = Rules(types=pipeline.pdf_only, max_file=10_000, max_files=1, required=True)
    with pytest.raises(Invalid) as both:
        await accept(
            app,
            form(("b.pdf", b"Text")),
            rules,
            room_id=uuid.uuid4(),
            record=record,
            check_fields=check,
        )
    assert both.value.errors == {"summary": "empty", "file": "not_pdf:text"}
    with pytest.raises(Invalid) as empty:
        await accept(app, form(), rules, room_id=uuid.uuid4(), record=record, check_fields=check)
    assert empty.value.errors == {"summary": "empty", "file": "empty"}
    assert nothing_left(app, tmp_path)


async def test_a_declared_length_over_the_limit_is_refused_before_reading(app, tmp_path) -> None:
    async def never() -> AsyncIterator[bytes]:
        raise AssertionError("the body was read")
        yield b""

    async def record(received: ReceivedUpload, files: list[StoredFile]) -> None:
        raise AssertionError("not reached")

    source = Multipart(f"multipart/form-data; boundary={BOUNDARY}", never(), 10**9)
    for rules, what in (
        (Rules(types=RULES.types, max_file=10, max_files=1, max_body=1000), "body"),
        (Rules(types=RULES.types, max_file=10**9, max_files=1, max_total=1000), "total"),
    ):
        with pytest.raises(TooLarge) as refused:
            await accept(app, source, rules, room_id=uuid.uuid4(), record=record)
        assert refused.value.what == what

"""Schemathesis against the machine API, in process, on the test database.

Schemathesis generates requests from the OpenAPI document (positive data: what the
document allows) for every operation and checks each answer: never a server error,
a documented status code and a body that matches the documented schema.

How it runs: hypothesis drives the generation synchronously, so it runs in a worker
thread; each request is handed to the test's event loop (which owns the app, its
lifespan and the database pool) with ``run_coroutine_threadsafe`` and sent through
``httpx.ASGITransport``. A multipart case (the upload routes take JSON or a form) is
encoded the way schemathesis' own transport does it, with ``requests``, and sent as
those bytes. The binary download is left out (its body is a file, not a
schema). SQLite only: the PostgreSQL run doubles the time and exercises the same
handlers and queries that the endpoint tests already run on both databases.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests import builders
from tests.cast import ERIKA

pytestmark = pytest.mark.usefixtures("database")

MAX_EXAMPLES = 25
EXCLUDED = {("GET", "/api/v1/rooms/{room_id}/attachments/{attachment_id}")}
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.mark.timeout(180)
@pytest.mark.only_on("sqlite")  # see the module docstring
async def test_no_server_error_and_answers_as_documented(http: httpx.AsyncClient) -> None:
    _, token = await builders.client()
    room = await builders.room(ERIKA)
    kept_open = await builders.room(ERIKA)  # for the uploads: never closed by /close
    doc = (await http.get("/api/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(doc)
    loop = asyncio.get_running_loop()
    auth = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    calls = 0

    def send(kwargs: dict[str, Any]) -> httpx.Response:
        nonlocal calls
        calls += 1
        headers, content = kwargs.get("headers"), kwargs.get("data")
        if kwargs.get("files") or isinstance(content, dict):  # a form
            form = requests.Request(
                "POST", kwargs["url"], headers=headers, files=kwargs.get("files"), data=content
            ).prepare()
            headers, content = dict(form.headers), form.body
        coro = http.request(
            kwargs["method"],
            kwargs["url"],
            headers=headers,
            params=kwargs.get("params"),
            json=kwargs.get("json"),
            content=content if isinstance(content, bytes | str) else None,
        )
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)

    def run(operation: Any) -> None:
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same examples on every run: no flaky findings
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            if "room_id" in (case.path_parameters or {}) and calls % 2 == 0:
                target = room if operation.path.endswith("/close") else kept_open
                case.path_parameters["room_id"] = str(target.room.id)  # reach the handler too
            kwargs = case.as_transport_kwargs(base_url="http://127.0.0.1:8000", headers=auth)
            response = send(kwargs)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
                raise

        check()

    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        key = (operation.method.upper(), operation.path)
        if operation.path.startswith("/api/v1/") and key not in EXCLUDED:
            operations.append(operation)
    assert len(operations) >= 8
    for operation in operations:
        await asyncio.to_thread(run, operation)
    assert not failures, "\n".join(failures)
    assert calls >= len(operations) * 5

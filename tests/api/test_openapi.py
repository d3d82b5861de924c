"""The OpenAPI document: valid, and every API operation fully described."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.usefixtures("database")

METHODS = {"get", "post", "put", "patch", "delete"}


async def document(http) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await http.get("/api/schema/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in doc["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
        if method in METHODS
    ]


async def test_the_document_is_valid_openapi(http) -> None:
    doc = await document(http)
    validate(doc)  # raises on any violation of the OpenAPI 3.1 specification
    assert doc["openapi"].startswith("3.1")


async def test_the_machine_api_is_all_there(http) -> None:
    found = {(m.upper(), p) for m, p, _ in operations(await document(http))}
    assert {
        ("POST", "/api/v1/rooms"),
        ("GET", "/api/v1/rooms"),
        ("GET", "/api/v1/rooms/{room_id}"),
        ("POST", "/api/v1/rooms/{room_id}/status"),
        ("POST", "/api/v1/rooms/{room_id}/close"),
        ("GET", "/api/v1/rooms/{room_id}/messages"),
        ("POST", "/api/v1/rooms/{room_id}/messages"),
        ("GET", "/api/v1/rooms/{room_id}/attachments/{attachment_id}"),
        ("GET", "/api/v1/events"),
    } <= found


async def test_every_operation_has_a_summary_and_problem_responses(http) -> None:
    doc = await document(http)
    for method, path, operation in operations(doc):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), f"{where}: no summary"
        assert operation.get("security") == [{"bearer": []}], where
        responses = operation["responses"]
        assert "401" in responses, f"{where}: the 401 problem is not described"
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                content = response.get("content", {})
                assert "application/problem+json" in content or status == "400", (
                    f"{where} {status}: not described as a problem"
                )


async def test_every_post_documents_the_idempotency_key(http) -> None:
    doc = await document(http)
    posts = [(p, op) for m, p, op in operations(doc) if m == "post"]
    assert len(posts) >= 4
    for path, operation in posts:
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        names = {p["name"] for p in headers}
        assert "Idempotency-Key" in names, f"POST {path} does not document Idempotency-Key"
        assert {"403", "409", "422"} <= set(operation["responses"]), path


async def test_the_rooms_routes_name_their_scopes_in_the_403(http) -> None:
    doc = await document(http)
    for method, path, operation in operations(doc):
        if path.startswith("/api/v1/rooms"):
            assert "403" in operation["responses"], f"{method.upper()} {path}"

"""Room isolation, generated from the application's route table: proof, not promise.

The route table of a freshly built app is the source of truth. Every route whose path
carries a parameter that can name a room (or a message, attachment, invitation … in
it) must have an entry in ``HOW_TO_CALL``; a route without one fails
``test_every_id_route_has_an_isolation_call`` by name. Each entry is then called by
every outsider against a victim room, and the answers must be the access gate's:
404 for logged-in outsiders and foreign machine clients, a login redirect for
anonymous visitors, 401 for the API without a token, never 403 (that would only be
CSRF, which we send correctly), never a byte of the victim's data, and no change in
the database. ``test_the_owner_reaches_the_handler`` proves each call is well formed
(the room's own applicant gets the data through the very same call), so an outsider's
refusal comes from the access gate and not from a malformed request. Staff-only calls,
which answer the applicant 404 like everyone else, are proved well formed by the room's
caseworker instead (``test_the_rooms_caseworker_reaches_the_staff_only_handler``), and
the applicant's 404 there must be the outsiders' answer exactly.
"""

from __future__ import annotations

import asyncio
import base64
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.handlers import BaseRouteHandler
from litestar.routes import WebSocketRoute
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.storage import FileStorage
from rooms.casework.attachments import StoredFile
from rooms.casework.posting import check_add_upload, check_post_message
from rooms.casework.requests import NewItem, check_create_request, open_requests
from rooms.casework.verdicts import do_record_verdict
from rooms.kernel.tables import Invitation, Message, Participant, Receipt, Room
from tests import builders
from tests.cast import ERIKA, SABINE
from tests.conftest import BASE_URL, make_settings
from tests.login import csrf, login

# --- the victim and its distinctive data -------------------------------------------

FILE_CONTENT = b"%PDF-1.4 Zauberwald-Nachweis QX7731 %%EOF"

TITLE = "Antrag auf Zauberwald Baugenehmigung QX7731"
CASE_REF = "ISO-VICTIM-7731-ZW"
MESSAGE = "Vertraulich: die Steuer-ID 98765432109 liegt uns vor."
REPLY = "Antwort von Erika zur Flurnummer Zauberwald-4471."
LIVE_MESSAGE = "Live-Nachricht Zauberwald-5502 waehrend des Zugriffsversuchs."
ERIKA_NAME = "Erika Mustermann"
INTRUDER_TEXT = "Eindringling schreibt hier hinein."

ANONYMOUS = "anonymous"
WEB_OUTSIDERS = ("jonas", "otto", "max", ANONYMOUS)  # Otto: caseworker of demo-kreis
KREIS_CLIENT = "demo-kreis-client"
NO_TOKEN = "no-token"
API_OUTSIDERS = (KREIS_CLIENT, NO_TOKEN)


@dataclass(frozen=True)
class Victim:
    room_id: uuid.UUID
    representative_id: uuid.UUID
    request_item_id: uuid.UUID
    attachment_id: uuid.UUID

    def secrets(self, *, with_room_id: bool = True) -> list[str]:
        found = [TITLE, CASE_REF, MESSAGE, REPLY, LIVE_MESSAGE, ERIKA_NAME, "Zauberwald"]
        if with_room_id:
            found += [str(self.room_id), self.room_id.hex]
        return found


@pytest.fixture
async def victim(database, tmp_path) -> Victim:  # type: ignore[no-untyped-def]
    """Erika's room at demo-stadt with the authority's question and Erika's reply."""
    await builders.authority("demo-kreis", "Landkreis Demo")  # Otto's authority
    result = await builders.room(ERIKA, title=TITLE, case_ref=CASE_REF, message=MESSAGE)
    await check_post_message(ERIKA, result.room.id, REPLY)
    representative = Participant(
        room=result.room.id,
        role="representative",
        kind="person",
        subject="victim-representative",
        name="Vertreterin Zauberwald",
    )
    await representative.save()
    await check_create_request(
        SABINE,
        result.room.id,
        "Bitte den Zauberwald-Nachweis nachreichen",
        [NewItem("Zauberwald-Nachweis")],
        datetime.now(UTC).date() + timedelta(days=7),
    )
    [request] = await open_requests(result.room.id)
    item = request.items[0]
    # A clean file in the very storage the app fixture uses (make_settings: tmp/files).
    key = f"rooms/{result.room.id}/{uuid.uuid4()}"
    source = tmp_path / "victim.pdf"
    source.write_bytes(FILE_CONTENT)
    await FileStorage(tmp_path / "files").put_file(key, source, "application/pdf")
    stored = StoredFile(key, "zauberwald.pdf", "application/pdf", len(FILE_CONTENT), "0" * 64)
    posted = await check_add_upload(
        ERIKA, result.room.id, [stored], item_id=item.id, room_limit=10**9
    )
    [attachment] = posted.attachment_ids
    await do_record_verdict(attachment, clean=True)
    return Victim(result.room.id, uuid.UUID(str(representative.id)), item.id, attachment)


# --- the route table -----------------------------------------------------------------

# Path parameters that cannot name anything inside a room; every other parameter does
# (deliberately strict: a new parameter needs coverage until it is listed here).
UNRELATED_PARAMS = {
    "provider_id": "the identity provider of /login/{provider_id}",
    "file_path": "static files",
    "path": "documents of the OpenAPI schema",
}


@dataclass(frozen=True)
class RouteEntry:
    method: str  # HTTP method, or "WS" for a websocket
    path: str  # the template exactly as Litestar lists it, e.g. /rooms/{room_id:str}
    params: tuple[str, ...]
    framework: bool  # Litestar's own answer (OPTIONS, HEAD, static files, schema)


def route_inventory(app: Litestar) -> list[RouteEntry]:
    def entry(method: str, path: str, params: tuple[str, ...], handler: Any) -> RouteEntry:
        assert isinstance(handler, BaseRouteHandler)
        module = getattr(handler.fn, "__module__", "") or ""
        return RouteEntry(method, path, params, module.startswith("litestar"))

    entries = []
    for route in app.routes:
        params = tuple(route.path_parameters)
        if isinstance(route, WebSocketRoute):
            entries.append(entry("WS", route.path, params, route.route_handler))
            continue
        for method, (handler, _) in route.route_handler_map.items():  # type: ignore[union-attr]
            entries.append(entry(method, route.path, params, handler))
    return entries


def names_a_room(route: RouteEntry) -> bool:
    return any(name not in UNRELATED_PARAMS for name in route.params)


def built_app_routes() -> list[RouteEntry]:
    """The route table of a freshly built app; leaves the tables' engine binding alone."""
    from piccolo.apps.migrations.tables import Migration

    from app import create_app, db
    from rooms.kernel.tables import TABLES

    tables: tuple[Any, ...] = (*TABLES, Migration)
    bound = [(table, table._meta._db) for table in tables]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engine = db.make_engine("sqlite:///:memory:")
            return route_inventory(create_app(make_settings(Path(tmp)), engine=engine))
    finally:
        for table, engine in bound:
            table._meta._db = engine


ROUTES = built_app_routes()


# --- how to call each route that names a room ------------------------------------------


def room_params(v: Victim) -> dict[str, str]:
    return {"room_id": str(v.room_id)}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    fill: Callable[[Victim], dict[str, str]]
    form: Callable[[Victim], dict[str, str]] | None = None
    json: Callable[[Victim], dict[str, Any]] | None = None
    owner_status: int = 200  # what the room's own applicant gets from this very call
    owner_writes: bool = False  # the owner's call adds a message
    files: Callable[[Victim], list[tuple[str, bytes, str]]] | None = None  # multipart upload
    owner_sees: tuple[str, ...] = (TITLE, MESSAGE, REPLY)  # in the owner's GET answer
    staff_status: int | None = None  # staff only: what the room's caseworker gets instead
    staff_writes: bool = False  # the caseworker's call adds a timeline item

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    def url(self, v: Victim) -> str:
        values = self.fill(v)
        return re.sub(r"\{(\w+)(?::[^}]*)?\}", lambda m: values[m.group(1)], self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


HOW_TO_CALL: tuple[Call, ...] = (
    Call("GET", "/rooms/{room_id:str}", room_params, owner_status=200),
    # caseworker workspace: notes, assignment, status, closing, text templates in the
    # composer. Staff only: the room's own applicant gets the same 404 as an outsider.
    Call(
        "GET",
        "/rooms/{room_id:str}/notes",
        room_params,
        owner_status=404,
        owner_sees=(),
        staff_status=200,
    ),
    Call(
        "POST",
        "/rooms/{room_id:str}/notes",
        room_params,
        form=lambda v: {"note": INTRUDER_TEXT},
        owner_status=404,
        staff_status=303,
    ),
    Call(
        "POST",
        "/rooms/{room_id:str}/assignment",
        room_params,
        form=lambda v: {"assignee": "", "team": INTRUDER_TEXT[:50], "note": INTRUDER_TEXT},
        owner_status=404,
        staff_status=303,
    ),
    Call(
        "POST",
        "/rooms/{room_id:str}/status",
        room_params,
        form=lambda v: {"progress": "decided"},
        owner_status=404,
        staff_status=303,
    ),
    Call(
        "GET",
        "/rooms/{room_id:str}/close",
        room_params,
        owner_status=404,
        owner_sees=(),
        staff_status=200,
    ),
    Call(
        "POST",
        "/rooms/{room_id:str}/close",
        room_params,
        form=lambda v: {"confirm": "yes"},
        owner_status=404,
        staff_status=303,
    ),
    Call(
        "POST",
        "/rooms/{room_id:str}/composer",
        room_params,
        form=lambda v: {"body": INTRUDER_TEXT, "template": str(uuid.uuid4())},
        owner_status=404,
        staff_status=422,  # the handler's answer: no such template (any more)
    ),
    Call(
        "POST",
        "/rooms/{room_id:str}/messages",
        room_params,
        form=lambda v: {"body": INTRUDER_TEXT},
        owner_status=303,
        owner_writes=True,
    ),
    Call("WS", "/rooms/{room_id:str}/live", room_params),
    Call(
        "POST",
        "/rooms/{room_id:str}/requests",
        room_params,
        form=lambda v: {
            "explanation": INTRUDER_TEXT,
            "items": "x",
            "deadline": (datetime.now(UTC).date() + timedelta(days=7)).isoformat(),
        },
        owner_status=404,  # staff only: the applicant gets the outsiders' 404
        staff_status=303,
        staff_writes=True,
    ),
    Call(
        "POST",
        "/rooms/{room_id:str}/request-items/{item_id:str}/review",
        lambda v: {"room_id": str(v.room_id), "item_id": str(v.request_item_id)},
        form=lambda v: {"decision": "accept"},
        owner_status=404,
        staff_status=303,
    ),
    Call(
        "POST",
        "/rooms/{room_id:str}/uploads",
        room_params,
        files=lambda v: [
            ("eindringling.pdf", b"%PDF-1.4 " + INTRUDER_TEXT.encode(), "application/pdf")
        ],
        owner_status=303,
        owner_writes=True,
    ),
    # decisions (Bescheide): the caseworker's form, the case store's API
    Call(
        "POST",
        "/rooms/{room_id:str}/decisions",
        room_params,
        files=lambda v: [
            ("bescheid.pdf", b"%PDF-1.4 " + INTRUDER_TEXT.encode(), "application/pdf")
        ],
        owner_status=404,  # staff only: the applicant gets the outsiders' 404
        staff_status=422,  # the handler's answer: the form has no summary
    ),
    Call(
        "POST",
        "/api/v1/rooms/{room_id:str}/decisions",
        room_params,
        json=lambda v: {
            "summary": INTRUDER_TEXT,
            "document": {
                "name": "bescheid.pdf",
                "content_base64": base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode(),
            },
        },
        owner_status=201,  # the room's own authority's case store
        owner_writes=True,
    ),
    Call(
        "GET",
        "/api/v1/rooms/{room_id:str}/decisions",
        room_params,
        owner_sees=('"decisions"',),
    ),
    # the rest of the machine API (rooms, timeline, files)
    Call("GET", "/api/v1/rooms/{room_id:str}", room_params, owner_sees=(TITLE, CASE_REF)),
    Call(
        "POST",
        "/api/v1/rooms/{room_id:str}/status",
        room_params,
        json=lambda v: {"progress": "decided"},
        owner_status=200,
    ),
    Call("POST", "/api/v1/rooms/{room_id:str}/close", room_params, owner_status=200),
    Call("GET", "/api/v1/rooms/{room_id:str}/messages", room_params, owner_sees=(MESSAGE, REPLY)),
    Call(
        "POST",
        "/api/v1/rooms/{room_id:str}/messages",
        room_params,
        json=lambda v: {"body": INTRUDER_TEXT},
        owner_status=201,
        owner_writes=True,
    ),
    Call(
        "GET",
        "/api/v1/rooms/{room_id:str}/attachments/{attachment_id:str}",
        lambda v: {"room_id": str(v.room_id), "attachment_id": str(v.attachment_id)},
        owner_sees=(FILE_CONTENT.decode(),),
    ),
    Call(
        "GET",
        "/rooms/{room_id:str}/attachments/{attachment_id:str}",
        lambda v: {"room_id": str(v.room_id), "attachment_id": str(v.attachment_id)},
        owner_sees=(FILE_CONTENT.decode(),),
    ),
    Call(
        "POST",
        "/rooms/{room_id:str}/invitations",
        room_params,
        form=lambda v: {"label": INTRUDER_TEXT},
        owner_status=200,
    ),
    Call(
        "POST",
        "/rooms/{room_id:str}/representatives/{participant_id:str}/remove",
        lambda v: {"room_id": str(v.room_id), "participant_id": str(v.representative_id)},
        form=lambda v: {},
        owner_status=303,
    ),
    # webhooks (admin only): no outsider, nor the room's applicant, administers an
    # authority; the admin and another authority's admin are in tests/webhooks
    Call(
        "POST",
        "/admin/webhooks/{subscription_id:str}/disable",
        lambda v: {"subscription_id": str(v.room_id)},  # any id: nobody here is an admin
        form=lambda v: {},
        owner_status=404,
    ),
    Call(
        "POST",
        "/admin/webhooks/deliveries/{delivery_id:str}/redeliver",
        lambda v: {"delivery_id": "1"},
        form=lambda v: {},
        owner_status=404,
    ),
)


def uncovered(routes: list[RouteEntry], calls: tuple[Call, ...]) -> list[str]:
    covered = {call.key for call in calls}
    return sorted(
        {
            f"{r.method} {r.path}"
            for r in routes
            if names_a_room(r) and not r.framework and (r.method, r.path) not in covered
        }
    )


def stale(routes: list[RouteEntry], calls: tuple[Call, ...]) -> list[str]:
    existing = {(r.method, r.path) for r in routes}
    return sorted(str(call) for call in calls if call.key not in existing)


def test_every_id_route_has_an_isolation_call() -> None:
    missing = uncovered(ROUTES, HOW_TO_CALL)
    assert not missing, (
        "new route without isolation coverage: "
        + ", ".join(missing)
        + " (add it to HOW_TO_CALL in tests/security/test_isolation.py)"
    )


def test_every_isolation_call_still_has_its_route() -> None:
    gone = stale(ROUTES, HOW_TO_CALL)
    assert not gone, "HOW_TO_CALL covers a route that no longer exists: " + ", ".join(gone)


def test_the_guard_notices_new_and_removed_routes() -> None:
    """The two tests above can fail: a synthetic app with a new id route and one less."""
    from litestar import WebSocket, get, websocket
    from litestar.params import FromPath

    @get("/rooms/{room_id:str}/attachments/{attachment_id:uuid}")
    async def attachment(room_id: FromPath[str], attachment_id: FromPath[uuid.UUID]) -> str:
        return ""

    @get("/invitations/{code:str}")
    async def invitation(code: FromPath[str]) -> str:
        return ""

    @websocket("/rooms/{room_id:str}/live")
    async def live(socket: WebSocket[Any, Any, Any], room_id: FromPath[str]) -> None:
        return None

    routes = route_inventory(Litestar([attachment, invitation, live]))
    assert uncovered(routes, HOW_TO_CALL) == [
        "GET /invitations/{code:str}",
        "GET /rooms/{room_id:str}/attachments/{attachment_id:uuid}",
    ]
    assert stale(routes, HOW_TO_CALL) == sorted(
        str(call) for call in HOW_TO_CALL if call.key != ("WS", "/rooms/{room_id:str}/live")
    )


# --- helpers -----------------------------------------------------------------------------


async def become(client: httpx.AsyncClient, who: str) -> None:
    """Log ``client`` in as ``who`` (or stay anonymous) and make sure it has a CSRF cookie."""
    if who != ANONYMOUS:
        done = await login(client, who)
        assert done.status_code == 303, done.text
    await client.get("/")
    csrf(client)


async def snapshot(v: Victim) -> dict[str, Any]:
    """What an outsider's call must not change."""
    return {
        "messages": await Message.count(),
        "receipts": await Receipt.count(),
        "participants": await Participant.count(),
        "active participants": await Participant.count().where(Participant.revoked_at.is_null()),
        "invitations": await Invitation.count(),
        "rooms": await Room.count(),
        "room": await Room.select(
            Room.title, Room.case_ref, Room.status, Room.last_seq, Room.last_activity_at
        )
        .where(Room.id == v.room_id)
        .first(),
    }


def assert_no_leak(
    v: Victim, where: str, text: str, headers: list[tuple[str, str]], *, login_redirect: bool
) -> None:
    for secret in v.secrets():
        assert secret not in text, f"{where}: the body leaks {secret!r}"
    for name, value in headers:
        echo = login_redirect and name.lower() == "location" and value.startswith("/login?next=")
        for secret in v.secrets(with_room_id=not echo):
            assert secret not in value, f"{where}: header {name} leaks {secret!r}"


def in_process(app: Litestar) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL, follow_redirects=False
    )


async def send(
    client: httpx.AsyncClient, call: Call, v: Victim, *, token: str | None = None
) -> httpx.Response:
    headers: dict[str, str] = {}
    if call.api:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = call.json(v) if call.json else None
        return await client.request(call.method, call.url(v), json=body, headers=headers)
    if call.method in {"GET", "HEAD", "OPTIONS"}:
        return await client.request(call.method, call.url(v))
    if call.files:  # uploads take the token in a header, never from the body
        files = [("file", f) for f in call.files(v)]
        headers = {"x-csrftoken": csrf(client)}
        return await client.request(call.method, call.url(v), files=files, headers=headers)
    form = {**(call.form(v) if call.form else {}), "_csrf_token": csrf(client)}
    return await client.request(call.method, call.url(v), data=form)


def normalised(response: httpx.Response, v: Victim) -> tuple[int, str, str]:
    rid = str(v.room_id)
    location = response.headers.get("location", "")
    return (response.status_code, response.text.replace(rid, "<id>"), location.replace(rid, "<id>"))


def http_cases() -> Iterator[Any]:
    for call in HOW_TO_CALL:
        if call.method != "WS":
            yield pytest.param(call, id=str(call))


def outsiders(call: Call) -> tuple[str, ...]:
    return API_OUTSIDERS if call.api else WEB_OUTSIDERS


# --- 1. every route that names a room, as every outsider -----------------------------------


@pytest.mark.parametrize("call", list(http_cases()))
async def test_outsiders_get_nothing_from_an_id_route(app, victim, call: Call) -> None:
    """Every outsider, one after the other, on the same victim (which they must not change)."""
    for who in outsiders(call):
        await outsider_gets_nothing(app, victim, call, who)


async def outsider_gets_nothing(app, victim, call: Call, who: str) -> None:  # type: ignore[no-untyped-def]
    missing = replace(victim, room_id=uuid.uuid4())
    async with in_process(app) as client:
        token = None
        if call.api:
            token = (await builders.client("demo-kreis"))[1] if who == KREIS_CLIENT else None
        else:
            await become(client, who)
        before = await snapshot(victim)
        response = await send(client, call, victim, token=token)
        assert await snapshot(victim) == before, f"{call} as {who} changed the database"
        if who == ANONYMOUS and not call.api:
            # A POST that needed a login keeps its text in a new session; a browser gets
            # the CSRF token of that session with the next page, as this does.
            await client.get("/")
        for_missing = await send(client, call, missing, token=token)
        assert await snapshot(victim) == before

    anonymous_web = who == ANONYMOUS and not call.api
    assert response.status_code != 403, f"{call} as {who}: 403 means CSRF, not the access gate"
    if who == NO_TOKEN:
        assert response.status_code == 401, response.text
    elif anonymous_web and response.status_code == 303:
        location = response.headers["location"]
        assert location == "/login" or location.startswith("/login?next="), response.headers
    else:
        assert response.status_code == 404, f"{call} as {who}: {response.status_code}"
    where = f"{call} as {who}"
    assert_no_leak(
        victim,
        where,
        response.text,
        response.headers.multi_items(),
        login_redirect=anonymous_web,
    )
    # The same answer as for a room that does not exist: no existence oracle.
    assert normalised(response, victim) == normalised(for_missing, missing), where


@pytest.mark.parametrize(
    "route",
    [pytest.param(r, id=f"{r.method} {r.path}") for r in ROUTES if names_a_room(r) and r.framework],
)
async def test_framework_answers_on_id_routes_carry_no_room_data(app, victim, route) -> None:
    """Litestar's own answers (OPTIONS …) on these paths run no handler code; still: no data."""
    path = re.sub(r"\{(\w+)(?::[^}]*)?\}", str(victim.room_id), route.path)
    async with in_process(app) as client:
        await become(client, "jonas")
        response = await client.request(route.method, path)
    assert_no_leak(victim, f"{route.method} {route.path}", response.text, [], login_redirect=False)
    for name, value in response.headers.multi_items():
        for secret in victim.secrets(with_room_id=False):
            assert secret not in value, f"header {name} leaks {secret!r}"


HTTP_CALLS = [pytest.param(c, id=str(c)) for c in HOW_TO_CALL if c.method != "WS"]
WS_CALLS = [pytest.param(c, id=str(c)) for c in HOW_TO_CALL if c.method == "WS"]


@pytest.mark.parametrize("call", HTTP_CALLS)
async def test_the_owner_reaches_the_handler(app, victim, call: Call) -> None:
    """Control: the very same call, made by Erika, gets her room: the calls are well formed."""
    async with in_process(app) as erika:
        token = (await builders.client("demo-stadt"))[1] if call.api else None
        if not call.api:
            await become(erika, "erika")
        before = await Message.count()
        response = await send(erika, call, victim, token=token)
    assert response.status_code == call.owner_status, response.text
    assert await Message.count() == before + (1 if call.owner_writes else 0)
    if call.method == "GET":
        assert all(seen in response.text for seen in call.owner_sees), response.text[:500]


STAFF_ONLY_CALLS = [pytest.param(c, id=str(c)) for c in HOW_TO_CALL if c.staff_status is not None]


def test_every_call_the_applicant_cannot_make_is_proved_by_the_caseworker() -> None:
    """A room route the applicant gets 404 from needs another proof that it is well formed
    (the administration's routes are proved in tests/webhooks: nobody here administers)."""
    unproved = [
        str(c)
        for c in HOW_TO_CALL
        if c.owner_status == 404 and c.staff_status is None and not c.path.startswith("/admin/")
    ]
    assert not unproved, "staff-only calls without staff_status: " + ", ".join(unproved)


@pytest.mark.parametrize("call", STAFF_ONLY_CALLS)
async def test_the_rooms_caseworker_reaches_the_staff_only_handler(app, victim, call: Call) -> None:
    """Control for staff-only calls: Sabine, the room's caseworker, gets past the gate with
    the very call that answers the applicant 404."""
    async with in_process(app) as sabine:
        await become(sabine, "sabine")
        before = await Message.count()
        response = await send(sabine, call, victim)
    assert response.status_code == call.staff_status, response.text[:500]
    assert await Message.count() == before + (1 if call.staff_writes else 0)


@pytest.mark.parametrize("call", STAFF_ONLY_CALLS)
async def test_the_applicant_gets_the_outsiders_answer_from_staff_only_calls(
    app, victim, call: Call
) -> None:
    """Erika may see the room, but a staff-only call answers her exactly as it answers a
    call for a room that does not exist, and changes nothing."""
    missing = replace(victim, room_id=uuid.uuid4())
    async with in_process(app) as erika:
        await become(erika, "erika")
        before = await snapshot(victim)
        response = await send(erika, call, victim)
        for_missing = await send(erika, call, missing)
        assert await snapshot(victim) == before, f"{call} as the applicant changed the database"
    assert response.status_code == 404, f"{call} as the applicant: {response.status_code}"
    assert normalised(response, victim) == normalised(for_missing, missing), str(call)


@pytest.mark.parametrize("call", WS_CALLS)
async def test_the_owner_reaches_the_socket(server, victim, call: Call) -> None:
    """Control: Erika's socket, opened exactly as the outsiders' are, gets her timeline."""
    async with httpx.AsyncClient(base_url=server) as erika:
        await become(erika, "erika")
        outcome = await attempt_socket(server, erika, victim, after=0, seconds=5, stop=MESSAGE)
    assert outcome.kind == "open", outcome
    assert any(MESSAGE in frame for frame in outcome.frames), outcome


# --- 2. lists and counts -------------------------------------------------------------------

LIST_EXCLUDED = (
    "/static",
    "/api/schema",
    "/dev-idp",
    "/auth/callback",
    "/login",
    "/healthz",
    "/readyz",
)
LIST_ROUTES = sorted(
    {
        r.path
        for r in ROUTES
        if r.method == "GET" and not r.params and not r.path.startswith(LIST_EXCLUDED)
    }
)


ADMIN_ONLY = "/admin"


def test_the_list_routes_are_found() -> None:
    assert {"/", "/antraege", "/inbox"} <= set(LIST_ROUTES), LIST_ROUTES


@pytest.mark.parametrize("path", LIST_ROUTES)
async def test_lists_and_counts_show_nothing_of_the_room(app, victim, path) -> None:
    for who in (KREIS_CLIENT,) if path.startswith("/api/") else WEB_OUTSIDERS:
        await list_shows_nothing(app, victim, path, who)


async def list_shows_nothing(app, victim, path: str, who: str) -> None:  # type: ignore[no-untyped-def]
    async with in_process(app) as client:
        headers = {}
        if path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {(await builders.client('demo-kreis'))[1]}"
        else:
            await become(client, who)
        response = await client.get(path, headers=headers, follow_redirects=True)
    # No outsider administers an authority: the administration answers them 404.
    expected = 404 if path.startswith(ADMIN_ONLY) and who != ANONYMOUS else 200
    assert response.status_code == expected, f"GET {path} as {who}: {response.status_code}"
    for hop in (*response.history, response):
        where = f"GET {hop.url.path} (from {path}) as {who}"
        assert_no_leak(victim, where, hop.text, hop.headers.multi_items(), login_redirect=False)
    # The outsiders have no rooms at all: any row, link or unread count is the victim's.
    text = response.text
    assert 'href="/rooms/' not in text, f"GET {path} as {who} links a room"
    assert "ungelesen" not in text and "--unread" not in text, f"GET {path} as {who}: a count"


# --- 3. the live socket ----------------------------------------------------------------------


@dataclass
class SocketOutcome:
    kind: str  # "refused" (handshake), "closed" (after accept), "open" (still open)
    frames: list[str]
    code: int | None


def ws_url(base: str, v: Victim, after: int) -> str:
    [call] = [c for c in HOW_TO_CALL if c.method == "WS"]
    return f"{base.replace('http', 'ws', 1)}{call.url(v)}?after={after}"


async def attempt_socket(
    base: str,
    client: httpx.AsyncClient,
    v: Victim,
    *,
    after: int,
    seconds: float,
    stop: str | None = None,
) -> SocketOutcome:
    """Open the room's socket as ``client`` and collect what arrives for ``seconds``."""
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    headers = {"Cookie": cookie} if cookie else {}
    frames: list[str] = []
    try:
        async with connect(
            ws_url(base, v, after),
            origin=base,  # type: ignore[arg-type]
            additional_headers=headers,
            open_timeout=5,
        ) as socket:
            try:
                async with asyncio.timeout(seconds):
                    async for frame in socket:
                        frames.append(str(frame))
                        if stop and stop in frames[-1]:
                            break
            except TimeoutError:
                pass
            except ConnectionClosed:
                return SocketOutcome("closed", frames, socket.close_code)
            if socket.close_code is not None:
                return SocketOutcome("closed", frames, socket.close_code)
            return SocketOutcome("open", frames, None)
    except InvalidStatus as exc:
        response = exc.response
        text = bytes(response.body or b"").decode(errors="replace")
        frames.append(
            text + "\n" + "\n".join(f"{k}: {val}" for k, val in response.headers.raw_items())
        )
        return SocketOutcome("refused", frames, response.status_code)


@pytest.mark.parametrize("who", WEB_OUTSIDERS)
@pytest.mark.parametrize("call", WS_CALLS)
async def test_outsider_socket_is_refused_and_hears_nothing(
    server, victim, call: Call, who: str
) -> None:
    async with (
        httpx.AsyncClient(base_url=server) as intruder,
        httpx.AsyncClient(base_url=server) as erika,
    ):
        await become(intruder, who)
        await become(erika, "erika")
        attempt = asyncio.create_task(
            attempt_socket(server, intruder, victim, after=0, seconds=1.5)
        )
        await asyncio.sleep(0.05)  # the handshake is under way (or already refused)
        # Erika writes into her room while the outsider's attempt is made.
        posted = await erika.post(
            f"/rooms/{victim.room_id}/messages",
            data={"body": LIVE_MESSAGE, "_csrf_token": csrf(erika)},
        )
        assert posted.status_code == 303, posted.text
        outcome = await attempt
    where = f"{call} as {who}"
    for frame in outcome.frames:
        assert_no_leak(victim, where, frame, [], login_redirect=False)
    if outcome.kind == "closed":
        assert outcome.code == 4404, f"{where}: closed with {outcome.code}"
        assert outcome.frames == [], f"{where}: frames before the close"
    else:
        assert outcome.kind == "refused", f"{where}: the socket was accepted: {outcome}"
        assert 400 <= (outcome.code or 0) < 500, outcome


# --- 4. the machine API: another authority's intake never reaches the room ----------------


@pytest.mark.parametrize("who", API_OUTSIDERS)
async def test_another_authoritys_intake_with_the_same_case_ref_gets_its_own_room(
    http, victim, who
) -> None:
    token = (await builders.client("demo-kreis"))[1]
    headers = {"Authorization": f"Bearer {token}"} if who == KREIS_CLIENT else {}
    body = {
        "case_ref": CASE_REF,  # the same reference, at another authority
        "title": "Ein ganz anderer Antrag",
        "applicant": {"subject": "demo-citizen-jonas", "kind": "person", "name": "Jonas Fremd"},
    }
    before = await snapshot(victim)
    response = await http.post("/api/v1/rooms", json=body, headers=headers)
    if who == NO_TOKEN:
        assert response.status_code == 401, response.text
        assert await snapshot(victim) == before
    else:
        assert response.status_code == 201, response.text  # a new room, not the victim's
        after = await snapshot(victim)
        assert after["room"] == before["room"]
    text = response.text.replace(CASE_REF, "<the caller's own case_ref>")
    headers_seen = [(k, v.replace(CASE_REF, "")) for k, v in response.headers.multi_items()]
    assert_no_leak(victim, f"POST /api/v1/rooms as {who}", text, headers_seen, login_redirect=False)

"""Pages and fragments through HTTP, with and without htmx."""

from __future__ import annotations

import re
import uuid

import pytest

from rooms.kernel.tables import AuditEvent, Message
from tests import builders
from tests.cast import ERIKA, JONAS
from tests.login import csrf, login

pytestmark = pytest.mark.usefixtures("database")


async def test_anonymous_visitors_are_sent_to_the_login(http) -> None:
    for path in ("/antraege", "/inbox", f"/rooms/{uuid.uuid4()}"):
        response = await http.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    home = await http.get("/")
    assert home.status_code == 200
    assert 'href="/login"' in home.text


async def test_applicant_sees_own_rooms_only_and_reads_the_question(http) -> None:
    mine = await builders.room(ERIKA, title="Antrag auf Wohngeld")
    await builders.room(JONAS, title="Fremder Antrag")
    done = await login(http, "erika")
    assert done.headers["location"] == "/antraege"
    listing = await http.get("/antraege")
    assert "Antrag auf Wohngeld" in listing.text
    assert "Fremder Antrag" not in listing.text
    page = await http.get(f"/rooms/{mine.room.id}")
    assert page.status_code == 200
    assert "Bitte reichen Sie Ihre Gehaltsnachweise nach." in page.text
    assert 'id="item-1"' in page.text
    assert 'hx-ws:connect="/rooms/' in page.text


async def test_missing_and_foreign_rooms_answer_the_same_404(http) -> None:
    foreign = await builders.room(JONAS, title="Fremder Antrag")
    await login(http, "erika")
    missing = await http.get(f"/rooms/{uuid.uuid4()}")
    other = await http.get(f"/rooms/{foreign.room.id}")
    garbage = await http.get("/rooms/..%2F..%2Fetc")
    assert missing.status_code == other.status_code == 404
    assert garbage.status_code == 404
    assert missing.text == other.text
    assert "Fremder Antrag" not in other.text
    refusals = (
        await AuditEvent.select().where(AuditEvent.action == "access_denied").output(load_json=True)
    )
    assert len(refusals) == 2  # the malformed path never reached a gate
    assert {r["detail"]["reason"] for r in refusals} == {"not_found"}
    assert all(r["actor"] == ERIKA.pseudonym for r in refusals)


async def test_reply_without_javascript_redirects_to_the_new_item(http) -> None:
    result = await builders.room(ERIKA)
    await login(http, "erika")
    await http.get(f"/rooms/{result.room.id}")
    response = await http.post(
        f"/rooms/{result.room.id}/messages",
        data={"body": "Seit dem 1. März.", "_csrf_token": csrf(http)},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/rooms/{result.room.id}#item-2"
    page = await http.get(f"/rooms/{result.room.id}")
    assert "Seit dem 1. März." in page.text
    assert "Erika Mustermann" in page.text


async def test_reply_with_htmx_answers_a_fresh_composer_fragment(http) -> None:
    result = await builders.room(ERIKA)
    await login(http, "erika")
    await http.get(f"/rooms/{result.room.id}")
    response = await http.post(
        f"/rooms/{result.room.id}/messages",
        data={"body": "Per htmx."},
        headers={"HX-Request": "true", "x-csrftoken": csrf(http)},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<form id="composer"')
    assert "<html" not in response.text
    assert "Ihre Nachricht wurde gesendet." in response.text
    assert await Message.count().where(Message.body == "Per htmx.") == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Bitte geben Sie eine Nachricht ein."), ("x" * 20_001, "zu lang")],
    ids=["empty", "too-long"],
)
async def test_bad_messages_are_explained_and_the_text_is_kept(http, htmx, body, message) -> None:
    result = await builders.room(ERIKA)
    await login(http, "erika")
    await http.get(f"/rooms/{result.room.id}")
    headers = {"HX-Request": "true"} if htmx else {}
    response = await http.post(
        f"/rooms/{result.room.id}/messages",
        data={"body": body, "_csrf_token": csrf(http)},
        headers=headers,
    )
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert body.strip() in response.text  # nothing the user typed is lost
    assert ("<html" in response.text) is not htmx
    assert await Message.count() == 1


async def test_posting_without_csrf_token_is_refused(http) -> None:
    result = await builders.room(ERIKA)
    await login(http, "erika")
    response = await http.post(f"/rooms/{result.room.id}/messages", data={"body": "Hallo"})
    assert response.status_code == 403
    assert await Message.count() == 1


async def test_outsider_cannot_post_into_a_foreign_room(http) -> None:
    foreign = await builders.room(JONAS)
    await login(http, "erika")
    await http.get("/antraege")
    response = await http.post(
        f"/rooms/{foreign.room.id}/messages", data={"body": "Hallo", "_csrf_token": csrf(http)}
    )
    assert response.status_code == 404
    assert await Message.count() == 1


async def test_caseworker_sees_the_new_reply_and_the_applicant_sees_it_was_read(app) -> None:
    import httpx

    result = await builders.room(ERIKA)

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        )

    async with client() as erika, client() as sabine:
        await login(erika, "erika")
        await erika.get(f"/rooms/{result.room.id}")
        await erika.post(
            f"/rooms/{result.room.id}/messages",
            data={"body": "Die Antwort.", "_csrf_token": csrf(erika)},
        )
        await login(sabine, "sabine")
        inbox = await sabine.get("/inbox")
        row = re.search(rf'<tr id="room-{result.room.id}"[^>]*>', inbox.text)
        assert row and "inbox-row--unread" in row.group(0)
        assert "1 ungelesene Nachricht" in inbox.text
        page = await sabine.get(f"/rooms/{result.room.id}")
        assert "Die Antwort." in page.text
        assert "inbox-row--unread" not in (await sabine.get("/inbox")).text
        erika_page = await erika.get(f"/rooms/{result.room.id}")
        receipt = re.search(r'id="receipt-2">(.*?)</p>', erika_page.text, re.S)
        assert receipt and "Gelesen am" in receipt.group(1)


async def test_pages_carry_a_strict_content_security_policy(http) -> None:
    response = await http.get("/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "<script>" not in response.text and " style=" not in response.text


async def test_english_on_request(http) -> None:
    result = await builders.room(ERIKA)
    await login(http, "erika")
    page = await http.get(f"/rooms/{result.room.id}", params={"lang": "en"})
    assert "Send reply" in page.text
    assert 'lang="en"' in page.text
    later = await http.get(f"/rooms/{result.room.id}")  # the choice is remembered
    assert "Send reply" in later.text
    german = await http.get("/antraege", params={"lang": "de"})
    assert "Meine Anträge" in german.text


async def test_health_probes(http) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    assert (await http.get("/readyz")).json() == {"status": "ready"}

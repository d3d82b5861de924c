"""A reference client for case stores: the machine API in a few lines of httpx.

Run it against a local portal (``make run``) with a credential of an authority:

    antragsraum client create demo-stadt "Fachverfahren"     # prints the token once
    ANTRAGSRAUM_TOKEN=ar_... python docs/reference_client.py [bescheid.pdf]

It creates (or finds) the room for a case, posts a question as the authority, sets
the room "in Bearbeitung", and posts the decision with its PDF as multipart/form-data
(a ``summary`` field and a ``document`` part, which the portal streams to disk; base64
in JSON is for small files only). Every POST carries an ``Idempotency-Key`` derived
from what it does, so running the script twice creates nothing twice (a form is the
same request whatever its multipart boundary). ``verify_webhook`` checks a delivery of
the portal's webhooks (Standard Webhooks) with the subscription's ``whsec_`` secret.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import httpx
from standardwebhooks import Webhook

PORTAL = os.environ.get("ANTRAGSRAUM_URL", "http://127.0.0.1:8000")
CASE_REF = "VG-2026-000123"


def portal(token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{PORTAL}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def post(
    api: httpx.Client,
    path: str,
    key: str,
    body: dict[str, Any] | None = None,
    files: dict[str, tuple[str, Any, str]] | None = None,
) -> Any:
    """POST with an Idempotency-Key: safe to repeat after a timeout or a crash.

    With ``files`` the body is multipart/form-data: ``body``'s fields and the files.
    """
    if files is None:
        response = api.post(path, json=body, headers={"Idempotency-Key": key})
    else:
        response = api.post(path, data=body, files=files, headers={"Idempotency-Key": key})
    if response.is_error:  # RFC 9457 problem details say why
        problem = response.json()
        raise SystemExit(f"{response.status_code} {problem['title']}: {problem.get('detail')}")
    return response.json()


def main(token: str, pdf: bytes) -> None:
    with portal(token) as api:
        room = post(
            api,
            "/rooms",
            f"{CASE_REF}/create",
            {
                "case_ref": CASE_REF,
                "title": "Antrag auf Wohngeld",
                "applicant": {"subject": "demo-citizen-erika", "kind": "person", "name": "Erika"},
            },
        )
        rid = room["id"]
        post(api, f"/rooms/{rid}/messages", f"{CASE_REF}/q1", {"body": "Bitte Mietvertrag senden."})
        post(api, f"/rooms/{rid}/status", f"{CASE_REF}/in-progress", {"progress": "in_progress"})
        post(
            api,
            f"/rooms/{rid}/decisions",
            f"{CASE_REF}/decision",
            {"summary": "Ihr Antrag wurde bewilligt."},
            files={"document": ("bescheid.pdf", pdf, "application/pdf")},
        )
        print("room:", room["url"])
        timeline = api.get(f"/rooms/{rid}/messages", params={"after": 0}).json()
        for item in timeline["items"]:
            print(item["seq"], item["side"], item["kind"], item["body"][:60])


def verify_webhook(secret: str, body: bytes, headers: dict[str, str]) -> Any:
    """The event of a webhook delivery, or ``WebhookVerificationError`` (answer 400 then).

    ``headers`` must contain webhook-id, webhook-timestamp and webhook-signature; the
    timestamp must be within five minutes. Deduplicate on webhook-id.
    """
    return Webhook(secret).verify(body, headers)


if __name__ == "__main__":
    pdf_path = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    content = pdf_path.read_bytes() if pdf_path else b"%PDF-1.4\n%%EOF\n"
    main(os.environ["ANTRAGSRAUM_TOKEN"], content)

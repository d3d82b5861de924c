"""docs/reference_client.py works against a served portal, and twice is like once."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from rooms.kernel.tables import Message, Room
from tests import builders

pytestmark = pytest.mark.usefixtures("database")

CLIENT = Path(__file__).resolve().parents[2] / "docs" / "reference_client.py"


def reference_client() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reference_client", CLIENT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_reference_client_runs_and_is_idempotent(server, capsys) -> None:
    _, token = await builders.client()
    module = reference_client()
    module.PORTAL = server
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
    await asyncio.to_thread(module.main, token, pdf)
    rooms, messages = await Room.count(), await Message.count()
    await asyncio.to_thread(module.main, token, pdf)  # a retry of everything
    assert (await Room.count(), await Message.count()) == (rooms, messages)
    room = await Room.select(Room.progress, Room.case_ref).first()
    assert room["case_ref"] == module.CASE_REF
    kinds = [m["kind"] for m in await Message.select(Message.kind).order_by(Message.seq)]
    assert kinds == ["message", "decision"]
    assert "room:" in capsys.readouterr().out


def test_verify_webhook_accepts_a_signed_delivery_and_refuses_a_forgery() -> None:
    module = reference_client()
    secret = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LQ=="
    body = json.dumps({"type": "room.closed", "data": {}}).encode()
    now = datetime.now(UTC)
    signature = Webhook(secret).sign("evt_1", now, body.decode())
    headers = {
        "webhook-id": "evt_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    assert module.verify_webhook(secret, body, headers)["type"] == "room.closed"
    with pytest.raises(WebhookVerificationError):
        module.verify_webhook(secret, body.replace(b"closed", b"opened"), headers)

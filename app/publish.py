"""What the web app does with a committed fact: the live nudge and the scanner's wake-up.

Domain actions record their facts once (``rooms.outbound.outbox.do_record``); after
commit, and never before, the kernel hands each fact to the listener of the context
it ran in. :class:`CommittedFacts` gives every request and socket this app's listener;
the lifespan gives it to the workers' tasks (:func:`worker_context`). Handlers publish
nothing themselves.
"""

from __future__ import annotations

import asyncio
import contextvars

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.types import ASGIApp, Receive, Scope, Send

from rooms.kernel.events import Happened, Listener, channel_for, encode, listen, listening


def wake_scanner(app: Litestar) -> None:
    event: asyncio.Event | None = app.state.get("scan_wakeup")
    if event is not None:
        event.set()


def listener_for(app: Litestar) -> Listener:
    """This app's listener (made once per app): nudges to its channels, files to its scanner."""
    existing: Listener | None = app.state.get("fact_listener")
    if existing is not None:
        return existing
    channels = app.plugins.get(ChannelsPlugin)

    def hear(fact: Happened) -> None:
        if fact.wakes_scanner:  # first: it cannot fail, and a failed nudge must not skip it
            wake_scanner(app)
        nudge = fact.nudge()
        if nudge is not None:
            channels.publish(encode(nudge), channels=[channel_for(fact.room_id)])

    app.state.fact_listener = hear
    return hear


def worker_context(app: Litestar) -> contextvars.Context:
    """A new context for one lifespan task, in which committed facts reach this app's listener.

    One per task, never shared: the task's open transaction (Piccolo's, and the
    on-commit hooks) lives in context variables, and tasks given the same context
    would see each other's.
    """
    context = contextvars.copy_context()
    context.run(listen, listener_for(app))
    return context


class CommittedFacts:
    """ASGI middleware: facts committed while a request or socket runs reach the listener."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with listening(listener_for(Litestar.from_scope(scope))):
            await self.app(scope, receive, send)

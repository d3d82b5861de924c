"""The live websocket: one per room page, resumable, re-checking access every time.

The channel only carries nudges ("room R has item N"). For each nudge the socket
checks the viewer's access again, reads the item from the database, renders it for
this viewer and sends the HTML fragment. A client that reconnects sends the last
sequence number it has (``?after=N``) and gets exactly the items after it.

A fragment is the page's own markup for this viewer, forms included: nothing the
templates need may come from a request (there is none on a socket), so the viewer's
CSRF token, taken from the handshake's cookie, is passed to every render (``View``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath

from app.csrf import cookie_header, viewer_token
from app.identity.actor import current_actor
from app.identity.logout import is_session_end, session_alive, session_channels
from app.live_channel import RESYNC
from app.live_session import SessionWatch
from app.settings import Settings
from app.web.timeline import timeline_context
from rooms.casework.timeline import check_mark_read, timeline
from rooms.kernel.access import access_room
from rooms.kernel.actors import Actor
from rooms.kernel.errors import DomainError
from rooms.kernel.events import channel_for, decode
from rooms.kernel.records import RoomAccess, TimelineItem

log = logging.getLogger(__name__)

# Close codes (4000-4999 are the application's own).
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_SESSION_ENDED = 4401


@dataclass(frozen=True)
class View:
    """Who watches over this socket: the actor, and what their forms carry."""

    actor: Actor
    csrf: str


def make_channels(settings: Settings) -> ChannelsPlugin:
    if settings.live.backend == "redis":
        from app.live_channel import RedisLiveBackend

        backend: Any = RedisLiveBackend(settings.live.redis_url, prefix=settings.live.redis_prefix)
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)


def origin_allowed(socket: WebSocket[Any, Any, Any], settings: Settings) -> bool:
    """Browsers do not enforce same-origin on websockets; we do."""
    origin = socket.headers.get("origin")
    if not origin:
        return False
    return origin in {settings.public_origin, *settings.live.allowed_origins}


def _render(socket: WebSocket[Any, Any, Any], name: str, view: View, **context: Any) -> str:
    """A live template with what the page gives its includes besides the data."""
    template = socket.app.template_engine.get_template(name)  # type: ignore[union-attr]
    return str(template.render(actor=view.actor, csrf=view.csrf, **context))


async def render_items(
    socket: WebSocket[Any, Any, Any], view: View, access: RoomAccess, items: list[TimelineItem]
) -> str:
    extras = await timeline_context(access.room.id, [item.id for item in items])
    return _render(
        socket, "_live_items.html", view, access=access, room=access.room, items=items, **extras
    )


async def _send_after(
    socket: WebSocket[Any, Any, Any], view: View, room_id: str, after: int
) -> int:
    """Send everything after ``after`` that this viewer may see; return the new high mark."""
    access = await access_room(view.actor, room_id)
    items = await timeline(access, after_seq=after)
    if not items:
        return after
    await socket.send_text(await render_items(socket, view, access, items))
    last = items[-1].seq
    if any(not item.mine for item in items):
        # The page is open and shows the items: that counts as read.
        await check_mark_read(view.actor, room_id, last)
    return last


@websocket("/rooms/{room_id:str}/live", name="live")
async def live_socket(socket: WebSocket[Any, Any, Any], room_id: FromPath[str]) -> None:
    settings: Settings = socket.app.state.settings
    if not origin_allowed(socket, settings):
        await socket.close(code=CLOSE_FORBIDDEN_ORIGIN, reason="origin")
        return
    actor = await current_actor(socket)
    try:
        access = await access_room(actor, room_id)
    except DomainError:
        await socket.close(code=CLOSE_NOT_FOUND, reason="not found")
        return
    assert actor is not None
    try:
        after = max(0, int(socket.query_params.get("after", "0")))
    except ValueError:
        after = 0
    channels = socket.app.plugins.get(ChannelsPlugin)
    token, new = viewer_token(socket, socket.app.state.secret)
    secure = settings.sessions.cookie_secure
    await socket.accept(
        headers={"set-cookie": cookie_header(token, secure=secure)} if new else None
    )
    view = View(actor, token)
    try:
        # Subscribe before reading the backlog: nothing published in between is lost,
        # and the high mark drops what was already sent.
        async with (
            channels.start_subscription(
                [channel_for(access.room.id), *session_channels(socket)]
            ) as subscriber,
            anyio.create_task_group() as tasks,
        ):
            tasks.start_soon(_until_disconnect, socket, tasks.cancel_scope)
            if not await session_alive(socket):  # ended just before the subscription
                await _close_ended_session(socket, tasks.cancel_scope)
                return
            watch = SessionWatch(socket)
            with anyio.CancelScope() as streaming:  # cancelled when the session times out
                tasks.start_soon(watch.cancel_at_end, streaming)
                await _stream(socket, view, watch, room_id, after, subscriber.iter_events())
            await _close_ended_session(socket, tasks.cancel_scope)
    # The task group wraps what escapes it in an ExceptionGroup.
    except* DomainError:
        # Access ended (removed, or the room closed to them): stop at once.
        await socket.close(code=CLOSE_NOT_FOUND, reason="not found")
    except* WebSocketDisconnect:
        pass


async def _stream(
    socket: WebSocket[Any, Any, Any],
    view: View,
    watch: SessionWatch,
    room_id: str,
    after: int,
    events: AsyncIterator[bytes],
) -> None:
    """Send the backlog, then what each nudge announces; return when the session ends."""
    actor = view.actor
    after = await _send_after(socket, view, room_id, after)
    async for raw in events:
        if is_session_end(raw) or not await watch.alive():  # logout, or timed out
            return
        if raw == RESYNC:  # the channel was away: read what its nudges may have missed
            if not await session_alive(socket):
                return
            after = await _send_after(socket, view, room_id, after)
            await _send_room_status(socket, view, room_id)
            continue
        nudge = decode(raw)
        if nudge.kind == "item" and nudge.seq > after:
            after = await _send_after(socket, view, room_id, after)
        elif nudge.kind == "changed" and nudge.seq <= after:
            await _send_changed(socket, view, room_id, nudge.seq)
        elif nudge.kind == "access":
            await access_room(actor, room_id)  # raises when this viewer was removed
        elif nudge.kind == "read":
            await _send_read_markers(socket, view, room_id, nudge.side, nudge.seqs)
        elif nudge.kind == "room":
            await _send_room_status(socket, view, room_id)


async def _close_ended_session(socket: WebSocket[Any, Any, Any], scope: anyio.CancelScope) -> None:
    await socket.close(code=CLOSE_SESSION_ENDED, reason="session ended")
    scope.cancel()  # stops waiting for the client's goodbye


async def _until_disconnect(socket: WebSocket[Any, Any, Any], scope: anyio.CancelScope) -> None:
    """The client sends nothing; wait for it to go away, then end the handler."""
    try:
        while True:
            message = await socket.receive()
            if message["type"] == "websocket.disconnect":
                break
    except WebSocketDisconnect:
        pass
    scope.cancel()


async def _send_read_markers(
    socket: WebSocket[Any, Any, Any], view: View, room_id: str, side: str, seqs: tuple[int, ...]
) -> None:
    access = await access_room(view.actor, room_id)
    if side == access.side.value or not seqs:
        return  # only the author's side cares that the other side read it
    window = await timeline(access, after_seq=min(seqs) - 1, until_seq=max(seqs))
    items = [i for i in window if i.seq in seqs]
    await socket.send_text(_render(socket, "_live_read.html", view, access=access, items=items))


async def _send_changed(
    socket: WebSocket[Any, Any, Any], view: View, room_id: str, seq: int
) -> None:
    """Replace an item already on the page (a request's states, a scan verdict)."""
    access = await access_room(view.actor, room_id)
    items = await timeline(access, after_seq=seq - 1, until_seq=seq)
    if not items:
        return
    extras = await timeline_context(access.room.id, [items[0].id])
    await socket.send_text(
        _render(
            socket,
            "_live_changed.html",
            view,
            access=access,
            room=access.room,
            item=items[0],
            **extras,
        )
    )


async def _send_room_status(socket: WebSocket[Any, Any, Any], view: View, room_id: str) -> None:
    """Re-render the room's status for this viewer (progress, closing; staff: assignment)."""
    access = await access_room(view.actor, room_id)
    await socket.send_text(
        _render(socket, "_live_room.html", view, access=access, room=access.room)
    )

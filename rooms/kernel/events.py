"""What happened: small facts returned by ``do_*`` actions and published after commit.

The live channel only carries these nudges; a socket re-checks access and reads the
database before it shows anything. Every participant of a room may learn of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import msgspec


@dataclass(frozen=True)
class TimelineItemAdded:
    room_id: UUID
    seq: int


@dataclass(frozen=True)
class ItemsRead:
    room_id: UUID
    reader_side: str
    seqs: tuple[int, ...]


@dataclass(frozen=True)
class TimelineItemChanged:
    """An existing item changed (a request item's state, a scan verdict)."""

    room_id: UUID
    seq: int


@dataclass(frozen=True)
class ParticipantsChanged:
    """Someone joined or left: every open socket of the room checks its access again."""

    room_id: UUID


@dataclass(frozen=True)
class RoomChanged:
    """The room itself changed (status, progress, assignment): headers re-render."""

    room_id: UUID


Event = TimelineItemAdded | TimelineItemChanged | ItemsRead | ParticipantsChanged | RoomChanged


class Nudge(msgspec.Struct, frozen=True):
    """The wire form of an event on the live channel (ids only, no content)."""

    kind: Literal["item", "changed", "read", "access", "room"]
    room: str
    seq: int = 0
    side: str = ""
    seqs: tuple[int, ...] = ()


def channel_for(room_id: UUID) -> str:
    return f"room:{room_id}"


def to_nudge(event: Event) -> Nudge:
    if isinstance(event, TimelineItemAdded):
        return Nudge(kind="item", room=str(event.room_id), seq=event.seq)
    if isinstance(event, TimelineItemChanged):
        return Nudge(kind="changed", room=str(event.room_id), seq=event.seq)
    if isinstance(event, ParticipantsChanged):
        return Nudge(kind="access", room=str(event.room_id))
    if isinstance(event, RoomChanged):
        return Nudge(kind="room", room=str(event.room_id))
    return Nudge(kind="read", room=str(event.room_id), side=event.reader_side, seqs=event.seqs)


def encode(event: Event) -> bytes:
    return msgspec.json.encode(to_nudge(event))


def decode(data: bytes | str) -> Nudge:
    return msgspec.json.decode(data, type=Nudge)

"""Publishing domain events to the live channel, after commit and never before."""

from __future__ import annotations

from collections.abc import Iterable

from litestar import Litestar
from litestar.channels import ChannelsPlugin

from rooms.kernel.events import Event, channel_for, encode


def publish(app: Litestar, events: Iterable[Event]) -> None:
    channels = app.plugins.get(ChannelsPlugin)
    for event in events:
        channels.publish(encode(event), channels=[channel_for(event.room_id)])

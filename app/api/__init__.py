"""The machine API for case stores, versioned under /api/v1."""

from litestar import Router
from litestar.di import Provide
from litestar.exceptions import ValidationException

from app.api import events, rooms
from app.api.auth import machine_client
from app.api.problems import invalid_domain_input, invalid_request
from rooms.errors import Invalid

api_router = Router(
    path="/api/v1",
    route_handlers=[rooms.create_room, events.events_feed],
    dependencies={"client": Provide(machine_client)},
    exception_handlers={ValidationException: invalid_request, Invalid: invalid_domain_input},
    tags=["rooms"],
    security=[{"bearer": []}],
)

__all__ = ["api_router"]

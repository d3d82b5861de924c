"""The machine API for case stores, versioned under /api/v1."""

from litestar import Router
from litestar.di import Provide
from litestar.exceptions import ValidationException

from app.api import decisions, events, messages, rooms
from app.api.idempotency import IdempotencyMiddleware
from app.api.problems import invalid_domain_input, invalid_request
from app.api.rate_limit import ApiRateLimit
from app.api.scopes import client_of
from rooms.kernel.errors import Invalid

api_router = Router(
    path="/api/v1",
    route_handlers=[
        rooms.create_room,
        rooms.read_room,
        rooms.list_rooms,
        rooms.set_progress,
        rooms.close_room,
        messages.read_messages,
        messages.post_message,
        messages.download_attachment,
        decisions.post_decision,
        decisions.list_decisions,
        events.events_feed,
    ],
    dependencies={"client": Provide(client_of)},
    middleware=[ApiRateLimit(), IdempotencyMiddleware()],
    exception_handlers={ValidationException: invalid_request, Invalid: invalid_domain_input},
    tags=["rooms"],
    security=[{"bearer": []}],
)

__all__ = ["api_router"]

"""Page and fragment handlers, one module per resource."""

from app.web import applications, home, inbox, rooms

web_handlers = [
    home.home,
    applications.applications,
    inbox.inbox,
    rooms.room_page,
    rooms.post_message,
]

__all__ = ["web_handlers"]

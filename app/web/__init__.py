"""Page and fragment handlers, one module per resource."""

from app.web import admin, applications, files, home, inbox, representatives, requests, rooms

web_handlers = [
    home.home,
    admin.admin_index,
    applications.applications,
    inbox.inbox,
    rooms.room_page,
    rooms.post_message,
    files.upload,
    files.download,
    requests.create_request,
    requests.review_item,
    representatives.create_invitation,
    representatives.remove_representative,
    representatives.redeem_page,
    representatives.redeem,
]

__all__ = ["web_handlers"]

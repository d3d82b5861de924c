"""Page and fragment handlers, one module per resource."""

from app.web import (
    admin,
    admin_templates,
    admin_webhooks,
    applications,
    assignment,
    composer,
    decisions,
    files,
    home,
    inbox,
    notes,
    preferences,
    representatives,
    requests,
    rooms,
    status,
)

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
    decisions.issue_decision,
    representatives.create_invitation,
    representatives.remove_representative,
    representatives.redeem_page,
    representatives.redeem,
    preferences.preferences_page,
    preferences.update_preferences,
    # caseworker workspace: notes, assignment, status, text templates
    notes.notes_fragment,
    notes.add_note,
    assignment.assign,
    status.set_status,
    status.close_confirmation,
    status.close_room,
    composer.insert_template,
    admin_templates.templates_page,
    admin_templates.save_template,
    admin_templates.delete_template,
    # webhooks: subscriptions and dead letters
    admin_webhooks.webhooks_page,
    admin_webhooks.create_webhook,
    admin_webhooks.disable_webhook,
    admin_webhooks.redeliver,
]

__all__ = ["web_handlers"]

"""Notification channels (e-mail over SMTP or to the log, account postboxes) and their worker."""

from app.notify.channels import Channel, Notice, TemporaryFailure, Undeliverable

__all__ = ["Channel", "Notice", "TemporaryFailure", "Undeliverable"]

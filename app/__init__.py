"""The web application and composition root."""

from app.factory import create_app

__all__ = ["create_app"]

"""Piccolo's configuration: the engine comes from the application's settings."""

from piccolo.conf.apps import AppRegistry

from app.db import make_engine
from app.settings import load_settings

DB = make_engine(load_settings().database.url)

APP_REGISTRY = AppRegistry(apps=["rooms.piccolo_app"])

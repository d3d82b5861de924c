"""Piccolo's configuration module, read by Piccolo's own tools (``PICCOLO_CONF``).

It builds no engine when imported. The composition root (``app.factory``, the CLI,
the tests) makes the engine and binds it to the tables (``app.db.bind_engine``);
Piccolo's migration runner then finds that engine here as ``DB``. Only a Piccolo
command run on its own, with nothing bound (``piccolo migrations new``), gets an
engine built from the settings, on first use.
"""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(apps=["rooms.piccolo_app"])


def __getattr__(name: str) -> Any:
    if name != "DB":
        raise AttributeError(name)
    from rooms.kernel.db import bound_engine

    engine = bound_engine()
    if engine is None:
        from app.db import make_engine
        from app.settings import load_settings

        engine = make_engine(load_settings().database.url)
        from app.db import bind_engine

        bind_engine(engine)
    return engine

"""create_app(): wires settings, database, identity, web, live channel and API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from piccolo.engine import Engine

from app import db
from app.secrets import app_secret
from app.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"


def create_app(settings: Settings | None = None, engine: Engine[Any] | None = None) -> Litestar:
    """Build the application; ``engine`` lets tests share one database engine."""
    settings = settings or load_settings()
    owns_engine = engine is None  # a borrowed engine's pool belongs to its owner
    engine = engine or db.make_engine(settings.database.url)
    db.bind_engine(engine)
    secret = app_secret(settings)

    from app import health, i18n, live, rate_limits, refusal_audit, scanner, security
    from app.api import api_router
    from app.audit_source import AuditSource
    from app.body_deadline import BodyDeadline
    from app.csrf import SessionBoundCsrf
    from app.errors import audit_refusals, exception_handlers
    from app.files import orphans, upload_stream
    from app.identity import identity_plugin_parts
    from app.identity.issuers import assign_legacy_issuers
    from app.identity.networks import StaffNetworkMiddleware
    from app.notify import worker as notify_worker
    from app.publish import CommittedFacts, worker_context
    from app.storage import make_storage
    from app.text_input import QueryTextMiddleware, TextRequest
    from app.web import web_handlers

    identity = identity_plugin_parts(settings, secret)
    channels = live.make_channels(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db.bind_engine(engine)
        if owns_engine:
            await db.open_pool(engine, settings.database.pool_min, settings.database.pool_max)
        upload_stream.sweep(settings.data_path)  # what a crashed process left behind
        await assign_legacy_issuers(settings)  # rows from before issuers were recorded
        stop = asyncio.Event()
        app.state.scan_wakeup = asyncio.Event()
        # Facts the workers commit reach this app's listener; each task gets a context
        # of its own (an open transaction lives in context variables).
        worker = asyncio.create_task(scanner.run_scanner(app, stop), context=worker_context(app))
        notifier = notify_worker.start(app, stop, context=worker_context(app))
        sweeper = asyncio.create_task(orphans.run_orphan_sweep(app, stop))
        refusals = asyncio.create_task(refusal_audit.run_refusal_audit(app, stop))
        webhook_worker = None
        if settings.webhooks.enabled:
            from app.webhooks.worker import run_webhooks

            webhook_worker = asyncio.create_task(
                run_webhooks(app, stop), context=worker_context(app)
            )
        try:
            yield
        finally:
            stop.set()
            app.state.scan_wakeup.set()
            await worker
            await notifier
            await sweeper
            await refusals  # the counts still open are written before the pool closes
            if webhook_worker is not None:
                await webhook_worker
            if owns_engine:
                await db.close_pool(engine)

    template_config = TemplateConfig(
        directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=i18n.setup_jinja
    )
    csrf = SessionBoundCsrf(
        secret,
        secure=settings.sessions.cookie_secure,
        exclude=["/api/", "/dev-idp/token", "/auth/backchannel-logout", "/healthz", "/readyz"],
        session_cookie=settings.sessions.cookie_name,
    )
    app = Litestar(
        route_handlers=[
            *web_handlers,
            *identity.route_handlers,
            live.live_socket,
            api_router,
            health.healthz,
            health.readyz,
            create_static_files_router(path="/static", directories=[STATIC], name="static"),
        ],
        lifespan=[lifespan],
        request_class=TextRequest,
        middleware=[
            AuditSource,  # first: every audit event of the request names its client
            BodyDeadline(settings.server),
            CommittedFacts,
            QueryTextMiddleware(),
            i18n.LanguageMiddleware(settings.app.language),
            *identity.middleware,
            csrf,  # inside the sessions: the token is bound to the session's id
            StaffNetworkMiddleware(),
            security.security_headers_middleware(settings),
        ],
        stores=identity.stores,
        plugins=[HTMXPlugin(), channels],
        template_config=template_config,
        openapi_config=OpenAPIConfig(
            title="Antragsraum API",
            version="1",
            path="/api/schema",
            description="Machine API for case stores (OZG-Cloud, Fachverfahren).",
            # Only the JSON/YAML documents: the interactive viewers load scripts from
            # CDNs, which the Content-Security-Policy forbids.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="The token `antragsraum client create` printed",
                    )
                }
            ),
        ),
        exception_handlers=exception_handlers,
        after_exception=[audit_refusals],
        debug=False,
        state=State(
            {
                "settings": settings,
                "engine": engine,
                "secret": secret,
                "storage": make_storage(settings),
                rate_limits.STATE_KEY: rate_limits.make_policy(settings),
                refusal_audit.STATE_KEY: refusal_audit.RefusalCounts(),
            }
        ),
        dependencies=identity.dependencies,
    )
    return app

"""The ``antragsraum`` command: serve, migrate, seed, authorities, clients and webhooks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from app import db
from app.settings import Settings, SettingsError, load_settings
from rooms.kernel.actors import DEFAULT_SCOPES, SCOPES
from rooms.kernel.errors import Invalid, NotFound
from rooms.kernel.events import EVENT_TYPES
from rooms.kernel.vocabulary import AuthorityKind

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def _run(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = db.make_engine(settings.database.url)
        db.bind_engine(engine)
        await db.open_pool(engine, 1, 2)
        try:
            return await work()
        finally:
            await db.close_pool(engine)

    return asyncio.run(main())


@click.group()
def main() -> None:
    """Antragsraum: secure message rooms between applicants and authorities."""


@main.command()
def migrate() -> None:
    """Apply all pending database migrations."""
    settings = _settings()
    asyncio.run(db.migrate(db.make_engine(settings.database.url)))
    click.echo("Database is up to date.")


@main.command()
def seed() -> None:
    """Create the demo authorities, the demo room and print where to log in."""
    from app.seed import seed_demo

    settings = _settings()
    _run(settings, lambda: seed_demo(settings))
    click.echo(
        f"Demo data ready. Open {settings.app.base_url}/ and choose Anmelden → "
        "Entwicklungs-Anmeldung: Erika Mustermann (citizen), Sabine Sachbearbeiterin "
        "(caseworker) or Anna Admin (administration), and log in as any of them."
    )


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy settings: trust X-Forwarded-* only from ``app.trusted_proxies``.

    uvicorn's own default believes the headers from 127.0.0.1 (or FORWARDED_ALLOW_IPS),
    so any local process, or a proxy that passes a client's header on, could choose the
    address the staff networks check. No named proxy: the headers are not read at all.
    """
    trusted = list(settings.app.trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


@main.command()
@click.option("--host", default=None, help="Interface to bind (default from settings).")
@click.option("--port", default=None, type=int, help="Port (default from settings).")
def serve(host: str | None, port: int | None) -> None:
    """Run the portal with uvicorn."""
    import uvicorn

    from app.access_log import log_config

    settings = _settings()
    click.echo(f"Antragsraum is serving at {settings.app.base_url}/")
    uvicorn.run(
        "app:create_app",
        factory=True,
        host=host or settings.app.host,
        port=port or settings.app.port,
        ws="websockets-sansio",
        **proxy_options(settings),
        log_level="info",
        log_config=log_config(),  # the access log without OIDC codes, states or tokens
        **uvicorn_limits(settings),
    )


def uvicorn_limits(settings: Settings) -> dict[str, Any]:
    """Connection, keep-alive, header and shutdown limits of ``serve`` ([server]).

    The protocol class adds what uvicorn lacks: a header timeout and the connection
    limit applied when a connection is accepted (``app.connection_guard``).
    """
    from app.connection_guard import guarded_protocol

    server = settings.server
    return {
        "http": guarded_protocol(server.header_timeout_seconds),
        "limit_concurrency": server.limit_concurrency,
        "timeout_keep_alive": server.timeout_keep_alive,
        "timeout_graceful_shutdown": server.timeout_graceful_shutdown,
        "h11_max_incomplete_event_size": server.h11_max_incomplete_event_size,
        "backlog": server.backlog,
    }


@main.group()
def authority() -> None:
    """Manage authorities."""


@authority.command("create")
@click.argument("slug")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in AuthorityKind]),
    default="Stadt",
    show_default=True,
)
@click.option(
    "--network",
    "networks",
    multiple=True,
    help="A CIDR range its staff work from (repeat for several). None: no staff access.",
)
def authority_create(slug: str, name: str, kind: str, networks: tuple[str, ...]) -> None:
    """Create the authority SLUG called NAME."""
    from rooms.kernel.authorities import do_create_authority

    settings = _settings()
    try:
        _run(settings, lambda: do_create_authority(slug, name, kind, list(networks)))
    except Invalid as exc:
        raise click.ClickException(f"cannot create authority: {exc}") from exc
    click.echo(f"Created authority {slug}.")


@authority.command("networks")
@click.argument("slug")
@click.argument("networks", nargs=-1)
def authority_networks(slug: str, networks: tuple[str, ...]) -> None:
    """Set the CIDR ranges the staff of SLUG may work from (none: no staff access)."""
    from rooms.kernel.authorities import do_set_allowed_networks, find_authority

    settings = _settings()

    async def work() -> list[str]:
        if await find_authority(slug) is None:
            raise click.ClickException(f"no authority {slug!r}")
        return await do_set_allowed_networks(slug, list(networks))

    try:
        applied = _run(settings, work)
    except Invalid as exc:
        raise click.ClickException(f"not a CIDR range: {' '.join(networks)}") from exc
    click.echo(f"Staff of {slug} may work from: {', '.join(applied) or 'nowhere'}.")


@main.group()
def client() -> None:
    """Manage API credentials of case stores."""


@client.command("create")
@click.argument("authority_slug")
@click.option("--name", default="Fachverfahren", show_default=True, help="A label for the client.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(list(SCOPES)),
    help="What the client may do (repeat for several; default: all).",
)
def client_create(authority_slug: str, name: str, scopes: tuple[str, ...]) -> None:
    """Create an API client for AUTHORITY_SLUG and print its token once."""
    from rooms.casestore.clients import do_create_client

    chosen = scopes or DEFAULT_SCOPES
    settings = _settings()
    try:
        created: Any = _run(settings, lambda: do_create_client(authority_slug, name, chosen))
    except NotFound as exc:
        raise click.ClickException(f"no authority {authority_slug!r}") from exc
    machine, token = created
    click.echo(
        f"Created client {machine.id} for {authority_slug} "
        f"(scopes: {' '.join(sorted(chosen))}). Its token (shown once):"
    )
    click.echo(token)


@client.command("list")
@click.option("--authority", "authority_slug", default=None, help="Only this authority's.")
def client_list(authority_slug: str | None) -> None:
    """List API clients (never their tokens)."""
    from rooms.casestore.clients import clients_of

    found = _run(_settings(), lambda: clients_of(authority_slug))
    if not found:
        click.echo("No clients.")
    for c in found:
        state = f"revoked {c.revoked_at:%Y-%m-%d %H:%M}" if c.revoked_at else "active"
        click.echo(f"{c.id}  {c.authority_slug}  {state}  {' '.join(c.scopes)}  {c.name}")


@client.command("revoke")
@click.argument("client_id")
def client_revoke(client_id: str) -> None:
    """Revoke the client CLIENT_ID: its token stops working at once."""
    from rooms.casestore.clients import do_revoke_client

    try:
        _run(_settings(), lambda: do_revoke_client(client_id))
    except NotFound as exc:
        raise click.ClickException(f"no client {client_id!r}") from exc
    click.echo(f"Revoked client {client_id}.")


@main.group()
def webhook() -> None:
    """Manage webhook subscriptions (Standard Webhooks) of authorities."""


@webhook.command("create")
@click.argument("authority_slug")
@click.argument("url")
@click.option(
    "--type",
    "event_types",
    multiple=True,
    type=click.Choice(list(EVENT_TYPES)),
    help="An event type to deliver (repeat for several; default: all).",
)
def webhook_create(authority_slug: str, url: str, event_types: tuple[str, ...]) -> None:
    """Send the events of AUTHORITY_SLUG to URL; prints the signing secret once."""
    from rooms.kernel.authorities import find_authority
    from rooms.outbound.webhooks.subscriptions import do_create_subscription
    from rooms.outbound.webhooks.urls import URL_PROBLEMS

    settings = _settings()

    async def work() -> Any:
        authority_id = await find_authority(authority_slug)
        if authority_id is None:
            raise click.ClickException(f"no authority {authority_slug!r}")
        return await do_create_subscription(
            authority_id,
            url,
            event_types,
            require_https=settings.webhook_require_https,
            private_networks=settings.webhook_private_networks,
            machine="cli",
        )

    try:
        subscription, secret = _run(settings, work)
    except Invalid as exc:
        reasons = "; ".join(URL_PROBLEMS.get(key, key) for key in exc.errors.values())
        raise click.ClickException(f"cannot create the webhook: {reasons}") from exc
    types = ", ".join(subscription.event_types) or "all event types"
    click.echo(f"Created webhook {subscription.id} for {authority_slug} ({types}).")
    click.echo("Its signing secret (shown once; configure it at the receiver):")
    click.echo(secret)


@webhook.command("list")
@click.option("--authority", "authority_slug", default=None, help="Only this authority's.")
def webhook_list(authority_slug: str | None) -> None:
    """List webhook subscriptions (never their secrets)."""
    from rooms.kernel.authorities import find_authority
    from rooms.outbound.webhooks.subscriptions import authority_slugs, subscriptions

    settings = _settings()

    async def work() -> Any:
        authority_id = None
        if authority_slug is not None:
            authority_id = await find_authority(authority_slug)
            if authority_id is None:
                raise click.ClickException(f"no authority {authority_slug!r}")
        return await subscriptions(authority_id), await authority_slugs()

    found, slugs = _run(settings, work)
    if not found:
        click.echo("No webhooks.")
    for s in found:
        state = "active" if s.active else f"disabled {s.disabled_at:%Y-%m-%d %H:%M}"
        types = ",".join(s.event_types) or "all"
        slug = slugs.get(s.authority_id, "?")
        click.echo(f"{s.id}  {slug}  {state}  {types}  {s.url}")


@webhook.command("disable")
@click.argument("subscription_id")
def webhook_disable(subscription_id: str) -> None:
    """Stop delivering to the subscription SUBSCRIPTION_ID."""
    from rooms.outbound.webhooks.subscriptions import do_disable_subscription

    settings = _settings()
    try:
        _run(
            settings,
            lambda: do_disable_subscription(subscription_id, authority_id=None, machine="cli"),
        )
    except NotFound as exc:
        raise click.ClickException(f"no webhook {subscription_id!r}") from exc
    click.echo(f"Disabled webhook {subscription_id}.")


if __name__ == "__main__":
    main()

"""The ``antragsraum`` command: serve, migrate, seed, authority and client management."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from app import db
from app.settings import Settings, SettingsError, load_settings
from rooms.errors import Invalid, NotFound
from rooms.tables import AuthorityKind

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
        "Entwicklungs-Anmeldung: Erika Mustermann (citizen) or Sabine Sachbearbeiterin "
        "(caseworker), and log in as either."
    )


@main.command()
@click.option("--host", default=None, help="Interface to bind (default from settings).")
@click.option("--port", default=None, type=int, help="Port (default from settings).")
def serve(host: str | None, port: int | None) -> None:
    """Run the portal with uvicorn."""
    import uvicorn

    settings = _settings()
    click.echo(f"Antragsraum is serving at {settings.app.base_url}/")
    uvicorn.run(
        "app:create_app",
        factory=True,
        host=host or settings.app.host,
        port=port or settings.app.port,
        proxy_headers=True,
        ws="websockets-sansio",
        log_level="info",
    )


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
    from rooms.authorities import do_create_authority

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
    from rooms.authorities import do_set_allowed_networks, find_authority

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
def client_create(authority_slug: str, name: str) -> None:
    """Create an API client for AUTHORITY_SLUG and print its token once."""
    from rooms.clients import do_create_client

    settings = _settings()
    try:
        created: Any = _run(settings, lambda: do_create_client(authority_slug, name))
    except NotFound as exc:
        raise click.ClickException(f"no authority {authority_slug!r}") from exc
    machine, token = created
    click.echo(f"Created client {machine.id} for {authority_slug}. Its token (shown once):")
    click.echo(token)


if __name__ == "__main__":
    main()

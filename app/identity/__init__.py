"""Identity: OIDC logins, the development IdP, sessions and the current Actor.

``identity_plugin_parts(settings, secret)`` returns what ``create_app`` wires in.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.router import Router
from litestar.stores.base import Store

from app.identity.actor import LoginRequired, actor_dependency, current_actor
from app.identity.client_auth import ClientKey, ClientKeyError, load_client_key
from app.identity.devidp import DEV_CLIENT_ID, DEV_ISSUER, DevIdentityProvider, dev_client_secret
from app.identity.devidp_routes import DEV_IDP_PATH, dev_idp_router
from app.identity.oidc import Provider, RelyingParty
from app.identity.routes import identity_router
from app.identity.sessions import SESSION_STORE_NAME, make_session_config, make_session_store
from app.settings import ProviderSettings, Settings, SettingsError

DEV_PROVIDER_ID = "dev"
DEV_PROVIDER_LABEL = "Entwicklungs-Anmeldung (Demo-Personen)"

__all__ = [
    "IdentityParts",
    "LoginRequired",
    "current_actor",
    "identity_plugin_parts",
]


@dataclass(frozen=True)
class IdentityParts:
    route_handlers: list[Router]
    middleware: list[DefineMiddleware]
    stores: dict[str, Store]
    dependencies: dict[str, Provide]


def _client_key(provider: ProviderSettings) -> ClientKey | None:
    """The private_key_jwt signing key of ``provider``; refuses to start without a usable one."""
    if provider.client_auth != "private_key_jwt":
        return None
    try:
        return load_client_key(provider.private_key_file)
    except ClientKeyError as exc:
        raise SettingsError(
            f"identity.providers[{provider.id}]: client_auth = 'private_key_jwt' needs a"
            f" readable private_key_file: {exc}"
        ) from exc


def _providers(settings: Settings, secret: str, base_url: str) -> list[Provider]:
    providers = [
        Provider(
            id=p.id,
            label=p.label,
            issuer=p.issuer,
            client_id=p.client_id,
            client_secret=p.client_secret,
            realm=p.realm,
            subject_claim=p.subject_claim,
            scope=p.scope,
            authority=p.authority,
            roles_claim=p.roles_claim,
            role_map=p.role_map,
            acr_map=p.acr_map,
            client_auth=p.client_auth,
            client_key=_client_key(p),
        )
        for p in settings.identity.providers
    ]
    if settings.identity.dev_idp:
        providers.append(
            Provider(
                id=DEV_PROVIDER_ID,
                label=DEV_PROVIDER_LABEL,
                issuer=DEV_ISSUER,
                discovery_url=f"{base_url}{DEV_IDP_PATH}/.well-known/openid-configuration",
                client_id=DEV_CLIENT_ID,
                client_secret=dev_client_secret(secret),
                built_in=True,
            )
        )
    return providers


def identity_plugin_parts(settings: Settings, secret: str) -> IdentityParts:
    base_url = settings.app.base_url.rstrip("/")
    relying_party = RelyingParty(_providers(settings, secret, base_url), base_url=base_url)
    handlers: list[Router] = [identity_router(relying_party)]
    if settings.identity.dev_idp:
        dev_idp = DevIdentityProvider(
            endpoints=f"{base_url}{DEV_IDP_PATH}",
            client_secret=dev_client_secret(secret),
            redirect_uri=relying_party.redirect_uri,
            post_logout_redirect_uri=relying_party.post_logout_redirect_uri,
        )
        handlers.append(dev_idp_router(dev_idp))
    return IdentityParts(
        route_handlers=handlers,
        middleware=[make_session_config(settings).middleware],
        stores={SESSION_STORE_NAME: make_session_store(settings)},
        dependencies={"actor": actor_dependency},
    )

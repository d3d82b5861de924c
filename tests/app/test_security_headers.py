"""The Content-Security-Policy lets logout reach the providers, and nothing else."""

from __future__ import annotations

from app.security import security_headers_middleware
from app.settings import IdentitySettings, ProviderSettings, Settings


def test_form_action_allows_only_self_and_the_configured_providers() -> None:
    settings = Settings(
        identity=IdentitySettings(
            providers=[
                ProviderSettings(
                    id="bundid",
                    label="BundID",
                    issuer="https://broker.example:8443/realms/citizens",
                    client_id="x",
                )
            ]
        )
    )
    csp = security_headers_middleware(settings).headers["content-security-policy"]
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["form-action"] == "'self' https://broker.example:8443"
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in csp


def test_without_providers_forms_go_to_self_only() -> None:
    csp = security_headers_middleware(Settings()).headers["content-security-policy"]
    assert "form-action 'self';" in csp

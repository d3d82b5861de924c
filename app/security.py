"""Security headers on every HTTP response: a strict CSP and the usual companions."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings


def content_security_policy(form_targets: list[str]) -> str:
    """The page policy. ``form_targets``: origins a form POST may redirect to.

    Browsers apply form-action to the redirects after a form submission, and logout
    (a POST) redirects to the identity provider's end-session endpoint.
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            " ".join(["form-action 'self'", *form_targets]),
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class SecurityHeaders(ASGIMiddleware):
    scopes = ("http",)  # type: ignore[assignment]

    def __init__(self, hsts: bool, csp: str) -> None:
        self.headers = {
            "content-security-policy": csp,
            "x-content-type-options": "nosniff",
            "referrer-policy": "same-origin",
            "x-frame-options": "DENY",
            "cross-origin-opener-policy": "same-origin",
            "permissions-policy": "camera=(), microphone=(), geolocation=()",
        }
        if hsts:
            self.headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await next_app(scope, receive, send_with_headers)


def security_headers_middleware(settings: Settings) -> SecurityHeaders:
    providers = sorted({_origin(p.issuer) for p in settings.identity.providers})
    return SecurityHeaders(hsts=settings.production, csp=content_security_policy(providers))

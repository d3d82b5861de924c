"""A misbehaving OpenID provider on a real local port, for ID-token validation tests.

It answers every authorization request at once and, depending on ``mode``, signs the
ID token with a foreign key, names the wrong issuer or audience, or lets it expire.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from litestar import Litestar, Request, get, post
from litestar.response import Redirect

from tests.servers import free_port

CLIENT_ID = "antragsraum-test"
CLIENT_SECRET = "rogue-client-secret"


@dataclass
class RogueIdp:
    port: int
    mode: str = "good"
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, auto_kid=True))
    nonces: dict[str, str] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "bpk2-erika",
            "name": "Erika Mustermann",
            "acr": "http://eidas.europa.eu/LoA/high",
            "authority": "demo-stadt",  # a public IdP cannot make anyone staff
            "nonce": nonce,
            "iat": now,
            "exp": now + 300,
        }
        signing_key = self.key
        if self.mode == "foreign_key":  # same kid, other key material
            signing_key = RSAKey.generate_key(2048, {"kid": str(self.key.kid)})
        elif self.mode == "wrong_issuer":
            claims["iss"] = "http://127.0.0.1:1/other"
        elif self.mode == "wrong_audience":
            claims["aud"] = "another-client"
        elif self.mode == "expired":
            claims["iat"], claims["exp"] = now - 1200, now - 600
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, signing_key)

    def app(self) -> Litestar:
        @get("/.well-known/openid-configuration", sync_to_thread=False)
        def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            }

        @get("/jwks", sync_to_thread=False)
        def jwks() -> dict[str, Any]:
            return dict(KeySet([self.key]).as_dict(private=False))

        @get("/authorize", sync_to_thread=False)
        def authorize(request: Request[Any, Any, Any]) -> Redirect:
            query = request.query_params
            code = secrets.token_urlsafe(16)
            self.nonces[code] = query["nonce"]
            result = urlencode({"code": code, "state": query["state"]})
            return Redirect(f"{query['redirect_uri']}?{result}", status_code=303)

        @post("/token", status_code=200)
        async def token(request: Request[Any, Any, Any]) -> dict[str, Any]:
            form = await request.form()
            nonce = self.nonces.pop(form["code"])
            return {"access_token": "x", "token_type": "Bearer", "id_token": self.id_token(nonce)}

        return Litestar([discovery, jwks, authorize, token])


class RogueServer:
    def __init__(self) -> None:
        self.idp = RogueIdp(port=free_port())
        config = uvicorn.Config(
            self.idp.app(),
            host="127.0.0.1",
            port=self.idp.port,
            log_level="warning",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> RogueIdp:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("rogue IdP did not start")
            time.sleep(0.02)
        return self.idp

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

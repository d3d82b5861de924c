"""Where a webhook delivery connects: resolved once, checked, and pinned.

The endpoint's host is resolved before each delivery and every address it resolves
to must be allowed (:func:`rooms.outbound.webhooks.urls.destination_allowed`). The
request then goes to the checked address itself, not to the name: otherwise httpx
would resolve the name again when it connects, and a name that answers a public
address to the check and an internal one to the connection (DNS rebinding) would
lead the portal into its own network. So the URL's host is replaced by the address,
the ``Host`` header keeps the name (and port) the authority configured, and for
https the name goes to TLS as SNI and as the name the certificate is checked for
(httpcore's ``sni_hostname`` request extension, which it passes to ``start_tls`` as
``server_hostname``; ``check_hostname`` stays on).

Because a pooled connection is keyed by the address, not the name, the client keeps
no idle connections (see :func:`app.webhooks.worker.make_client`): a TLS connection
checked for one name is never reused for a request to another name at that address.

A name that does not resolve is refused like a forbidden address (the delivery fails
and is retried on schedule): "not known now" must not mean "let httpx try again".
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from rooms.kernel.errors import Invalid
from rooms.outbound.webhooks.urls import destination_allowed, host_address


class Refused(Exception):
    """The delivery may not go out; the message is what the delivery row records."""


@dataclass(frozen=True, slots=True)
class Target:
    """One checked address of the endpoint and how to reach the endpoint through it."""

    url: httpx.URL
    """The configured URL with the host replaced by the checked address."""
    headers: dict[str, str]
    """``Host``: the configured host (and port)."""
    extensions: dict[str, str]
    """``sni_hostname`` for https to a name (TLS checks the certificate for it)."""


async def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (the running loop's resolver), in the resolver's order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # an IPv6 zone is not part of the check
        if address not in addresses:
            addresses.append(address)
    return addresses


async def targets(url: str, private_networks: list[str] | None) -> list[Target]:
    """The checked addresses of the endpoint, to try in turn; or :class:`Refused`.

    ``private_networks`` ``None`` (development) allows any address, but the request
    still goes to the address that was resolved here.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        literal = host_address(host)
    except Invalid:
        raise Refused(f"host not allowed: {host!r} is no canonical address") from None
    configured = httpx.URL(url)
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = await resolve(
                host, configured.port or (443 if parts.scheme == "https" else 80)
            )
        except (OSError, UnicodeError) as exc:
            raise Refused(f"host not resolvable: {host} ({exc})"[:500]) from None
        if not addresses:
            raise Refused(f"host not resolvable: {host}")
    for address in addresses:
        if private_networks is not None and not destination_allowed(address, private_networks):
            raise Refused(f"address not allowed: {address} (webhooks.private_networks)")
    host_header = configured.netloc.decode("ascii")
    extensions = (
        {"sni_hostname": configured.host} if literal is None and parts.scheme == "https" else {}
    )
    return [
        Target(configured.copy_with(host=address), {"host": host_header}, extensions)
        for address in addresses
    ]

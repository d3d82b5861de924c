"""Webhook URLs: what an authority's admin may configure, and where a delivery may go.

An admin chooses the URL, so it is checked when it is stored (:func:`validate_url`)
and the worker checks every resolved address before each delivery
(:func:`destination_allowed`) and then connects to the address it checked.

Addresses are taken in one spelling only (:func:`host_address`). The WHATWG URL
standard reads a host whose last label is a number (``2852039166``, ``0x7f000001``,
``127.1``, ``0177.0.0.1``) as an IPv4 address, and so do glibc's ``inet_aton`` and
with it ``getaddrinfo``, each a little differently, while Python's :mod:`ipaddress`
refuses such forms. A check that reads the host one way and a connection that reads
it another is a way around the check, so such a host is refused outright
(``url_address_form``): only the dotted-quad form with four decimal parts without
leading zeros, or an IPv6 address in brackets, names an address.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from rooms.kernel.errors import Invalid

MAX_URL_LENGTH = 2000

# Why a URL was refused: the key of ``Invalid.errors["url"]`` and its explanation.
URL_PROBLEMS = {
    "url_invalid": "the URL must be an absolute http:// or https:// URL with a host",
    "url_not_https": "the URL must use https:// (required in production)",
    "url_credentials": "the URL must not contain a user name or password",
    "url_too_long": f"the URL must be at most {MAX_URL_LENGTH} characters long",
    "url_address_form": (
        "an IP address must be written as four decimal numbers (like 192.0.2.10) or as an "
        "IPv6 address in brackets"
    ),
    "url_private": (
        "the URL points into a non-public network that webhooks.private_networks does not allow"
    ),
    "types_unknown": "unknown event type",
}


def destination_allowed(address: str, private_networks: Sequence[str] | None) -> bool:
    """May a webhook be sent to this IP address?

    Public (globally routable) addresses always; loopback, private, link-local,
    shared and reserved ones only inside ``private_networks`` (``None``: any). An
    authority's admin chooses the URL, so without this check the portal could be
    made to post into its own network (cloud metadata, internal services).
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_global or private_networks is None:
        return True
    return any(ip in ipaddress.ip_network(n, strict=False) for n in private_networks)


# A last label that the URL standard (and inet_aton) reads as a number: decimal, or hex.
_NUMERIC_LABEL = re.compile(r"(?:[0-9]+|0[xX][0-9a-fA-F]*)", re.ASCII)
_DOTTED_QUAD = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
                          r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])", re.ASCII)  # fmt: skip


def host_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a URL's host (``urlsplit(...).hostname``) names, or None for a name.

    Raises ``Invalid({"url": "url_address_form"})`` for a host that some parser reads
    as an IPv4 address but that is not in the one canonical form (see the module).
    """
    if ":" in host:  # only an IPv6 literal has a colon in the host
        try:
            return ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            raise Invalid({"url": "url_invalid"}) from None
    labels = host.split(".")
    last = labels[-1] or (labels[-2] if len(labels) > 1 else "")
    if not _NUMERIC_LABEL.fullmatch(last):
        return None  # a name: resolved (and its addresses checked) before each delivery
    if not _DOTTED_QUAD.fullmatch(host):
        raise Invalid({"url": "url_address_form"})
    return ipaddress.IPv4Address(host)


def _literal_address(host: str) -> str | None:
    """The address a host names without DNS (an IP literal, or localhost), else None."""
    if host.lower() in {"localhost", "localhost."} or host.lower().endswith(".localhost"):
        return "127.0.0.1"
    address = host_address(host)
    return None if address is None else str(address)


def validate_url(
    url: str, *, require_https: bool, private_networks: Sequence[str] | None = None
) -> str:
    """The URL as stored, or ``Invalid({"url": <key of URL_PROBLEMS>})``.

    A host given as an address (or localhost) is checked against ``private_networks``
    here; names are resolved and checked by the worker before each delivery.
    """
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise Invalid({"url": "url_too_long"})
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise Invalid({"url": "url_invalid"}) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname or any(c.isspace() for c in url):
        raise Invalid({"url": "url_invalid"})
    try:
        parts.hostname.encode("idna")  # what the resolver needs: labels of 1-63 characters
    except UnicodeError:
        raise Invalid({"url": "url_invalid"}) from None
    if parts.username is not None or parts.password is not None:
        raise Invalid({"url": "url_credentials"})
    if require_https and parts.scheme != "https":
        raise Invalid({"url": "url_not_https"})
    literal = _literal_address(parts.hostname)
    if literal is not None and not destination_allowed(literal, private_networks):
        raise Invalid({"url": "url_private"})
    return url

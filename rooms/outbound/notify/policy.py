"""What the deployment configured for the planner: the postbox channels and the digest default.

Set once at start-up (:func:`configure`); the planner and the preferences read it
through :func:`current_policy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rooms.outbound.notify.kinds import Digest


@dataclass(frozen=True)
class Policy:
    """What the deployment configured, for the planner: channels and the digest default."""

    postbox_channels: tuple[str, ...] = ()
    digest_default: str = Digest.daily.value


_policy = Policy()


def configure(policy: Policy) -> Policy:
    """Set the deployment's policy (at start-up); returns the previous one."""
    global _policy
    previous, _policy = _policy, policy
    return previous


def current_policy() -> Policy:
    """The policy set by the last :func:`configure` (the defaults before any)."""
    return _policy

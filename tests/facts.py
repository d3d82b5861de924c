"""What domain actions announced after commit, for tests that call the domain directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rooms.kernel.events import Happened, listening


@contextmanager
def committed_facts() -> Iterator[list[Happened]]:
    """Collect every fact announced after a commit within the block, in order."""
    heard: list[Happened] = []
    with listening(heard.append):
        yield heard

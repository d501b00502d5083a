"""Optimistic concurrency: a write names the version it read, or loses to a newer one."""

from __future__ import annotations

from partygrid.domain.errors import StaleVersion


def check_version(current: int, expected: int | None) -> None:
    if expected is not None and current != expected:
        raise StaleVersion(
            f"version {expected} is stale; the current version is {current}",
            current_version=current,
        )

"""Sealed blobs read and rewritten for key rotation."""

from __future__ import annotations

from functools import cached_property

from partygrid.repo.keys.repository import SqlKeyRotationRepository
from partygrid.repo.lifecycle import UnitOfWorkLifecycle


class KeyRepositories(UnitOfWorkLifecycle):
    """Keys' repositories, as the unit of work offers them."""

    @cached_property
    def key_rotation(self) -> SqlKeyRotationRepository:
        return SqlKeyRotationRepository(self.session)

"""The grid repository: boundaries in a GiST-indexed polygon column, staff assignments."""

from __future__ import annotations

from functools import cached_property

from partygrid.repo.grids.repository import SqlGridRepository
from partygrid.repo.lifecycle import UnitOfWorkLifecycle


class GridRepositories(UnitOfWorkLifecycle):
    """Grids' repositories, as the unit of work offers them."""

    @cached_property
    def grids(self) -> SqlGridRepository:
        return SqlGridRepository(self.session, self.keyring, self.fast_reads)

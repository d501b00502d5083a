"""The organization repository: the tree as an ltree path."""

from __future__ import annotations

from functools import cached_property

from partygrid.repo.lifecycle import UnitOfWorkLifecycle
from partygrid.repo.organizations.repository import SqlOrganizationRepository


class OrganizationRepositories(UnitOfWorkLifecycle):
    """Organizations' repositories, as the unit of work offers them."""

    @cached_property
    def organizations(self) -> SqlOrganizationRepository:
        return SqlOrganizationRepository(self.session)

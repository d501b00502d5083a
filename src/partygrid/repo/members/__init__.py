"""The party member repository: members, transfers and the mobile ledger."""

from __future__ import annotations

from functools import cached_property

from partygrid.repo.lifecycle import UnitOfWorkLifecycle
from partygrid.repo.members.repository import SqlMemberRepository


class MemberRepositories(UnitOfWorkLifecycle):
    """Members' repositories, as the unit of work offers them."""

    @cached_property
    def members(self) -> SqlMemberRepository:
        return SqlMemberRepository(self.session, self.keyring, self.fast_reads)

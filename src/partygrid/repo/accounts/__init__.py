"""Repositories of accounts: principals, users and their sessions, partner API clients."""

from __future__ import annotations

from functools import cached_property

from partygrid.repo.accounts.api_clients import SqlApiClientRepository
from partygrid.repo.accounts.principals import SqlPrincipalRepository
from partygrid.repo.accounts.users import SqlScopeRepository, SqlUserRepository
from partygrid.repo.lifecycle import UnitOfWorkLifecycle


class AccountRepositories(UnitOfWorkLifecycle):
    """Accounts' repositories, as the unit of work offers them."""

    @cached_property
    def users(self) -> SqlUserRepository:
        return SqlUserRepository(self.session, self.keyring)

    @cached_property
    def scopes(self) -> SqlScopeRepository:
        return SqlScopeRepository(self.session)

    @cached_property
    def api_clients(self) -> SqlApiClientRepository:
        return SqlApiClientRepository(self.session, self.keyring)

    @cached_property
    def principals(self) -> SqlPrincipalRepository:
        return SqlPrincipalRepository(self.session, self.keyring)

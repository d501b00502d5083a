"""Repositories of tickets: the projection and its timeline, work lists, statistics,
deadlines, the service catalogue and what the public reads."""

from __future__ import annotations

from functools import cached_property

from partygrid.repo.lifecycle import UnitOfWorkLifecycle
from partygrid.repo.tickets.catalogue import SqlCatalogueRepository
from partygrid.repo.tickets.deadlines import SqlTicketDeadlineRepository
from partygrid.repo.tickets.public_reads import SqlPublicTicketRepository
from partygrid.repo.tickets.repository import SqlTicketRepository
from partygrid.repo.tickets.stats import SqlTicketStatsRepository
from partygrid.repo.tickets.work_lists import SqlTicketListRepository


class TicketRepositories(UnitOfWorkLifecycle):
    """Tickets' repositories, as the unit of work offers them."""

    @cached_property
    def tickets(self) -> SqlTicketRepository:
        return SqlTicketRepository(self.session, self.keyring, self.fast_reads)

    @cached_property
    def catalogue(self) -> SqlCatalogueRepository:
        return SqlCatalogueRepository(self.session)

    @cached_property
    def ticket_lists(self) -> SqlTicketListRepository:
        return SqlTicketListRepository(self.session, self.fast_reads)

    @cached_property
    def ticket_stats(self) -> SqlTicketStatsRepository:
        return SqlTicketStatsRepository(self.session)

    @cached_property
    def ticket_deadlines(self) -> SqlTicketDeadlineRepository:
        return SqlTicketDeadlineRepository(self.session)

    @cached_property
    def public_tickets(self) -> SqlPublicTicketRepository:
        return SqlPublicTicketRepository(self.session, self.fast_reads)

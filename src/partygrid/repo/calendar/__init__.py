"""The official holiday schedules an admin loaded."""

from __future__ import annotations

from functools import cached_property

from partygrid.repo.calendar.repository import SqlScheduleRepository
from partygrid.repo.lifecycle import UnitOfWorkLifecycle


class CalendarRepositories(UnitOfWorkLifecycle):
    """The calendar's repository, as the unit of work offers it."""

    @cached_property
    def schedules(self) -> SqlScheduleRepository:
        return SqlScheduleRepository(self.session)

"""Aggregates over a subtree for the reports."""

from __future__ import annotations

from functools import cached_property

from partygrid.repo.lifecycle import UnitOfWorkLifecycle
from partygrid.repo.reports.repository import SqlReportRepository


class ReportRepositories(UnitOfWorkLifecycle):
    """Reports' repositories, as the unit of work offers them."""

    @cached_property
    def reports(self) -> SqlReportRepository:
        return SqlReportRepository(self.session)

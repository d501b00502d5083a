"""The unit of work every use case runs in: one transaction, rolled back unless told to
commit, with the repositories of every feature sharing its session.

Each feature contributes its repositories (``repo/<feature>/__init__.py``); the life of
the transaction is ``repo/lifecycle.py``. This is the one place that lists the features.
"""

from __future__ import annotations

from partygrid.repo.accounts import AccountRepositories
from partygrid.repo.audit import AuditRepositories
from partygrid.repo.calendar import CalendarRepositories
from partygrid.repo.grids import GridRepositories
from partygrid.repo.keys import KeyRepositories
from partygrid.repo.members import MemberRepositories
from partygrid.repo.organizations import OrganizationRepositories
from partygrid.repo.reports import ReportRepositories
from partygrid.repo.tickets import TicketRepositories


class UnitOfWork(
    OrganizationRepositories,
    GridRepositories,
    MemberRepositories,
    AccountRepositories,
    AuditRepositories,
    CalendarRepositories,
    ReportRepositories,
    KeyRepositories,
    TicketRepositories,
):
    """A use case's transaction and the repositories of every feature; a repository is
    made at first use and forgotten when the unit of work ends."""

"""The audit trail in the database: the chained writer and the reader."""

from __future__ import annotations

from functools import cached_property

from partygrid.repo.audit.reader import SqlAuditReader
from partygrid.repo.audit.writer import SqlAuditRepository
from partygrid.repo.lifecycle import AuditTrailWriter, UnitOfWorkLifecycle


class AuditRepositories(UnitOfWorkLifecycle):
    """The audit trail's writer and reader, as the unit of work offers them."""

    @cached_property
    def audit(self) -> SqlAuditRepository:
        return SqlAuditRepository(self.session, self.keyring.audit_key)

    @cached_property
    def audit_reader(self) -> SqlAuditReader:
        return SqlAuditReader(self.session)

    def audit_trail(self) -> AuditTrailWriter:
        return self.audit

"""All tables; importing this module fills ``Base.metadata`` for Alembic."""

from partygrid.repo.tables.accounts import (
    ApiClientPermissionRow,
    ApiClientRow,
    ApiNonceRow,
    PrincipalScopeRow,
    RefreshTokenRow,
    SessionRow,
    UserRow,
)
from partygrid.repo.tables.audit import AuditEventRow
from partygrid.repo.tables.grids import GridRow, GridStaffAssignmentRow
from partygrid.repo.tables.members import MemberTransferRow, MobileLedgerRow, PartyMemberRow
from partygrid.repo.tables.organizations import OrganizationHistoryRow, OrganizationRow
from partygrid.repo.tables.tickets import (
    HolidayScheduleRow,
    IdempotencyKeyRow,
    ServiceCategoryRow,
    TicketEventRow,
    TicketRow,
)

__all__ = [
    "ApiClientPermissionRow",
    "ApiClientRow",
    "ApiNonceRow",
    "AuditEventRow",
    "GridRow",
    "GridStaffAssignmentRow",
    "HolidayScheduleRow",
    "IdempotencyKeyRow",
    "MemberTransferRow",
    "MobileLedgerRow",
    "OrganizationHistoryRow",
    "OrganizationRow",
    "PartyMemberRow",
    "PrincipalScopeRow",
    "RefreshTokenRow",
    "ServiceCategoryRow",
    "SessionRow",
    "TicketEventRow",
    "TicketRow",
    "UserRow",
]

"""All tables; importing this module fills ``Base.metadata`` for Alembic."""

from partygrid.repo.tables.grids import GridRow, GridStaffAssignmentRow
from partygrid.repo.tables.members import MemberTransferRow, MobileLedgerRow, PartyMemberRow
from partygrid.repo.tables.organizations import OrganizationHistoryRow, OrganizationRow

__all__ = [
    "GridRow",
    "GridStaffAssignmentRow",
    "MemberTransferRow",
    "MobileLedgerRow",
    "OrganizationHistoryRow",
    "OrganizationRow",
    "PartyMemberRow",
]

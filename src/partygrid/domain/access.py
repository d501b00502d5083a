"""Who may do what, and where: roles, permissions, scopes and the principal of a request.

Roles follow the grid hierarchy (district → street → community → grid) plus the three
administrators that MLPS 2.0 level 3 (等保三级) separates: the system admin runs accounts,
the security admin grants roles and scopes, the auditor reads the trail and nothing else.
No administrator of the three reads business data, and nobody can edit the trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    district_admin = "district_admin"
    street_admin = "street_admin"
    community_admin = "community_admin"
    grid_worker = "grid_worker"
    department_worker = "department_worker"  # 专业网格员 sent down by a department
    auditor = "auditor"  # 审计管理员
    system_admin = "system_admin"  # 系统管理员
    security_admin = "security_admin"  # 安全管理员
    partner_system = "partner_system"  # police, civil affairs, hotline (API clients)


class Permission(StrEnum):
    org_read = "org:read"
    org_write = "org:write"
    grid_read = "grid:read"
    grid_write = "grid:write"
    member_read = "member:read"
    member_write = "member:write"
    member_reveal = "member:reveal"  # see personal data in clear, with a stated reason
    member_depart = "member:depart"  # record 出党/去世, and reinstate after a wrong one
    report_read = "report:read"
    user_read = "user:read"
    user_manage = "user:manage"  # create, disable, reset password (system admin)
    access_grant = "access:grant"  # roles, scopes, unlock, revoke sessions (security admin)
    client_manage = "client:manage"  # partner API clients
    audit_read = "audit:read"
    system_maintain = "system:maintain"  # key rotation, schedules
    ticket_read = "ticket:read"
    ticket_submit = "ticket:submit"  # report a resident's request (受理登记)
    ticket_handle = "ticket:handle"  # accept, assign, handle, publish, close
    ticket_supervise = "ticket:supervise"  # 督办 and extension decisions (upper levels)
    catalogue_manage = "catalogue:manage"  # the service catalogue of the deployment


P = Permission
_LEADERS = frozenset(
    {P.org_read, P.org_write, P.grid_read, P.grid_write, P.member_read, P.member_write,
     P.member_reveal, P.member_depart, P.report_read, P.ticket_read, P.ticket_submit,
     P.ticket_handle, P.ticket_supervise}
)  # fmt: skip

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.district_admin: _LEADERS | {P.catalogue_manage},
    Role.street_admin: _LEADERS,
    Role.community_admin: _LEADERS,
    Role.grid_worker: frozenset(
        {P.org_read, P.grid_read, P.member_read, P.member_write}
        | {P.ticket_read, P.ticket_submit, P.ticket_handle}
    ),
    # 专业网格员 handle their department's matters in their grids: tickets, not the party
    # member register (political status is not their field).
    Role.department_worker: frozenset({P.org_read, P.grid_read, P.ticket_read, P.ticket_handle}),
    Role.auditor: frozenset({P.audit_read}),
    Role.system_admin: frozenset({P.user_read, P.user_manage, P.client_manage, P.system_maintain}),
    Role.security_admin: frozenset({P.user_read, P.access_grant}),
    # A partner's role grants nothing by itself: each client holds what the security
    # admin gave it (see CLIENT_GRANTABLE).
    Role.partner_system: frozenset(),
}

# The most a partner client may be given: read the tree, grids, members and tickets,
# register and edit members, submit residents' requests. Never grids or organizations,
# departures, reveals, ticket handling or anything administrative.
CLIENT_GRANTABLE = frozenset(
    {P.org_read, P.grid_read, P.member_read, P.member_write, P.ticket_read, P.ticket_submit}
)

# Roles whose accounts must use a second factor when the setting enforces it.
ADMIN_ROLES = frozenset(
    {Role.district_admin, Role.street_admin, Role.community_admin, Role.auditor,
     Role.system_admin, Role.security_admin}
)  # fmt: skip

# Roles that hold no business data at all, so a scope means nothing for them.
UNSCOPED_ROLES = frozenset({Role.auditor, Role.system_admin, Role.security_admin})


def permissions_of(role: Role | None) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role, frozenset()) if role else frozenset()


@dataclass(frozen=True, slots=True)
class Scope:
    """The part of the tree a principal sees: organization subtrees and single grids.

    ``org_paths`` are ltree paths of subtree roots; ``grid_ids`` are grids granted on their
    own (grid workers). An empty scope sees nothing.
    """

    org_paths: tuple[str, ...] = ()
    grid_ids: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.org_paths and not self.grid_ids

    def covers_path(self, path: str) -> bool:
        return any(path == root or path.startswith(root + ".") for root in self.org_paths)

    def covers_grid(self, grid_id: int, community_path: str | None) -> bool:
        return grid_id in self.grid_ids or (
            community_path is not None and self.covers_path(community_path)
        )


class PrincipalKind(StrEnum):
    user = "user"
    api_client = "api_client"
    system = "system"  # the CLI: demo loading, create-admin


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, with what role, over which part of the tree."""

    kind: PrincipalKind
    id: int
    name: str
    role: Role | None
    scope: Scope = field(default_factory=Scope)
    session_id: int | None = None
    granted: frozenset[Permission] = frozenset()  # an API client's own permissions

    @property
    def permissions(self) -> frozenset[Permission]:
        granted = self.granted if self.kind is PrincipalKind.api_client else frozenset()
        return permissions_of(self.role) | (granted & CLIENT_GRANTABLE)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass(frozen=True, slots=True)
class Actor:
    """A principal in the context of one request: what the audit trail records."""

    principal: Principal
    client_address: str | None = None
    request_id: str | None = None

    @property
    def scope(self) -> Scope:
        return self.principal.scope

    @property
    def user_id(self) -> int | None:
        """The person acting, as a work item can name them; None for API clients and the
        console, which are never assignees."""
        p = self.principal
        return p.id if p.kind is PrincipalKind.user else None


def system_actor(scope: Scope, name: str = "partygrid-cli") -> Actor:
    """The CLI acting for an operator at the console (demo data, bootstrap)."""
    return Actor(Principal(PrincipalKind.system, 0, name, None, scope), "console", None)

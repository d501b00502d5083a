"""The access policy as the README's roles table states it, written out by hand.

Nothing here is read from ``partygrid.domain.access`` or the routes: the tests hold the
code to these tables, so a wrong grant in the permission table, or a route declaring the
wrong permission, fails a test instead of changing what the test expects.
"""

from __future__ import annotations

# Who may do what. Columns are the roles, plus partner clients: `partner` is what the
# partner_system role grants by itself (nothing), `client+` the most a security admin may
# give one client.
_MATRIX = """
permission        district street community grid dept sysadmin secadmin auditor partner client+
org:read              x       x       x       x    x      .        .       .       .       x
org:write             x       x       x       .    .      .        .       .       .       .
grid:read             x       x       x       x    x      .        .       .       .       x
grid:write            x       x       x       .    .      .        .       .       .       .
member:read           x       x       x       x    .      .        .       .       .       x
member:write          x       x       x       x    .      .        .       .       .       x
member:reveal         x       x       x       .    .      .        .       .       .       .
member:depart         x       x       x       .    .      .        .       .       .       .
report:read           x       x       x       .    .      .        .       .       .       .
ticket:read           x       x       x       x    x      .        .       .       .       x
ticket:submit         x       x       x       x    .      .        .       .       .       x
ticket:handle         x       x       x       x    x      .        .       .       .       .
ticket:supervise      x       x       x       .    .      .        .       .       .       .
catalogue:manage      x       .       .       .    .      .        .       .       .       .
user:read             .       .       .       .    .      x        x       .       .       .
user:manage           .       .       .       .    .      x        .       .       .       .
access:grant          .       .       .       .    .      .        x       .       .       .
client:manage         .       .       .       .    .      x        .       .       .       .
audit:read            .       .       .       .    .      .        .       x       .       .
system:maintain       .       .       .       .    .      x        .       .       .       .
"""

# Column heading → the role it stands for (None: a partner client with every permission
# a client may hold).
COLUMNS: dict[str, str | None] = {
    "district": "district_admin", "street": "street_admin", "community": "community_admin",
    "grid": "grid_worker", "dept": "department_worker", "sysadmin": "system_admin",
    "secadmin": "security_admin", "auditor": "auditor", "partner": "partner_system",
    "client+": None,
}  # fmt: skip


def _parse(matrix: str) -> dict[str, frozenset[str]]:
    header, *rows = [line.split() for line in matrix.strip().splitlines()]
    columns = header[1:]
    held: dict[str, set[str]] = {column: set() for column in columns}
    for permission, *marks in rows:
        assert len(marks) == len(columns), permission
        for column, mark in zip(columns, marks, strict=True):
            assert mark in {"x", "."}, (permission, column, mark)
            if mark == "x":
                held[column].add(permission)
    return {column: frozenset(p) for column, p in held.items()}


HELD = _parse(_MATRIX)
PERMISSIONS = frozenset(line.split()[0] for line in _MATRIX.strip().splitlines()[1:])
ROLE_HOLDS = {role: HELD[column] for column, role in COLUMNS.items() if role is not None}
CLIENT_MOST = HELD["client+"]

PUBLIC, AUTHENTICATED = "public", "authenticated"
# Open311's POST takes an API client's `api_key` form field, no bearer token or signature.
API_KEY_SUBMIT = "ticket:submit (api_key)"

_TICKET_ACTIONS = (
    "accept", "assign", "close", "comment", "escalate", "merge", "publish", "reject",
    "reopen", "request_extension", "request_supplement", "resolve", "review", "revisit",
    "start", "supplement", "transfer",
)  # fmt: skip

# Every route of the application, with what its caller must hold.
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/refresh"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): AUTHENTICATED,
    ("GET", "/api/v1/auth/me"): AUTHENTICATED,
    ("POST", "/api/v1/auth/password"): AUTHENTICATED,
    ("POST", "/api/v1/auth/totp/enroll"): AUTHENTICATED,
    ("POST", "/api/v1/auth/totp/confirm"): AUTHENTICATED,
    ("GET", "/api/v1/users"): "user:read",
    ("POST", "/api/v1/users"): "user:manage",
    ("GET", "/api/v1/users/{user_id}"): "user:read",
    ("PATCH", "/api/v1/users/{user_id}"): "user:manage",
    ("POST", "/api/v1/users/{user_id}/disable"): "user:manage",
    ("POST", "/api/v1/users/{user_id}/enable"): "user:manage",
    ("POST", "/api/v1/users/{user_id}/password"): "user:manage",
    ("POST", "/api/v1/users/{user_id}/revoke-sessions"): "access:grant",
    ("PUT", "/api/v1/users/{user_id}/role"): "access:grant",
    ("POST", "/api/v1/users/{user_id}/scopes"): "access:grant",
    ("DELETE", "/api/v1/users/{user_id}/scopes/{scope_id}"): "access:grant",
    ("POST", "/api/v1/users/{user_id}/totp/reset"): "access:grant",
    ("POST", "/api/v1/users/{user_id}/unlock"): "access:grant",
    ("GET", "/api/v1/api-clients"): "user:read",
    ("POST", "/api/v1/api-clients"): "client:manage",
    ("GET", "/api/v1/api-clients/{client_id}"): "user:read",
    ("POST", "/api/v1/api-clients/{client_id}/disable"): "client:manage",
    ("POST", "/api/v1/api-clients/{client_id}/enable"): "client:manage",
    ("POST", "/api/v1/api-clients/{client_id}/rotate-secret"): "client:manage",
    ("POST", "/api/v1/api-clients/{client_id}/scopes"): "access:grant",
    ("DELETE", "/api/v1/api-clients/{client_id}/scopes/{scope_id}"): "access:grant",
    ("POST", "/api/v1/api-clients/{client_id}/permissions"): "access:grant",
    ("DELETE", "/api/v1/api-clients/{client_id}/permissions/{permission}"): "access:grant",
    ("GET", "/api/v1/audit/events"): "audit:read",
    ("GET", "/api/v1/audit/events/{event_id}"): "audit:read",
    ("GET", "/api/v1/audit/verify"): "audit:read",
    ("GET", "/api/v1/calendar/workdays"): AUTHENTICATED,
    ("GET", "/api/v1/calendar/years"): AUTHENTICATED,
    ("GET", "/api/v1/calendar/years/{year}"): AUTHENTICATED,
    ("PUT", "/api/v1/calendar/years/{year}"): "system:maintain",
    ("POST", "/api/v1/organizations"): "org:write",
    ("GET", "/api/v1/organizations"): "org:read",
    ("GET", "/api/v1/organizations/{org_id}"): "org:read",
    ("PATCH", "/api/v1/organizations/{org_id}"): "org:write",
    ("POST", "/api/v1/organizations/{org_id}/move"): "org:write",
    ("POST", "/api/v1/organizations/{org_id}/dissolve"): "org:write",
    ("GET", "/api/v1/organizations/{org_id}/history"): "org:read",
    ("POST", "/api/v1/grids"): "grid:write",
    ("GET", "/api/v1/grids"): "grid:read",
    ("GET", "/api/v1/grids/locate"): "grid:read",
    ("GET", "/api/v1/grids/{grid_id}"): "grid:read",
    ("PATCH", "/api/v1/grids/{grid_id}"): "grid:write",
    ("POST", "/api/v1/grids/{grid_id}/retire"): "grid:write",
    ("POST", "/api/v1/grids/{grid_id}/staff"): "grid:write",
    ("GET", "/api/v1/grids/{grid_id}/staff"): "grid:read",
    ("POST", "/api/v1/grids/{grid_id}/staff/{assignment_id}/end"): "grid:write",
    ("POST", "/api/v1/members"): "member:write",
    ("GET", "/api/v1/members"): "member:read",
    ("GET", "/api/v1/members/{member_id}"): "member:read",
    ("PATCH", "/api/v1/members/{member_id}"): "member:write",
    ("POST", "/api/v1/members/{member_id}/transfer"): "member:write",
    ("GET", "/api/v1/members/{member_id}/transfers"): "member:read",
    ("PUT", "/api/v1/members/{member_id}/central-household"): "member:write",
    ("DELETE", "/api/v1/members/{member_id}/central-household"): "member:write",
    ("POST", "/api/v1/members/{member_id}/mobile-ledger"): "member:write",
    ("GET", "/api/v1/members/{member_id}/mobile-ledger"): "member:read",
    ("POST", "/api/v1/members/{member_id}/leave"): "member:depart",
    ("POST", "/api/v1/members/{member_id}/reinstate"): "member:depart",
    ("POST", "/api/v1/members/{member_id}/reveal"): "member:reveal",
    ("GET", "/api/v1/reports/counts"): "report:read",
    ("GET", "/api/v1/reports/sizing"): "report:read",
    ("GET", "/api/v1/reports/coverage"): "report:read",
    ("POST", "/api/v1/tickets"): "ticket:submit",
    ("GET", "/api/v1/tickets"): "ticket:read",
    ("GET", "/api/v1/tickets/inbox"): "ticket:read",
    ("GET", "/api/v1/tickets/overdue"): "ticket:read",
    ("GET", "/api/v1/tickets/soon-due"): "ticket:read",
    ("GET", "/api/v1/tickets/stats"): "ticket:read",
    ("GET", "/api/v1/tickets/{ticket_id}"): "ticket:read",
    ("GET", "/api/v1/tickets/{ticket_id}/timeline"): "ticket:read",
    **{("POST", f"/api/v1/tickets/{{ticket_id}}/actions/{a}"): "ticket:handle"
       for a in _TICKET_ACTIONS},
    # Supervision (督办) and extension decisions belong to the levels above.
    ("POST", "/api/v1/tickets/{ticket_id}/actions/supervise"): "ticket:supervise",
    ("POST", "/api/v1/tickets/{ticket_id}/actions/decide_extension"): "ticket:supervise",
    ("GET", "/api/v1/service-categories"): "ticket:read",
    ("GET", "/api/v1/service-categories/{code}"): "ticket:read",
    ("POST", "/api/v1/service-categories"): "catalogue:manage",
    ("PATCH", "/api/v1/service-categories/{code}"): "catalogue:manage",
    ("GET", "/api/v1/public/communities/{community_id}/board"): PUBLIC,
    ("GET", "/open311/v2/services.{response_format}"): PUBLIC,
    ("GET", "/open311/v2/services/{service_code}.{response_format}"): PUBLIC,
    ("GET", "/open311/v2/requests.{response_format}"): PUBLIC,
    ("GET", "/open311/v2/requests/{service_request_id}.{response_format}"): PUBLIC,
    ("GET", "/open311/v2/tokens/{token}.{response_format}"): PUBLIC,
    ("POST", "/open311/v2/requests.{response_format}"): API_KEY_SUBMIT,
    # The docs' own sign-in (production): its form's password and TOTP are the credentials.
    ("POST", "/docs/login"): PUBLIC,
}  # fmt: skip

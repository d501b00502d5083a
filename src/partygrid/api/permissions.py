"""The permission each business route declares, as ``Annotated`` actor aliases.

A route takes ``actor: OrgReader`` (etc.): the dependency authenticates the caller (401),
checks the role has the permission (403) and hands the use case the actor, whose scope
decides what exists for it (404 outside). tests/access/test_route_permissions_api.py fails
for a route that declares neither a permission nor ``public(...)``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from partygrid.api.errors import problem_responses
from partygrid.api.security import require
from partygrid.domain.access import Actor, Permission

OrgReader = Annotated[Actor, Depends(require(Permission.org_read))]
OrgWriter = Annotated[Actor, Depends(require(Permission.org_write))]
GridReader = Annotated[Actor, Depends(require(Permission.grid_read))]
GridWriter = Annotated[Actor, Depends(require(Permission.grid_write))]
MemberReader = Annotated[Actor, Depends(require(Permission.member_read))]
MemberWriter = Annotated[Actor, Depends(require(Permission.member_write))]
MemberDeparter = Annotated[Actor, Depends(require(Permission.member_depart))]
ReportReader = Annotated[Actor, Depends(require(Permission.report_read))]
TicketReader = Annotated[Actor, Depends(require(Permission.ticket_read))]
TicketSubmitter = Annotated[Actor, Depends(require(Permission.ticket_submit))]
TicketSupervisor = Annotated[Actor, Depends(require(Permission.ticket_supervise))]
CatalogueManager = Annotated[Actor, Depends(require(Permission.catalogue_manage))]

# What every protected router may answer besides its routes' own statuses.
AUTH_ERRORS = problem_responses(401, 403)

"""Version 1 of the JSON API, mounted under /api/v1."""

from partygrid.api.routing import PrefixRouter, include
from partygrid.api.v1 import (
    api_clients,
    audit,
    auth,
    calendar,
    grids,
    members,
    organizations,
    public,
    reports,
    reveal,
    service_categories,
    ticket_lists,
    ticket_stats,
    tickets,
    users,
)

router = PrefixRouter(prefix="/api/v1")
for feature in (
    auth, organizations, grids, members, reveal, reports, audit, users, api_clients,
    # Before the tickets router, whose /tickets/{ticket_id} would otherwise take these paths.
    ticket_lists, ticket_stats, tickets,
    service_categories, calendar, public,
):  # fmt: skip
    include(router, feature.router)

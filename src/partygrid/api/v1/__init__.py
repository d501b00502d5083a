"""Version 1 of the JSON API, mounted under /api/v1: each feature brings its routers."""

from partygrid.api.routing import PrefixRouter, include
from partygrid.api.v1 import (
    accounts,
    audit,
    calendar,
    grids,
    members,
    organizations,
    reports,
    tickets,
)

router = PrefixRouter(prefix="/api/v1")
for feature in (accounts, organizations, grids, members, reports, audit, tickets, calendar):
    for feature_router in feature.routers:
        include(router, feature_router)

"""Version 1 of the JSON API, mounted under /api/v1."""

from fastapi import APIRouter

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

router = APIRouter(prefix="/api/v1")
router.include_router(auth.router)
router.include_router(organizations.router)
router.include_router(grids.router)
router.include_router(members.router)
router.include_router(reveal.router)
router.include_router(reports.router)
router.include_router(audit.router)
router.include_router(users.router)
router.include_router(api_clients.router)
# Before the tickets router, whose /tickets/{ticket_id} would otherwise take these paths.
router.include_router(ticket_lists.router)
router.include_router(ticket_stats.router)
router.include_router(tickets.router)
router.include_router(service_categories.router)
router.include_router(calendar.router)
router.include_router(public.router)

"""Version 1 of the JSON API, mounted under /api/v1."""

from fastapi import APIRouter

from partygrid.api.v1 import (
    api_clients,
    audit,
    auth,
    grids,
    members,
    organizations,
    reports,
    reveal,
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

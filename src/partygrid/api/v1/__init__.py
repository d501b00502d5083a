"""Version 1 of the JSON API, mounted under /api/v1."""

from fastapi import APIRouter

from partygrid.api.v1 import grids, members, organizations, reports

router = APIRouter(prefix="/api/v1")
router.include_router(organizations.router)
router.include_router(grids.router)
router.include_router(members.router)
router.include_router(reports.router)

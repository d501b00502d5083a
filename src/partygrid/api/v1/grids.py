"""Routes of grids (stub)."""

from fastapi import APIRouter

router = APIRouter(prefix="/grids", tags=["grids"])

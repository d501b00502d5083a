"""Routes of members (stub)."""

from fastapi import APIRouter

router = APIRouter(prefix="/members", tags=["members"])

"""Routes of reports (stub)."""

from fastapi import APIRouter

router = APIRouter(prefix="/reports", tags=["reports"])

"""Liveness and readiness probes for orchestrators and load balancers."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from partygrid.api.security import public
from partygrid.repo.migrations import current_revision

# Orchestrators and load balancers probe without credentials.
router = APIRouter(tags=["health"], dependencies=[Depends(public("probe"))])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (says nothing about the database)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Database unreachable or not migrated"}})
async def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the migration head."""
    engine = request.app.state.engine
    expected = request.app.state.migration_head
    try:
        async with asyncio.timeout(3), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            current = await current_revision(conn)
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    ready = current == expected
    body = {
        "status": "ok" if ready else "unavailable",
        "database": "ok",
        "migration": current,
        "expected_migration": expected,
    }
    return JSONResponse(body, status_code=200 if ready else 503)

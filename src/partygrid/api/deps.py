"""Request-scoped dependencies as ``Annotated`` aliases routers can declare directly."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from partygrid.api.etag import expected_version
from partygrid.api.middleware import connection_lease
from partygrid.config import Settings
from partygrid.repo.uow import UnitOfWork

# Dependencies are ``async def`` on purpose: FastAPI runs a plain ``def`` in its thread
# pool, a thread hop per dependency per request.


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_uow(request: Request) -> UnitOfWork:
    state = request.app.state
    return UnitOfWork(state.sessionmaker, state.keyring, lease=connection_lease(request))


async def get_read_uow(request: Request) -> UnitOfWork:
    """For use cases that only read: no transaction. Under READ COMMITTED each statement
    sees its own snapshot either way, so BEGIN/ROLLBACK would add two round trips and
    change nothing. It refuses to commit, so such a route cannot write by accident
    (reads that are themselves audited, like the audit trail's, take ``Uow``)."""
    state = request.app.state
    return UnitOfWork(
        state.autocommit_sessionmaker, state.keyring, read_only=True,
        lease=connection_lease(request),
    )  # fmt: skip


async def get_expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="ETag from a previous read; a stale one gets 412 and changes nothing.",
        ),
    ] = None,
) -> int | None:
    return expected_version(if_match)


async def page_size(
    request: Request,
    limit: Annotated[int | None, Query(ge=1, le=200, description="Page size (1–200).")] = None,
) -> int:
    settings: Settings = request.app.state.settings
    return min(limit or settings.default_page_size, settings.max_page_size)


Uow = Annotated[UnitOfWork, Depends(get_uow)]
ReadUow = Annotated[UnitOfWork, Depends(get_read_uow)]
ExpectedVersion = Annotated[int | None, Depends(get_expected_version)]
PageSize = Annotated[int, Depends(page_size)]
Cursor = Annotated[
    str | None, Query(description="Opaque cursor from the previous page's `next_cursor`.")
]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]

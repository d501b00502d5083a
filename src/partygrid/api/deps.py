"""Request-scoped dependencies as ``Annotated`` aliases routers can declare directly."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from partygrid.api.etag import expected_version
from partygrid.config import Settings
from partygrid.repo.uow import UnitOfWork


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.sessionmaker, request.app.state.keyring)


def get_expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="ETag from a previous read; a stale one gets 412 and changes nothing.",
        ),
    ] = None,
) -> int | None:
    return expected_version(if_match)


def page_size(
    request: Request,
    limit: Annotated[int | None, Query(ge=1, le=200, description="Page size (1–200).")] = None,
) -> int:
    settings: Settings = request.app.state.settings
    return min(limit or settings.default_page_size, settings.max_page_size)


Uow = Annotated[UnitOfWork, Depends(get_uow)]
ExpectedVersion = Annotated[int | None, Depends(get_expected_version)]
PageSize = Annotated[int, Depends(page_size)]
Cursor = Annotated[
    str | None, Query(description="Opaque cursor from the previous page's `next_cursor`.")
]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]

"""Async Alembic environment; the URL comes from PartyGrid, never from alembic.ini."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.types import UserDefinedType

from partygrid.repo import tables  # noqa: F401  (fills Base.metadata)
from partygrid.repo.base import Base, LTree, Polygon
from partygrid.repo.roles import set_app_role_password

config = context.config
target_metadata = Base.metadata

# Reflection reports unknown column types as NullType, and autogenerate silently skips
# comparing those; naming ours lets `ltree`/`polygon` columns be compared for real.
ischema_names.setdefault("ltree", LTree)
ischema_names.setdefault("polygon", Polygon)


def _compare_type(  # type: ignore[no-untyped-def]
    context, inspected_column, metadata_column, inspected_type, metadata_type
) -> bool | None:
    """Our user-defined types compare by their SQL name; the rest by Alembic's default."""
    if isinstance(inspected_type, UserDefinedType) or isinstance(metadata_type, UserDefinedType):
        dialect = context.dialect
        return inspected_type.compile(dialect=dialect) != metadata_type.compile(dialect=dialect)
    return None


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=_compare_type,
        compare_server_default=False,
    )


def _run_sync(connection) -> None:  # type: ignore[no-untyped-def]
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
        # Not a migration: the password may be set or changed on any run, even at head.
        password = config.attributes.get("app_db_password")
        if password is not None:
            role = config.attributes.get("app_db_role", "partygrid_app")
            set_app_role_password(connection, role, password.get_secret_value())


async def _run_async(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed in by a caller that already holds one
        _run_sync(connection)
        return
    url = config.attributes.get("database_url")
    if not url:
        raise SystemExit("run migrations with `partygrid migrate`, which knows the database URL")
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; use `partygrid migrate`")
run()

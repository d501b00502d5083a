"""Alembic from code: apply migrations and tell whether the schema is current."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.config import Settings
from partygrid.repo.keyring import Keyring


def alembic_config(settings: Settings, url: str) -> Config:
    ini = settings.migrations_dir.parent / "alembic.ini"
    cfg = Config(str(ini)) if ini.exists() else Config()
    cfg.set_main_option("script_location", str(settings.migrations_dir))
    # env.py reads the URL from here, so the CLI, the app and the tests agree.
    cfg.attributes["database_url"] = url
    cfg.attributes["app_db_role"] = settings.app_db_role
    # env.py sets it on the app role after migrating, every time (PARTYGRID_APP_DB_PASSWORD).
    cfg.attributes["app_db_password"] = settings.app_db_password
    # Migrations that seal or open personal data (0003) use the service's own keys.
    cfg.attributes["keyring"] = Keyring.from_settings(settings)
    return cfg


def upgrade_to_head(settings: Settings, url: str) -> None:
    """Apply every pending migration (blocking: call from a thread inside an event loop)."""
    command.upgrade(alembic_config(settings, url), "head")


def head_revision(settings: Settings, url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(settings, url)).get_current_head()


async def current_revision(connection: AsyncConnection) -> str | None:
    def read(sync_conn) -> str | None:  # type: ignore[no-untyped-def]
        return MigrationContext.configure(sync_conn).get_current_revision()

    return await connection.run_sync(read)

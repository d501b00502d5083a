"""The app role the service connects as: given its password by `partygrid migrate` (the
schema owner's step), on a server of the test's own that checks passwords."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import asyncpg
import pytest

from partygrid.repo.database import start_embedded, stop_embedded

CLI = [sys.executable, "-m", "partygrid.cli"]
PASSWORD = "app-role-Pw-7'\"x;--"  # quotes and a comment marker: nothing may break out


def socket_url(owner_url: str, user: str, password: str) -> str:
    """The owner's unix-socket URL with another user and password."""
    rest = owner_url.split("@", 1)[1]  # "/partygrid?host=/path/to/socket/dir"
    return f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"


@pytest.fixture
def checking_server() -> Iterator[str]:
    """An embedded server whose pg_hba asks the app role for its password (SCRAM); the
    owner keeps trust. Returns the owner's URL."""
    # Not under pytest's tmp_path: another pytest run on the machine may chmod its root to
    # 0700 under the server's feet (the server runs as another user when we are root).
    folder = Path(tempfile.mkdtemp(prefix="partygrid-role-"))
    pgdata = folder / "pgdata"
    server = start_embedded(pgdata)
    hba = pgdata / "pg_hba.conf"
    hba.write_text("local all partygrid_app scram-sha-256\n" + hba.read_text())

    async def reload() -> None:
        conn = await asyncpg.connect(server.url)
        try:
            await conn.execute("SELECT pg_reload_conf()")
        finally:
            await conn.close()

    asyncio.run(reload())
    yield server.url
    stop_embedded(pgdata)
    shutil.rmtree(folder, ignore_errors=True)


def migrate(owner_url: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTYGRID_")}
    env.update(DATABASE_URL=owner_url, PARTYGRID_ENVIRONMENT="development", **extra)
    return subprocess.run(
        [*CLI, "migrate"], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


async def log_in(url: str) -> str:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return str(await conn.fetchval("SELECT current_user"))
    finally:
        await conn.close()


@pytest.mark.embedded
def test_migrate_gives_the_app_role_the_configured_password(
    checking_server: str, tmp_path: Path
) -> None:
    result = migrate(checking_server, tmp_path, PARTYGRID_APP_DB_PASSWORD=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stderr + result.stdout

    assert asyncio.run(log_in(socket_url(checking_server, "partygrid_app", PASSWORD)))
    with pytest.raises(asyncpg.InvalidPasswordError):
        asyncio.run(log_in(socket_url(checking_server, "partygrid_app", PASSWORD + "x")))

    # Run again (the schema at head) with a new password: the role takes it.
    again = migrate(checking_server, tmp_path, PARTYGRID_APP_DB_PASSWORD="a-new-one-2026")
    assert again.returncode == 0, again.stderr
    assert asyncio.run(log_in(socket_url(checking_server, "partygrid_app", "a-new-one-2026")))
    with pytest.raises(asyncpg.InvalidPasswordError):
        asyncio.run(log_in(socket_url(checking_server, "partygrid_app", PASSWORD)))

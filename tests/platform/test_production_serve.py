"""In production the serving process holds the app role's credentials only: it refuses
the schema owner's, and connects as a role that cannot rewrite the audit trail
(tests/audit/test_audit_permissions.py shows what that role may not do). Migrating is
`partygrid migrate`'s separate step."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from partygrid.config import Settings
from partygrid.repo.database import app_role_url

CLI = [sys.executable, "-m", "partygrid.cli"]
EXIT_CONFIG = 78


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTYGRID_")}
    env.pop("DATABASE_URL", None)
    env.update(
        PARTYGRID_ENVIRONMENT="production",
        PARTYGRID_SECRET_KEY=secrets.token_urlsafe(32),
        PARTYGRID_INDEX_KEY=secrets.token_urlsafe(32),
        PARTYGRID_AUDIT_KEY=secrets.token_urlsafe(32),
        PARTYGRID_DATA_KEYS="p1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        PARTYGRID_DATA_DIR=str(tmp_path),
        PARTYGRID_SWEEP_SECONDS="0",
    )
    env.update(extra)
    return env


def serve(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "serve", "--port", str(free_port())], env=production_env(tmp_path, **extra),
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def test_serve_in_production_refuses_the_owners_url(tmp_path: Path) -> None:
    owner = "postgresql://owner:owner-secret-pw@127.0.0.1:1/partygrid"  # never reached
    result = serve(tmp_path, DATABASE_URL=owner)
    assert result.returncode == EXIT_CONFIG, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], result.stderr
    assert "owner-secret-pw" not in result.stderr + result.stdout
    assert not (tmp_path / "pgdata").exists()  # no embedded server as a fallback either


def test_serve_in_production_needs_the_app_roles_url(tmp_path: Path) -> None:
    result = serve(tmp_path)
    assert result.returncode == EXIT_CONFIG, result.stderr
    assert "PARTYGRID_APP_DATABASE_URL" in result.stderr
    assert not (tmp_path / "pgdata").exists()


def test_serve_in_production_refuses_a_role_that_may_rewrite_the_audit_trail(
    tmp_path: Path, database_url: str
) -> None:
    # The owner's URL passed off as the app role's.
    result = serve(tmp_path, PARTYGRID_APP_DATABASE_URL=plain(database_url))
    assert result.returncode == EXIT_CONFIG, result.stderr
    assert "audit trail" in result.stderr.strip().splitlines()[-1]


async def _roles_of(database_url: str) -> set[str]:
    """The roles of the service's connections (application_name partygrid) to the database."""
    conn = await asyncpg.connect(plain(database_url))
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT usename FROM pg_stat_activity "
            "WHERE application_name = 'partygrid' AND datname = current_database() "
            "AND client_port IS NOT NULL AND pid <> pg_backend_pid()"
        )
        return {row["usename"] for row in rows}
    finally:
        await conn.close()


def test_serve_in_production_runs_as_the_app_role_only(
    tmp_path: Path, database_url: str, settings: Settings
) -> None:
    app_url = plain(app_role_url(database_url, settings))
    port = free_port()
    env = production_env(tmp_path, PARTYGRID_APP_DATABASE_URL=app_url)
    assert "DATABASE_URL" not in env  # the owner's credentials are not in its environment
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "serve did not come up"
            try:
                ready = httpx.get(f"{base}/readyz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready.status_code == 200, ready.text
        assert ready.headers["X-Content-Type-Options"] == "nosniff"
        assert "server" not in ready.headers  # it does not advertise its server software
        # The connections it holds are the app role's, none the owner's.
        assert asyncio.run(_roles_of(database_url)) == {"partygrid_app"}
        # Docs closed to anonymous callers.
        assert httpx.get(f"{base}/docs", timeout=5).status_code == 401
        assert httpx.get(f"{base}/openapi.json", timeout=5).status_code == 401
        # uvicorn's own answer to a broken request carries no stack trace.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
            answer = raw.recv(4096).decode(errors="replace")
        assert answer.startswith("HTTP/1.1 400") and "Traceback" not in answer
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "Traceback" not in output


def test_migrating_stays_the_owners_separate_step(tmp_path: Path, database_url: str) -> None:
    result = subprocess.run(
        [*CLI, "migrate"], env=production_env(tmp_path, DATABASE_URL=plain(database_url)),
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "latest migration" in result.stderr

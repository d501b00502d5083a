"""The `partygrid` command on the embedded PostgreSQL, run as a user would: in a fresh
process with DATABASE_URL unset. Data must survive a restart, and no server may be left
running once the command has exited, however it was stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from partygrid.seed.demo import DEMO_ORGANIZATIONS

CLI = [sys.executable, "-m", "partygrid.cli"]
TIMEOUT = 120


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PARTYGRID_DATA_DIR"] = str(data_dir)
    # The conveniences under test (embedded server, migrate on start) are development's.
    env["PARTYGRID_ENVIRONMENT"] = "development"
    env.update(extra)
    return env


def run_cli(data_dir: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    # cwd is the data dir so that no .env of the developer's checkout is picked up.
    return subprocess.run(
        [*CLI, *args],
        env=cli_env(data_dir, **extra_env),
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def postgres_processes(pgdata: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and str(pgdata) in cmdline:
            found.append(proc)
    return found


def assert_server_gone(pgdata: Path) -> None:
    deadline = time.monotonic() + 10
    while postgres_processes(pgdata) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert postgres_processes(pgdata) == [], f"a PostgreSQL server still runs on {pgdata}"
    assert not (pgdata / "postmaster.pid").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


COUNT_DEMO = """
import asyncio, asyncpg
from pathlib import Path
from partygrid.repo.database import start_embedded
server = start_embedded(Path({pgdata!r}))
async def count():
    conn = await asyncpg.connect(server.url)
    try:
        return await conn.fetchval("SELECT count(*) FROM organizations WHERE code LIKE 'DEMO-%'")
    finally:
        await conn.close()
print(asyncio.run(count()))
"""


@pytest.mark.embedded
def test_data_survives_restarts_and_the_server_stops_with_the_command(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"

    migrated = run_cli(tmp_path, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert str(pgdata) in migrated.stderr  # says where the data lives
    assert_server_gone(pgdata)

    loaded = run_cli(tmp_path, "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert f"created {len(DEMO_ORGANIZATIONS)} organizations" in loaded.stderr
    assert_server_gone(pgdata)

    # A new process, a new server start: the rows are still there, and nothing is added.
    again = run_cli(tmp_path, "demo")
    assert again.returncode == 0, again.stderr
    assert "nothing created" in again.stderr
    assert_server_gone(pgdata)

    counted = subprocess.run(
        [sys.executable, "-c", COUNT_DEMO.format(pgdata=str(pgdata))],
        env=cli_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert counted.returncode == 0, counted.stderr
    assert int(counted.stdout) == len(DEMO_ORGANIZATIONS)
    assert_server_gone(pgdata)


@pytest.mark.embedded
def test_a_killed_process_does_not_keep_the_server_alive(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    assert run_cli(tmp_path, "migrate").returncode == 0
    # What a SIGKILLed `partygrid serve` leaves behind: its pid in the handle list.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (pgdata / ".handle_pids.json").write_text(f"[{dead.pid}]")

    result = run_cli(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert_server_gone(pgdata)


@pytest.mark.embedded
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_stops_the_embedded_server_on_signal(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    pgdata = tmp_path / "pgdata"
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=cli_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "serve did not come up"
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready.status_code == 200, ready.text
        assert postgres_processes(pgdata)

        process.send_signal(stop_signal)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert_server_gone(pgdata)


def test_serve_fails_clearly_when_the_database_is_unreachable(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there once the probe socket is closed
    result = run_cli(
        tmp_path,
        "serve",
        "--port",
        str(free_port()),
        DATABASE_URL=f"postgresql://postgres:hunter2@127.0.0.1:{port}/partygrid",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot reach the database at ")
    assert f"127.0.0.1:{port}" in lines[0]
    assert "hunter2" not in lines[0]  # the password is not printed

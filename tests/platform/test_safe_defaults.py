"""Safe defaults: a deployment that forgets a setting is refused, not run on the public
development secrets; the README's two commands still work on a fresh machine."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from partygrid.config import Environment, Settings

CLI = [sys.executable, "-m", "partygrid.cli"]
EXIT_CONFIG = 78


def bare_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A machine with nothing configured: no PARTYGRID_* variable, no DATABASE_URL."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("PARTYGRID_")}
    env = {k: v for k, v in kept.items() if k != "DATABASE_URL"}
    env["PARTYGRID_DATA_DIR"] = str(tmp_path)  # whatever happens stays in the test's folder
    env.update(extra)
    return env


def run_cli(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    # cwd is the temporary folder, so no developer's .env is read.
    return subprocess.run(
        [*CLI, *args], env=bare_env(tmp_path, **extra), cwd=tmp_path, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip


def test_an_unset_environment_refuses_the_development_secrets(monkeypatch) -> None:
    monkeypatch.delenv("PARTYGRID_ENVIRONMENT", raising=False)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert "PARTYGRID_SECRET_KEY" in str(refused.value)


def test_serve_with_nothing_configured_refuses_in_one_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "serve", "--port", "1")
    assert result.returncode == EXIT_CONFIG, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    # It says what to set, and how to just try it.
    for name in ("PARTYGRID_SECRET_KEY", "PARTYGRID_DATA_KEYS", "PARTYGRID_INDEX_KEY",
                 "PARTYGRID_AUDIT_KEY", "PARTYGRID_ENVIRONMENT", "--demo"):  # fmt: skip
        assert name in line, line
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "pgdata").exists()  # refused before any database was started


def test_an_explicit_development_environment_still_accepts_the_development_secrets() -> None:
    assert Settings(environment=Environment.development, _env_file=None).is_relaxed  # type: ignore[call-arg]


def test_help_needs_no_settings(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate", "--help")
    assert result.returncode == 0, result.stderr
    assert "Apply every pending migration" in result.stdout


def test_the_demo_is_refused_where_production_is_configured(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "demo", PARTYGRID_ENVIRONMENT="production")
    assert result.returncode == EXIT_CONFIG
    assert "not for production" in result.stderr


# --- key material ------------------------------------------------------------------------

DATA_KEYS = "p1:" + base64.b64encode(b"\x07" * 32).decode()


def random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()  # `openssl rand -base64 32`


def production(**keys: str) -> Settings:
    chosen = {"secret_key": random_key(), "index_key": random_key(), "audit_key": random_key()}
    chosen.update(keys)
    return Settings(
        environment=Environment.production, data_keys=DATA_KEYS, _env_file=None, **chosen
    )  # type: ignore[call-arg]


def test_production_accepts_keys_made_as_the_readme_says() -> None:
    production()
    production(index_key=secrets.token_hex(16), audit_key=secrets.token_hex(32))


@pytest.mark.parametrize("setting", ["secret_key", "index_key", "audit_key"])
@pytest.mark.parametrize(
    "weak",
    ["short-but-random-Xq9", "k" * 40, "abcd" * 10, "password" * 5, "a" * 39 + "b"],
    ids=["short", "one-character", "repeated-unit", "repeated-word", "nearly-constant"],
)
def test_production_refuses_short_or_guessable_keys(setting: str, weak: str) -> None:
    name = "PARTYGRID_" + setting.upper()
    with pytest.raises(ValidationError) as refused:
        production(**{setting: weak})
    # What the console prints (cli/console.py): the messages, without the input.
    message = " ".join(e["msg"] for e in refused.value.errors(include_input=False))
    assert name in message
    assert weak not in message  # the refusal never shows the key


# --- the README's first command, on a fresh machine --------------------------------------


@pytest.mark.embedded
def test_serve_demo_works_with_nothing_configured() -> None:
    # Not under pytest's tmp_path: another pytest run may chmod its root to 0700 under the
    # embedded server's feet (it runs as another user when we are root).
    folder = Path(tempfile.mkdtemp(prefix="partygrid-demo-"))
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--demo", "--port", str(port)], env=bare_env(folder), cwd=folder,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "serve --demo did not come up"
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert ready.status_code == 200, ready.text
        # The demo's docs are open, as the README's first step says.
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5).status_code == 200
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
    assert process.returncode == 0, output
    assert "demo:" in output and "Traceback" not in output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

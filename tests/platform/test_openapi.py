"""The committed OpenAPI document is the one the code serves (CI fails on drift)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partygrid.cli import app as cli
from partygrid.cli import render_openapi
from partygrid.config import Settings
from partygrid.main import create_app

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_committed_openapi_is_current(settings: Settings) -> None:
    current = render_openapi(create_app(settings))
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    if committed != current:
        diff = difflib.unified_diff(
            committed.splitlines(), current.splitlines(), "committed", "current", lineterm=""
        )
        shown = "\n".join(list(diff)[:60])
        pytest.fail(
            "openapi/openapi.json is out of date: run `partygrid openapi` in the repository "
            f"root and commit the result.\n{shown}",
            pytrace=False,
        )


def test_the_command_writes_the_same_document_without_a_database(
    tmp_path: Path, settings: Settings
) -> None:
    output = tmp_path / "out" / "openapi.json"
    # A database that cannot be reached proves none is needed.
    result = CliRunner().invoke(
        cli,
        ["openapi", "--output", str(output)],
        env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
    )
    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8") == render_openapi(create_app(settings))

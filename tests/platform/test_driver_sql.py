"""text() SQL turned into asyncpg's numbered form, as SQLAlchemy would bind it."""

from __future__ import annotations

import pytest

from partygrid.repo.driver_sql import Columns, _numbered


def test_each_name_gets_one_number_in_order_of_first_use() -> None:
    sql, names = _numbered("SELECT :b, :a WHERE x = :b AND y < :limit")
    assert sql == "SELECT $1, $2 WHERE x = $1 AND y < $3"
    assert names == ("b", "a", "limit")


def test_casts_and_times_are_not_parameters() -> None:
    sql, names = _numbered("SELECT '{}'::text[], to_char(t, 'HH24:MI'), CAST(:p AS ltree)")
    assert sql == "SELECT '{}'::text[], to_char(t, 'HH24:MI'), CAST($1 AS ltree)"
    assert names == ("p",)


def test_a_record_reads_like_a_row() -> None:
    record = {"id": 7, "state": "received"}
    row = Columns(record)
    assert (row.id, row.state, dict(row._mapping)) == (7, "received", record)
    with pytest.raises(AttributeError, match="missing"):
        row.missing  # noqa: B018

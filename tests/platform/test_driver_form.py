"""A fast read's driver form: its statement compiled as asyncpg takes it, numbered as
SQLAlchemy binds it, with the shape's values fixed and the others given per call."""

from __future__ import annotations

import pytest
from sqlalchemy import Integer, bindparam, column, select, table, text

from partygrid.repo.fast_reads import DriverForm, FastRead, _columns_only, registered
from partygrid.repo.tables import PartyMemberRow


def test_each_name_gets_one_number_in_order_of_first_use() -> None:
    form = DriverForm.of(text("SELECT :b, :a WHERE x = :b AND y < :limit"))
    assert form.sql == "SELECT $1, $2 WHERE x = $1 AND y < $3"
    assert form.names == ("b", "a", "limit")


def test_casts_and_times_are_not_parameters() -> None:
    form = DriverForm.of(text("SELECT '{}'::text[], to_char(t, 'HH24:MI'), CAST(:p AS ltree)"))
    assert form.sql == "SELECT '{}'::text[], to_char(t, 'HH24:MI'), CAST($1 AS ltree)"
    assert form.names == ("p",)


def test_the_shape_fixes_its_values_and_a_call_gives_the_others() -> None:
    t = table("t", column("id", Integer), column("kind"))
    statement = select(t.c.id).where(
        t.c.id == bindparam("id", type_=Integer, required=False),
        t.c.kind.in_(["a", "b"]),  # as a scope's IN list: expanded and fixed
    )
    form = DriverForm.of(statement)
    where = form.sql.split("WHERE ")[1]
    assert where == "t.id = $1::INTEGER AND t.kind IN ($2::VARCHAR, $3::VARCHAR)"
    assert form.args({"id": 7}) == [7, "a", "b"]


def test_a_name_is_declared_once() -> None:
    import partygrid.repo.uow  # noqa: F401 - the repositories declare their fast reads

    with pytest.raises(ValueError, match="declared already"):
        FastRead("members.by_id", lambda shape: text("SELECT 1"))
    assert registered()["members.by_id"].name == "members.by_id"  # the first one stays


def test_a_fast_read_selects_columns_not_a_mapped_class() -> None:
    # The session would give ORM objects, the driver columns: the rows would not agree.
    with pytest.raises(TypeError, match="selects the mapped class PartyMemberRow"):
        _columns_only("members.test", select(PartyMemberRow))
    columns = select(PartyMemberRow.__table__)
    assert _columns_only("members.test", columns) is columns

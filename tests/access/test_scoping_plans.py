"""The scope predicates stay index-driven: a caller with a few subtrees of a large tree
does not make PostgreSQL read the whole organizations table."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.access import Scope
from partygrid.repo.scoping import grid_visible, member_visible, org_visible, ticket_visible
from partygrid.repo.tables import GridRow, OrganizationRow, PartyMemberRow, TicketRow


async def _plan(connection: AsyncConnection, stmt: object) -> str:
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))  # type: ignore[attr-defined]
    return "\n".join((await connection.exec_driver_sql("EXPLAIN " + sql)).scalars())


async def test_scoped_reads_use_the_path_index(connection: AsyncConnection) -> None:
    # A district of 100 streets with 50 communities each: 5,101 organizations.
    for sql in (
        "SELECT 900000, 'district_committee', '区', NULL, text2ltree('900000')",
        "SELECT 900000 + s, 'street_working_committee', '街道', 900000, "
        "text2ltree('900000.' || (900000 + s)) FROM generate_series(1, 100) s",
        "SELECT 910000 + s * 100 + c, 'community_committee', '社区', 900000 + s, "
        "text2ltree('900000.' || (900000 + s) || '.' || (910000 + s * 100 + c)) "
        "FROM generate_series(1, 100) s, generate_series(1, 50) c",
    ):
        await connection.execute(
            text("INSERT INTO organizations (id, kind, name, parent_id, path) " + sql)
        )
    await connection.execute(text("ANALYZE organizations"))
    scope = Scope(org_paths=("900000.900007", "900000.900042"))

    plan = await _plan(connection, select(OrganizationRow.id).where(org_visible(scope)))
    assert "ix_organizations_path_gist" in plan, plan
    assert "Seq Scan on organizations" not in plan, plan

    found = await connection.execute(select(OrganizationRow.id).where(org_visible(scope)))
    assert len(found.all()) == 2 * 51


async def test_an_empty_scope_is_false_not_unfiltered(connection: AsyncConnection) -> None:
    nothing = Scope()
    for table, predicate in (
        (OrganizationRow, org_visible(nothing)),
        (GridRow, grid_visible(nothing)),
        (PartyMemberRow, member_visible(nothing)),
        (TicketRow, ticket_visible(nothing, user_id=None)),
    ):
        sql = str(select(table.id).where(predicate).compile(dialect=connection.dialect))
        assert "false" in sql.lower(), sql

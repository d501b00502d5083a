"""`partygrid generate`: a deterministic synthetic city loaded with COPY, checked in a
scratch database at scale 0.01 (the CI size)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from stdnum.cn import ric

from partygrid.config import Settings
from partygrid.domain.access import Scope, system_actor
from partygrid.domain.grids.model import geojson_shape, overlap_area_m2
from partygrid.domain.tickets.aggregate import projection, replay
from partygrid.domain.tickets.workflow import TicketState, TicketType
from partygrid.main import bind_database, create_app
from partygrid.repo import bulk
from partygrid.repo.database import app_role_url, create_sessionmaker
from partygrid.repo.keyring import Keyring
from partygrid.repo.sealing import ID_NUMBER, id_number_index
from partygrid.repo.tables import TicketEventRow, TicketRow
from partygrid.repo.tickets.repository import _event, _to_domain
from partygrid.repo.uow import UnitOfWork
from partygrid.seed.city.loader import (
    DEFAULT_PASSWORD,
    DatabaseNotEmpty,
    GenerateOptions,
    LoadReport,
    generate_city,
)
from partygrid.seed.city.plan import Plan
from partygrid.services.audit.use_cases import verify_chain
from partygrid.services.grids.use_cases import find_grid_at_point
from tests.fixtures.audit_scratch import execute, scratch_database

UNTIL = date(2026, 11, 20)
SCALE = 0.01


async def _generate(url: str, settings: Settings, keyring: Keyring, **options: Any) -> LoadReport:
    engine = create_async_engine(url, poolclass=NullPool)
    sessionmaker = create_sessionmaker(engine)
    try:
        return await generate_city(
            settings.model_copy(update={"database_url": url}),
            lambda: UnitOfWork(sessionmaker, keyring),
            GenerateOptions(until=UNTIL, **options),
        )
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def city_url(server_url: str, database_url: str, settings: Settings) -> Iterator[str]:
    yield from scratch_database(server_url, database_url, settings, "city")


@pytest.fixture(scope="module")
async def city(city_url: str, settings: Settings, keyring: Keyring) -> LoadReport:
    return await _generate(city_url, settings, keyring, scale=SCALE)


@pytest.fixture
async def conn(city_url: str, city: LoadReport) -> AsyncIterator[Any]:
    connection = await bulk.connect(city_url)
    yield connection
    await connection.close()


async def test_counts_follow_the_scale(city: LoadReport, conn: Any) -> None:
    plan = Plan.for_scale(SCALE, 1, UNTIL)
    kinds = dict(await conn.fetch("SELECT kind, count(*) FROM organizations GROUP BY kind"))
    assert kinds == {
        "district_committee": plan.districts, "street_working_committee": plan.streets,
        "community_committee": plan.community_committees,
        "community_general_branch": plan.communities - plan.community_committees,
        "grid_branch": plan.grid_branches, "building_group": plan.building_groups,
        "business_district_branch": plan.business_district_branches,
        "feature_branch": plan.feature_branches,
    }  # fmt: skip
    assert await bulk.count_rows(conn, "grids") == plan.grids == 50
    assert await bulk.count_rows(conn, "party_members") == plan.members == 3_000
    assert await bulk.count_rows(conn, "tickets") == plan.tickets == 20_000
    assert await bulk.count_rows(conn, "users") == 1 + plan.streets + plan.grids
    assert city.tables["ticket_events"].rows == await bulk.count_rows(conn, "ticket_events")
    staff = dict(await conn.fetch("SELECT role, count(*) FROM grid_staff_assignments GROUP BY 1"))
    assert staff["grid_leader"] == staff["full_time_worker"] == plan.grids
    assert await conn.fetchval("SELECT count(*) FROM mobile_ledger_entries") == (
        await conn.fetchval("SELECT count(*) FROM party_members WHERE category = 'mobile'")
    )
    # The identities continue after the generated ids.
    next_id = await conn.fetchval("SELECT nextval(pg_get_serial_sequence('tickets', 'id'))")
    assert next_id == plan.tickets + 1


async def test_grids_tile_without_overlap_and_locate_to_themselves(
    city: LoadReport, conn: Any, city_url: str, keyring: Keyring
) -> None:
    grids = await conn.fetch("SELECT id, boundary_geojson, centroid_lon, centroid_lat FROM grids")
    shapes = {g["id"]: geojson_shape(__import__("orjson").loads(g["boundary_geojson"]))
              for g in grids}  # fmt: skip
    ids = sorted(shapes)
    overlaps = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
                if overlap_area_m2(shapes[a], shapes[b]) > 0.01]  # fmt: skip
    assert overlaps == []
    roots = [r["path"] for r in await conn.fetch(
        "SELECT path::text FROM organizations WHERE parent_id IS NULL")]  # fmt: skip
    actor = system_actor(Scope(org_paths=tuple(roots)))
    engine = create_async_engine(city_url, poolclass=NullPool)
    try:
        sessionmaker = create_sessionmaker(engine)
        for g in grids:
            uow = UnitOfWork(sessionmaker, keyring)
            found = await find_grid_at_point(uow, actor=actor, lon=g["centroid_lon"],
                                             lat=g["centroid_lat"])  # fmt: skip
            assert found.id == g["id"]
    finally:
        await engine.dispose()
    # Every ticket lies in the grid it was routed to, and is routed as intake routes.
    misrouted = await conn.fetchval(
        """SELECT count(*) FROM tickets t JOIN grids g ON g.id = t.grid_id
           WHERE NOT g.boundary @> point(t.lon, t.lat) OR t.community_id <> g.community_id"""
    )
    assert misrouted == 0


async def test_id_numbers_are_valid_sealed_and_match_birth_and_gender(
    city: LoadReport, conn: Any, keyring: Keyring
) -> None:
    rows = await conn.fetch(
        "SELECT id_number_enc, id_number_hmac, birth_date, gender FROM party_members"
    )
    for row in rows:
        number = keyring.decrypt(bytes(row["id_number_enc"]), ID_NUMBER)
        assert ric.validate(number) == number
        assert ric.get_birth_date(number) == row["birth_date"]
        assert (int(number[16]) % 2 == 1) == (row["gender"] == "male")
        assert bytes(row["id_number_hmac"]) == id_number_index(keyring, number)
    assert len({bytes(r["id_number_hmac"]) for r in rows}) == len(rows)


async def test_every_state_and_type_with_open_work_at_until(city: LoadReport, conn: Any) -> None:
    states = {r[0] for r in await conn.fetch("SELECT DISTINCT state FROM tickets")}
    types = {r[0] for r in await conn.fetch("SELECT DISTINCT type FROM tickets")}
    assert states == {s.value for s in TicketState}
    assert types == {t.value for t in TicketType}
    open_ = await conn.fetchrow(
        """SELECT count(*) FILTER (WHERE deadline_at < $1) AS overdue,
                  count(*) FILTER (WHERE deadline_at >= $1) AS due,
                  count(*) FILTER (WHERE assignee_user_id IS NOT NULL) AS in_inboxes
           FROM tickets WHERE state IN ('accepted','assigned','in_progress',
                                        'waiting_supplement')""",
        __import__("datetime").datetime(2026, 11, 20, tzinfo=__import__("datetime").UTC),
    )
    assert open_["overdue"] > 10 and open_["due"] > 10 and open_["in_inboxes"] > 10
    # Inbox owners are the grid's worker.
    wrong = await conn.fetchval(
        """SELECT count(*) FROM tickets t JOIN users u ON u.id = t.assignee_user_id
           WHERE u.username <> 'grid.worker.' || t.grid_id"""
    )
    assert wrong == 0


async def test_ticket_rows_are_the_replay_of_their_timelines(
    city: LoadReport, city_url: str, keyring: Keyring
) -> None:
    engine = create_async_engine(city_url, poolclass=NullPool)
    sample = random.Random(5).sample(range(1, 20_001), 400)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(select(TicketRow).where(TicketRow.id.in_(sample)))
            events = await session.execute(
                select(TicketEventRow).where(TicketEventRow.ticket_id.in_(sample))
                .order_by(TicketEventRow.ticket_id, TicketEventRow.seq))  # fmt: skip
            timelines: dict[int, list[Any]] = {}
            for event in events.scalars():
                timelines.setdefault(event.ticket_id, []).append(_event(event))
            for row in rows.scalars():
                timeline = timelines[row.id]
                assert [e.seq for e in timeline] == list(range(1, len(timeline) + 1))
                assert projection(replay(timeline)) == projection(_to_domain(row, keyring))
    finally:
        await engine.dispose()


async def test_the_load_leaves_the_indexes_and_keys_the_migrations_made(
    city: LoadReport, conn: Any, database_url: str
) -> None:
    """The loader drops and rebuilds them (REBUILT_TABLES): the schema must come back
    exactly, against the test database migrated the ordinary way."""

    async def schema(connection: Any) -> tuple[set[tuple[str, bool]], set[str]]:
        # A rebuilt partial index's WHERE reads back cast differently, same meaning:
        # compare what precedes it, and that there is one.
        indexes = {
            (d.split(" WHERE ")[0], " WHERE " in d)
            for d in [
                r["indexdef"]
                for r in await connection.fetch(
                    "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                )
            ]
        }
        keys = {f"{t} {n} {d}" for t, n, d in await bulk.foreign_keys(
            connection, [r["relname"] for r in await connection.fetch(
                "SELECT relname FROM pg_class WHERE relkind = 'r'")])}  # fmt: skip
        return indexes, keys

    migrated = await bulk.connect(database_url)
    try:
        expected = await schema(migrated)
    finally:
        await migrated.close()
    assert await schema(conn) == expected
    assert city.rebuild_seconds > 0
    assert any("ix_tickets" in i for i, _ in expected[0])  # the comparison saw the tables


async def test_the_load_is_audited_and_the_chain_verifies(
    city: LoadReport, city_url: str, keyring: Keyring
) -> None:
    engine = create_async_engine(city_url, poolclass=NullPool)
    try:
        report = await verify_chain(UnitOfWork(create_sessionmaker(engine), keyring))
    finally:
        await engine.dispose()
    assert report.intact and report.checked >= 1
    conn = await bulk.connect(city_url)
    try:
        # Other tests of this module call the API on the city, which audits more.
        loads = await conn.fetchval(
            "SELECT count(*) FROM audit_events WHERE action = 'generate.city'"
        )
        held = await conn.fetchval(
            "SELECT array_agg(p.permission ORDER BY p.permission) FROM api_client_permissions p "
            "JOIN api_clients c ON c.id = p.api_client_id WHERE c.key_id = $1",
            city.partner_key_id,
        )
    finally:
        await conn.close()
    assert loads == 1
    assert city.partner_key_id and city.partner_secret
    # The benchmarks' partner reads the street and files tickets.
    assert held == ["grid:read", "member:read", "org:read", "ticket:read", "ticket:submit"]


async def test_a_database_with_organizations_is_refused(
    city: LoadReport, city_url: str, settings: Settings, keyring: Keyring
) -> None:
    with pytest.raises(DatabaseNotEmpty):
        await _generate(city_url, settings, keyring, scale=SCALE)


async def _digest(url: str) -> str:
    """Hash of ordered COPY output of the tables, sealed columns left out (their nonces
    are random by design)."""
    conn = await bulk.connect(url)
    queries = (
        "SELECT * FROM organizations ORDER BY id",
        "SELECT * FROM grids ORDER BY id",
        "SELECT id, name, gender, id_number_hmac, birth_date, category, organization_id,"
        " grid_id, joined_party_on FROM party_members ORDER BY id",
        "SELECT id, public_id, type, state, grid_id, assignee_user_id, deadline_at, closed_at,"
        " requester_phone_hmac, lon, lat, version FROM tickets ORDER BY id",
        "SELECT ticket_id, seq, action, from_state, to_state, actor_id, data, at"
        " FROM ticket_events ORDER BY ticket_id, seq",
    )
    digest = hashlib.sha256()

    async def write(chunk: bytes) -> None:
        digest.update(chunk)

    try:
        for query in queries:
            await conn.copy_from_query(query, output=write)
    finally:
        await conn.close()
    return digest.hexdigest()


@pytest.fixture(scope="module")
def twin_urls(server_url: str, database_url: str, settings: Settings) -> Iterator[list[str]]:
    first = scratch_database(server_url, database_url, settings, "twin_a")
    second = scratch_database(server_url, database_url, settings, "twin_b")
    yield [next(first), next(second)]
    for generator in (first, second):
        next(generator, None)


async def test_the_same_seed_makes_the_same_city(
    twin_urls: list[str], settings: Settings, keyring: Keyring
) -> None:
    a, b = twin_urls
    await _generate(a, settings, keyring, scale=0.002, seed=7)
    await _generate(b, settings, keyring, scale=0.002, seed=7)
    first = await _digest(a)
    assert first == await _digest(b)
    await execute(
        b,
        "TRUNCATE organizations, grids, users, principal_scopes, party_members,"
        " grid_staff_assignments, member_transfers, mobile_ledger_entries, tickets,"
        " ticket_events, api_clients CASCADE",
    )
    await _generate(b, settings, keyring, scale=0.002, seed=8)
    assert await _digest(b) != first


async def test_a_request_holds_one_connection_at_a_time(
    city: LoadReport, conn: Any, city_url: str, settings: Settings
) -> None:
    """On a pool of ONE connection, each kind of request must still be served: a read
    whose principal lookup and read share the request's lease, a read whose session
    connects after the lease gave its connection back, a refusal audited after
    the lease gave its connection back, a write whose unit of work takes the pool's
    connection after the lease gave it back. Holding two at once would wait out the pool timeout."""
    app = create_app(settings)
    engine = create_async_engine(
        app_role_url(city_url, settings), pool_size=1, max_overflow=0, pool_timeout=3
    )
    bind_database(app, engine)
    app.state.migration_head = None
    member_id = await conn.fetchval(
        "SELECT m.id FROM users u JOIN principal_scopes s ON s.user_id = u.id "
        "JOIN organizations street ON street.id = s.organization_id "
        "JOIN organizations o ON o.path <@ street.path "
        "JOIN party_members m ON m.organization_id = o.id "
        "WHERE u.username = 'street.admin.1' AND m.category = 'mobile' ORDER BY m.id LIMIT 1"
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://city") as client:
            login = await client.post(
                "/api/v1/auth/token",
                data={"username": "street.admin.1", "password": DEFAULT_PASSWORD},
            )
            assert login.status_code == 200, login.text
            client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
            read = await client.get(f"/api/v1/members/{member_id}")
            assert read.status_code == 200, read.text
            assert read.json()["mobile_ledger"] is not None  # a second read on the lease
            listed = await client.get("/api/v1/members?limit=5")  # read via the session
            assert listed.status_code == 200 and len(listed.json()["items"]) == 5
            refused = await client.get("/api/v1/audit/events")  # 403 on a read: audited
            assert refused.status_code == 403
            write = await client.patch(
                f"/api/v1/members/{member_id}", json={"post": "支部委员"},
                headers={"If-Match": read.headers["ETag"]},
            )  # fmt: skip
            assert write.status_code == 200, write.text
            assert engine.pool.checkedout() == 0  # every request gave its connection back
        audited = await conn.fetchval(
            "SELECT count(*) FROM audit_events WHERE outcome = 'denied' AND resource_type = 'audit'"
        )
        assert audited == 1
    finally:
        await engine.dispose()

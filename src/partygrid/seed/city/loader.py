"""``partygrid generate``: build the synthetic city and load it with COPY.

Rows are made in worker processes while this process feeds COPY, so Python and
PostgreSQL work at the same time; chunks come back in order, so the data depend only
on the seed. Everything is loaded in one transaction: a failed load leaves nothing.
The catalogue, the partner client and the summary go through the normal use cases, so
the audit chain stays valid.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from partygrid.config import Settings
from partygrid.domain.access import Permission, Scope, system_actor
from partygrid.domain.accounts.passwords import check_password
from partygrid.domain.errors import Conflict
from partygrid.domain.tickets.deadlines import DeadlineRule
from partygrid.domain.tickets.workflow import TicketType
from partygrid.repo import bulk
from partygrid.repo.keyring import Keyring
from partygrid.repo.uow import UnitOfWork
from partygrid.seed.city import city as city_mod
from partygrid.seed.city.clock import Clock
from partygrid.seed.city.people import MAX_MEMBERS, MemberSpec, member_chunk
from partygrid.seed.city.plan import MEMBER_CHUNK, TICKET_CHUNK, Plan, chunks
from partygrid.seed.city.tickets import (
    EVENT_COLUMNS,
    TICKET_COLUMNS,
    Category,
    TicketSpec,
    ticket_chunk,
)
from partygrid.seed.demo.catalogue import ensure_demo_catalogue
from partygrid.services.accounts import api_clients
from partygrid.services.accounts.passwords import hash_password
from partygrid.services.calendar.use_cases import builtin_calendar

# Documented in README/`partygrid generate --help`; passes domain/accounts/passwords.py.
DEFAULT_PASSWORD = "Bench-City-2026!"
PARTNER_NAME = "generated-city-partner"
# A partner that reads the street and files tickets, as the benchmarks' partner calls do.
PARTNER_PERMISSIONS = (
    Permission.org_read, Permission.grid_read, Permission.member_read, Permission.ticket_read,
    Permission.ticket_submit,
)  # fmt: skip
# The tables whose indexes and foreign keys are built after the load, not during it.
REBUILT_TABLES = ("party_members", "member_transfers", "mobile_ledger_entries", "tickets",
                  "ticket_events")  # fmt: skip
# Below this many rows, starting worker processes costs more than it saves.
INLINE_BELOW = 500_000
COLUMNS = {
    "organizations": city_mod.ORG_COLUMNS,
    "grids": city_mod.GRID_COLUMNS,
    "users": city_mod.USER_COLUMNS,
    "principal_scopes": city_mod.SCOPE_COLUMNS,
    "grid_staff_assignments": city_mod.STAFF_COLUMNS,
    "tickets": TICKET_COLUMNS,
    "ticket_events": EVENT_COLUMNS,
}


class DatabaseNotEmpty(Conflict):
    code = "database-not-empty"
    title = "The database already holds organizations"


@dataclass(frozen=True, slots=True)
class GenerateOptions:
    scale: float = 1.0
    seed: int = 1
    until: date | None = None  # None: today in Asia/Shanghai
    password: str = DEFAULT_PASSWORD
    allow_existing: bool = False
    workers: int | None = None  # None: one per core but one, at least one


@dataclass(slots=True)
class TableLoad:
    table: str
    rows: int = 0
    seconds: float = 0.0  # making the rows (this table's share) and loading them
    copy_seconds: float = 0.0  # in COPY alone: the load path, without making the data

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def copy_rows_per_second(self) -> float:
        return self.rows / self.copy_seconds if self.copy_seconds else 0.0


@dataclass(slots=True)
class LoadReport:
    plan: Plan
    tables: dict[str, TableLoad] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the whole load, index builds and ANALYZE included
    rebuild_seconds: float = 0.0  # building the dropped indexes, checking the keys
    partner_key_id: str | None = None
    partner_secret: str | None = None

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def table(self, name: str) -> TableLoad:
        return self.tables.setdefault(name, TableLoad(name))


Progress = Callable[[str, int, int], None]  # (table, rows just loaded, rows expected)

# --- worker processes ---------------------------------------------------------------

_SPECS: dict[str, Any] = {}


def _init_worker(members: MemberSpec, tickets: TicketSpec) -> None:
    _SPECS["members"], _SPECS["tickets"] = members, tickets


def _make(kind: str, start: int, stop: int) -> dict[str, list[tuple[Any, ...]]]:
    if kind == "members":
        return member_chunk(_SPECS["members"], start, stop)
    return ticket_chunk(_SPECS["tickets"], start, stop)


def _chunks_in_order(
    pool: ProcessPoolExecutor | None, jobs: list[tuple[str, int, int]], ahead: int
) -> Iterator[Callable[[], dict[str, list[tuple[Any, ...]]]]]:
    """Each job's result, in job order, with up to ``ahead`` made in advance."""
    if pool is None:
        for job in jobs:
            yield partial(_make, *job)
        return
    queue: deque[Future[dict[str, list[tuple[Any, ...]]]]] = deque()
    pending = iter(jobs)
    for job in pending:
        queue.append(pool.submit(_make, *job))
        if len(queue) >= ahead:
            break
    while queue:
        future = queue.popleft()
        for job in pending:
            queue.append(pool.submit(_make, *job))
            break
        yield future.result


# --- the load -----------------------------------------------------------------------


async def _categories(uow_factory: Callable[[], UnitOfWork]) -> tuple[Category, ...]:
    await ensure_demo_catalogue(uow_factory(), system_actor(Scope(), "partygrid generate"))
    async with uow_factory() as uow:
        listed = await uow.catalogue.list(active_only=True)
    base = DeadlineRule()
    return tuple(
        Category(c.code, c.default_type.value, {t.value: c.rule(base, t) for t in TicketType})
        for c in sorted(listed, key=lambda c: c.code)
    )


async def generate_city(
    settings: Settings,
    uow_factory: Callable[[], UnitOfWork],
    options: GenerateOptions,
    progress: Progress | None = None,
) -> LoadReport:
    assert settings.database_url
    until = options.until or _today_in_shanghai()
    plan = Plan.for_scale(options.scale, options.seed, until)
    if plan.members > MAX_MEMBERS:
        raise ValueError(f"at most {MAX_MEMBERS:,} members can get distinct ID numbers")
    check_password(options.password, username="city.admin", field="--password")
    keyring = Keyring.from_settings(settings)
    report = LoadReport(plan)
    say = progress or (lambda table, rows, expected: None)
    started = time.perf_counter()

    conn = await bulk.connect(settings.database_url)
    try:
        orgs = await bulk.count_rows(conn, "organizations")
        if orgs and not options.allow_existing:
            raise DatabaseNotEmpty(
                f"the database already holds {orgs} organization(s): a generated city is "
                "never mixed into real data (use --allow-existing for a second city)"
            )
        taken = await bulk.existing_usernames(conn, ["city.admin", "street.admin.1"])
        if taken:
            raise DatabaseNotEmpty(f"generated usernames already exist: {', '.join(taken)}")
        categories = await _categories(uow_factory)
        ids = await bulk.max_ids(conn, bulk.LOADED_TABLES)
        base = city_mod.IdBase(
            organizations=ids["organizations"], grids=ids["grids"],
            staff=ids["grid_staff_assignments"], users=ids["users"],
            scopes=ids["principal_scopes"], members=ids["party_members"],
            tickets=ids["tickets"],
        )  # fmt: skip
        password_hash = hash_password(options.password)  # once: argon2 per user is slow
        city = city_mod.build_city(plan, base, keyring, password_hash)
        clock = Clock.build(builtin_calendar(), until - timedelta(days=800),
                            until + timedelta(days=400))  # fmt: skip
        member_spec = MemberSpec(plan.seed, plan.members, until, tuple(city.member_homes),
                                 base.members, keyring)  # fmt: skip
        ticket_spec = TicketSpec(plan.seed, plan.tickets, until, clock, tuple(city.cells),
                                 tuple(city.street_admin_ids), categories, base.tickets,
                                 keyring)  # fmt: skip
        async with conn.transaction():
            # PostgreSQL's advice for a bulk load: drop the indexes and foreign keys of
            # the big tables, load, then build each index and check each key once, in
            # one pass, instead of once a row (tickets: 7,500 rows/s of COPY with six
            # keys and nine indexes maintained per row, S=0.1).
            await conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
            indexes = await bulk.secondary_indexes(conn, REBUILT_TABLES)
            keys = await bulk.foreign_keys(conn, REBUILT_TABLES)
            await bulk.drop_foreign_keys(conn, keys)
            await bulk.drop_indexes(conn, indexes)
            for table, rows in (
                ("organizations", city.organizations),
                ("grids", city.grids),
                ("users", city.users),
                ("principal_scopes", city.scopes),
            ):
                t = time.perf_counter()
                if table == "organizations":
                    await bulk.copy_organizations(conn, COLUMNS[table], rows)
                else:
                    await bulk.copy_rows(conn, table, COLUMNS[table], rows)
                _count(report, table, len(rows), time.perf_counter() - t, say)
            await _stream(conn, report, say, options, member_spec, ticket_spec, plan, city)
            t = time.perf_counter()
            await bulk.create_indexes(conn, indexes)
            await bulk.add_foreign_keys(conn, keys)
            report.rebuild_seconds = time.perf_counter() - t
            await bulk.reset_identities(conn, bulk.LOADED_TABLES)
        t = time.perf_counter()
        await bulk.analyze(conn, bulk.LOADED_TABLES)
        report.table("analyze").seconds = time.perf_counter() - t
    finally:
        await conn.close()
    del report.tables["analyze"]
    report.seconds = time.perf_counter() - started
    await _partner_and_audit(uow_factory, report, city.streets[0])
    return report


def _count(
    report: LoadReport, table: str, rows: int, seconds: float, say: Progress,
    copy_seconds: float | None = None,
) -> None:  # fmt: skip
    entry = report.table(table)
    entry.rows += rows
    entry.seconds += seconds
    entry.copy_seconds += seconds if copy_seconds is None else copy_seconds
    say(table, rows, 0)


async def _stream(
    conn: Any, report: LoadReport, say: Progress, options: GenerateOptions,
    member_spec: MemberSpec, ticket_spec: TicketSpec, plan: Plan, city: Any,
) -> None:  # fmt: skip
    """Members (with staff after them) and tickets, chunk by chunk, in order."""
    jobs = [("members", a, b) for a, b in chunks(plan.members, MEMBER_CHUNK)]
    jobs += [("tickets", a, b) for a, b in chunks(plan.tickets, TICKET_CHUNK)]
    expected_rows = plan.members * 1.1 + plan.tickets * 8
    workers = options.workers or max(1, (os.cpu_count() or 2) - 1)
    pool = None
    if expected_rows >= INLINE_BELOW:
        pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=(member_spec, ticket_spec),
        )  # fmt: skip
    else:
        _init_worker(member_spec, ticket_spec)
    staff_done = False
    try:
        for result in _chunks_in_order(pool, jobs, ahead=2 * workers + 1):
            t = time.perf_counter()
            made = await asyncio.to_thread(result) if pool else result()
            waited = time.perf_counter() - t
            tables = list(made)
            if tables[0] == "tickets" and not staff_done:
                # Staff may name members, so they follow them (small: loaded at once).
                t = time.perf_counter()
                await bulk.copy_rows(conn, "grid_staff_assignments",
                                     COLUMNS["grid_staff_assignments"], city.staff)  # fmt: skip
                _count(report, "grid_staff_assignments", len(city.staff),
                       time.perf_counter() - t, say)  # fmt: skip
                staff_done = True
            total = sum(len(rows) for rows in made.values()) or 1
            for table in tables:
                rows = made[table]
                t = time.perf_counter()
                if rows:
                    await bulk.copy_rows(conn, table, _columns(table), rows)
                copied = time.perf_counter() - t
                share = waited * len(rows) / total
                _count(report, table, len(rows), copied + share, say, copied)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _columns(table: str) -> tuple[str, ...]:
    from partygrid.seed.city import people

    return (
        COLUMNS.get(table)
        or {
            "party_members": people.MEMBER_COLUMNS,
            "member_transfers": people.TRANSFER_COLUMNS,
            "mobile_ledger_entries": people.LEDGER_COLUMNS,
        }[table]
    )


async def _partner_and_audit(
    uow_factory: Callable[[], UnitOfWork], report: LoadReport, street_id: int
) -> None:
    """The partner client (through its use case) and one audit event for the load."""
    actor = system_actor(Scope(), "partygrid generate")
    client, secret = await api_clients.create_client(uow_factory(), actor, name=PARTNER_NAME)
    await api_clients.grant_client_scope(uow_factory(), actor, client_id=client.id,
                                         organization_id=street_id, grid_id=None)  # fmt: skip
    for permission in PARTNER_PERMISSIONS:
        await api_clients.grant_client_permission(
            uow_factory(), actor, client_id=client.id, permission=permission
        )
    report.partner_key_id, report.partner_secret = client.key_id, secret
    async with uow_factory() as uow:
        uow.audit.record(
            actor, "generate.city", "database", None,
            after={"plan": report.plan.as_dict(),
                   "rows": {t.table: t.rows for t in report.tables.values()},
                   "seconds": round(report.seconds, 1)},
            reason="synthetic city for benchmarks (partygrid generate)",
        )  # fmt: skip
        await uow.commit()


def _today_in_shanghai() -> date:
    from datetime import datetime

    from partygrid.domain.calendar import SHANGHAI

    return datetime.now(SHANGHAI).date()

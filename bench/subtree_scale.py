"""City-scale check of the subtree queries: >= 10,000 organizations, >= 500,000 members.

Builds a scratch database on the server named by DATABASE_URL, loads a synthetic city
with COPY, then times the subtree endpoints in-process and prints their query plans.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/subtree_scale.py
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
from datetime import date

import asyncpg
import httpx

from partygrid.config import Settings
from partygrid.main import create_app
from partygrid.repo.database import async_url, create_engine, create_sessionmaker, with_database
from partygrid.repo.keyring import Keyring
from partygrid.repo.migrations import head_revision, upgrade_to_head
from partygrid.repo.sealing import ID_NUMBER, id_number_index

# Benchmarks run on the development secrets; an unset environment would be production.
os.environ.setdefault("PARTYGRID_ENVIRONMENT", "development")

DB = "partygrid_bench_scale"
STREETS, COMMUNITIES_PER_STREET, BRANCHES_PER_COMMUNITY, GROUPS_PER_BRANCH = 10, 72, 3, 3
MEMBERS = 500_000
CATEGORIES = ["resident", "in_service", "retired", "no_post", "mobile"]


def build_tree() -> list[tuple]:
    rows: list[tuple] = []
    next_id = iter(range(1, 10**7))

    def add(kind: str, name: str, parent: tuple | None) -> tuple:
        oid = next(next_id)
        path = f"{parent[4]}.{oid}" if parent else str(oid)
        row = (oid, kind, name, parent[0] if parent else None, path)
        rows.append(row)
        return row

    district = add("district_committee", "区委", None)
    for s in range(STREETS):
        street = add("street_working_committee", f"街道{s}", district)
        for c in range(COMMUNITIES_PER_STREET):
            community = add("community_committee", f"社区{s}-{c}", street)
            add("feature_branch", f"特色{s}-{c}", community)
            for b in range(BRANCHES_PER_COMMUNITY):
                branch = add("grid_branch", f"支部{s}-{c}-{b}", community)
                for g in range(GROUPS_PER_BRANCH):
                    add("building_group", f"小组{s}-{c}-{b}-{g}", branch)
    return rows


async def load(server_url: str) -> str:
    dsn = async_url(server_url).replace("+asyncpg", "")
    conn = await asyncpg.connect(dsn)
    await conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    await conn.execute(f"CREATE DATABASE {DB}")
    await conn.close()
    url = async_url(with_database(server_url, DB))
    await asyncio.to_thread(upgrade_to_head, Settings(), url)
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    started = time.perf_counter()
    tree = build_tree()
    # Binary COPY has no ltree encoder: stage the path as text, then cast once.
    await conn.execute(
        "CREATE TEMP TABLE org_stage (id bigint, kind text, name text, parent_id bigint, path text)"
    )
    await conn.copy_records_to_table("org_stage", records=tree)
    await conn.execute(
        "INSERT INTO organizations (id, kind, name, parent_id, path) "
        "SELECT id, kind, name, parent_id, path::ltree FROM org_stage ORDER BY id"
    )
    await conn.execute("SELECT setval(pg_get_serial_sequence('organizations','id'), $1)", len(tree))
    holders = [r[0] for r in tree if r[1] in ("building_group", "grid_branch", "feature_branch")]
    rng = random.Random(7)
    keyring = Keyring.from_settings(Settings())  # ID numbers are sealed, as the service does
    columns = ["id", "name", "id_number_enc", "id_number_hmac", "birth_date", "category"]
    members = (
        (
            i,
            f"党员{i}",
            keyring.encrypt(f"B{i:017d}", ID_NUMBER),
            id_number_index(keyring, f"B{i:017d}"),
            date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
            CATEGORIES[i % 5],
            rng.choice(holders),
        )
        for i in range(1, MEMBERS + 1)
    )
    await conn.copy_records_to_table(
        "party_members",
        records=members,
        columns=[*columns, "organization_id"],
    )
    await conn.execute("SELECT setval(pg_get_serial_sequence('party_members','id'), $1)", MEMBERS)
    await conn.execute("ANALYZE")
    print(
        f"loaded {len(tree):,} organizations and {MEMBERS:,} members "
        f"in {time.perf_counter() - started:.1f}s"
    )
    await conn.close()
    return url


async def time_endpoints(url: str) -> None:
    settings = Settings()
    app = create_app(settings)
    app.state.engine = create_engine(url, settings)
    app.state.sessionmaker = create_sessionmaker(app.state.engine)
    app.state.migration_head = head_revision(settings, url)
    street, community = 2, 3
    cases = {
        "organizations under a street (page 200)": (
            f"/api/v1/organizations?under={street}&limit=200"
        ),
        "members under a street (page 50)": f"/api/v1/members?under={street}&limit=50",
        "members under a community (page 50)": f"/api/v1/members?under={community}&limit=50",
        "counts under a street": f"/api/v1/reports/counts?under={street}",
        "counts of the whole city": "/api/v1/reports/counts",
        "sizing under a street": f"/api/v1/reports/sizing?under={street}",
        "organization with ancestors": "/api/v1/organizations/50",
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        print(f"{'request':45} {'median ms':>10} {'max ms':>8}")
        for label, path in cases.items():
            samples = []
            for _ in range(15):
                t = time.perf_counter()
                response = await client.get(path)
                samples.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.text
            print(f"{label:45} {statistics.median(samples):10.1f} {max(samples):8.1f}")
    await app.state.engine.dispose()


async def main() -> None:
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        sys.exit("set DATABASE_URL to a PostgreSQL server (a scratch database is created)")
    url = await load(server_url)
    await time_endpoints(url)


if __name__ == "__main__":
    asyncio.run(main())

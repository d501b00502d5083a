"""How close `partygrid generate` comes to raw COPY: the target is >= 0.5x.

Generates a city at --scale (default 0.1) into a scratch database, dumps every loaded
table with binary COPY TO, loads the files into a second scratch database with the same
schema by raw COPY FROM (no Python in the loop), and compares rows/s per table and in
total. Both loads run in one transaction and end with ANALYZE.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        python bench/bulk_load.py --scale 0.1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

from partygrid.config import Settings
from partygrid.repo import bulk
from partygrid.repo.database import (
    async_url,
    create_engine,
    create_sessionmaker,
    with_database,
)
from partygrid.repo.keyring import Keyring
from partygrid.repo.migrations import upgrade_to_head
from partygrid.repo.uow import UnitOfWork
from partygrid.seed.city.loader import GenerateOptions, LoadReport, generate_city

# Benchmarks run on the development secrets; an unset environment would be production.
os.environ.setdefault("PARTYGRID_ENVIRONMENT", "development")

GENERATED, RAW = "partygrid_bench_bulk_gen", "partygrid_bench_bulk_raw"
PREREQUISITES = ("service_categories", "api_clients")


async def fresh_database(server: str, name: str) -> str:
    conn = await asyncpg.connect(bulk.raw_dsn(server))
    await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await conn.execute(f"CREATE DATABASE {name}")
    await conn.close()
    url = async_url(with_database(server, name))
    await asyncio.to_thread(upgrade_to_head, Settings(), url)
    return url


async def run_generator(url: str, scale: float) -> LoadReport:
    settings = Settings(database_url=url)
    engine = create_engine(url, settings)
    keyring = Keyring.from_settings(settings)
    sessionmaker = create_sessionmaker(engine)
    try:
        return await generate_city(
            settings, lambda: UnitOfWork(sessionmaker, keyring), GenerateOptions(scale=scale)
        )
    finally:
        await engine.dispose()


async def dump(url: str, folder: Path) -> None:
    conn = await bulk.connect(url)
    for table in (*PREREQUISITES, *bulk.LOADED_TABLES):
        await conn.copy_from_table(table, output=str(folder / table), format="binary")
    await conn.close()


async def raw_load(url: str, folder: Path) -> dict[str, tuple[int, float]]:
    conn = await bulk.connect(url)
    for table in PREREQUISITES:  # made through use cases, not by the bulk load
        await conn.copy_to_table(table, source=str(folder / table), format="binary")
    figures = {}
    async with conn.transaction():
        for table in bulk.LOADED_TABLES:
            t = time.perf_counter()
            status = await conn.copy_to_table(table, source=str(folder / table), format="binary")
            figures[table] = (int(status.split()[-1]), time.perf_counter() - t)
    t = time.perf_counter()
    await bulk.analyze(conn, bulk.LOADED_TABLES)
    figures["analyze"] = (0, time.perf_counter() - t)
    await conn.close()
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.1)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL")
    if not server:
        sys.exit("set DATABASE_URL to a PostgreSQL server (scratch databases are created)")
    generated = await fresh_database(server, GENERATED)
    report = await run_generator(generated, args.scale)
    raw_url = await fresh_database(server, RAW)
    with tempfile.TemporaryDirectory() as tmp:
        await dump(generated, Path(tmp))
        raw = await raw_load(raw_url, Path(tmp))
    raw_total = sum(seconds for _, seconds in raw.values())
    print(f"scale {args.scale}: generator {report.rows:,} rows in {report.seconds:.1f}s "
          f"(catalogue, city, COPY, identities, ANALYZE, audit)")  # fmt: skip
    # "made+loaded": the generator end to end (its share of making the rows included);
    # "COPY": the generator's time inside COPY alone, the load path itself.
    print(f"{'table':24} {'rows':>11} {'made+loaded/s':>13} {'COPY/s':>10} {'raw COPY/s':>10} "
          f"{'ratio':>6} {'COPY ratio':>10}")  # fmt: skip
    for table, load in report.tables.items():
        rows, seconds = raw[table]
        raw_rate = rows / seconds if seconds else 0.0
        print(f"{table:24} {load.rows:11,} {load.rows_per_second:13,.0f} "
              f"{load.copy_rows_per_second:10,.0f} {raw_rate:10,.0f} "
              f"{_ratio(load.rows_per_second, raw_rate):6.2f} "
              f"{_ratio(load.copy_rows_per_second, raw_rate):10.2f}")  # fmt: skip
    copy_total = sum(t.copy_seconds for t in report.tables.values())
    raw_rate, copy_rate = report.rows / raw_total, report.rows / copy_total
    print(f"{'total':24} {report.rows:11,} {report.rows_per_second:13,.0f} {copy_rate:10,.0f} "
          f"{raw_rate:10,.0f} {report.rows_per_second / raw_rate:6.2f} "
          f"{copy_rate / raw_rate:10.2f}")  # fmt: skip
    print("(made+loaded: whole generator run incl. catalogue, ANALYZE and audit; raw COPY: "
          "binary files, no Python, ANALYZE included)")


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


if __name__ == "__main__":
    asyncio.run(main())

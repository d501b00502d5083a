"""Where a request's CPU goes: PartyGrid against the raw baseline, in-process, by layer.

wrk tells how fast each app is; this tells why. Both apps are called directly as ASGI
callables (no sockets, no load generator), one request at a time, and the CPU time of
this process per request is measured (``time.process_time``: PostgreSQL's own CPU is in
other processes and is the same for both apps). Then one cProfile run of PartyGrid
groups its time by layer (the framework, SQLAlchemy, the driver, crypto, our code).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/partygrid_bench_s1 \\
        python bench/where_time_goes.py [--requests 2000] [--out bench/results/layers.md]

Logs in as the generated street admin and grid worker (password as bench/run.py).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib.util
import os
import pstats
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# Benchmarks run on the development secrets; an unset environment would be production.
os.environ.setdefault("PARTYGRID_ENVIRONMENT", "development")

BENCH = Path(__file__).resolve().parent
DEFAULT_PASSWORD = os.environ.get("PARTYGRID_BENCH_PASSWORD", "Bench-City-2026!")

Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

# Which package a profiled function belongs to, first match wins.
LAYERS = [
    ("partygrid/", "PartyGrid code (services, repo, schemas, domain)"),
    ("sqlalchemy", "SQLAlchemy (session, ORM, statement cache)"),
    ("asyncpg", "asyncpg driver"),
    ("pydantic", "pydantic (validation, serialization)"),
    ("fastapi", "FastAPI (routing, dependencies)"),
    ("starlette", "Starlette (request, response, middleware)"),
    ("jwt", "PyJWT"),
    ("cryptography", "cryptography (AES-GCM)"),
    ("greenlet", "greenlet (SQLAlchemy's async bridge)"),
    ("asyncio", "asyncio event loop"),
    ("uvloop", "asyncio event loop"),
]


def load_baseline() -> Asgi:
    sys.path.insert(0, str(BENCH / "baseline"))
    spec = importlib.util.spec_from_file_location("baseline_app", BENCH / "baseline" / "app.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.app


async def call(
    app: Asgi, method: str, path: str, token: str | None = None, body: bytes = b""
) -> tuple[int, bytes]:
    route, _, query = path.partition("?")
    headers = [(b"host", b"bench"), (b"content-type", b"application/json")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": route, "raw_path": route.encode(),
        "query_string": query.encode(), "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


class Lifespan:
    """Runs an ASGI app's startup and shutdown around the measurements."""

    def __init__(self, app: Asgi) -> None:
        self.app = app
        self.queue: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def __aenter__(self) -> Lifespan:
        self.task = asyncio.create_task(
            self.app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                     self.queue.get, self.replies.put)
        )  # fmt: skip
        await self.queue.put({"type": "lifespan.startup"})
        reply = await self.replies.get()
        assert reply["type"] == "lifespan.startup.complete", reply
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.queue.put({"type": "lifespan.shutdown"})
        await self.replies.get()
        await self.task


async def login(app: Asgi, username: str, password: str) -> str:
    route = "/api/v1/auth/token"
    form = urlencode({"username": username, "password": password}).encode()
    scope_headers = [(b"content-type", b"application/x-www-form-urlencoded")]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": form, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": route, "raw_path": route.encode(), "query_string": b"",
        "root_path": "", "headers": scope_headers, "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip
    await app(scope, receive, send)
    import orjson

    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert sent[0]["status"] == 200, body
    return orjson.loads(body)["access_token"]


async def cpu_per_request(app: Asgi, path: str, token: str, n: int) -> tuple[float, float]:
    for _ in range(min(200, n)):  # warm caches (statements, plans, pools)
        status, body = await call(app, "GET", path, token)
        assert status == 200, (path, status, body[:300])
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        await call(app, "GET", path, token)
    return (time.process_time() - cpu) / n * 1e6, (time.perf_counter() - wall) / n * 1e6


async def layers(app: Asgi, path: str, token: str, n: int) -> Counter[str]:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        await call(app, "GET", path, token)
    profile.disable()
    by_layer: Counter[str] = Counter()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for (filename, _line, name), row in stats.items():
        own = row[2]  # tottime: time in the function itself
        layer = next((label for key, label in LAYERS if key in filename), None)
        if layer is None and filename == "~":
            layer = (
                "waiting for PostgreSQL (epoll; not CPU)" if "epoll" in name
                else "socket send/recv" if "socket" in name
                else "C built-ins (hashing, decoding, ...)"
            )  # fmt: skip
        by_layer[layer or "other Python"] += own
    return by_layer


async def discover(owner: str) -> dict[str, Any]:
    import asyncpg

    conn = await asyncpg.connect(owner)
    try:
        street = await conn.fetchrow(
            """SELECT o.id FROM users u JOIN principal_scopes s ON s.user_id = u.id
               JOIN organizations o ON o.id = s.organization_id
               WHERE u.username = 'street.admin.1'"""
        )
        member = await conn.fetchval(
            """SELECT m.id FROM party_members m JOIN organizations o ON o.id = m.organization_id
               JOIN organizations s ON s.id = $1 WHERE o.path <@ s.path
                 AND m.category <> 'mobile' ORDER BY m.id LIMIT 1""",
            street["id"],
        )
        worker = await conn.fetchrow(
            """SELECT u.username, s.grid_id FROM users u
               JOIN principal_scopes s ON s.user_id = u.id AND s.grid_id IS NOT NULL
               WHERE u.username LIKE 'grid.worker.%' ORDER BY u.id LIMIT 1"""
        )
        ticket = await conn.fetchval(
            "SELECT id FROM tickets WHERE grid_id = $1 ORDER BY state <> 'closed', id LIMIT 1",
            worker["grid_id"],
        )
        return {"street": street["id"], "member": member, "worker": worker["username"],
                "ticket": ticket}  # fmt: skip
    finally:
        await conn.close()


async def main() -> tuple[str, str | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--out", help="also write the markdown here")
    args = parser.parse_args()
    owner = os.environ["DATABASE_URL"]
    os.environ.setdefault("PARTYGRID_SWEEP_SECONDS", "0")
    from partygrid.main import create_app

    d = await discover(owner)
    partygrid, baseline = create_app(), load_baseline()
    cases = {
        "member_read": (f"/api/v1/members/{d['member']}", "street"),
        "members_list": (f"/api/v1/members?under={d['street']}&limit=50", "street"),
        "ticket_read": (f"/api/v1/tickets/{d['ticket']}", "worker"),
        "inbox": ("/api/v1/tickets/inbox", "worker"),
    }
    lines = [
        f"CPU of the app process per request, in-process, sequential, {args.requests} "
        "requests each (µs; PostgreSQL's CPU excluded)\n",
        "| scenario | PartyGrid CPU µs | baseline CPU µs | CPU ratio B/P | PartyGrid wall µs "
        "| baseline wall µs |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    async with Lifespan(partygrid), Lifespan(baseline):
        tokens = {
            "street": await login(partygrid, "street.admin.1", args.password),
            "worker": await login(partygrid, d["worker"], args.password),
        }
        for name, (path, who) in cases.items():
            p_cpu, p_wall = await cpu_per_request(partygrid, path, tokens[who], args.requests)
            b_cpu, b_wall = await cpu_per_request(baseline, path, tokens[who], args.requests)
            lines.append(
                f"| {name} | {p_cpu:.0f} | {b_cpu:.0f} | {b_cpu / p_cpu:.2f} | {p_wall:.0f} "
                f"| {b_wall:.0f} |"
            )
        lines.append("\nPartyGrid's own time by layer (cProfile tottime, % of the profiled run)\n")
        lines.append("| layer | " + " | ".join(cases) + " |")
        lines.append("|---|" + "---:|" * len(cases))
        shares: dict[str, Counter[str]] = {}
        for name, (path, who) in cases.items():
            shares[name] = await layers(partygrid, path, tokens[who], max(200, args.requests // 4))
        names = sorted(
            {k for c in shares.values() for k in c}, key=lambda k: -shares["member_read"][k]
        )
        for layer in names:
            cells = [f"{shares[n][layer] / sum(shares[n].values()):.0%}" for n in cases]
            lines.append(f"| {layer} | " + " | ".join(cells) + " |")
    return "\n".join(lines), args.out


if __name__ == "__main__":
    report, out = asyncio.run(main())
    print(report)
    if out:
        Path(out).write_text(report + "\n")

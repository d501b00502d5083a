"""PartyGrid against a raw baseline (bench/baseline), scenario by scenario, with wrk.

    python bench/run.py --scale 1                      # database partygrid_bench_s1
    python bench/run.py --database-url postgresql://postgres@127.0.0.1:5432/db --duration 3
    python bench/run.py --smoke                        # CI: S=0.01, 1 s per pass, 2xx only
    python bench/run.py compare results_S1.json results_S10.json

See bench/README.md. Starts both apps (same uvicorn workers), logs in, discovers ids by SQL,
then per scenario runs a warm-up pass of each and --repeat alternating passes P,B,P,B...
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import asyncpg

from partygrid.domain.tickets.workflow import TicketState
from partygrid.seed.city.loader import DEFAULT_PASSWORD as GENERATED_PASSWORD

# Benchmarks run on the development secrets; an unset environment would be production.
os.environ.setdefault("PARTYGRID_ENVIRONMENT", "development")

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
SERVER = "postgresql://postgres@127.0.0.1:5432"
OPEN_STATES = ("received", "accepted", "assigned", "in_progress", "waiting_supplement")
SCENARIOS = [
    "member_read",
    "members_list",
    "inbox",
    "ticket_read",
    "ticket_stats",
    "grid_locate",
    "open311_requests",
    "ticket_create",
    "ticket_comment",
]
LISTS = ["members_list", "inbox", "ticket_stats", "open311_requests"]  # for `compare`
SMOKE_DB = "pg_bench_h_smoke"


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def owner_url(args: argparse.Namespace) -> str:
    if args.database_url:
        return args.database_url
    scale = f"{args.scale:g}".replace(".", "_")
    return f"{SERVER}/partygrid_bench_s{scale}"


def app_url(owner: str) -> str:
    from partygrid.config import Settings
    from partygrid.repo.database import app_role_url

    return app_role_url(owner, Settings()).replace("postgresql+asyncpg", "postgresql")


# --- servers ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, owner: str, port: int, workers: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=owner,
        PARTYGRID_ACCESS_TOKEN_MINUTES="1440",
        PARTYGRID_SWEEP_SECONDS="0",
        PARTYGRID_PUBLIC_RATE_LIMIT="100000000/minute",
    )
    common = [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if kind == "partygrid":
        cmd = [str(VENV_BIN / "uvicorn"), "partygrid.main:create_app", "--factory", *common]
    else:
        cmd = [str(VENV_BIN / "uvicorn"), "--app-dir", str(BENCH / "baseline"), "app:app", *common]
    log = open(  # noqa: SIM115 - handed to the child, closed when we exit
        BENCH / "results" / f".{kind}.log", "w"
    )
    return subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server for {base} exited; see bench/results/.*.log")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{base}/readyz not ready after {timeout} s")


def http(
    method: str,
    url: str,
    token: str | None = None,
    data: bytes | None = None,
    ctype: str | None = None,
) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def login(base: str, username: str, password: str) -> str:
    form = urllib.parse.urlencode({"username": username, "password": password}).encode()
    status, body = http(
        "POST", base + "/api/v1/auth/token", data=form, ctype="application/x-www-form-urlencoded"
    )
    if status != 200:
        raise SystemExit(f"login as {username} failed ({status}): {body[:300]!r}")
    return json.loads(body)["access_token"]


# --- discovery ----------------------------------------------------------------------


async def discover(owner: str) -> dict[str, Any]:
    """The ids the scenarios use, found by SQL in whatever data the database holds."""
    c = await asyncpg.connect(owner)
    try:
        street = await c.fetchrow(
            """SELECT o.id, ltree2text(o.path) AS path, u.id AS uid FROM users u
               JOIN principal_scopes s ON s.user_id = u.id
               JOIN organizations o ON o.id = s.organization_id
               WHERE u.username = 'street.admin.1'"""
        )
        if street is None:
            raise SystemExit("no user street.admin.1: generate the data (or bench/dev_users.py)")
        members = await c.fetch(
            """SELECT m.id FROM party_members m JOIN organizations o ON o.id = m.organization_id
               WHERE o.path <@ $1::ltree AND m.status = 'active'
               ORDER BY hashint8(m.id) LIMIT 200""",
            street["path"],
        )
        worker = await c.fetchrow(
            f"""SELECT u.username, u.id, s.grid_id, count(*) AS n FROM users u
                JOIN principal_scopes s ON s.user_id = u.id AND s.grid_id IS NOT NULL
                JOIN tickets t ON t.assignee_user_id = u.id AND t.grid_id = s.grid_id
                  AND t.state IN {OPEN_STATES}
                WHERE u.username LIKE 'grid.worker.%'
                GROUP BY u.username, u.id, s.grid_id ORDER BY n DESC, u.id LIMIT 1"""
        )
        if worker is None:
            raise SystemExit("no grid.worker.<grid> with open tickets in their grid")
        tickets = await c.fetch(
            f"""SELECT id FROM tickets WHERE assignee_user_id = $1 AND grid_id = $2
                AND state IN {OPEN_STATES} ORDER BY id LIMIT 100""",
            worker["id"],
            worker["grid_id"],
        )
        # For the answer check: an open ticket of the worker's, paused after its deadline
        # if one is (still overdue), else paused, so the read's overdue flag is compared
        # where the rule is subtle; a finished ticket is never overdue.
        open_ticket = await c.fetchval(
            f"""SELECT id FROM tickets WHERE assignee_user_id = $1 AND grid_id = $2
                AND state IN {OPEN_STATES}
                ORDER BY (paused_at > deadline_at) IS TRUE DESC, paused_at IS NOT NULL DESC, id
                LIMIT 1""",
            worker["id"],
            worker["grid_id"],
        )
        # Reads use finished tickets, so the comment scenario's appended events never
        # lengthen the timelines that ticket_read measures (runs stay comparable).
        finished = await c.fetch(
            """SELECT id FROM tickets WHERE grid_id = $1
                AND state IN ('published', 'reviewed', 'closed') ORDER BY id LIMIT 100""",
            worker["grid_id"],
        )
        grid = await c.fetchrow(
            "SELECT centroid_lon, centroid_lat, boundary::text AS b FROM grids WHERE id = $1",
            worker["grid_id"],
        )
        point = None  # the centroid, or towards a vertex, until the grid itself is found there
        vx, vy = (float(x) for x in grid["b"].strip("()").split("),(")[0].split(","))
        for f in (0.0, 0.25, 0.5, 0.75, 0.9):
            lon = grid["centroid_lon"] + f * (vx - grid["centroid_lon"])
            lat = grid["centroid_lat"] + f * (vy - grid["centroid_lat"])
            first = await c.fetchval(
                "SELECT id FROM grids WHERE boundary @> point($1, $2) AND status = 'active' "
                "ORDER BY id LIMIT 1",
                lon,
                lat,
            )
            if first == worker["grid_id"]:
                point = (round(lon, 7), round(lat, 7))
                break
        if point is None:
            raise SystemExit(f"found no point inside grid {worker['grid_id']}")
        category = await c.fetchval(
            """SELECT code FROM service_categories WHERE active
               AND NOT attributes::text LIKE '%"required": true%' ORDER BY code LIMIT 1"""
        )
        last = await c.fetchval("SELECT max(created_at) FROM tickets")
        year = (last or dt.datetime.now(dt.UTC)).astimezone(dt.timezone(dt.timedelta(hours=8))).year
        return {
            "street_id": street["id"],
            "street_path": street["path"],
            "street_uid": street["uid"],
            "member_ids": [r["id"] for r in members],
            "worker": worker["username"],
            "worker_id": worker["id"],
            "grid_id": worker["grid_id"],
            "worker_open_tickets": worker["n"],
            "ticket_ids": [r["id"] for r in tickets],
            "open_ticket_id": open_ticket,
            "finished_ticket_ids": [r["id"] for r in finished] or [r["id"] for r in tickets],
            "lon": point[0],
            "lat": point[1],
            "category": category,
            "year": year,
        }
    finally:
        await c.close()


# --- the same answers ---------------------------------------------------------------


def read_paths(d: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """One request of each read scenario, as its wrk script sends it, and whose token; and
    the read of an open ticket (``open_ticket_id``), for its overdue flag."""
    ticket = d["finished_ticket_ids"][0]
    return {
        "member_read": (f"/api/v1/members/{d['member_ids'][0]}", "street"),
        "members_list": (f"/api/v1/members?under={d['street_id']}&limit=50", "street"),
        "inbox": ("/api/v1/tickets/inbox", "worker"),
        "ticket_read": (f"/api/v1/tickets/{ticket}", "worker"),
        "ticket_read_open": (f"/api/v1/tickets/{d['open_ticket_id']}", "worker"),
        "ticket_timeline": (f"/api/v1/tickets/{ticket}/timeline", "worker"),
        "ticket_stats": (
            f"/api/v1/tickets/stats?group_by=subtree&under={d['street_id']}"
            f"&from={d['year']}-01-01&to={d['year']}-12-31",
            "street",
        ),
        "grid_locate": (f"/api/v1/grids/locate?lon={d['lon']}&lat={d['lat']}", "worker"),
        "open311_requests": ("/open311/v2/requests.json", None),
    }


VOLATILE_FIELDS = {"generated_at"}  # when the answer was made, not what it says


def first_difference(a: Any, b: Any, where: str = "") -> str | None:
    """The JSON path of the first place where ``a`` and ``b`` differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key in VOLATILE_FIELDS:
                continue
            found = first_difference(
                a.get(key, "<absent>"), b.get(key, "<absent>"), f"{where}.{key}"
            )
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return next(
            (
                f
                for i, (x, y) in enumerate(zip(a, b, strict=True))
                if (f := first_difference(x, y, f"{where}[{i}]"))
            ),
            None,
        )
    return None if a == b else f"{where or '.'}: {str(a)[:80]!r} against {str(b)[:80]!r}"


def answers_differ(bases: dict[str, str], d: dict[str, Any], tokens: dict[str, str]) -> list[str]:
    """Where the baseline's answer is not PartyGrid's: a ratio means something only when
    both apps did the same work, masking and status notes included."""
    differ = []
    for name, (path, who) in read_paths(d).items():
        token = tokens.get(who or "")
        p_status, p_body = http("GET", bases["partygrid"] + path, token)
        b_status, b_body = http("GET", bases["baseline"] + path, token)
        if p_status != 200 or b_status != 200:
            differ.append(f"{name} {path}: PartyGrid {p_status}, baseline {b_status}")
        elif found := first_difference(json.loads(p_body), json.loads(b_body)):
            differ.append(f"{name} {path}: {found}")
    return differ


# --- wrk ----------------------------------------------------------------------------


def scenario_env(name: str, d: dict[str, Any], tokens: dict[str, str]) -> dict[str, str]:
    street = {"BENCH_TOKEN": tokens["street"], "BENCH_UNDER": str(d["street_id"])}
    worker = {"BENCH_TOKEN": tokens["worker"]}
    tickets = ",".join(map(str, d["ticket_ids"]))
    point = {"BENCH_LON": str(d["lon"]), "BENCH_LAT": str(d["lat"])}
    return {
        "member_read": {**street, "BENCH_IDS": ",".join(map(str, d["member_ids"]))},
        "members_list": street,
        "inbox": worker,
        "ticket_read": {**worker, "BENCH_IDS": ",".join(map(str, d["finished_ticket_ids"]))},
        "ticket_stats": {
            **street,
            "BENCH_FROM": f"{d['year']}-01-01",
            "BENCH_TO": f"{d['year']}-12-31",
        },
        "grid_locate": {**worker, **point},
        "open311_requests": {},
        "ticket_create": {**worker, **point, "BENCH_CATEGORY": d["category"]},
        "ticket_comment": {**worker, "BENCH_IDS": tickets},
    }[name]


def wrk_pass(
    name: str, base: str, env: dict[str, str], args: argparse.Namespace, duration: float, tag: str
) -> dict[str, Any]:
    cmd = [
        "wrk",
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{max(1, round(duration))}s",
        # 64 callers of a street's yearly statistics queue for seconds on 2 cores; a
        # load generator's time-out there would measure wrk, not the app.
        "--timeout",
        "30s",
        "-s",
        str(BENCH / "wrk" / f"{name}.lua"),
        base,
    ]
    run_env = dict(os.environ, **env, BENCH_RUN=f"{tag}-{time.time_ns()}")
    out = subprocess.run(cmd, cwd=ROOT, env=run_env, capture_output=True, text=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if out.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed for {name} on {base}:\n{out.stdout}\n{out.stderr}")
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["socket_errors"] = sum(v for k, v in result["errors"].items() if k != "status")
    if result["non2xx"] or result["socket_errors"]:
        say(
            f"  !! {name} {tag}: {result['non2xx']} non-2xx {result['status_counts']}, "
            f"socket errors {result['errors']}\n{out.stderr[-800:]}"
        )
    return result


def spread(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    if len(xs) >= 4:
        q = statistics.quantiles(xs, n=4)
        return {
            "median": statistics.median(xs),
            "min": xs[0],
            "max": xs[-1],
            "q1": q[0],
            "q3": q[2],
        }
    return {"median": statistics.median(xs), "min": xs[0], "max": xs[-1]}


def run_scenario(
    name: str, bases: dict[str, str], env: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    if not args.smoke:
        for app in ("partygrid", "baseline"):
            wrk_pass(name, bases[app], env, args, args.warmup, f"warm-{app[0]}")
    passes: dict[str, list[dict[str, Any]]] = {"partygrid": [], "baseline": []}
    for i in range(args.repeat):
        for app in ("partygrid", "baseline"):
            r = wrk_pass(name, bases[app], env, args, args.duration, f"{app[0]}{i}")
            passes[app].append(r)
            say(
                f"  {name:17} {app:9} #{i + 1}: {r['rps']:8.1f} req/s  p50 {r['p50_ms']:7.2f}"
                f"  p99 {r['p99_ms']:8.2f} ms  non-2xx {r['non2xx']}"
            )
    ratios = [
        p["rps"] / b["rps"] if b["rps"] else 0.0
        for p, b in zip(passes["partygrid"], passes["baseline"], strict=True)
    ]
    summary: dict[str, Any] = {"passes": passes, "ratio": spread(ratios), "ratios": ratios}
    for app in passes:
        summary[app] = {
            k: spread([p[k] for p in passes[app]])["median"]
            for k in ("rps", "p50_ms", "p90_ms", "p99_ms")
        }
        summary[app]["non2xx"] = sum(p["non2xx"] for p in passes[app])
        summary[app]["socket_errors"] = sum(p["socket_errors"] for p in passes[app])
    return summary


# --- whole-city statistics: the endpoint against the bare aggregate -----------------


def bare_city_sql() -> str:
    """The aggregate of PartyGrid's stats query (repo/tickets/stats.py, group_by=type) with
    nothing else: no scope predicate (the city admin sees every ticket), no joins."""
    states = tuple(s.value for s in TicketState)  # as repo/tickets/stats.py
    counted = "t.state NOT IN ('rejected', 'merged')"
    done = "t.state IN ('closed', 'published', 'resolved', 'reviewed')"
    cols = [f"count(*) FILTER (WHERE t.state = '{s}') AS n_{s}" for s in states] + [
        f"count(*) FILTER (WHERE {counted}) AS counted",
        f"count(*) FILTER (WHERE {done}) AS done",
        f"count(*) FILTER (WHERE {done} AND COALESCE(t.resolved_on_time, t.deadline_at IS NULL"
        " OR t.resolved_at <= t.deadline_at)) AS done_on_time",
        f"count(*) FILTER (WHERE t.state IN {OPEN_STATES} AND t.deadline_at < now() AND"
        " (t.paused_at IS NULL OR t.paused_at > t.deadline_at)) AS open_overdue",
        f"count(*) FILTER (WHERE {counted} AND t.satisfaction IS NOT NULL) AS rated",
        f"count(*) FILTER (WHERE {counted} AND t.satisfaction IN ('satisfied',"
        " 'basically_satisfied')) AS satisfied",
    ]
    for h in ("response_working_hours", "resolution_working_hours"):
        cols += [
            f"count(t.{h}) FILTER (WHERE {counted}) AS {h}_n",
            f"avg(t.{h}) FILTER (WHERE {counted}) AS {h}_avg",
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY t.{h}) FILTER (WHERE {counted})"
            f" AS {h}_median",
        ]
    return (
        f"SELECT GROUPING(t.type) = 1 AS is_total, t.type AS k, count(*) AS total, "
        f"{', '.join(cols)} FROM tickets t WHERE t.created_at >= $1 AND t.created_at < $2 "
        "GROUP BY GROUPING SETS ((t.type), ())"
    )


async def city_stats(base: str, token: str, owner: str, year: int, reps: int) -> dict[str, Any]:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    t0, t1 = (
        dt.datetime(year - 1, 1, 1, tzinfo=shanghai),
        dt.datetime(year + 1, 1, 1, tzinfo=shanghai),
    )
    url = f"{base}/api/v1/tickets/stats?group_by=type&from={year - 1}-01-01&to={year}-12-31"
    conn = await asyncpg.connect(app_url(owner))
    api, bare, totals = [], [], {}
    try:
        for i in range(reps + 1):  # the first of each is a warm-up
            start = time.perf_counter()
            status, body = await asyncio.to_thread(http, "GET", url, token)
            if status != 200:
                raise SystemExit(f"city stats: {status} {body[:300]!r}")
            mid = time.perf_counter()
            rows = await conn.fetch(bare_city_sql(), t0, t1)
            end = time.perf_counter()
            if i:
                api.append((mid - start) * 1000)
                bare.append((end - mid) * 1000)
            totals = {
                "api": json.loads(body)["overall"]["total"],
                "bare": next(r["total"] for r in rows if r["is_total"]),
            }
    finally:
        await conn.close()
    ratio = statistics.median(api) / statistics.median(bare)
    return {
        "from": f"{year - 1}-01-01",
        "to": f"{year}-12-31",
        "api_ms": spread(api),
        "bare_sql_ms": spread(bare),
        "ratio": ratio,
        "target": 1.5,
        "totals_match": totals["api"] == totals["bare"],
        "totals": totals,
    }


# --- query plans --------------------------------------------------------------------


async def save_plans(owner: str, d: dict[str, Any]) -> None:
    sys.path.insert(0, str(BENCH / "baseline"))
    import sql  # the statements PartyGrid runs (bench/baseline/sql.py)

    now = dt.datetime.now(dt.UTC)
    shanghai = dt.timezone(dt.timedelta(hours=8))
    t0 = dt.datetime(d["year"], 1, 1, tzinfo=shanghai)
    t1 = dt.datetime(d["year"] + 1, 1, 1, tzinfo=shanghai)
    tid, street, grid, w = d["ticket_ids"][0], d["street_path"], d["grid_id"], d["worker_id"]
    plans = {
        "member_read": [(sql.MEMBER_GET, d["member_ids"][0], street)],
        "members_list": [(sql.MEMBERS_UNDER, street, street, "active", 50)],
        "inbox": [(sql.INBOX, now, "{}", 24, w, [grid], 50)],
        "ticket_read": [(sql.TICKET_GET, tid, [grid], w), (sql.TICKET_EVENTS, tid)],
        "ticket_stats": [(sql.STATS_SUBTREE, street, now, street, d["street_uid"], t0, t1, 1001)],
        "grid_locate": [(sql.GRID_LOCATE, d["lon"], d["lat"], "active", 1, grid)],
        "open311_requests": [(sql.OPEN311_REQUESTS, now - dt.timedelta(days=90), now, 200, 0)],
        "ticket_create": [(sql.GRID_AT_POINT, d["lon"], d["lat"], "active", 1), (sql.AUDIT_LAST,)],
        "ticket_comment": [(sql.TICKET_GET_FOR_UPDATE, tid, [grid], w), (sql.AUDIT_LAST,)],
    }
    conn = await asyncpg.connect(app_url(owner))
    out_dir = BENCH / "plans"
    out_dir.mkdir(exist_ok=True)
    try:
        for name, stmts in plans.items():
            text = []
            for stmt, *params in stmts:
                tr = conn.transaction()
                await tr.start()
                try:  # rolled back: FOR UPDATE and writes leave nothing behind
                    rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + stmt, *params)
                finally:
                    await tr.rollback()
                text.append(stmt.strip() + "\n\n" + "\n".join(r[0] for r in rows))
            (out_dir / f"{name}.txt").write_text("\n\n-- next statement --\n\n".join(text) + "\n")
    finally:
        await conn.close()


# --- main ---------------------------------------------------------------------------


def table(results: dict[str, Any]) -> str:
    lines = [
        "| scenario | PartyGrid req/s | baseline req/s | ratio P/B median (min–max) "
        "| PartyGrid p50/p99 ms | baseline p50/p99 ms | non-2xx P/B |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for name, s in results["scenarios"].items():
        p, b, r = s["partygrid"], s["baseline"], s["ratio"]
        lines.append(
            f"| {name} | {p['rps']:.0f} | {b['rps']:.0f} | {r['median']:.2f} "
            f"({r['min']:.2f}–{r['max']:.2f}) | {p['p50_ms']:.1f} / {p['p99_ms']:.1f} "
            f"| {b['p50_ms']:.1f} / {b['p99_ms']:.1f} | {p['non2xx']}/{b['non2xx']} |"
        )
    c = results.get("city_stats")
    if c:
        lines.append(
            f"\nWhole-city statistics {c['from']}..{c['to']} (sequential, median of "
            f"{len(results['city_stats_samples'])}): endpoint {c['api_ms']['median']:.1f} ms "
            f"({c['api_ms']['min']:.1f}–{c['api_ms']['max']:.1f}), bare SQL "
            f"{c['bare_sql_ms']['median']:.1f} ms ({c['bare_sql_ms']['min']:.1f}–"
            f"{c['bare_sql_ms']['max']:.1f}); ratio {c['ratio']:.2f} (target ≤ 1.5), "
            f"totals match: {c['totals_match']}"
        )
    return "\n".join(lines)


def compare(a_path: str, b_path: str) -> None:
    a, b = json.loads(Path(a_path).read_text()), json.loads(Path(b_path).read_text())
    print(
        f"| list endpoint | p50 ms {a['scale']} | p50 ms {b['scale']} | growth | "
        f"p99 growth | ≤ 1.3x |\n|---|---:|---:|---:|---:|---|"
    )
    for name in LISTS:
        if name not in a["scenarios"] or name not in b["scenarios"]:
            continue
        pa, pb = a["scenarios"][name]["partygrid"], b["scenarios"][name]["partygrid"]
        g50, g99 = pb["p50_ms"] / pa["p50_ms"], pb["p99_ms"] / pa["p99_ms"]
        print(
            f"| {name} | {pa['p50_ms']:.1f} | {pb['p50_ms']:.1f} | {g50:.2f}x | {g99:.2f}x "
            f"| {'yes' if g50 <= 1.3 else 'NO'} |"
        )


def smoke_database(args: argparse.Namespace) -> str | None:
    """A fresh S=0.01 database from `partygrid generate`, or None when it does not exist."""
    cli = str(VENV_BIN / "partygrid")
    helped = subprocess.run([cli, "--help"], capture_output=True, text=True).stdout
    if "generate" not in helped:
        return None
    url = f"{SERVER}/{SMOKE_DB}"
    subprocess.run(
        ["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {SMOKE_DB}"], check=True
    )
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"CREATE DATABASE {SMOKE_DB}"], check=True)
    env = dict(os.environ, DATABASE_URL=url)
    subprocess.run([cli, "migrate"], env=env, check=True, cwd=ROOT)
    subprocess.run([cli, "generate", "--scale", "0.01"], env=env, check=True, cwd=ROOT)
    return url


def main(argv: list[str]) -> int:
    if argv[:1] == ["compare"]:
        compare(argv[1], argv[2])
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--database-url", help="owner URL (default: partygrid_bench_s<scale>)")
    ap.add_argument("--database", help="database name on 127.0.0.1:5432 (instead of the URL)")
    ap.add_argument("--duration", type=float, default=10, help="seconds per counted pass")
    ap.add_argument("--warmup", type=float, default=2, help="seconds of the uncounted pass")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn workers of BOTH apps")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset")
    ap.add_argument("--city-reps", type=int, default=7, help="0: skip the city statistics")
    ap.add_argument(
        "--password", default=os.environ.get("PARTYGRID_BENCH_PASSWORD", GENERATED_PASSWORD)
    )
    ap.add_argument("--smoke", action="store_true", help="CI: 1 s passes, every request 2xx")
    ap.add_argument("--no-plans", action="store_true")
    ap.add_argument("--out", help="results file (default bench/results/<date>-S<scale>.json)")
    args = ap.parse_args(argv)

    if shutil.which("wrk") is None:
        say("error: wrk is not installed: apt-get install wrk")
        return 1
    if args.database:
        args.database_url = f"{SERVER}/{args.database}"
    if args.smoke:
        args.duration, args.repeat, args.no_plans = 1, 1, True
        args.connections, args.scale = min(args.connections, 16), 0.01
        if not args.database_url:
            args.database_url = smoke_database(args)
            if args.database_url is None:
                say(
                    "SKIPPED: `partygrid generate` does not exist yet; the smoke run needs it "
                    "(or pass --database-url of a database with the bench accounts)"
                )
                return 0
    owner = owner_url(args)
    # Named by scale when the database is the generator's, else by the database.
    label = f"S{args.scale:g}" if not args.database_url else owner.rsplit("/", 1)[-1]
    names = [n for n in args.scenarios.split(",") if n]
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        say(f"error: unknown scenarios {sorted(unknown)}; known: {SCENARIOS}")
        return 2
    (BENCH / "results").mkdir(exist_ok=True)
    ports = {"partygrid": free_port(), "baseline": free_port()}
    bases = {k: f"http://127.0.0.1:{v}" for k, v in ports.items()}
    procs = {k: start(k, owner, ports[k], args.workers) for k in ports}
    started = time.monotonic()
    try:
        for k in procs:
            wait_ready(bases[k], procs[k])
        d = asyncio.run(discover(owner))
        say(
            f"discovered: street {d['street_id']}, {len(d['member_ids'])} members, worker "
            f"{d['worker']} (grid {d['grid_id']}, {d['worker_open_tickets']} open tickets), "
            f"point {d['lon']},{d['lat']}, category {d['category']}, year {d['year']}"
        )
        p = bases["partygrid"]
        tokens = {
            "street": login(p, "street.admin.1", args.password),
            "worker": login(p, d["worker"], args.password),
        }
        differ = answers_differ(bases, d, tokens)
        if differ:
            say("the baseline does not answer as PartyGrid does:\n  " + "\n  ".join(differ))
            return 1
        say(f"same answers from both apps for {len(read_paths(d))} reads")
        results: dict[str, Any] = {
            "scale": args.scale,
            "database": owner.rsplit("/", 1)[-1],
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "settings": {
                k: getattr(args, k)
                for k in ("duration", "warmup", "connections", "threads", "repeat", "workers")
            },
            "discovered": {k: v for k, v in d.items() if k not in ("member_ids", "ticket_ids")},
            "scenarios": {},
        }
        for name in names:
            env = scenario_env(name, d, tokens)
            results["scenarios"][name] = run_scenario(name, bases, env, args)
        failed = {
            n: (
                s["partygrid"]["non2xx"] + s["partygrid"]["socket_errors"],
                s["baseline"]["non2xx"] + s["baseline"]["socket_errors"],
            )
            for n, s in results["scenarios"].items()
            if s["partygrid"]["non2xx"]
            or s["baseline"]["non2xx"]
            or s["partygrid"]["socket_errors"]
            or s["baseline"]["socket_errors"]
        }
        results["failures"] = failed
        if not args.smoke and args.city_reps > 0:
            city_token = login(p, "city.admin", args.password)
            city = asyncio.run(city_stats(p, city_token, owner, d["year"], args.city_reps))
            results["city_stats"] = city
            results["city_stats_samples"] = list(range(args.city_reps))
            if not args.no_plans:
                asyncio.run(save_plans(owner, d))
        out = (
            Path(args.out)
            if args.out
            else BENCH / "results" / (f"{dt.date.today():%Y-%m-%d}-{label}.json")
        )
        out.write_text(json.dumps(results, indent=1, default=str))
        print(table(results))
        say(f"results: {out} ({time.monotonic() - started:.0f} s)")
        if failed:
            say(f"FAILED: non-2xx or socket errors (PartyGrid, baseline): {failed}")
            return 1
        return 0
    finally:
        for proc in procs.values():
            stop(proc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

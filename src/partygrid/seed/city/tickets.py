"""Two years of five-type tickets, each with the timeline that got it to its state.

A ticket's story is its workflow actions in time order (domain/tickets/workflow.py TRANSITIONS),
each event carrying the facts its action fixed, in the shape ``ticket_commands.decide``
writes them. The story is cut at ``--until``: recent tickets are still open, with
deadlines around that day, as a live deployment's would be. The ticket row is computed
from the events by ``_project``, which follows ``ticket_aggregate.apply`` for the actions
generated here; the tests replay samples through the domain to prove the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

import orjson

from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.tickets.aggregate import MERGED_IN, PROJECTED_FIELDS, SUBMIT, Ticket
from partygrid.domain.tickets.deadlines import DeadlineRule
from partygrid.repo.keyring import Keyring
from partygrid.repo.sealing import REQUESTER_NAME, REQUESTER_PHONE
from partygrid.repo.tickets.repository import phone_index
from partygrid.seed.city import names, stories
from partygrid.seed.city.city import GridCell, phone
from partygrid.seed.city.clock import Clock, local_iso, utc
from partygrid.seed.city.plan import TICKET_DAYS, rng_for

TICKET_COLUMNS = (*PROJECTED_FIELDS, "requester_name_enc", "requester_phone_enc",
                  "requester_phone_hmac")  # fmt: skip
EVENT_COLUMNS = ("ticket_id", "seq", "action", "from_state", "to_state", "actor_kind",
                 "actor_id", "actor_name", "actor_role", "note", "data", "at")  # fmt: skip
TYPES = ("urgent", "time_limited", "promised", "supplementary", "suggestion")
CHANNELS = ("grid_app", "info_collector", "hotline", "mailbox", "walk_in", "open311", "partner")
CHANNEL_WEIGHTS = (30, 12, 30, 6, 8, 8, 6)
OPEN = frozenset({"received", "accepted", "assigned", "in_progress", "waiting_supplement"})
HOUR = 3600
DAY = 86_400
SYSTEM = ("system", None, "ticket-monitor", None)
_JSON_FIELDS = ("attributes", "attachments")
# The row before its first event: the aggregate's defaults, enums as their values.
_DEFAULTS = {
    f.name: getattr(f.default, "value", f.default)
    for f in fields(Ticket)
    if f.name in PROJECTED_FIELDS
}


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    default_type: str
    rules: dict[str, DeadlineRule]  # per ticket type, overrides applied


@dataclass(frozen=True, slots=True)
class TicketSpec:
    """What a worker needs to make ticket chunks (picklable)."""

    seed: int
    total: int
    until: date
    clock: Clock
    cells: tuple[GridCell, ...]
    street_admins: tuple[int, ...]
    categories: tuple[Category, ...]
    id_base: int
    keyring: Keyring

    @property
    def cutoff(self) -> int:
        """The generated world's "now": the start of --until, Asia/Shanghai."""
        return int(datetime.combine(self.until, time(), SHANGHAI).timestamp())


def _uniform(rng: Any, lo: float, hi: float) -> int:
    return int(lo + (hi - lo) * rng.random())


class _Story:
    """One ticket's timeline under construction, and the row it projects to."""

    __slots__ = (
        "cutoff",
        "events",
        "last",
        "pending",
        "red_at",
        "row",
        "rule",
        "state",
        "yellow_at",
    )

    def __init__(self, row: dict[str, Any], cutoff: int, rule: DeadlineRule) -> None:
        self.row = row
        self.cutoff = cutoff
        self.rule = rule
        self.state = "received"
        self.events: list[tuple[Any, ...]] = []
        self.pending: list[tuple[int, tuple[Any, ...], str, dict[str, Any]]] = []
        self.yellow_at = self.red_at = self.last = 0

    def emit(self, action: str, to: str, at: int, actor: tuple[Any, ...],
             data: dict[str, Any], note: str | None = None) -> None:  # fmt: skip
        self.events.append((self.row["id"], len(self.events) + 1, action,
                            self.state if self.events else None, to, *actor, note,
                            orjson.dumps(data).decode(), utc(at)))  # fmt: skip
        _project(self.row, action, to, at, data)
        self.last = at
        self.state = to
        self.row["state"] = to
        self.row["version"] = len(self.events)
        self.row["updated_at"] = utc(at)

    def reach(self, at: int) -> bool:
        """Flush what happens on its own before ``at`` (a merged duplicate, automatic
        supervision); False when ``at`` lies beyond --until: the story stops there."""
        limit = min(at, self.cutoff)
        while True:
            due = [p for p in self.pending if p[0] <= limit]
            supervise = None
            if self.state in OPEN and self.state != "waiting_supplement":
                level = self.row["supervision_level"]
                # The monitor sweeps every few minutes: never before the last event.
                red_at, yellow_at = (
                    max(self.red_at, self.last + 300),
                    max(self.yellow_at, self.last + 300),
                )
                if level != "red" and self.red_at and red_at <= limit:
                    supervise = (red_at, "red")
                elif level == "none" and self.yellow_at and yellow_at <= limit:
                    supervise = (yellow_at, "yellow")
            first = min(due, default=None)
            if supervise and (first is None or supervise[0] <= first[0]):
                self.emit("supervise", self.state, supervise[0], SYSTEM,
                          {"level": supervise[1], "automatic": True})  # fmt: skip
                continue
            if first is None:
                break
            self.pending.remove(first)
            if self.state in OPEN:
                self.emit(first[2], self.state, first[0], first[1], first[3])
        return at <= self.cutoff

    def set_deadline(self, due: int) -> None:
        self.yellow_at = due - self.rule.soon_due_hours * HOUR
        self.red_at = due + 300  # the monitor's next sweep after the deadline


def _project(row: dict[str, Any], action: str, to: str, at: int, d: dict[str, Any]) -> None:
    """ticket_aggregate.apply for the generated actions, on a dict of row values."""
    when = utc(at)
    if action == "accept":
        row["type"] = d["type"]
        row["promised_on"] = date.fromisoformat(d["promised_on"]) if d["promised_on"] else None
        row["deadline_at"] = datetime.fromisoformat(d["deadline_at"])
        row["deadline_provisional"] = d["deadline_provisional"]
        row["accepted_at"] = when
    elif action == "merge":
        row["merged_into_id"] = d["into_ticket_id"]
    elif action == MERGED_IN:
        row["co_reporters"] += d["added_reporters"]
    elif action in ("assign", "transfer"):
        row["assignee_user_id"] = d["assignee_user_id"]
        row["assignee_department"] = d["assignee_department"]
        row["handling_org_id"] = d["handling_org_id"]
        row["first_response_at"] = row["first_response_at"] or when
    elif action == "escalate":
        row["handling_org_id"] = d["to_org_id"]
        row["assignee_user_id"] = row["assignee_department"] = None
        row["paused_at"] = None
    elif action == "start":
        row["first_response_at"] = row["first_response_at"] or when
    elif action == "request_supplement":
        row["paused_at"] = when
    elif action == "supplement":
        row["deadline_at"] = datetime.fromisoformat(d["deadline_at"])
        row["deadline_provisional"] = d["deadline_provisional"]
        row["paused_at"] = None
    elif action == "resolve":
        row["resolution"] = d["resolution"]
        row["suggestion_adopted"] = d.get("adopted")
        row["response_working_hours"] = d.get("response_working_hours")
        row["resolution_working_hours"] = d.get("resolution_working_hours")
        row["resolved_on_time"] = d["resolved_on_time"]
        row["resolved_at"] = when
    elif action == "publish":
        row["public_result"] = d["public_result"]
        row["published_at"] = when
    elif action == "review":
        row["satisfaction"] = d["satisfaction"]
        if to == "in_progress":
            _reopened(row)
    elif action == "close":
        row["closed_at"] = when
    elif action == "request_extension":
        row["extension_pending"] = True
    elif action == "decide_extension":
        row["extension_pending"] = False
        if d["approve"]:
            row["deadline_at"] = datetime.fromisoformat(d["deadline_at"])
            row["deadline_provisional"] = False
    elif action == "supervise":
        row["supervision_level"] = d["level"]


def _reopened(row: dict[str, Any]) -> None:
    row["reopen_count"] += 1
    row["resolved_at"] = row["published_at"] = None
    row["resolved_on_time"] = None
    row["response_working_hours"] = row["resolution_working_hours"] = None


class _Maker:
    """Makes the tickets of one chunk."""

    def __init__(self, spec: TicketSpec, start: int) -> None:
        self.spec = spec
        self.rng = rng_for(spec.seed, "tickets", start)
        self.clock = spec.clock
        self.cutoff = spec.cutoff
        self.first = self.cutoff - TICKET_DAYS * DAY
        self.keyring = spec.keyring

    # --- who acts ----------------------------------------------------------------
    def worker(self, cell: GridCell) -> tuple[Any, ...]:
        return ("user", cell.worker_user_id, f"grid.worker.{cell.id}", "grid_worker")

    def admin(self, cell: GridCell) -> tuple[Any, ...]:
        n = cell.street_index
        return ("user", self.spec.street_admins[n], f"street.admin.{n + 1}", "street_admin")

    def submitter(self, channel: str, cell: GridCell) -> tuple[Any, ...]:
        if channel in ("grid_app", "info_collector"):
            return self.worker(cell)
        if channel in ("open311", "partner"):
            return ("system", None, f"{channel}-gateway", None)
        return self.admin(cell)

    # --- one ticket ----------------------------------------------------------------
    def intake(self, ticket_id: int, created: int, like: dict[str, Any] | None) -> _Story:
        rng = self.rng
        spec = self.spec
        if like is None:
            cell = spec.cells[rng.randrange(len(spec.cells))]
            category = spec.categories[rng.randrange(len(spec.categories))]
            kind = category.default_type if rng.random() < 0.8 else TYPES[rng.randrange(5)]
            channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
            texts = stories.TEXTS.get(category.code, stories.DEFAULT_TEXTS)
            title, description, _ = texts[rng.randrange(len(texts))]
            attrs = stories.ATTRIBUTES.get(category.code)
            attributes = dict(attrs[rng.randrange(len(attrs))]) if attrs else {}
            x0, y0, x1, y1 = cell.box
            lon = round(x0 + (x1 - x0) * (0.05 + 0.9 * rng.random()), 7)
            lat = round(y0 + (y1 - y0) * (0.05 + 0.9 * rng.random()), 7)
        else:  # a second report of the same thing, a few metres away
            cell, category, kind = like["cell"], like["category"], like["type"]
            channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
            title, description = like["title"], like["description"]
            attributes = dict(like["attributes"])
            lon, lat = like["lon"], like["lat"]
        actor = self.submitter(channel, cell)
        local = datetime.fromtimestamp(created, SHANGHAI)
        row = dict(_DEFAULTS)
        row.update(
            id=ticket_id, public_id=f"PG{local:%Y%m%d}{ticket_id:08d}", type=kind,
            category_code=category.code, channel=channel, title=title, description=description,
            priority=1 if kind == "urgent" else rng.choice((2, 3, 3, 3, 4)),
            attributes=attributes, attachments=[], lon=lon, lat=lat,
            address=f"{names.COMMUNITY_WORDS[cell.id % 30]}{rng.randrange(1, 40)}号楼附近",
            grid_id=cell.id, community_id=cell.community_id, handling_org_id=cell.branch_id,
            promised_on=None, created_by_kind=actor[0], created_by_id=actor[1],
            created_at=utc(created), updated_at=utc(created),
        )  # fmt: skip
        story = _Story(row, self.cutoff, category.rules[kind])
        data = {name: row[name] for name in _INTAKE}
        has_requester = channel in ("hotline", "mailbox", "walk_in") or rng.random() < 0.3
        data["has_requester"] = has_requester
        story.emit(SUBMIT, "received", created, actor, data)
        row["_cell"], row["_category"], row["_requester"] = cell, category, has_requester
        return story

    def tell(self, story: _Story, created: int) -> None:
        """The rest of the story, as far as --until (or a stall) lets it go."""
        rng, clock, row = self.rng, self.clock, story.row
        cell: GridCell = row["_cell"]
        admin, worker = self.admin(cell), self.worker(cell)
        kind = row["type"]
        stall = rng.random() < 0.012  # the backlog: old tickets still open
        steps_left = rng.randrange(1, 5) if stall else 99

        def go(at: int) -> bool:
            nonlocal steps_left
            steps_left -= 1
            return steps_left >= 0 and story.reach(at)

        t = created
        if rng.random() < 0.03:
            t += _uniform(rng, 0.3 * HOUR, 6 * HOUR)
            if go(t):
                story.emit("reject", "rejected", t, admin,
                           {"reason": stories.REJECT_REASONS[rng.randrange(3)]})  # fmt: skip
            return
        if kind == "urgent":  # around the clock
            t += _uniform(rng, 300, 40 * 60)
        else:  # 受理 in office hours: evening and weekend reports wait for the morning
            t = clock.next_open(t + _uniform(rng, 0.2 * HOUR, 4 * HOUR)) + _uniform(rng, 0, HOUR)
        if not go(t):
            return
        promised = None
        if kind == "promised":
            promised = clock.local_date(t) + timedelta(days=rng.randrange(2, 12))
            days_ahead = (promised - clock.local_date(t)).days
            due, provisional = clock.end_of_day(clock.day_of(t) + days_ahead), False
        elif kind == "urgent":
            due, provisional = t + story.rule.urgent_hours * HOUR, False
        else:
            days = {"time_limited": story.rule.working_days,
                    "supplementary": story.rule.supplementary_days,
                    "suggestion": story.rule.suggestion_days}[kind]  # fmt: skip
            due, provisional = clock.add_working_days(t, days)
        story.emit("accept", "accepted", t, admin, {
            "type": kind, "promised_on": promised.isoformat() if promised else None,
            "deadline_at": local_iso(due), "deadline_provisional": provisional,
        })  # fmt: skip
        story.set_deadline(due)
        accepted = t
        t += _uniform(rng, 300, 3 * HOUR)
        if not go(t):
            return
        if rng.random() < 0.15:
            handler = {"assignee_user_id": None, "assignee_department":
                       names.DEPARTMENTS[rng.randrange(len(names.DEPARTMENTS))],
                       "handling_org_id": cell.branch_id}  # fmt: skip
        else:
            handler = {"assignee_user_id": cell.worker_user_id, "assignee_department": None,
                       "handling_org_id": cell.branch_id}  # fmt: skip
        story.emit("assign", "assigned", t, admin, handler)
        t += _uniform(rng, 600, 6 * HOUR)
        if not go(t):
            return
        story.emit("start", "in_progress", t, worker, {})
        if rng.random() < 0.04:
            t += _uniform(rng, 2 * HOUR, 2 * DAY)
            if not go(t):
                return
            story.emit("escalate", "accepted", t, worker, {
                "from_org_id": row["handling_org_id"], "to_org_id": cell.community_id,
                "reason": "超出网格调处权限，提请社区协调"})  # fmt: skip
            t += _uniform(rng, HOUR, DAY)
            if not go(t):
                return
            story.emit("assign", "assigned", t, admin, {
                "assignee_user_id": None, "assignee_department": None,
                "handling_org_id": cell.community_id})  # fmt: skip
            t += _uniform(rng, HOUR, DAY)
            if not go(t):
                return
            story.emit("start", "in_progress", t, admin, {})
        if kind == "supplementary" and rng.random() < 0.7:
            t += _uniform(rng, HOUR, 2 * DAY)
            if not go(t):
                return
            story.emit("request_supplement", "waiting_supplement", t, worker,
                       {"missing": stories.MISSING[rng.randrange(4)]})  # fmt: skip
            paused = t
            t += _uniform(rng, DAY, 8 * DAY)
            if not go(t):
                return
            due_now = int(row["deadline_at"].timestamp())
            lost = clock.workdays_between(paused, t)
            moved, moved_provisional = (due_now, False) if lost == 0 else \
                clock.add_working_days(due_now, lost)  # fmt: skip
            story.emit(
                "supplement",
                "in_progress",
                t,
                worker,
                {
                    "deadline_at": local_iso(moved),
                    "deadline_provisional": moved_provisional or row["deadline_provisional"],
                },
            )
            story.set_deadline(moved)
        if kind != "urgent" and rng.random() < 0.04:
            t += _uniform(rng, HOUR, DAY)
            if not go(t):
                return
            due_now = int(row["deadline_at"].timestamp())
            wanted, _ = clock.add_working_days(due_now, 5)
            story.emit(
                "request_extension",
                "in_progress",
                t,
                worker,
                {"reason": "需协调相关部门，申请延期", "new_deadline": local_iso(wanted)},
            )
            t += _uniform(rng, 2 * HOUR, DAY)
            if not go(t):
                return
            approve = rng.random() < 0.8
            data: dict[str, Any] = {"approve": approve}
            if approve:
                data["deadline_at"] = local_iso(wanted)
            story.emit("decide_extension", "in_progress", t, admin, data)
            if approve:
                story.set_deadline(wanted)
        texts = stories.TEXTS.get(row["category_code"], stories.DEFAULT_TEXTS)
        resolution = next((r for title, _, r in texts if title == row["title"]), "已办理完毕")
        for attempt in range(3):
            due_now = int(row["deadline_at"].timestamp())
            if rng.random() < 0.88 and due_now > t + HOUR:
                t += _uniform(rng, 0.1 * (due_now - t), 0.95 * (due_now - t))
            else:
                t = max(t, due_now) + _uniform(rng, HOUR, 5 * DAY)
            if not go(t):
                return
            data = {"resolution": resolution if attempt == 0 else resolution + "（整改复查）"}
            if row["type"] == "suggestion":
                adopted = rng.random() < 0.6
                data["adopted"] = adopted
                data["reasons"] = stories.REASONS_ADOPTED if adopted else stories.REASONS_DECLINED
            first = int((row["first_response_at"] or utc(t)).timestamp())
            data["response_working_hours"] = round(clock.working_hours(accepted, first), 4)
            data["resolution_working_hours"] = round(clock.working_hours(accepted, t), 4)
            data["resolved_on_time"] = t <= due_now
            story.emit("resolve", "resolved", t, worker, data)
            t += _uniform(rng, HOUR, DAY)
            if not go(t):
                return
            story.emit("publish", "published", t, admin, {"public_result": data["resolution"]})
            reviewed = rng.random() < 0.7
            if reviewed:
                t += _uniform(rng, 4 * HOUR, 3 * DAY)
                if not go(t):
                    return
                pick = rng.random()
                satisfaction = "unsatisfied" if pick < 0.05 and attempt < 2 else (
                    "satisfied" if pick < 0.83 else "basically_satisfied")  # fmt: skip
                if satisfaction == "unsatisfied":
                    story.emit(
                        "review",
                        "in_progress",
                        t,
                        admin,
                        {"satisfaction": satisfaction},
                        "群众不满意，重新办理",
                    )
                    continue
                story.emit("review", "reviewed", t, admin, {"satisfaction": satisfaction})
            t += _uniform(rng, DAY, 3 * DAY) if reviewed else _uniform(rng, 5 * DAY, 7 * DAY)
            if not go(t):
                return
            story.emit("close", "closed", t, admin, {})
            if rng.random() < 0.08:
                t += _uniform(rng, DAY, 10 * DAY)
                if go(t):
                    story.emit("revisit", "closed", t, admin, {"outcome": "回访：问题未复发"})
            return

    def ticket_rows(self, story: _Story) -> tuple[Any, ...]:
        row = story.row
        name_enc = phone_enc = phone_hmac = None
        if row["_requester"]:
            rng = self.rng
            number = phone(rng.getrandbits(40))
            name = names.person_name(rng.getrandbits(16), rng.getrandbits(16))
            name_enc = self.keyring.encrypt(name, REQUESTER_NAME)
            phone_enc = self.keyring.encrypt(number, REQUESTER_PHONE)
            phone_hmac = phone_index(self.keyring, number)
        for name in _JSON_FIELDS:
            row[name] = orjson.dumps(row[name]).decode()
        return (*(row[name] for name in PROJECTED_FIELDS), name_enc, phone_enc, phone_hmac)


_INTAKE = (
    "id", "public_id", "type", "category_code", "channel", "title", "description", "priority",
    "attributes", "attachments", "lon", "lat", "address", "grid_id", "community_id",
    "handling_org_id", "promised_on", "created_by_kind", "created_by_id",
)  # fmt: skip


def ticket_chunk(spec: TicketSpec, start: int, stop: int) -> dict[str, list[tuple[Any, ...]]]:
    """Tickets start..stop-1 (0-based) and their events, in id and seq order."""
    maker = _Maker(spec, start)
    rng = maker.rng
    tickets: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    k = start
    while k < stop:
        # Slightly more tickets lately (a growing deployment), in waking hours.
        day = int(TICKET_DAYS * rng.random() ** 0.9)
        created = maker.first + day * DAY + _uniform(rng, 7 * HOUR, 22 * HOUR)
        created = min(max(created, maker.first), maker.cutoff - 60)
        ticket_id = spec.id_base + k + 1
        story = maker.intake(ticket_id, created, None)
        duplicate_at = 0
        if k + 1 < stop and rng.random() < 0.025:
            duplicate_at = created + _uniform(rng, 600, HOUR)
            merge_at = duplicate_at + _uniform(rng, 300, 1800)
            actor = maker.admin(story.row["_cell"])
            story.pending.append(
                (merge_at, actor, MERGED_IN, {"duplicate_id": ticket_id + 1, "added_reporters": 1})
            )
        maker.tell(story, created)
        story.reach(maker.cutoff)
        merged = duplicate_at and not story.pending and any(e[2] == MERGED_IN for e in story.events)
        tickets.append(maker.ticket_rows(story))
        events.extend(story.events)
        k += 1
        if duplicate_at and k < stop:
            like = {"cell": story.row["_cell"], "category": story.row["_category"],
                    "type": story.row["type"], "title": story.row["title"],
                    "description": story.row["description"], "attributes": {},
                    "lon": story.row["lon"], "lat": story.row["lat"]}  # fmt: skip
            like["attributes"] = orjson.loads(story.row["attributes"])
            dup = maker.intake(ticket_id + 1, duplicate_at, like)
            if merged:
                at = next(e for e in story.events if e[2] == MERGED_IN)[11]
                dup.emit(
                    "merge",
                    "merged",
                    int(at.timestamp()),
                    maker.admin(like["cell"]),
                    {"into_ticket_id": ticket_id},
                    "与同一地点已登记诉求合并",
                )
            else:
                maker.tell(dup, duplicate_at)
                dup.reach(maker.cutoff)
            tickets.append(maker.ticket_rows(dup))
            events.extend(dup.events)
            k += 1
    return {"tickets": tickets, "ticket_events": events}

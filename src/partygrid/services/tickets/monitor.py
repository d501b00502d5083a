"""Deadline monitoring: open tickets soon due get a yellow supervision order (黄牌督办),
overdue ones a red one (红牌督办), automatically.

"Overdue" is the one rule of ``domain.tickets.deadlines.past_deadline``: a ticket paused
for a missing item (补办件) before its deadline has its clock stopped and is skipped, one
paused after its deadline had passed is overdue. "Soon due" is the wall-clock window
``soon_due_hours`` before the deadline (the rule of the ticket's category and type) of a
running ticket, as the work lists have it (``repo.tickets.sql``). The level is only ever
raised, each raise is a ``supervise`` event by the system on the ticket's timeline, and a
second sweep finds nothing left to do. One sweeper runs at a time across processes (an
advisory lock); another that finds it taken returns at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from partygrid.config import Settings
from partygrid.domain.access import Scope, system_actor
from partygrid.domain.tickets.deadlines import DeadlinePolicy
from partygrid.repo.uow import UnitOfWork

log = logging.getLogger(__name__)
SWEEP_ACTOR = system_actor(Scope(), "partygrid deadline monitor")


@dataclass(frozen=True, slots=True)
class SweepReport:
    at: datetime
    yellow: list[int] = field(default_factory=list)  # ticket ids raised to yellow
    red: list[int] = field(default_factory=list)
    skipped: bool = False  # another sweep was running

    def lines(self) -> list[str]:
        if self.skipped:
            return ["another sweep is running; nothing done"]
        return [
            f"swept at {self.at.isoformat()}",
            f"yellow (soon due): {len(self.yellow)} ticket(s) raised",
            f"red (overdue): {len(self.red)} ticket(s) raised",
        ]


async def sweep(
    uow: UnitOfWork, *, now: datetime | None = None, policy: DeadlinePolicy | None = None
) -> SweepReport:
    """Raise supervision on the open tickets that are soon due or overdue."""
    now = now or datetime.now(UTC)
    policy = policy or DeadlinePolicy()
    async with uow:
        repo = uow.ticket_deadlines
        if not await repo.try_sweep_lock():
            return SweepReport(at=now, skipped=True)
        raised = await repo.raise_supervision(
            now=now,
            default_soon_hours=policy.default.soon_due_hours,
            soon_hours_by_category={
                code: rule.soon_due_hours for code, rule in policy.by_category.items()
            },
        )
        report = SweepReport(
            at=now,
            yellow=sorted(r.ticket_id for r in raised if r.level == "yellow"),
            red=sorted(r.ticket_id for r in raised if r.level == "red"),
        )
        if raised:
            uow.audit.record(
                SWEEP_ACTOR, "ticket.sweep", "ticket", None,
                after={"yellow": report.yellow, "red": report.red, "at": now},
            )  # fmt: skip
        await uow.commit()
        return report


async def sweep_forever(
    make_uow: Callable[[], UnitOfWork], seconds: int, policy: DeadlinePolicy
) -> None:
    """The app's background task: sweep every ``seconds`` until cancelled; a failed sweep
    is logged and retried at the next tick."""
    while True:
        await asyncio.sleep(seconds)
        try:
            report = await sweep(make_uow(), policy=policy)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the deadline sweep failed; retrying in %s s", seconds)
            continue
        if report.yellow or report.red:
            log.info("deadline sweep: %s yellow, %s red", len(report.yellow), len(report.red))


def start_sweeper(
    settings: Settings, make_uow: Callable[[], UnitOfWork]
) -> asyncio.Task[None] | None:
    """The background sweep of the app's lifespan, when automatic supervision is on and
    PARTYGRID_SWEEP_SECONDS is above 0."""
    if not settings.auto_supervision or settings.sweep_seconds <= 0:
        return None
    return asyncio.create_task(
        sweep_forever(make_uow, settings.sweep_seconds, DeadlinePolicy()), name="deadline-sweep"
    )


async def stop_sweeper(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

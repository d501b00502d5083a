"""Work lists: the caller's inbox, and the overdue and soon-due tickets of a subtree.

Every list holds open tickets (received … waiting for a supplement) the caller can see,
ordered by deadline (earliest first, those without one last) then id.
- inbox: assigned to the caller; for district, street and community admins also every
  ticket their own organizations (the roots of their scope) handle;
- overdue: past the deadline (``domain.tickets.deadlines.past_deadline``); a ticket paused
  for a missing item before its deadline has its clock stopped and is not overdue, one
  paused after it is;
- soon due: not yet overdue, within its category's soon-due window (yellow), not paused.
``under`` narrows the last two to a subtree (by the ticket's community, else its
handling organization).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from partygrid.domain.access import Actor, Role
from partygrid.domain.tickets.deadlines import DeadlinePolicy
from partygrid.domain.tickets.work_lists import WorkItem
from partygrid.repo.tickets.work_lists import After, DueList, SoonWindows
from partygrid.repo.uow import UnitOfWork
from partygrid.services.organizations.use_cases import require_organization

ADMIN_INBOX_ROLES = frozenset({Role.district_admin, Role.street_admin, Role.community_admin})


@dataclass(frozen=True, slots=True)
class WorkPage:
    items: list[WorkItem]
    after: After | None  # where the next page starts; None on the last page



def windows_of(policy: DeadlinePolicy) -> SoonWindows:
    return SoonWindows(
        default_hours=policy.default.soon_due_hours,
        by_category={code: rule.soon_due_hours for code, rule in policy.by_category.items()},
    )


def _page(items: list[WorkItem], limit: int) -> WorkPage:
    last = items[-1] if len(items) == limit else None
    return WorkPage(items=items, after=After(last.deadline_at, last.id) if last else None)


async def inbox(
    uow: UnitOfWork,
    *,
    actor: Actor,
    after: After | None,
    limit: int,
    policy: DeadlinePolicy | None = None,
    now: datetime | None = None,
) -> WorkPage:
    async with uow:
        items = await uow.ticket_lists.inbox(
            scope=actor.scope,
            user_id=actor.user_id,
            own_organizations=actor.principal.role in ADMIN_INBOX_ROLES,
            windows=windows_of(policy or DeadlinePolicy()),
            now=now or datetime.now(UTC),
            after=after,
            limit=limit,
        )
    return _page(items, limit)


async def _subtree_list(
    uow: UnitOfWork,
    which: DueList,
    *,
    actor: Actor,
    under: int | None,
    after: After | None,
    limit: int,
    policy: DeadlinePolicy | None,
    now: datetime | None,
) -> WorkPage:
    async with uow:
        root = None
        if under is not None:
            root = (await require_organization(uow, under, actor=actor)).path
        items = await uow.ticket_lists.due(
            which,
            scope=actor.scope,
            user_id=actor.user_id,
            root_path=root,
            windows=windows_of(policy or DeadlinePolicy()),
            now=now or datetime.now(UTC),
            after=after,
            limit=limit,
        )
    return _page(items, limit)


async def overdue(
    uow: UnitOfWork,
    *,
    actor: Actor,
    under: int | None,
    after: After | None,
    limit: int,
    policy: DeadlinePolicy | None = None,
    now: datetime | None = None,
) -> WorkPage:
    return await _subtree_list(
        uow, "overdue", actor=actor, under=under, after=after, limit=limit, policy=policy,
        now=now,
    )  # fmt: skip


async def soon_due(
    uow: UnitOfWork,
    *,
    actor: Actor,
    under: int | None,
    after: After | None,
    limit: int,
    policy: DeadlinePolicy | None = None,
    now: datetime | None = None,
) -> WorkPage:
    return await _subtree_list(
        uow, "soon_due", actor=actor, under=under, after=after, limit=limit, policy=policy,
        now=now,
    )  # fmt: skip

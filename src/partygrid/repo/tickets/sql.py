"""SQL-text fragments shared by the hand-written ticket statements (work lists, statistics,
monitoring): ticket visibility, the ticket's territory and "past its deadline"."""

from __future__ import annotations

from partygrid.domain.tickets.workflow import DONE_STATES, OPEN_STATES
from partygrid.repo.scoping import SqlScope


def states_sql(states: frozenset[object] | tuple[object, ...]) -> str:
    return ", ".join(f"'{getattr(s, 'value', s)}'" for s in sorted(states, key=str))


OPEN_SQL = states_sql(OPEN_STATES)
DONE_SQL = states_sql(DONE_STATES)
EXCLUDED_SQL = "'rejected', 'merged'"  # neither handled nor failed: left out of the rates


def ticket_visible_sql(
    v: SqlScope, alias: str = "t", user_param: str | None = None, *, wholesale: bool = False
) -> str:
    """The rule of ``repo.scoping.ticket_visible`` as text: the ticket's community (its
    grid's) or its handling organization is visible, or its grid is granted, or it is
    assigned to the caller (``:user_param``).

    ``wholesale``: the query reads all the scope's tickets with no narrower index-bound
    condition (statistics without ``under``). Then each row is tested against the
    scope's organizations collected once (IN, a hashed subplan); otherwise a correlated
    EXISTS probes per row. PostgreSQL 15 costs the EXISTS per row either way and so, for
    a wholesale read, chose a date-order index scan over the table (a city's two years:
    21.5 s, against 9.7 s with IN at S=1); yet where ``under`` already narrows the
    tickets by territory, the same IN made it read the whole table (a street's year:
    154 ms with EXISTS, 1.1 s with IN). In WHERE only, so IN's NULL reads as false."""
    terms = []
    if v.scope.org_paths:
        for column in ("community_id", "handling_org_id"):
            terms.append(
                f"{alias}.{column} IN (SELECT so.id FROM organizations so WHERE {v.path('so')})"
                if wholesale
                else f"EXISTS (SELECT 1 FROM organizations so WHERE so.id = {alias}.{column} "
                f"AND {v.path('so')})"
            )
    if v.scope.grid_ids:
        terms.append(f"{alias}.grid_id = ANY(CAST(:scope_grids AS bigint[]))")
    if user_param is not None:
        terms.append(f"{alias}.assignee_user_id = :{user_param}")
    return "(" + " OR ".join(terms) + ")" if terms else "FALSE"


def territory_join(alias: str = "t", org: str = "tor", *, outer: bool) -> str:
    """Joins the ticket's territory: its community, else its handling organization. A
    subtree (``under``) holds the tickets whose territory lies in it."""
    kind = "LEFT JOIN" if outer else "JOIN"
    return (
        f"{kind} organizations {org} ON {org}.id = "
        f"COALESCE({alias}.community_id, {alias}.handling_org_id)"
    )


def past_deadline_sql(alias: str = "t", now: str = ":now") -> str:
    """Open and past its deadline. A ticket paused for a missing item before its deadline
    has its clock stopped (the deadline moves when it resumes), so it is not late."""
    return (
        f"({alias}.state IN ({OPEN_SQL}) AND {alias}.deadline_at < {now} "
        f"AND ({alias}.paused_at IS NULL OR {alias}.paused_at > {alias}.deadline_at))"
    )


def soon_window_sql(alias: str = "t", category: str = "c") -> str:
    """The ticket's soon-due window as an interval: the category's override for the
    ticket's type, else the policy's for the category (``:soon_by_category``, a JSON
    object of hours), else the policy default (``:soon_default``). Needs ``category``
    joined as service_categories."""
    return (
        "make_interval(hours => COALESCE("
        f"CAST({category}.deadline_overrides -> {alias}.type ->> 'soon_due_hours' AS int), "
        f"CAST(CAST(:soon_by_category AS jsonb) ->> {alias}.category_code AS int), "
        "CAST(:soon_default AS int)))"
    )


def urgency_sql(alias: str = "t", category: str = "c", now: str = ":now") -> str:
    """paused | overdue | soon_due | on_time, or NULL without a deadline: overdue past
    it, soon due within the rule's ``soon_due_hours`` of it (wall clock), paused while a
    supplement is awaited (the clock is stopped)."""
    return (
        f"CASE WHEN {alias}.paused_at IS NOT NULL AND {alias}.state = 'waiting_supplement' "
        "THEN 'paused' "
        f"WHEN {alias}.deadline_at IS NULL THEN NULL "
        f"WHEN {alias}.deadline_at < {now} THEN 'overdue' "
        f"WHEN {alias}.deadline_at - {soon_window_sql(alias, category)} <= {now} "
        "THEN 'soon_due' ELSE 'on_time' END"
    )

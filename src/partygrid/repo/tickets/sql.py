"""SQL-text fragments shared by the hand-written ticket statements (work lists, statistics,
monitoring): the ticket's territory, "past its deadline" (overdue) and "soon due". Ticket
visibility is ``repo.scoping.SqlScope.ticket``, with the other scope rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, TextClause, bindparam, text

from partygrid.domain.tickets.workflow import DONE_STATES, OPEN_STATES


def states_sql(states: frozenset[object] | tuple[object, ...]) -> str:
    return ", ".join(f"'{getattr(s, 'value', s)}'" for s in sorted(states, key=str))


OPEN_SQL = states_sql(OPEN_STATES)
DONE_SQL = states_sql(DONE_STATES)
EXCLUDED_SQL = "'rejected', 'merged'"  # neither handled nor failed: left out of the rates


def territory_join(alias: str = "t", org: str = "tor", *, outer: bool) -> str:
    """Joins the ticket's territory: its community, else its handling organization. A
    subtree (``under``) holds the tickets whose territory lies in it."""
    kind = "LEFT JOIN" if outer else "JOIN"
    return (
        f"{kind} organizations {org} ON {org}.id = "
        f"COALESCE({alias}.community_id, {alias}.handling_org_id)"
    )


def _deadline_passed(alias: str, now: str) -> str:
    return f"{alias}.deadline_at < {now}"


def past_deadline_sql(alias: str = "t", now: str = ":now") -> str:
    """Overdue, the rule of ``domain.tickets.deadlines.past_deadline`` as SQL text: open and
    past its deadline, except that a ticket paused for a missing item before its deadline
    has its clock stopped (the deadline moves when it resumes), so it is not late; one
    paused after its deadline had passed is still late. Every statement that selects,
    counts, labels or supervises overdue tickets uses this (``past_deadline_clause`` in
    an ORM statement).

    Three terms under AND, so ``deadline_at < now`` still bounds a deadline index. NULL
    (not false) for a ticket without a deadline: read in WHERE, FILTER or CASE WHEN, and
    negated by ``not_past_deadline_sql``."""
    return (
        f"({alias}.state IN ({OPEN_SQL}) AND {_deadline_passed(alias, now)} "
        f"AND ({alias}.paused_at IS NULL OR {alias}.paused_at > {alias}.deadline_at))"
    )


def not_past_deadline_sql(alias: str = "t", now: str = ":now") -> str:
    """Every ticket ``past_deadline_sql`` leaves out, those without a deadline included."""
    return f"({past_deadline_sql(alias, now)} IS NOT TRUE)"


def past_deadline_clause(now: datetime, *, past: bool = True, table: str = "tickets") -> TextClause:
    """``past_deadline_sql`` (``past=False``: ``not_past_deadline_sql``) in an ORM statement
    over ``table``, with ``now`` bound."""
    sql = (past_deadline_sql if past else not_past_deadline_sql)(table, ":now")
    return text(sql).bindparams(bindparam("now", now, type_=DateTime(timezone=True), unique=True))


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


def soon_due_sql(alias: str = "t", category: str = "c", now: str = ":now") -> str:
    """An open ticket soon due: running (not paused), not yet past its deadline and within
    its soon-due window of it (wall clock). For a running ticket the rule of
    ``past_deadline_sql`` is its deadline comparison alone, and ``NOT (deadline_at <
    now)`` is planned as ``deadline_at >= now``, a bound on the open tickets' deadline
    index. Needs ``category`` joined as service_categories."""
    return (
        f"({alias}.paused_at IS NULL AND NOT ({_deadline_passed(alias, now)}) "
        f"AND {alias}.deadline_at - {soon_window_sql(alias, category)} <= {now})"
    )


def urgency_sql(alias: str = "t", category: str = "c", now: str = ":now") -> str:
    """overdue | paused | soon_due | on_time of an open ticket, or NULL without a deadline:
    overdue as ``past_deadline_sql`` has it (paused after its deadline too), else paused
    while a supplement is awaited (the clock is stopped), else soon due as
    ``soon_due_sql`` has it."""
    return (
        f"CASE WHEN {past_deadline_sql(alias, now)} THEN 'overdue' "
        f"WHEN {alias}.paused_at IS NOT NULL AND {alias}.state = 'waiting_supplement' "
        "THEN 'paused' "
        f"WHEN {alias}.deadline_at IS NULL THEN NULL "
        f"WHEN {soon_due_sql(alias, category, now)} THEN 'soon_due' ELSE 'on_time' END"
    )

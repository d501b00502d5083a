"""SQL predicates that restrict a query to what a caller's scope lets it see.

The rules, in one place:
- an organization is visible iff its path lies within one of ``scope.org_paths``;
- a grid is visible iff its community is visible, or its id is in ``scope.grid_ids``;
- a party member is visible iff the member's organization is visible, or the member's
  grid id is in ``scope.grid_ids``;
- a ticket is visible iff its grid is visible (its community, or its grid id), or its
  handling organization is, or it is assigned to the caller;
- an empty scope sees nothing (the predicates are FALSE, never "no filter").

Each ``path <@ text2ltree(:p)`` term is answered by ix_organizations_path_gist; several
subtree roots become an OR that the planner turns into a BitmapOr of index scans. Rows
of other tables are tied to organizations by correlated EXISTS, which costs one primary
key probe per row for a single-row read and becomes a semi-join for lists. The ticket
rule has one rendering, ``SqlScope.ticket``: text that the hand-written ticket statements
(work lists, statistics) embed, with the plan choice they need (``wholesale``), and that
the ORM reads bind through ``ticket_visible``.

Repository methods that find records by id or list them take ``scope`` as a required
keyword, so a use case cannot forget it; out-of-scope rows are simply not found.

The predicates are memoised per (scope, column or value): SQL expressions are immutable
and shareable, and building them was a measurable share of a hot read's CPU. Callers
see a handful of distinct scopes, so the caches stay small.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    String,
    TextClause,
    bindparam,
    exists,
    false,
    func,
    or_,
    text,
)
from sqlalchemy.orm import aliased

from partygrid.domain.access import Scope
from partygrid.repo.tables import GridRow, OrganizationRow, PartyMemberRow, TicketRow

_memo = lru_cache(maxsize=4096)

# Aliases of their own, so these subqueries never collide with a join the caller makes.
_ScopeOrg = aliased(OrganizationRow, name="scope_org")
_ScopeGrid = aliased(GridRow, name="scope_grid")
# Built once: aliasing a mapped class adapts every column, which cost more per request
# than the query it guards (half the CPU of a member read, measured with py-spy).
_ScopeMember = aliased(PartyMemberRow, name="scope_member")


@_memo
def path_in_scope(path: Any, scope: Scope) -> ColumnElement[bool]:
    """``path`` (an ltree column) lies within one of the scope's subtrees."""
    if not scope.org_paths:
        return false()
    return or_(*(path.op("<@")(func.text2ltree(root)) for root in scope.org_paths))


@_memo
def in_subtree(path: str) -> ColumnElement[bool]:
    """The organization is ``path`` or below it (answered by the GiST index on path)."""
    return OrganizationRow.path.op("<@")(func.text2ltree(path))


def org_visible(scope: Scope, org: Any = OrganizationRow) -> ColumnElement[bool]:
    """Predicate on an organizations row (or alias) of the query."""
    return path_in_scope(org.path, scope)


@_memo
def org_id_visible(org_id: Any, scope: Scope) -> ColumnElement[bool]:
    """The organization with id ``org_id`` (a column or value) is visible."""
    if not scope.org_paths:
        return false()
    return exists().where(_ScopeOrg.id == org_id, path_in_scope(_ScopeOrg.path, scope))


@_memo
def grid_visible(scope: Scope, grid: Any = GridRow) -> ColumnElement[bool]:
    """Predicate on a grids row (or alias) of the query."""
    terms = []
    if scope.org_paths:
        terms.append(org_id_visible(grid.community_id, scope))
    if scope.grid_ids:
        terms.append(grid.id.in_(scope.grid_ids))
    return or_(*terms) if terms else false()


@_memo
def grid_id_visible(grid_id: Any, scope: Scope) -> ColumnElement[bool]:
    """The grid with id ``grid_id`` (a column or value) is visible."""
    if scope.is_empty:
        return false()
    return exists().where(_ScopeGrid.id == grid_id, grid_visible(scope, _ScopeGrid))


@_memo
def member_visible(scope: Scope, member: Any = PartyMemberRow) -> ColumnElement[bool]:
    """Predicate on a party_members row (or alias) of the query."""
    terms = []
    if scope.org_paths:
        terms.append(org_id_visible(member.organization_id, scope))
    if scope.grid_ids:
        terms.append(member.grid_id.in_(scope.grid_ids))
    return or_(*terms) if terms else false()


@_memo
def member_id_visible(member_id: Any, scope: Scope) -> ColumnElement[bool]:
    """The party member with id ``member_id`` (a column or value) is visible."""
    if scope.is_empty:
        return false()
    m = _ScopeMember
    return exists().where(m.id == member_id, member_visible(scope, m))


@_memo
def ticket_visible(
    scope: Scope, *, user_id: int | None, table: str = TicketRow.__tablename__
) -> ColumnElement[bool] | TextClause:
    """Predicate on the tickets row ``table`` of an ORM statement: ``SqlScope.ticket``, the
    one rendering of the rule that the hand-written statements use too, with the scope's
    values (and the caller, ``user_id``) bound: unique names, so the fragment sits beside
    any other in a statement, and typed as the ORM's own scope binds are."""
    v = SqlScope(scope)
    sql = v.ticket(table, "user_id" if user_id is not None else None)
    if sql == "FALSE":
        return false()
    values: dict[str, Any] = {**v.params, "user_id": user_id}
    return text(sql).bindparams(
        *(
            bindparam(name, value, type_=_BIND_TYPES.get(name, String()), unique=True)
            for name, value in values.items()
            if f":{name}" in sql
        )
    )


_BIND_TYPES: dict[str, Any] = {"scope_grids": ARRAY(BigInteger()), "user_id": BigInteger()}


# --- the same rules as SQL text, for the hand-written statements (and tickets' ORM reads)


class SqlScope:
    """Renders the visibility rules as SQL fragments with named bind parameters.

    ``params`` collects the values; pass them with the statement. Aliases name the table
    rows the fragments test (``o`` organizations, ``g`` grids, ``m`` party_members, ``t``
    tickets).
    """

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.params: dict[str, Any] = {f"scope_path_{i}": p for i, p in enumerate(scope.org_paths)}
        self.params["scope_grids"] = list(scope.grid_ids)

    def path(self, alias: str) -> str:
        """The organization row ``alias`` is visible."""
        if not self.scope.org_paths:
            return "FALSE"
        terms = [
            f"{alias}.path <@ CAST(:scope_path_{i} AS ltree)"
            for i in range(len(self.scope.org_paths))
        ]
        return "(" + " OR ".join(terms) + ")"

    def _org_id(self, column: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM organizations so WHERE so.id = {column} AND {self.path('so')})"
        )

    def grid(self, alias: str) -> str:
        """The grid row ``alias`` is visible."""
        terms = []
        if self.scope.org_paths:
            terms.append(self._org_id(f"{alias}.community_id"))
        if self.scope.grid_ids:
            terms.append(f"{alias}.id = ANY(CAST(:scope_grids AS bigint[]))")
        return "(" + " OR ".join(terms) + ")" if terms else "FALSE"

    def ticket(
        self, alias: str = "t", user_param: str | None = None, *, wholesale: bool = False
    ) -> str:
        """The ticket row ``alias`` is visible: its community (its grid's) or its handling
        organization is visible, or its grid is granted, or it is assigned to the caller
        (``:user_param``). ``community_id`` is the grid's community, so testing it stands
        for "the grid is visible" without a join. The one rendering of the rule: the ORM
        reads use it through ``ticket_visible``.

        ``wholesale``: the query reads all the scope's tickets with no narrower index-bound
        condition (statistics without ``under``). Then each row is tested against the
        scope's organizations collected once (IN, a hashed subplan); otherwise a correlated
        EXISTS probes per row. PostgreSQL 15 costs the EXISTS per row either way and so,
        for a wholesale read, chose a date-order index scan over the table (a city's two
        years: 21.5 s, against 9.7 s with IN at S=1); yet where ``under`` already narrows
        the tickets by territory, the same IN made it read the whole table (a street's
        year: 154 ms with EXISTS, 1.1 s with IN). In WHERE only, so IN's NULL reads as
        false."""
        terms = []
        if self.scope.org_paths:
            for column in ("community_id", "handling_org_id"):
                terms.append(
                    f"{alias}.{column} IN (SELECT so.id FROM organizations so "
                    f"WHERE {self.path('so')})"
                    if wholesale
                    else self._org_id(f"{alias}.{column}")
                )
        if self.scope.grid_ids:
            terms.append(f"{alias}.grid_id = ANY(CAST(:scope_grids AS bigint[]))")
        if user_param is not None:
            terms.append(f"{alias}.assignee_user_id = :{user_param}")
        return "(" + " OR ".join(terms) + ")" if terms else "FALSE"

    def member(self, alias: str) -> str:
        """The party member row ``alias`` is visible."""
        terms = []
        if self.scope.org_paths:
            terms.append(self._org_id(f"{alias}.organization_id"))
        if self.scope.grid_ids:
            terms.append(f"{alias}.grid_id = ANY(CAST(:scope_grids AS bigint[]))")
        return "(" + " OR ".join(terms) + ")" if terms else "FALSE"

"""Routes of party members (党员): the five categories, transfers, the mobile ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response, status

from partygrid.api.deps import Cursor, ExpectedVersion, PageSize, ReadUow, Uow
from partygrid.api.errors import problem_responses
from partygrid.api.etag import set_etag
from partygrid.api.pagination import cursor_after_id, next_id_cursor
from partygrid.api.permissions import AUTH_ERRORS, MemberDeparter, MemberReader, MemberWriter
from partygrid.api.routing import PrefixRouter
from partygrid.api.schemas import InputWarning
from partygrid.api.v1.members.schemas import (
    CentralHouseholdSet,
    MemberCreate,
    MemberDetail,
    MemberLeave,
    MemberPage,
    MemberRead,
    MemberRegistered,
    MemberReinstate,
    MemberTransferCreate,
    MemberTransferResult,
    MemberUpdate,
    MobileLedgerCreate,
    MobileLedgerPage,
    MobileLedgerRead,
    TransferPage,
    TransferRead,
)
from partygrid.domain.members.model import MemberCategory, MemberStatus, Transfer
from partygrid.services.members import moves as moves
from partygrid.services.members import use_cases as svc

router = PrefixRouter(prefix="/members", tags=["members"], responses=AUTH_ERRORS)

WRITE_ERRORS = problem_responses(404, 409, 412, 422)


def _detail(response: Response, record: svc.MemberRecord) -> MemberDetail:
    set_etag(response, record.member.version)
    return MemberDetail.with_ledger(record.member, record.ledger)


def _moved(
    response: Response, record: svc.MemberRecord, transfer: Transfer
) -> MemberTransferResult:
    return MemberTransferResult(
        member=_detail(response, record), transfer=TransferRead.of(transfer)
    )


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=MemberRegistered,
    responses=problem_responses(409, 422),
)  # fmt: skip
async def register_member(
    body: MemberCreate, uow: Uow, actor: MemberWriter, response: Response
) -> MemberRegistered:
    """Register a party member; mobile members come with their ledger entry."""
    fields = body.model_dump(exclude={"mobile_ledger"})
    ledger = body.mobile_ledger.to_domain() if body.mobile_ledger else None
    record = await svc.register_member(
        uow, actor=actor, new=svc.NewMember(**fields, mobile_ledger=ledger)
    )
    response.headers["Location"] = f"/api/v1/members/{record.member.id}"
    warnings = [
        InputWarning(code=w.code, field="body.id_number", detail=w.detail) for w in record.warnings
    ]
    return MemberRegistered(**_detail(response, record).model_dump(), warnings=warnings)


@router.get("", response_model=MemberPage, responses=problem_responses(404, 422))
async def list_members(
    uow: ReadUow,
    actor: MemberReader,
    limit: PageSize,
    cursor: Cursor = None,
    under: Annotated[
        int | None, Query(description="Only members of this organization's subtree.")
    ] = None,
    category: MemberCategory | None = None,
    grid_id: int | None = None,
    name_prefix: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Taken literally.")
    ] = None,
    status: Annotated[MemberStatus, Query(description="Members who have left: `left`.")] = (
        MemberStatus.active
    ),
) -> MemberPage:
    """List the party members in your scope by id, filtered by subtree, category, grid,
    name prefix, status."""
    items = await svc.list_members(
        uow, actor=actor, under=under, category=category, grid_id=grid_id, name_prefix=name_prefix,
        status=status, after_id=cursor_after_id(cursor), limit=limit,
    )  # fmt: skip
    last = items[-1].id if items else None
    return MemberPage(
        items=[MemberRead.of(m) for m in items], next_cursor=next_id_cursor(last, len(items), limit)
    )


@router.get("/{member_id}", response_model=MemberDetail, responses=problem_responses(404))
async def get_member(
    member_id: int, uow: ReadUow, actor: MemberReader, response: Response
) -> MemberDetail:
    """One party member, personal data masked, with the current mobile ledger entry."""
    return _detail(response, await svc.get_member(uow, actor=actor, member_id=member_id))


@router.patch("/{member_id}", response_model=MemberDetail, responses=WRITE_ERRORS)
async def update_member(
    member_id: int,
    body: MemberUpdate,
    uow: Uow,
    actor: MemberWriter,
    expected: ExpectedVersion,
    response: Response,
) -> MemberDetail:
    """Edit a member's personal data, category, grid, post or work unit."""
    changes = body.model_dump(exclude_unset=True, exclude={"mobile_ledger"})
    changes = {k: getattr(body, k) for k in changes}  # keep enums as enums
    ledger = body.mobile_ledger.to_domain() if body.mobile_ledger else None
    record = await svc.update_member(
        uow, actor=actor, member_id=member_id, changes=changes, mobile_ledger=ledger,
        expected_version=expected,
    )  # fmt: skip
    return _detail(response, record)


@router.post("/{member_id}/transfer", response_model=MemberTransferResult, responses=WRITE_ERRORS)
async def transfer_member(
    member_id: int,
    body: MemberTransferCreate,
    uow: Uow,
    actor: MemberWriter,
    expected: ExpectedVersion,
    response: Response,
) -> MemberTransferResult:
    """Transfer the organisational relationship (组织关系转接) within your scope; the
    history keeps every move."""
    record, transfer = await moves.transfer_member(
        uow, actor=actor, member_id=member_id, to_organization_id=body.to_organization_id,
        effective_on=body.effective_on, reason=body.reason, expected_version=expected,
    )  # fmt: skip
    return _moved(response, record, transfer)


@router.get("/{member_id}/transfers", response_model=TransferPage, responses=problem_responses(404))
async def member_transfers(
    member_id: int, uow: ReadUow, actor: MemberReader, limit: PageSize, cursor: Cursor = None
) -> TransferPage:
    """The member's transfers, oldest first; leaving the Party is the last one."""
    items = await moves.member_transfers(
        uow, actor=actor, member_id=member_id, after_id=cursor_after_id(cursor), limit=limit
    )
    last = items[-1].id if items else None
    return TransferPage(
        items=[TransferRead.of(t) for t in items],
        next_cursor=next_id_cursor(last, len(items), limit),
    )


@router.put("/{member_id}/central-household", response_model=MemberDetail, responses=WRITE_ERRORS)
async def set_central_household(
    member_id: int,
    body: CentralHouseholdSet,
    uow: Uow,
    actor: MemberWriter,
    expected: ExpectedVersion,
    response: Response,
) -> MemberDetail:
    """Make the member the central household (党员中心户) of a building group."""
    record = await moves.set_central_household(
        uow, actor=actor, member_id=member_id, group_id=body.group_id, expected_version=expected
    )
    return _detail(response, record)


@router.delete(
    "/{member_id}/central-household", response_model=MemberDetail, responses=WRITE_ERRORS
)
async def clear_central_household(
    member_id: int, uow: Uow, actor: MemberWriter, expected: ExpectedVersion, response: Response
) -> MemberDetail:
    """The member stops being a central household."""
    record = await moves.clear_central_household(
        uow, actor=actor, member_id=member_id, expected_version=expected
    )
    return _detail(response, record)


@router.post(
    "/{member_id}/mobile-ledger", status_code=status.HTTP_201_CREATED,
    response_model=MemberDetail, responses=WRITE_ERRORS,
)  # fmt: skip
async def record_mobile_entry(
    member_id: int,
    body: MobileLedgerCreate,
    uow: Uow,
    actor: MemberWriter,
    expected: ExpectedVersion,
    response: Response,
) -> MemberDetail:
    """Record a mobile member's new ledger entry; the previous one ends that day."""
    record = await moves.record_mobile_entry(
        uow, actor=actor, member_id=member_id, entry=body.to_domain(), expected_version=expected
    )
    return _detail(response, record)


@router.get(
    "/{member_id}/mobile-ledger", response_model=MobileLedgerPage,
    responses=problem_responses(404),
)  # fmt: skip
async def mobile_ledger_history(
    member_id: int, uow: ReadUow, actor: MemberReader, limit: PageSize, cursor: Cursor = None
) -> MobileLedgerPage:
    """Every mobile ledger entry of the member, oldest first."""
    items = await moves.mobile_ledger_history(
        uow, actor=actor, member_id=member_id, after_id=cursor_after_id(cursor), limit=limit
    )
    last = items[-1].id if items else None
    return MobileLedgerPage(
        items=[MobileLedgerRead.of(e) for e in items],
        next_cursor=next_id_cursor(last, len(items), limit),
    )


@router.post("/{member_id}/leave", response_model=MemberTransferResult, responses=WRITE_ERRORS)
async def leave_member(
    member_id: int,
    body: MemberLeave,
    uow: Uow,
    actor: MemberDeparter,
    expected: ExpectedVersion,
    response: Response,
) -> MemberTransferResult:
    """Mark the member as left (出党, 去世...), an admin's act; nothing is deleted."""
    record, transfer = await svc.leave_member(
        uow, actor=actor, member_id=member_id, reason=body.reason, note=body.note,
        left_on=body.left_on, expected_version=expected,
    )  # fmt: skip
    return _moved(response, record, transfer)


@router.post("/{member_id}/reinstate", response_model=MemberTransferResult, responses=WRITE_ERRORS)
async def reinstate_member(
    member_id: int,
    body: MemberReinstate,
    uow: Uow,
    actor: MemberDeparter,
    expected: ExpectedVersion,
    response: Response,
) -> MemberTransferResult:
    """Correct a departure recorded by mistake: the member is active again; the history
    keeps both."""
    record, transfer = await svc.reinstate_member(
        uow, actor=actor, member_id=member_id, reason=body.reason,
        organization_id=body.organization_id, expected_version=expected,
    )  # fmt: skip
    return _moved(response, record, transfer)

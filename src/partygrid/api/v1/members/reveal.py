"""Personal data in clear, one member at a time, for a stated reason (个人信息查看)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response

from partygrid.api.deps import Uow
from partygrid.api.errors import problem_responses
from partygrid.api.routing import PrefixRouter
from partygrid.api.security import require
from partygrid.api.v1.members.schemas import MemberRevealRead, MemberRevealRequest
from partygrid.domain.access import Actor, Permission
from partygrid.services.members.reveal import reveal_member_data

router = PrefixRouter(prefix="/members", tags=["members"])

MemberRevealer = Annotated[Actor, Depends(require(Permission.member_reveal))]


@router.post(
    "/{member_id}/reveal", response_model=MemberRevealRead, response_model_exclude_unset=True,
    responses=problem_responses(401, 403, 404, 422),
)  # fmt: skip
async def reveal_member_personal_data(
    member_id: int,
    body: MemberRevealRequest,
    uow: Uow,
    actor: MemberRevealer,
    response: Response,
) -> MemberRevealRead:
    """Show a member's ID number, phone or address in clear; the reason and the fields
    shown (never the values) go to the audit trail. Not cacheable anywhere."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    revealed = await reveal_member_data(
        uow, actor=actor, member_id=member_id, fields=body.fields, reason=body.reason
    )
    return MemberRevealRead.of(revealed)

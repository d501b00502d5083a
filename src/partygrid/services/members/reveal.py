"""Revealing a member's personal data in clear: scoped, for a stated reason, audited.

The audit record names the fields shown and the reason, never the values; a number typed
into the reason is masked before it is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from partygrid.domain.access import Actor
from partygrid.domain.errors import InvalidValue
from partygrid.domain.personal_data import PersonalField, redact_personal_data
from partygrid.repo.uow import UnitOfWork
from partygrid.services.members.use_cases import require_member

REASON_MIN, REASON_MAX = 10, 500


@dataclass(frozen=True, slots=True)
class Revealed:
    member_id: int
    values: dict[PersonalField, str | None]  # the requested fields, in request order


def _clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidValue(
            f"state the reason in {REASON_MIN} to {REASON_MAX} characters", field="body.reason"
        )
    return redact_personal_data(reason)


async def reveal_member_data(
    uow: UnitOfWork,
    *,
    actor: Actor,
    member_id: int,
    fields: Iterable[PersonalField],
    reason: str,
) -> Revealed:
    """The requested fields in clear; a member outside the actor's scope is not found."""
    wanted = list(dict.fromkeys(PersonalField(f) for f in fields))
    if not wanted:
        raise InvalidValue("name at least one field to reveal", field="body.fields")
    reason = _clean_reason(reason)
    async with uow:
        member = await require_member(uow, member_id, actor=actor)
        uow.audit.record(
            actor, "member.reveal", "party_member", member.id, reason=reason,
            after={"revealed_fields": [f.value for f in wanted]},
        )  # fmt: skip
        await uow.commit()  # no record, no disclosure
        return Revealed(member.id, {f: getattr(member, f.value) for f in wanted})

"""Schemas of the reveal endpoint: which personal data, why, and the values shown."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from partygrid.api.schemas.common import RequestModel, ResponseModel
from partygrid.domain.personal_data import PersonalField
from partygrid.services.reveal import REASON_MAX, REASON_MIN, Revealed


class MemberRevealRequest(RequestModel):
    fields: list[PersonalField] = Field(
        min_length=1, max_length=len(PersonalField),
        description="The personal data to show in clear; ask only for what the task needs.",
    )  # fmt: skip
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=REASON_MIN, max_length=REASON_MAX)
    ] = Field(
        description="Why the clear values are needed (kept on the audit trail).",
        examples=["核实流动党员组织关系转接材料中的身份证号码"],
    )

    @field_validator("fields")
    @classmethod
    def _each_once(cls, value: list[PersonalField]) -> list[PersonalField]:
        if len(set(value)) != len(value):
            raise ValueError("name each field once")
        return value


class MemberRevealRead(ResponseModel):
    """Only the requested fields are present; null means the member has none."""

    member_id: int
    id_number: str | None = Field(default=None, examples=["11010519491231002X"])
    phone: str | None = Field(default=None, examples=["13812345678"])
    address: str | None = None

    @classmethod
    def of(cls, revealed: Revealed) -> MemberRevealRead:
        return cls(member_id=revealed.member_id, **{f.value: v for f, v in revealed.values.items()})

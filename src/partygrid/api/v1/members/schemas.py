"""Schemas of party members. Personal data leaves only masked: ID number, phone, address."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from partygrid.api.schemas import InputWarning, Note, Page, RequestModel, ResponseModel
from partygrid.domain.contact import mask_phone
from partygrid.domain.identity import Gender, business_today, mask_id_number
from partygrid.domain.members.model import (
    LeaveReason,
    ManagementMode,
    MemberCategory,
    MemberStatus,
    MobileDirection,
    MobileLedgerEntry,
    PartyMember,
    Transfer,
    mask_address,
)
from partygrid.domain.personal_data import PersonalField
from partygrid.services.members.reveal import REASON_MAX, REASON_MIN, Revealed

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PhoneIn = Annotated[str, StringConstraints(max_length=40)]
Place = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class MobileLedgerCreate(RequestModel):
    """One period of a mobile member (流动党员台账)."""

    direction: MobileDirection
    since: date
    origin_organization_id: int | None = Field(default=None, description="Inflow: needs this…")
    origin_place: Place | None = Field(default=None, description="…or this.")
    destination_organization_id: int | None = Field(default=None, description="Outflow: this…")
    destination_place: Place | None = Field(default=None, description="…or this.")
    occupation: Annotated[str, StringConstraints(max_length=100)] | None = None
    contact_phone: PhoneIn | None = None
    expected_return_on: date | None = Field(default=None, description="Not before `since`.")
    certificate_no: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="流动党员活动证 number."
    )

    def to_domain(self) -> MobileLedgerEntry:
        return MobileLedgerEntry(**self.model_dump())


class MemberCreate(RequestModel):
    name: PersonName = Field(examples=["张丽华"])
    id_number: str = Field(
        min_length=1,
        max_length=40,
        description="居民身份证号 (GB 11643): party membership needs PRC nationality, so "
        "residence permits (81/82/83...) and foreigners' permanent residence IDs (9...) are "
        "refused (check `population`). Full-width digits and a lowercase x are accepted. An "
        "unknown county code only warns. Never returned unmasked.",
    )
    category: MemberCategory
    organization_id: int = Field(description="The branch holding the organisational relationship.")
    phone: PhoneIn | None = None
    address: Address | None = None
    grid_id: int | None = None
    joined_party_on: date | None = None
    work_unit: Place | None = None
    post: Place | None = Field(default=None, description="设岗定责: the post given to the member.")
    mobile_ledger: MobileLedgerCreate | None = Field(
        default=None, description="Required exactly when category is mobile."
    )
    gender: Gender | None = Field(
        default=None,
        description="As stated on the form, optional: the gender the ID number encodes is "
        "kept, and a disagreement comes back as a warning.",
    )


class MemberUpdate(RequestModel):
    """Omitted fields stay; null clears an optional field. The organization changes only
    by a transfer and the ID number never."""

    name: PersonName | None = None
    phone: PhoneIn | None = None
    address: Address | None = None
    category: MemberCategory | None = None
    grid_id: int | None = None
    joined_party_on: date | None = None
    work_unit: Place | None = None
    post: Place | None = None
    mobile_ledger: MobileLedgerCreate | None = Field(
        default=None, description="Required when the category becomes mobile."
    )

    @field_validator("name", "category")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for fields the client sent: these may be changed, not cleared.
        if value is None:
            raise ValueError("cannot be null")
        return value


class MemberTransferCreate(RequestModel):
    to_organization_id: int
    effective_on: date | None = Field(default=None, description="Defaults to today.")
    reason: Note | None = None


class CentralHouseholdSet(RequestModel):
    group_id: int = Field(description="A building group (楼院党小组) in the member's community.")


class MemberLeave(RequestModel):
    reason: LeaveReason
    note: Note | None = None
    left_on: date | None = Field(default=None, description="Defaults to today.")


class MemberReinstate(RequestModel):
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)
    ] = Field(
        description="Why the departure was a mistake (kept in the history and on the audit trail).",
        examples=["误将同名党员登记为去世，经核对户籍信息予以更正"],
    )
    organization_id: int | None = Field(
        default=None, description="Defaults to the organization the member left from."
    )


class MobileLedgerRead(ResponseModel):
    id: int
    direction: MobileDirection
    since: date
    origin_organization_id: int | None
    origin_place: str | None
    destination_organization_id: int | None
    destination_place: str | None
    occupation: str | None
    contact_phone_masked: str | None
    expected_return_on: date | None
    certificate_no: str | None
    ended_on: date | None
    recorded_at: datetime | None

    @classmethod
    def of(cls, e: MobileLedgerEntry) -> MobileLedgerRead:
        return cls(
            id=e.id, direction=e.direction, since=e.since,
            origin_organization_id=e.origin_organization_id, origin_place=e.origin_place,
            destination_organization_id=e.destination_organization_id,
            destination_place=e.destination_place, occupation=e.occupation,
            contact_phone_masked=mask_phone(e.contact_phone),
            expected_return_on=e.expected_return_on, certificate_no=e.certificate_no,
            ended_on=e.ended_on, recorded_at=e.recorded_at,
        )  # fmt: skip


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class MemberRead(ResponseModel):
    id: int
    name: str
    gender: Gender | None
    # The birth date is not returned: with the masked ID number it would rebuild the
    # whole number (the mask hides exactly the eight birth-date digits).
    birth_year: int
    age: int
    id_number_masked: str = Field(examples=["110105********002X"])
    phone_masked: str | None = Field(examples=["138****1234"])
    address_masked: str | None = Field(description="The first six characters, then ****.")
    category: MemberCategory
    management_mode: ManagementMode = Field(description="Derived from the category (五管).")
    organization_id: int | None
    grid_id: int | None
    joined_party_on: date | None
    work_unit: str | None
    post: str | None
    central_household_group_id: int | None
    is_central_household: bool
    status: MemberStatus
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, m: PartyMember) -> MemberRead:
        return cls(**_member_fields(m))


def _member_fields(m: PartyMember) -> dict[str, object]:
    return {
        "id": m.id, "name": m.name, "gender": m.gender, "birth_year": m.birth_date.year,
        "age": _age(m.birth_date, business_today()),
        "id_number_masked": mask_id_number(m.id_number), "phone_masked": mask_phone(m.phone),
        "address_masked": mask_address(m.address), "category": m.category,
        "management_mode": m.management_mode, "organization_id": m.organization_id,
        "grid_id": m.grid_id, "joined_party_on": m.joined_party_on, "work_unit": m.work_unit,
        "post": m.post, "central_household_group_id": m.central_household_group_id,
        "is_central_household": m.is_central_household, "status": m.status,
        "version": m.version, "created_at": m.created_at, "updated_at": m.updated_at,
    }  # fmt: skip


class MemberDetail(MemberRead):
    mobile_ledger: MobileLedgerRead | None = Field(description="The current entry (mobile only).")

    @classmethod
    def with_ledger(cls, m: PartyMember, ledger: MobileLedgerEntry | None) -> MemberDetail:
        return cls(
            **_member_fields(m), mobile_ledger=MobileLedgerRead.of(ledger) if ledger else None
        )


class MemberRegistered(MemberDetail):
    warnings: list[InputWarning] = Field(
        description="Soft checks that failed (an unknown county code, a stated gender the ID "
        "number disagrees with...): the member is registered; check these against the card."
    )


class MemberPage(Page[MemberRead]):
    pass


class TransferRead(ResponseModel):
    id: int
    kind: Literal["transfer", "left", "reinstated"] = Field(
        description="`left`: 出党/去世, to no organization; `reinstated`: a wrong departure "
        "corrected, from no organization."
    )
    from_organization_id: int | None
    to_organization_id: int | None
    effective_on: date
    reason: str | None
    at: datetime | None

    @classmethod
    def of(cls, t: Transfer) -> TransferRead:
        return cls(
            id=t.id, kind=_kind(t),
            from_organization_id=t.from_organization_id, to_organization_id=t.to_organization_id,
            effective_on=t.effective_on, reason=t.reason, at=t.at,
        )  # fmt: skip


def _kind(t: Transfer) -> Literal["transfer", "left", "reinstated"]:
    if t.to_organization_id is None:
        return "left"
    return "reinstated" if t.from_organization_id is None else "transfer"


class TransferPage(Page[TransferRead]):
    pass


class MobileLedgerPage(Page[MobileLedgerRead]):
    pass


class MemberTransferResult(ResponseModel):
    member: MemberDetail
    transfer: TransferRead


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

"""Party member repository: members, their transfer history and the mobile ledger."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Select, bindparam, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from partygrid.domain.access import Scope
from partygrid.domain.identity import Gender
from partygrid.domain.members.model import (
    MemberCategory,
    MemberStatus,
    MobileDirection,
    MobileLedgerEntry,
    PartyMember,
    Transfer,
)
from partygrid.repo.fast_reads import ConnectionLender, FastRead, FastRow, Reader, lends_none
from partygrid.repo.keyring import Keyring
from partygrid.repo.repository import SqlRepository, page_by_id
from partygrid.repo.scoping import in_subtree, member_id_visible, member_visible
from partygrid.repo.sealing import (
    ID_NUMBER,
    LEDGER_PHONE,
    MEMBER_ADDRESS,
    MEMBER_PHONE,
    id_number_index,
    seal,
    unseal,
)
from partygrid.repo.tables import (
    MemberTransferRow,
    MobileLedgerRow,
    OrganizationRow,
    PartyMemberRow,
)

M = PartyMemberRow
T = MemberTransferRow
L = MobileLedgerRow

# Columns a use case may change through ``update_fields``; id_number and birth data never.
_UPDATABLE = frozenset(
    {
        "name", "phone", "address", "category", "grid_id", "joined_party_on", "work_unit",
        "post", "organization_id", "central_household_group_id", "status",
    }
)  # fmt: skip


def _to_domain(row: PartyMemberRow | FastRow, keyring: Keyring) -> PartyMember:
    return PartyMember(
        id=row.id,
        name=row.name,
        id_number=keyring.decrypt(row.id_number_enc, ID_NUMBER),
        birth_date=row.birth_date,
        gender=Gender(row.gender) if row.gender else None,
        category=MemberCategory(row.category),
        organization_id=row.organization_id,
        status=MemberStatus(row.status),
        grid_id=row.grid_id,
        phone=unseal(keyring, row.phone_enc, MEMBER_PHONE),
        address=unseal(keyring, row.address_enc, MEMBER_ADDRESS),
        joined_party_on=row.joined_party_on,
        work_unit=row.work_unit,
        post=row.post,
        central_household_group_id=row.central_household_group_id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _transfer(row: MemberTransferRow) -> Transfer:
    return Transfer(
        id=row.id,
        member_id=row.member_id,
        from_organization_id=row.from_organization_id,
        to_organization_id=row.to_organization_id,
        effective_on=row.effective_on,
        reason=row.reason,
        at=row.at,
    )


def _ledger(row: MobileLedgerRow | FastRow, keyring: Keyring) -> MobileLedgerEntry:
    return MobileLedgerEntry(
        id=row.id,
        member_id=row.member_id,
        direction=MobileDirection(row.direction),
        since=row.since,
        origin_organization_id=row.origin_organization_id,
        origin_place=row.origin_place,
        destination_organization_id=row.destination_organization_id,
        destination_place=row.destination_place,
        occupation=row.occupation,
        contact_phone=unseal(keyring, row.contact_phone_enc, LEDGER_PHONE),
        expected_return_on=row.expected_return_on,
        certificate_no=row.certificate_no,
        ended_on=row.ended_on,
        recorded_at=row.recorded_at,
    )


def _sealed_values(keyring: Keyring, values: dict[str, Any]) -> dict[str, Any]:
    """Domain field names of ``update_fields`` to the stored (sealed) columns."""
    out = dict(values)
    if "phone" in out:
        out["phone_enc"] = seal(keyring, out.pop("phone"), MEMBER_PHONE)
    if "address" in out:
        out["address_enc"] = seal(keyring, out.pop("address"), MEMBER_ADDRESS)
    return out


def name_prefix_pattern(prefix: str) -> str:
    """A LIKE pattern matching names that start with ``prefix`` taken literally.

    Backslash is LIKE's default escape character, so the pattern stays a plain constant
    and the text_pattern_ops index can serve it.
    """
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _member_by_id(scope: Scope) -> Select[Any]:
    """The member ``member_id``, if the scope sees them."""
    member_id = bindparam("member_id", type_=BigInteger, required=False)
    return select(M.__table__).where(M.id == member_id, member_visible(scope))


def _current_ledger(scope: Scope) -> Select[Any]:
    """The current mobile ledger entry of the member ``member_id``, if the scope sees them."""
    member_id = bindparam("member_id", type_=BigInteger, required=False)
    return select(L.__table__).where(
        L.member_id == member_id, L.ended_on.is_(None), member_id_visible(L.member_id, scope)
    )


MEMBER_BY_ID = FastRead("members.by_id", _member_by_id)
CURRENT_LEDGER_ENTRY = FastRead("members.current_ledger_entry", _current_ledger)


class SqlMemberRepository(SqlRepository):
    def __init__(
        self, session: AsyncSession, keyring: Keyring, fast_reads: ConnectionLender = lends_none
    ) -> None:
        super().__init__(session)
        self.keyring = keyring
        self.reader = Reader(session, fast_reads)

    async def add(self, member: PartyMember) -> PartyMember:
        row = M(
            name=member.name,
            gender=member.gender.value if member.gender else None,
            id_number_enc=self.keyring.encrypt(member.id_number, ID_NUMBER),
            id_number_hmac=id_number_index(self.keyring, member.id_number),
            birth_date=member.birth_date,
            phone_enc=seal(self.keyring, member.phone, MEMBER_PHONE),
            address_enc=seal(self.keyring, member.address, MEMBER_ADDRESS),
            category=member.category.value,
            organization_id=member.organization_id,
            grid_id=member.grid_id,
            joined_party_on=member.joined_party_on,
            work_unit=member.work_unit,
            post=member.post,
        )
        self.session.add(row)
        await self._flush()
        await self.session.refresh(row)
        return _to_domain(row, self.keyring)

    async def get(
        self, member_id: int, *, scope: Scope, for_update: bool = False
    ) -> PartyMember | None:
        """The member if they exist and the scope sees them."""
        if for_update:  # a lock belongs to the session's transaction
            stmt = MEMBER_BY_ID.statement(scope).with_for_update()
            row = (await self.session.execute(stmt, {"member_id": member_id})).one_or_none()
        else:
            row = await MEMBER_BY_ID.first(self.reader, scope, member_id=member_id)
        return _to_domain(row, self.keyring) if row else None

    async def id_number_holder(self, id_number: str, *, scope: Scope) -> tuple[int, bool] | None:
        """The member holding this ID number anywhere in the deployment, and whether the
        scope sees them; None when nobody does."""
        index = id_number_index(self.keyring, id_number)
        stmt = select(M.id, member_visible(scope)).where(M.id_number_hmac == index)
        row = (await self.session.execute(stmt)).first()
        return (row[0], bool(row[1])) if row else None

    async def exists_id_number(self, id_number: str) -> bool:
        index = id_number_index(self.keyring, id_number)
        stmt = select(exists().where(M.id_number_hmac == index))
        return bool((await self.session.execute(stmt)).scalar_one())

    async def update_fields(self, member_id: int, **values: Any) -> PartyMember:
        """Change the given columns (none: just bump the version) and return the new row."""
        unknown = set(values) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        values = _sealed_values(self.keyring, values)
        stmt = (
            update(M)
            .where(M.id == member_id)
            .values(**values, version=M.version + 1, updated_at=func.now())
            .returning(M)
        )
        row = (await self._write(stmt)).scalar_one()
        return _to_domain(row, self.keyring)

    async def list_members(
        self,
        *,
        scope: Scope,
        root_path: str | None,
        category: MemberCategory | None,
        grid_id: int | None,
        name_prefix: str | None,
        status: MemberStatus | None,
        after_id: int | None,
        limit: int,
    ) -> list[PartyMember]:
        """One keyset page of visible members ordered by id; ``limit`` is bounded by the
        caller."""
        stmt = page_by_id(select(M).where(member_visible(scope)), M.id, after_id=after_id,
                          limit=limit)  # fmt: skip
        if root_path is not None:
            stmt = stmt.join(OrganizationRow, OrganizationRow.id == M.organization_id).where(
                in_subtree(root_path)
            )
        if category is not None:
            stmt = stmt.where(M.category == category.value)
        if grid_id is not None:
            stmt = stmt.where(M.grid_id == grid_id)
        if name_prefix:
            stmt = stmt.where(M.name.like(name_prefix_pattern(name_prefix)))
        if status is not None:
            stmt = stmt.where(M.status == status.value)
        return [_to_domain(r, self.keyring) for r in (await self.session.execute(stmt)).scalars()]

    # --- transfers of organisational relationship (append-only) ---

    async def add_transfer(self, transfer: Transfer) -> Transfer:
        row = T(
            member_id=transfer.member_id,
            from_organization_id=transfer.from_organization_id,
            to_organization_id=transfer.to_organization_id,
            effective_on=transfer.effective_on,
            reason=transfer.reason,
        )
        self.session.add(row)
        await self._flush()
        await self.session.refresh(row)
        return _transfer(row)

    async def last_transfer_on(self, member_id: int) -> date | None:
        stmt = select(func.max(T.effective_on)).where(T.member_id == member_id)
        return (await self.session.execute(stmt)).scalar_one()

    async def transfers(
        self, member_id: int, *, scope: Scope, after_id: int | None, limit: int
    ) -> list[Transfer]:
        stmt = page_by_id(
            select(T).where(T.member_id == member_id, member_id_visible(T.member_id, scope)),
            T.id, after_id=after_id, limit=limit,
        )  # fmt: skip
        return [_transfer(r) for r in (await self.session.execute(stmt)).scalars()]

    # --- mobile ledger (one current entry; ended entries are history) ---

    async def current_ledger_entry(
        self, member_id: int, *, scope: Scope
    ) -> MobileLedgerEntry | None:
        row = await CURRENT_LEDGER_ENTRY.first(self.reader, scope, member_id=member_id)
        return _ledger(row, self.keyring) if row else None

    async def add_ledger_entry(self, member_id: int, entry: MobileLedgerEntry) -> MobileLedgerEntry:
        row = L(
            member_id=member_id,
            direction=entry.direction.value,
            since=entry.since,
            origin_organization_id=entry.origin_organization_id,
            origin_place=entry.origin_place,
            destination_organization_id=entry.destination_organization_id,
            destination_place=entry.destination_place,
            occupation=entry.occupation,
            contact_phone_enc=seal(self.keyring, entry.contact_phone, LEDGER_PHONE),
            expected_return_on=entry.expected_return_on,
            certificate_no=entry.certificate_no,
        )
        self.session.add(row)
        await self._flush()
        await self.session.refresh(row)
        return _ledger(row, self.keyring)

    async def end_ledger_entry(self, entry_id: int, ended_on: date) -> None:
        await self.session.execute(update(L).where(L.id == entry_id).values(ended_on=ended_on))

    async def reopen_last_ledger_entry(self, member_id: int) -> None:
        """Make the member's latest ledger entry current again (a departure that ended it
        was a mistake)."""
        latest = select(func.max(L.id)).where(L.member_id == member_id).scalar_subquery()
        await self.session.execute(update(L).where(L.id == latest).values(ended_on=None))

    async def ledger_history(
        self, member_id: int, *, scope: Scope, after_id: int | None, limit: int
    ) -> list[MobileLedgerEntry]:
        stmt = page_by_id(
            select(L).where(L.member_id == member_id, member_id_visible(L.member_id, scope)),
            L.id, after_id=after_id, limit=limit,
        )  # fmt: skip
        return [_ledger(r, self.keyring) for r in (await self.session.execute(stmt)).scalars()]

"""What the audit trail records of a member, their ledger entry and a transfer.

Plain dicts of the business fields; ``uow.audit.record`` masks personal data in them
(ID numbers, phones, contact phones) and redacts addresses before anything is written.
"""

from __future__ import annotations

from typing import Any

from partygrid.domain.members.model import MobileLedgerEntry, PartyMember, Transfer


def member(m: PartyMember) -> dict[str, Any]:
    return {
        "name": m.name,
        "id_number": m.id_number,
        "phone": m.phone,
        "address": m.address,
        "category": m.category.value,
        "organization_id": m.organization_id,
        "grid_id": m.grid_id,
        "status": m.status.value,
        "joined_party_on": m.joined_party_on,
        "work_unit": m.work_unit,
        "post": m.post,
        "central_household_group_id": m.central_household_group_id,
        "version": m.version,
    }


def ledger_entry(e: MobileLedgerEntry | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "id": e.id,
        "direction": e.direction.value,
        "since": e.since,
        "origin_organization_id": e.origin_organization_id,
        "origin_place": e.origin_place,
        "destination_organization_id": e.destination_organization_id,
        "destination_place": e.destination_place,
        "occupation": e.occupation,
        "contact_phone": e.contact_phone,
        "expected_return_on": e.expected_return_on,
        "certificate_no": e.certificate_no,
        "ended_on": e.ended_on,
    }


def transfer(t: Transfer) -> dict[str, Any]:
    return {
        "id": t.id,
        "from_organization_id": t.from_organization_id,
        "to_organization_id": t.to_organization_id,
        "effective_on": t.effective_on,
        "reason": t.reason,
    }

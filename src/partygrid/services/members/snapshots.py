"""What the audit trail records of each resource before and after a change.

Plain dicts of the business fields; ``uow.audit.record`` masks personal data in them
(ID numbers, phones, contact phones) and redacts addresses before anything is written.
"""

from __future__ import annotations

from typing import Any

from partygrid.domain.audit.events import changed_fields
from partygrid.domain.grids.model import Grid, StaffAssignment
from partygrid.domain.members.model import MobileLedgerEntry, PartyMember, Transfer
from partygrid.domain.organizations.model import Organization


def organization(org: Organization) -> dict[str, Any]:
    return {
        "kind": org.kind.value,
        "name": org.name,
        "code": org.code,
        "parent_id": org.parent_id,
        "path": org.path,
        "status": org.status.value,
        "description": org.description,
        "version": org.version,
    }


def grid(g: Grid) -> dict[str, Any]:
    # The polygon itself can be large; area and centroid say whether it moved.
    return {
        "name": g.name,
        "code": g.code,
        "kind": g.kind.value,
        "community_id": g.community_id,
        "serving_branch_id": g.serving_branch_id,
        "status": g.status.value,
        "area_m2": round(g.area_m2, 1),
        "centroid": [round(g.centroid_lon, 6), round(g.centroid_lat, 6)],
        "version": g.version,
    }


def assignment(a: StaffAssignment) -> dict[str, Any]:
    return {
        "grid_id": a.grid_id,
        "role": a.role.value,
        "person_name": a.person_name,
        "member_id": a.member_id,
        "phone": a.phone,
        "department": a.department,
        "affiliation": a.affiliation,
        "duties": a.duties,
        "started_on": a.started_on,
        "ended_on": a.ended_on,
        "end_reason": a.end_reason,
        "version": a.version,
    }


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


changes = changed_fields  # the sites that add context to ``after`` diff first

"""Database constraint violations turned into domain errors by constraint name."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from partygrid.domain.errors import Conflict, DomainError, RuleViolation

# Constraint name -> (error class, message). Names come from the naming convention.
_KNOWN: dict[str, tuple[type[DomainError], str]] = {
    "uq_party_members_id_number_hmac": (
        Conflict,
        "a party member with this ID number already exists",
    ),
    "uq_organizations_code": (Conflict, "an organization with this code already exists"),
    "uq_grids_code": (Conflict, "a grid with this code already exists"),
    "uq_grid_staff_assignments_one_leader": (
        Conflict,
        "this grid already has a current grid leader; end that assignment first",
    ),
    "uq_mobile_ledger_entries_current": (
        Conflict,
        "this member already has a current mobile ledger entry",
    ),
}


# What clients have always been told, whatever the index is called now: the ID number is
# unique through its keyed HMAC since the encryption migration (0003).
_PUBLIC_NAMES = {"uq_party_members_id_number_hmac": "uq_party_members_id_number"}


def translate_integrity_error(exc: IntegrityError) -> DomainError:
    """Name the broken constraint without echoing the offending values (they may be PII)."""
    name = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None) or getattr(
        exc.orig, "constraint_name", None
    )
    if name in _KNOWN:
        cls, message = _KNOWN[name]
        return cls(message, constraint=_PUBLIC_NAMES.get(name, name))
    if name and name.startswith("fk_"):
        return RuleViolation("a referenced record does not exist", rule=name)
    if name and name.startswith("ck_"):
        return RuleViolation(f"value breaks the rule {name}", rule=name)
    return Conflict("the change conflicts with existing data", constraint=name)

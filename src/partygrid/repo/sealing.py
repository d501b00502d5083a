"""Personal data sealed at the repository boundary: which columns hold it, under which
context, and the keyed index that finds a member by ID number without storing it.

Domain objects carry clear values; only the conversion functions of the repositories
call ``seal``/``unseal``. The context names a column (``table.field``) and is bound to
the ciphertext as associated data, so a blob copied into another column will not open.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from partygrid.repo.keyring import Keyring

ID_NUMBER = "party_members.id_number"
MEMBER_PHONE = "party_members.phone"
MEMBER_ADDRESS = "party_members.address"
STAFF_PHONE = "grid_staff_assignments.phone"
LEDGER_PHONE = "mobile_ledger_entries.contact_phone"
API_CLIENT_SECRET = "api_clients.secret"
TOTP_SECRET = "users.totp_secret"
REQUESTER_NAME = "tickets.requester_name"
REQUESTER_PHONE = "tickets.requester_phone"


@dataclass(frozen=True, slots=True)
class SealedColumn:
    """A bytea column of AES-GCM blobs; every table listed has a bigint ``id`` key."""

    table: str
    column: str
    context: str

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


# Every column the keyring seals; key rotation walks exactly these. A writer of a new
# sealed column adds it here, with the context it encrypts under.
SEALED_COLUMNS: tuple[SealedColumn, ...] = (
    SealedColumn("party_members", "id_number_enc", ID_NUMBER),
    SealedColumn("party_members", "phone_enc", MEMBER_PHONE),
    SealedColumn("party_members", "address_enc", MEMBER_ADDRESS),
    SealedColumn("grid_staff_assignments", "phone_enc", STAFF_PHONE),
    SealedColumn("mobile_ledger_entries", "contact_phone_enc", LEDGER_PHONE),
    SealedColumn("api_clients", "secret_enc", API_CLIENT_SECRET),
    SealedColumn("users", "totp_secret_enc", TOTP_SECRET),
    SealedColumn("tickets", "requester_name_enc", REQUESTER_NAME),
    SealedColumn("tickets", "requester_phone_enc", REQUESTER_PHONE),
)


def seal(keyring: Keyring, value: str | None, context: str) -> bytes | None:
    return None if value is None else keyring.encrypt(value, context)


def unseal(keyring: Keyring, blob: bytes | None, context: str) -> str | None:
    return None if blob is None else keyring.decrypt(bytes(blob), context)


def canonical_id_number(number: str) -> str:
    """The spelling the index is computed on: what ``normalize_id_number`` makes of a
    valid number (NFKC, no spaces, upper case), without its validation."""
    return "".join(unicodedata.normalize("NFKC", number).split()).upper()


def id_number_index(keyring: Keyring, number: str) -> bytes:
    """Keyed HMAC of the canonical ID number: equal numbers, equal index; without the
    index key the ~10^8 plausible numbers cannot be tried against it."""
    return keyring.lookup_index(canonical_id_number(number), ID_NUMBER)

"""encrypt personal data

Revision ID: 0003
Revises: 0002

ID numbers, phones and addresses move from clear-text columns to AES-256-GCM blobs
(``*_enc``, sealed by the keyring from PartyGrid's settings, never stored in the
database), and the ID number's uniqueness moves to a keyed HMAC (``id_number_hmac``).
Existing rows are converted in batches without loss; the downgrade opens them again.

Dropping a column only hides it, so each converted table is rewritten (CLUSTER, then
the clustering mark is removed) to leave no clear value in its live data files. Older
WAL segments, replicas' histories and backups taken before this migration still hold
the clear values: rotate them out as the deployment's retention rules allow.

Create Date: 2026-11-22 09:00:00.000000+00:00
"""

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op

from partygrid.repo.keyring import Keyring

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH_ROWS = 5_000


@dataclass(frozen=True)
class _Field:
    table: str
    clear: str  # the Foundation column
    sealed: str  # its replacement
    context: str  # associated data: frozen here, whatever the code calls it later
    clear_type: sa.types.TypeEngine
    nullable: bool = True


FIELDS = (
    _Field("party_members", "id_number", "id_number_enc", "party_members.id_number",
           sa.String(length=18), nullable=False),
    _Field("party_members", "phone", "phone_enc", "party_members.phone", sa.String(length=32)),
    _Field("party_members", "address", "address_enc", "party_members.address", sa.Text()),
    _Field("grid_staff_assignments", "phone", "phone_enc", "grid_staff_assignments.phone",
           sa.String(length=32)),
    _Field("mobile_ledger_entries", "contact_phone", "contact_phone_enc",
           "mobile_ledger_entries.contact_phone", sa.String(length=32)),
)  # fmt: skip
TABLES = ("party_members", "grid_staff_assignments", "mobile_ledger_entries")


def _keyring() -> Keyring:
    """The keyring `partygrid migrate` hands in; alone (plain alembic), the settings'."""
    keyring = op.get_context().config.attributes.get("keyring")
    if keyring is None:
        from partygrid.config import get_settings

        keyring = Keyring.from_settings(get_settings())
    return keyring


def _id_number_index(keyring: Keyring, number: str) -> bytes:
    """As repo/sealing.py computes it: HMAC of the canonical spelling (NFKC, no
    spaces, upper case), so a lookup finds rows written before and after this migration."""
    canonical = "".join(unicodedata.normalize("NFKC", number).split()).upper()
    return keyring.lookup_index(canonical, "party_members.id_number")


def _fields(table: str) -> list[_Field]:
    return [f for f in FIELDS if f.table == table]


def _batches(conn: sa.Connection, table: str, columns: list[str]) -> Iterator[list[sa.Row]]:
    """Every row's id and ``columns``, BATCH_ROWS at a time, by keyset over the id."""
    base = f"SELECT id, {', '.join(columns)} FROM {table}"
    rows = conn.execute(sa.text(f"{base} ORDER BY id LIMIT :n"), {"n": BATCH_ROWS}).all()
    following = sa.text(f"{base} WHERE id > :after ORDER BY id LIMIT :n")
    while rows:
        yield rows
        rows = conn.execute(following, {"after": rows[-1].id, "n": BATCH_ROWS}).all()


def _update_from_arrays(
    conn: sa.Connection, table: str, ids: list[int], columns: dict[str, tuple[str, list]]
) -> None:
    """One UPDATE per batch: ``columns`` maps a column to (SQL array type, values)."""
    names = list(columns)
    arrays = ", ".join(f"CAST(:{n} AS {columns[n][0]})" for n in names)
    sets = ", ".join(f"{n} = v.{n}" for n in names)
    conn.execute(
        sa.text(
            f"UPDATE {table} AS t SET {sets} "
            f"FROM unnest(CAST(:ids AS bigint[]), {arrays}) AS v(id, {', '.join(names)}) "
            "WHERE t.id = v.id"
        ),
        {"ids": ids, **{n: values for n, (_, values) in columns.items()}},
    )


def _seal_table(conn: sa.Connection, keyring: Keyring, table: str) -> None:
    fields = _fields(table)
    for rows in _batches(conn, table, [f.clear for f in fields]):
        columns: dict[str, tuple[str, list]] = {}
        for f in fields:
            values = [getattr(r, f.clear) for r in rows]
            columns[f.sealed] = (
                "bytea[]",
                [None if v is None else keyring.encrypt(v, f.context) for v in values],
            )
            if f.clear == "id_number":
                columns["id_number_hmac"] = (
                    "bytea[]", [_id_number_index(keyring, v) for v in values],
                )  # fmt: skip
        _update_from_arrays(conn, table, [r.id for r in rows], columns)


def _open_table(conn: sa.Connection, keyring: Keyring, table: str) -> None:
    fields = _fields(table)
    for rows in _batches(conn, table, [f.sealed for f in fields]):
        columns = {
            f.clear: (
                "text[]",
                [
                    None if (blob := getattr(r, f.sealed)) is None
                    else keyring.decrypt(bytes(blob), f.context)
                    for r in rows
                ],
            )
            for f in fields
        }  # fmt: skip
        _update_from_arrays(conn, table, [r.id for r in rows], columns)


def _rewrite(table: str) -> None:
    """Rebuild the table's files so the dropped clear-text columns are gone from them too
    (a rewrite stores NULL for dropped columns); then drop the clustering mark again."""
    op.execute(f"CLUSTER {table} USING pk_{table}")
    op.execute(f"ALTER TABLE {table} SET WITHOUT CLUSTER")


def upgrade() -> None:
    keyring = _keyring()
    conn = op.get_bind()
    for f in FIELDS:
        op.add_column(f.table, sa.Column(f.sealed, sa.LargeBinary(), nullable=True))
    op.add_column("party_members", sa.Column("id_number_hmac", sa.LargeBinary(), nullable=True))
    for table in TABLES:
        _seal_table(conn, keyring, table)
    op.alter_column("party_members", "id_number_enc", nullable=False)
    op.alter_column("party_members", "id_number_hmac", nullable=False)
    op.drop_index("uq_party_members_id_number", table_name="party_members")
    op.create_index(
        "uq_party_members_id_number_hmac", "party_members", ["id_number_hmac"], unique=True
    )
    for f in FIELDS:
        op.drop_column(f.table, f.clear)
    for table in TABLES:
        _rewrite(table)


def downgrade() -> None:
    keyring = _keyring()
    conn = op.get_bind()
    for f in FIELDS:
        op.add_column(f.table, sa.Column(f.clear, f.clear_type, nullable=True))
    for table in TABLES:
        _open_table(conn, keyring, table)
    op.alter_column("party_members", "id_number", nullable=False)
    op.drop_index("uq_party_members_id_number_hmac", table_name="party_members")
    op.create_index("uq_party_members_id_number", "party_members", ["id_number"], unique=True)
    op.drop_column("party_members", "id_number_hmac")
    for f in FIELDS:
        op.drop_column(f.table, f.sealed)

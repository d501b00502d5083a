"""what the public may see of each service category's tickets

Revision ID: 0006
Revises: 0005

Every category gets a disclosure policy: public, coarse (the point rounded to about 100 m,
no address, free text or photo) or never. Existing categories, and any category added
without one, are never public until a catalogue manager says otherwise: the public feeds
showed every ticket, 民政救助 and 矛盾纠纷 included.

Create Date: 2026-12-04 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "service_categories",
        sa.Column("disclosure", sa.String(length=8), server_default="never", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_service_categories_disclosure"),
        "service_categories",
        "disclosure IN ('public','coarse','never')",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("ck_service_categories_disclosure"), "service_categories", type_="check"
    )
    op.drop_column("service_categories", "disclosure")

"""what the public may see of each service category's tickets

Revision ID: 0006
Revises: 0005

Every category gets a disclosure policy: public, coarse (the point rounded to about 100 m,
no address, free text or photo) or never. Existing categories, and any category added
without one, are never public until a catalogue manager says otherwise: the public feeds
showed every ticket, 民政救助 and 矛盾纠纷 included.

The public list now joins tickets to the categories it may show. Autovacuum analyzes a
table after 50 changed rows plus 10%, which a catalogue of a dozen rows never reaches:
without statistics the planner guessed 2 of its rows pass, judged a newest-first index
scan 5x dearer than it was, and from the second page on read and sorted a whole 90-day
window instead (S=0.3: 0.5-1.3 s a page, against 0.01-0.08 s). The catalogue is analyzed
now and after every change.

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
    op.execute(
        "ALTER TABLE service_categories SET "
        "(autovacuum_analyze_threshold = 0, autovacuum_analyze_scale_factor = 0)"
    )
    op.execute("ANALYZE service_categories")


def downgrade() -> None:
    op.execute(
        "ALTER TABLE service_categories RESET "
        "(autovacuum_analyze_threshold, autovacuum_analyze_scale_factor)"
    )
    op.drop_constraint(
        op.f("ck_service_categories_disclosure"), "service_categories", type_="check"
    )
    op.drop_column("service_categories", "disclosure")

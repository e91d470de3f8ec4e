"""rooms: the link budget of the bridge's video to each room, in kbit/s

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every room, halls included, starts at 1000 kbit/s (a district's usual link); the
    # administrator clears it for a hall on the LAN.
    with op.batch_alter_table("rooms") as batch_op:
        batch_op.add_column(
            sa.Column("link_kbps", sa.Integer(), nullable=True, server_default="1000")
        )


def downgrade() -> None:
    with op.batch_alter_table("rooms") as batch_op:
        batch_op.drop_column("link_kbps")

"""audit log: the actor's id is kept as a number, not a key to users

A foreign key with ON DELETE SET NULL rewrote ``actor_id`` when a user was deleted,
and ``actor_id`` is inside every entry's hash: the chain broke. The log outlives the
users it names, as it already outlives its meetings (``meeting_id`` is no key either).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.drop_constraint("fk_audit_entries_actor_id_users", type_="foreignkey")


def downgrade() -> None:
    # Entries of users deleted meanwhile cannot point at them again.
    op.execute(sa.text("UPDATE audit_entries SET actor_id = NULL WHERE actor_id NOT IN "
                       "(SELECT id FROM users)"))
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.create_foreign_key("fk_audit_entries_actor_id_users", "users",
                                    ["actor_id"], ["id"], ondelete="SET NULL")

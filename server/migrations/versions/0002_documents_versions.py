"""attendance, agenda status, document versions, readers, board packs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:44:27.231836
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "board_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("manifest_hash", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("created_at", server.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_board_packs_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_packs")),
        sa.UniqueConstraint("meeting_id", "manifest_hash", name=op.f("uq_board_packs_meeting_id")),
    )
    with op.batch_alter_table("board_packs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_board_packs_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "document_readers",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_readers_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_document_readers_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "participant_id", name=op.f("pk_document_readers")),
    )
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("source_filename", sa.String(length=255), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", server.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_versions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_document_versions_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_versions")),
        sa.UniqueConstraint("document_id", "number", name=op.f("uq_document_versions_document_id")),
    )
    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_versions_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_document_versions_sha256"), ["sha256"], unique=False)

    # Every existing document becomes version 1 of itself.
    op.execute(
        "INSERT INTO document_versions (document_id, number, filename, sha256, size, pages,"
        " source_filename, created_at)"
        " SELECT id, 1, filename, sha256, size, pages, '', created_at FROM documents"
    )

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "pending",
                    "in_progress",
                    "done",
                    name="agenda_status",
                    native_enum=False,
                    length=20,
                ),
                nullable=False,
                server_default="pending",
            )
        )

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "access",
                sa.Enum(
                    "meeting",
                    "named",
                    "confidential",
                    name="document_access",
                    native_enum=False,
                    length=20,
                ),
                nullable=False,
                server_default="meeting",
            )
        )
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))
        batch_op.drop_column("content_type")
        batch_op.drop_column("size")
        batch_op.drop_column("filename")
        batch_op.drop_column("sha256")
        batch_op.drop_column("pages")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "substitutes_may_vote", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.add_column(sa.Column("previous_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("published_at", server.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "updated_at",
                server.db.UTCDateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_meetings_previous_id_meetings"),
            "meetings",
            ["previous_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "attendance",
                sa.Enum(
                    "unknown",
                    "present_hall",
                    "present_remote",
                    "absent",
                    name="attendance",
                    native_enum=False,
                    length=20,
                ),
                nullable=False,
                server_default="unknown",
            )
        )
        batch_op.add_column(
            sa.Column("absence_reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("substitute_for_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("checked_in_at", server.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("checked_in_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_participants_checked_in_by_id_users"),
            "users",
            ["checked_in_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_participants_substitute_for_id_participants"),
            "participants",
            ["substitute_for_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_participants_substitute_for_id_participants"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_participants_checked_in_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("checked_in_by_id")
        batch_op.drop_column("checked_in_at")
        batch_op.drop_column("substitute_for_id")
        batch_op.drop_column("absence_reason")
        batch_op.drop_column("attendance")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_meetings_previous_id_meetings"), type_="foreignkey")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("published_at")
        batch_op.drop_column("previous_id")
        batch_op.drop_column("substitutes_may_vote")

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages", sa.INTEGER(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("sha256", sa.VARCHAR(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("filename", sa.VARCHAR(length=255), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("size", sa.INTEGER(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "content_type",
                sa.VARCHAR(length=100),
                nullable=False,
                server_default="application/pdf",
            )
        )
        batch_op.create_index(batch_op.f("ix_documents_sha256"), ["sha256"], unique=False)
        batch_op.drop_column("position")
        batch_op.drop_column("access")

    # The newest version of each document is what the old layout can hold.
    for column in ("filename", "sha256", "size", "pages"):
        op.execute(
            f"UPDATE documents SET {column} = (SELECT v.{column} FROM document_versions v"
            " WHERE v.document_id = documents.id ORDER BY v.number DESC LIMIT 1)"
        )

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_column("status")

    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_versions_sha256"))
        batch_op.drop_index(batch_op.f("ix_document_versions_document_id"))

    op.drop_table("document_versions")
    op.drop_table("document_readers")
    with op.batch_alter_table("board_packs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_packs_meeting_id"))

    op.drop_table("board_packs")

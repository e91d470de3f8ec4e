"""live meeting: revision and live state, agenda times and conclusions,
speaking turns, annotations

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 07:20:00.693281
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "speaking_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "speaking",
                "done",
                "withdrawn",
                "declined",
                name="turn_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("limit_seconds", sa.Integer(), nullable=True),
        sa.Column("requested_at", server.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", server.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", server.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_speaking_turns_agenda_item_id_agenda_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_speaking_turns_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_speaking_turns_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_speaking_turns_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaking_turns")),
    )
    with op.batch_alter_table("speaking_turns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_speaking_turns_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            "uq_speaking_turns_open",
            ["meeting_id", "participant_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('queued', 'speaking')"),
            postgresql_where=sa.text("status IN ('queued', 'speaking')"),
        )
        batch_op.create_index(
            "uq_speaking_turns_speaker",
            ["meeting_id"],
            unique=True,
            sqlite_where=sa.text("status = 'speaking'"),
            postgresql_where=sa.text("status = 'speaking'"),
        )

    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "highlight", "ink", "note", name="annotation_kind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum(
                "private",
                "meeting",
                "named",
                name="annotation_visibility",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("created_at", server.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["annotations.id"],
            name=op.f("fk_annotations_carried_from_id_annotations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_annotations_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_annotations_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_annotations_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
        sa.UniqueConstraint("owner_id", "uid", name=op.f("uq_annotations_owner_id")),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_annotations_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_annotations_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "annotation_readers",
        sa.Column("annotation_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotation_id"],
            ["annotations.id"],
            name=op.f("fk_annotation_readers_annotation_id_annotations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_annotation_readers_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "annotation_id", "participant_id", name=op.f("pk_annotation_readers")
        ),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("started_at", server.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("ended_at", server.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("conclusion", sa.Text(), server_default="", nullable=False))

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("started_at", server.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("ended_at", server.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("current_item_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("presented_document_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("presented_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("presented_page", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("presented_since", server.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_meetings_presented_document_id_documents"),
            "documents",
            ["presented_document_id"],
            ["id"],
            ondelete="SET NULL",
            use_alter=True,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_meetings_current_item_id_agenda_items"),
            "agenda_items",
            ["current_item_id"],
            ["id"],
            ondelete="SET NULL",
            use_alter=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_meetings_current_item_id_agenda_items"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_meetings_presented_document_id_documents"), type_="foreignkey"
        )
        batch_op.drop_column("presented_since")
        batch_op.drop_column("presented_page")
        batch_op.drop_column("presented_version")
        batch_op.drop_column("presented_document_id")
        batch_op.drop_column("current_item_id")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("revision")

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_column("conclusion")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("started_at")

    op.drop_table("annotation_readers")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotations_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_annotations_document_id"))

    op.drop_table("annotations")
    with op.batch_alter_table("speaking_turns", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_speaking_turns_speaker",
            sqlite_where=sa.text("status = 'speaking'"),
            postgresql_where=sa.text("status = 'speaking'"),
        )
        batch_op.drop_index(
            "uq_speaking_turns_open",
            sqlite_where=sa.text("status IN ('queued', 'speaking')"),
            postgresql_where=sa.text("status IN ('queued', 'speaking')"),
        )
        batch_op.drop_index(batch_op.f("ix_speaking_turns_meeting_id"))

    op.drop_table("speaking_turns")

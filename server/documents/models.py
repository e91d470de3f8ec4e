"""Tables of the documents area: documents, their versions, named readers, board packs."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow, value_enum


class DocumentAccess(enum.StrEnum):
    MEETING = "meeting"            # everyone in the meeting
    NAMED = "named"                # the named participants only
    CONFIDENTIAL = "confidential"  # named only, view-only, stamped per reader (tài liệu mật)


class Document(Base):
    """A document of a meeting, attached to an agenda item; each upload is a new version."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(500))
    access: Mapped[DocumentAccess] = mapped_column(
        value_enum(DocumentAccess, "document_access"),
        default=DocumentAccess.MEETING)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[DocumentVersion]] = relationship(
        order_by="DocumentVersion.number", lazy="selectin", back_populates="document",
        cascade="all, delete-orphan")

    @property
    def current(self) -> DocumentVersion:
        return self.versions[-1]


class DocumentVersion(Base):
    """One upload of a document: the PDF served (and, for Office files, the original)."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    # The uploaded file when it was converted (a .docx made into the PDF above).
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")


class DocumentReader(Base):
    """A participant named as a reader of a ``named`` or ``confidential`` document."""

    __tablename__ = "document_readers"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)


class BoardPack(Base):
    """The merged PDF of a meeting for one manifest (one set of readable versions)."""

    __tablename__ = "board_packs"
    __table_args__ = (UniqueConstraint("meeting_id", "manifest_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    manifest_hash: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

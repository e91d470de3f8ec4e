"""Tables of annotations: highlights, ink and notes on document pages, and who sees them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..db import Base, UTCDateTime, utcnow, value_enum


class AnnotationKind(enum.StrEnum):
    HIGHLIGHT = "highlight"
    INK = "ink"
    NOTE = "note"


class Visibility(enum.StrEnum):
    PRIVATE = "private"   # the owner only, on all their devices
    MEETING = "meeting"   # everyone who may read the document
    NAMED = "named"       # the named participants (who may read the document)



class Annotation(Base):
    """One mark on one page of one version of a document, in PDF page coordinates.

    ``uid`` is made by the tablet, so a note written offline and sent twice (a retry
    after a lost answer) is stored once. A deletion keeps the row (``deleted``), so the
    owner's other devices learn of it the next time they ask.
    """

    __tablename__ = "annotations"
    __table_args__ = (UniqueConstraint("owner_id", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36))
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)
    kind: Mapped[AnnotationKind] = mapped_column(value_enum(AnnotationKind, "annotation_kind"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    visibility: Mapped[Visibility] = mapped_column(
        value_enum(Visibility, "annotation_visibility"), default=Visibility.PRIVATE)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The annotation of the earlier version this one was carried from.
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("annotations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship(lazy="joined")


class AnnotationReader(Base):
    """A participant an annotation is shared with (``named`` visibility)."""

    __tablename__ = "annotation_readers"

    annotation_id: Mapped[int] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)

"""Tables of the minutes: one per meeting, its versions, the edits, and signing keys.

A version is what gets signed: once the chair has signed a version it is never
changed; a change after that starts the next version, which is signed again
from the start. Every save of a section is kept (:class:`MinutesEdit`), so the
secretary can see what was written before and by whom.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow, value_enum


class MinutesStatus(enum.StrEnum):
    DRAFT = "draft"                          # the secretary edits
    APPROVED = "approved"                    # rendered, fields prepared, waiting for the chair
    SIGNED_CHAIR = "signed_chair"            # certified by the chair
    SIGNED_SECRETARY = "signed_secretary"    # approved by the secretary's signature
    SEALED = "sealed"                        # the organisation's seal and timestamp (B-LTA)
    PUBLISHED = "published"                  # participants may download it


class Minutes(Base):
    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    status: Mapped[MinutesStatus] = mapped_column(value_enum(MinutesStatus, "minutes_status"),
                                                  default=MinutesStatus.DRAFT)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MinutesVersion(Base):
    """The sections of one version, and its files in the document store by hash: the
    rendered PDF with its signature fields, then the file after each signature."""

    __tablename__ = "minutes_versions"
    __table_args__ = (UniqueConstraint("minutes_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # [{"key", "title", "text"}] in order: what the secretary sees and edits.
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    prepared_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_sha256: Mapped[str | None] = mapped_column(String(64))
    pages: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class MinutesEdit(Base):
    """One save of one section: the history behind the autosave."""

    __tablename__ = "minutes_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeyKind(enum.StrEnum):
    PKCS12 = "pkcs12"   # an encrypted PKCS#12 file on the server; the passphrase at signing
    PKCS11 = "pkcs11"   # a token (USB token, HSM) through its PKCS#11 module; the PIN at signing


class SigningKey(Base):
    """Where a signer's key is, never the key or its secret: a person's (chair,
    secretary) or a unit's seal (con dấu), set by an administrator."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[KeyKind] = mapped_column(value_enum(KeyKind, "key_kind"))
    pkcs12_path: Mapped[str] = mapped_column(String(500), default="")
    pkcs11_module: Mapped[str] = mapped_column(String(500), default="")
    token_label: Mapped[str] = mapped_column(String(100), default="")
    key_label: Mapped[str] = mapped_column(String(100), default="")
    # The handwritten signature (a transparent PNG) in the document store, if any.
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

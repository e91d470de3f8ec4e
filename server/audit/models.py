"""The audit log's one table: entries chained by SHA-256, never updated or deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """One decisive action. ``hash`` is SHA-256 over the previous entry's hash and this
    entry's canonical content, so changing, removing or reordering any entry breaks
    every hash after it (``python -m server audit verify`` finds the first)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the chain: 1, 2, 3… with no gap; unique, so two writers cannot fork it.
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The id and the name as they were, not keys: the log outlives the meetings and users
    # it names, and a key that nulled itself would change a hashed field (migration 0008).
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200), default="")
    meeting_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

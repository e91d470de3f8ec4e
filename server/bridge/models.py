"""Tables of the video bridge: which worker holds a meeting, and each room's last health.

Both live in the database rather than in a process's memory so that every server
process agrees: two processes placing the same meeting must pick the same worker
(the first to write wins), and the admin page shows a room's heartbeat whichever
process received it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class BridgePlacement(Base):
    __tablename__ = "bridge_placements"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    worker: Mapped[str] = mapped_column(String(300))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoomHealth(Base):
    """The last heartbeat of a room's agent: CPU, bitrate, packet loss, frames received."""

    __tablename__ = "room_health"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

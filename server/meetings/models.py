"""Tables of the organisation (units, rooms) and of meetings (participants, agenda)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow, value_enum

if TYPE_CHECKING:
    from ..auth.models import User



class UnitKind(enum.StrEnum):
    PROVINCE = "province"
    DEPARTMENT = "department"
    DISTRICT = "district"
    COMMUNE = "commune"


class RoomKind(enum.StrEnum):
    HALL = "hall"
    REMOTE = "remote"


class MeetingStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    ARCHIVED = "archived"


class Attendance(enum.StrEnum):
    UNKNOWN = "unknown"              # not checked in (yet)
    PRESENT_HALL = "present_hall"    # có mặt tại hội trường
    PRESENT_REMOTE = "present_remote"  # có mặt tại điểm cầu
    ABSENT = "absent"                # vắng mặt, with a reason


class AgendaStatus(enum.StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TurnStatus(enum.StrEnum):
    QUEUED = "queued"        # đăng ký phát biểu, waiting for the floor
    SPEAKING = "speaking"    # has the floor now
    DONE = "done"            # spoke; started_at and ended_at say how long
    WITHDRAWN = "withdrawn"  # the delegate took the request back
    DECLINED = "declined"    # the chair did not give the floor


class MeetingRole(enum.StrEnum):
    CHAIR = "chair"
    CO_CHAIR = "co_chair"
    DELEGATE = "delegate"
    SECRETARY = "secretary"
    GUEST = "guest"
    OBSERVER = "observer"


class Unit(Base):
    """An agency in the tree: province → departments and districts → communes."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    kind: Mapped[UnitKind] = mapped_column(value_enum(UnitKind, "unit_kind"))
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(40), default="")


class Room(Base):
    """The provincial hall (numbered seats) or a district's remote endpoint."""

    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    kind: Mapped[RoomKind] = mapped_column(value_enum(RoomKind, "room_kind"))
    name: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(Integer, default=0)
    # What the room's link carries of the bridge's video to it, in kbit/s: the worker
    # sends the main video and sound, then only the thumbnails that fit (docs/video.md).
    # Districts sit on narrow links; 0 or None is no limit (a hall on the LAN).
    link_kbps: Mapped[int | None] = mapped_column(Integer, default=1000,
                                                  server_default="1000")

    unit: Mapped[Unit] = relationship(lazy="joined")


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), default="")
    title: Mapped[str] = mapped_column(String(300))
    organiser_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    hall_room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[MeetingStatus] = mapped_column(
        value_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.DRAFT)
    # Whether a substitute (dự thay) inherits the absent member's voting right.
    substitutes_may_vote: Mapped[bool] = mapped_column(Boolean, default=True)
    # Whether the video bridge records the main video and the rooms' audio while the
    # meeting is live (off unless the secretary turns it on: docs/video.md).
    record_video: Mapped[bool] = mapped_column(Boolean, default=False)
    # The meeting this one was created from (weekly giao ban and the like).
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # The live state. ``revision`` rises by one with every change participants see,
    # in the transaction of that change (see :mod:`.live`).
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    current_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL", use_alter=True))
    presented_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL", use_alter=True))
    presented_version: Mapped[int | None] = mapped_column(Integer)
    presented_page: Mapped[int | None] = mapped_column(Integer)
    presented_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organiser: Mapped[Unit] = relationship(lazy="joined")
    hall: Mapped[Room | None] = relationship(lazy="joined")


class Participant(Base):
    """A person's place in one meeting: role, seat, voting right, room."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MeetingRole] = mapped_column(value_enum(MeetingRole, "meeting_role"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    seat: Mapped[int | None] = mapped_column(Integer)
    voting_right: Mapped[bool] = mapped_column(Boolean, default=False)
    attendance: Mapped[Attendance] = mapped_column(
        value_enum(Attendance, "attendance"), default=Attendance.UNKNOWN)
    absence_reason: Mapped[str] = mapped_column(String(500), default="")
    # A substitute (người dự thay) stands in for this absent participant of the same meeting.
    substitute_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])


class MeetingRoom(Base):
    """A remote room taking part in a meeting."""

    __tablename__ = "meeting_rooms"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="RESTRICT"), primary_key=True)


class AgendaItem(Base):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    presenter: Mapped[str] = mapped_column(String(200), default="")
    planned_minutes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[AgendaStatus] = mapped_column(
        value_enum(AgendaStatus, "agenda_status"), default=AgendaStatus.PENDING)
    notes: Mapped[str] = mapped_column(Text, default="")
    # When the chair took it up and left it, and what was concluded (kết luận): the minutes'.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    conclusion: Mapped[str] = mapped_column(Text, default="", server_default="")


class SpeakingTurn(Base):
    """A request to speak (đăng ký phát biểu) and, once given the floor, the turn itself.

    At most one open request (queued or speaking) per participant, and one speaker per
    meeting: both are partial unique indexes, so two taps or two chairs cannot break them.
    """

    __tablename__ = "speaking_turns"
    __table_args__ = (
        Index("uq_speaking_turns_open", "meeting_id", "participant_id", unique=True,
              sqlite_where=text("status IN ('queued', 'speaking')"),
              postgresql_where=text("status IN ('queued', 'speaking')")),
        Index("uq_speaking_turns_speaker", "meeting_id", unique=True,
              sqlite_where=text("status = 'speaking'"),
              postgresql_where=text("status = 'speaking'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"))
    # Who pressed the button: the delegate, or the remote room's account for one of its own.
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[TurnStatus] = mapped_column(
        value_enum(TurnStatus, "turn_status"), default=TurnStatus.QUEUED)
    position: Mapped[int] = mapped_column(Integer, default=0)
    limit_seconds: Mapped[int | None] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant] = relationship(lazy="joined")

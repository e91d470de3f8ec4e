"""Rules of rooms: the provincial hall with numbered seats, and remote rooms (điểm cầu).

A hall's seats are the numbers the secretary gives delegates (1 to ``seats``);
a remote room is a camera and a screen in a district, so it has no numbered
seats, or a handful at most (:data:`REMOTE_SEATS_MAX`).

Every room has a link budget (``link_kbps``): what its link carries of the bridge's
video to it. Districts sit on narrow links (about 1 Mbit/s is usual, hence the
default); the bridge sends the main video and sound and then only the thumbnails
that fit. 0 or None is no limit, for a hall on the LAN.

A room that a meeting uses (as its hall, as a remote room taking part, or as
the room a participant joins from) is not deleted, and does not change kind:
a meeting's hall must stay a hall. Its seats cannot drop below a seat number
already given in a meeting that has not ended.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import InvalidField, NotFound
from ..meetings.models import Meeting, MeetingRoom, MeetingStatus, Participant, Room, RoomKind
from .errors import RoomInUse, RoomKindInUse, SeatsBelowAssigned
from .fields import ID_MAX
from .search import text_key
from .units import referenced_unit

HALL_SEATS_MAX = 2000
REMOTE_SEATS_MAX = 50
OPEN = (MeetingStatus.DRAFT, MeetingStatus.SCHEDULED, MeetingStatus.LIVE)
LINK_KBPS_DEFAULT = 1000
LINK_KBPS_MAX = 1_000_000  # 1 Gbit/s: anything above is a typing mistake


def seats_max(kind: RoomKind) -> int:
    return HALL_SEATS_MAX if kind == RoomKind.HALL else REMOTE_SEATS_MAX


async def list_rooms(db: AsyncSession) -> list[Room]:
    """Halls first, then remote rooms, each by name."""
    rooms = await db.scalars(select(Room))
    return sorted(rooms, key=lambda r: (r.kind != RoomKind.HALL, text_key(r.name), r.id))


async def get_room(db: AsyncSession, room_id: int) -> Room:
    room = await db.get(Room, room_id) if 0 < room_id <= ID_MAX else None
    if room is None:
        raise NotFound()
    return room


def check_seats(kind: RoomKind, seats: int) -> None:
    if seats > seats_max(kind):
        key = "admin.reason.hall_seats" if kind == RoomKind.HALL else "admin.reason.remote_seats"
        raise InvalidField(field="seats", reason_key=key, reason={"max": seats_max(kind)})


async def meetings_using(db: AsyncSession, room_id: int) -> int:
    """How many meetings use the room, in any of the three ways."""
    ids = union(
        select(Meeting.id).where(Meeting.hall_room_id == room_id),
        select(MeetingRoom.meeting_id).where(MeetingRoom.room_id == room_id),
        select(Participant.meeting_id).where(Participant.room_id == room_id),
    ).subquery()
    return await db.scalar(select(func.count()).select_from(ids)) or 0


async def highest_seat_given(db: AsyncSession, room_id: int) -> tuple[int, str] | None:
    """The highest seat number given in a meeting (not ended) held in this hall, and that
    meeting's title."""
    row = (await db.execute(
        select(Participant.seat, Meeting.title)
        .join(Meeting, Meeting.id == Participant.meeting_id)
        .where(Meeting.hall_room_id == room_id, Meeting.status.in_(OPEN),
               Participant.seat.is_not(None))
        .order_by(Participant.seat.desc()).limit(1))).first()
    return (int(row[0]), str(row[1])) if row else None


async def create_room(
    db: AsyncSession, *, name: str, kind: RoomKind, unit_id: int, seats: int,
    link_kbps: int | None = LINK_KBPS_DEFAULT,
) -> Room:
    await referenced_unit(db, unit_id, "unit_id")
    check_seats(kind, seats)
    room = Room(name=name, kind=kind, unit_id=unit_id, seats=seats, link_kbps=link_kbps)
    db.add(room)
    await db.flush()
    await db.refresh(room, ["unit"])
    return room


async def update_room(db: AsyncSession, room: Room, changes: dict[str, Any]) -> Room:
    """``changes`` holds any of name, kind, unit_id, seats, link_kbps."""
    kind: RoomKind = changes.get("kind", room.kind)
    seats: int = changes.get("seats", room.seats)
    check_seats(kind, seats)
    if "unit_id" in changes:
        await referenced_unit(db, changes["unit_id"], "unit_id")
    if kind != room.kind and (count := await meetings_using(db, room.id)):
        raise RoomKindInUse(name=room.name, count=count)
    if seats < room.seats and (given := await highest_seat_given(db, room.id)) \
            and given[0] > seats:
        raise SeatsBelowAssigned(seat=given[0], meeting=given[1])
    for name in ("name", "unit_id", "link_kbps"):
        if name in changes:
            setattr(room, name, changes[name])
    room.kind, room.seats = kind, seats
    await db.flush()
    if "unit_id" in changes:
        await db.refresh(room, ["unit"])
    return room


async def delete_room(db: AsyncSession, room: Room) -> None:
    room_id, name = room.id, room.name
    if count := await meetings_using(db, room_id):
        raise RoomInUse(name=name, count=count)
    await db.delete(room)
    try:
        await db.flush()
    except IntegrityError:
        # A meeting took the room between the check and the delete.
        await db.rollback()
        raise RoomInUse(name=name, count=await meetings_using(db, room_id) or 1) from None

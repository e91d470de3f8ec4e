"""Loading the demo: the rows of :mod:`.organisation` and the PDFs of :mod:`.documents`.

``python -m server demo``, ``serve --prepare`` and the tests' ``demo`` fixture all
load it, so that a fresh installation shows a realistic meeting at once and every
test starts from the same known organisation. It goes only into a database with
no users (an installation in use is never touched) and in one transaction, so a
half-loaded demo cannot exist.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..auth.models import User
from ..auth.passwords import Passwords
from ..auth.service import create_user
from ..db import create_engine, session_factory
from ..documents.models import Document, DocumentVersion
from ..documents.store import DocumentStore
from ..meetings.models import (
    AgendaItem,
    Meeting,
    MeetingRole,
    MeetingRoom,
    MeetingStatus,
    Participant,
    Room,
    RoomKind,
    Unit,
)
from ..settings import Settings
from .documents import DOCUMENTS, DemoDocument
from .organisation import (
    ACCOUNTS,
    AGENDA,
    DELEGATES,
    DISTRICTS,
    HALL_NAME,
    HALL_SEATS,
    MEETING_CODE,
    MEETING_TITLE,
    UNITS,
    next_weekday_at,
)
from .pdf import render_pdf

DEFAULT_PASSWORD = "demo"


async def load_demo(
    sessions: async_sessionmaker[AsyncSession],
    passwords: Passwords,
    store: DocumentStore,
    password: str,
) -> bool:
    """Load the demo into an empty database and return True; leave any other alone (False)."""
    async with sessions() as db, db.begin():
        if await db.scalar(select(User.id).limit(1)) is not None:
            return False
        # One hash for every account: they share one documented password, so separate salts
        # would protect nothing, and 26 hashes at production cost kept ``make run`` waiting
        # for seconds where it should start in one or two.
        # The slow parts (Argon2, reportlab) run in threads while the loop waits once. Files
        # stored before a failed commit are harmless: the store is content-addressed.
        password_hash, files = await asyncio.gather(
            passwords.hash(password), _store_documents(store))
        units = await _add_units(db)
        rooms = await _add_rooms(db, units)
        users = await _add_users(db, passwords, units, password_hash)
        meeting = await _add_meeting(db, units, rooms[HALL_NAME])
        await _add_participants(db, meeting, users, rooms)
        items = await _add_agenda(db, meeting)
        _add_documents(db, meeting, items, files)
    return True


async def load_demo_into(settings: Settings) -> bool:
    """:func:`load_demo` with the engine, hasher and store that ``settings`` name."""
    engine = create_engine(settings.database.url)
    try:
        return await load_demo(session_factory(engine), Passwords(settings.auth),
                               DocumentStore(settings.documents.store), settings.demo.password)
    finally:
        await engine.dispose()


async def demo_present(settings: Settings) -> bool:
    """Whether this database holds the demo (its meeting), so ``make run`` can list the
    accounts on every start, and never on an installation in real use."""
    engine = create_engine(settings.database.url)
    try:
        async with session_factory(engine)() as db:
            found = await db.scalar(select(Meeting.id).where(
                Meeting.code == MEETING_CODE, Meeting.title == MEETING_TITLE).limit(1))
        return found is not None
    finally:
        await engine.dispose()


def print_accounts(settings: Settings) -> None:
    """Tell the operator who to sign in as, after ``python -m server demo``."""
    rows = [(a.username, a.full_name, _ROLE_LABELS[a.username]) for a in ACCOUNTS[:3]]
    rows.append(("daibieu01 … daibieu20", f"{len(DELEGATES)} đại biểu", "Đại biểu / delegate"))
    rows += [(a.username, a.full_name, "Điểm cầu / district room") for a in ACCOUNTS[-3:]]
    print("Đã nạp dữ liệu mẫu. Tài khoản / The demo is loaded. Accounts:")
    for username, full_name, role in rows:
        print(f"  {username:<22} {full_name:<28} {role}")
    if settings.demo.password == DEFAULT_PASSWORD:
        print(f"Mật khẩu của mọi tài khoản / Password of every account: {DEFAULT_PASSWORD}")
    else:
        # A password the operator chose is not echoed to a terminal or a log.
        print("Mật khẩu: giá trị của PHONGHOP_DEMO_PASSWORD / "
              "Password: the value of PHONGHOP_DEMO_PASSWORD")
    print(f"Mở / Open: http://{settings.server.host}:{settings.server.port}")


_ROLE_LABELS = {
    "admin": "Quản trị / administrator",
    "chutoa": "Chủ tọa / chair",
    "thuky": "Thư ký / secretary",
}


# --- rows ---------------------------------------------------------------------------------


async def _add_units(db: AsyncSession) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for key, kind, name, short_name in UNITS:
        parent = units.get("province")
        units[key] = Unit(kind=kind, name=name, short_name=short_name,
                          parent_id=parent.id if parent else None)
        db.add(units[key])
        if key == "province":
            await db.flush()  # its id is every other unit's parent_id
    await db.flush()
    return units


async def _add_rooms(db: AsyncSession, units: dict[str, Unit]) -> dict[str, Room]:
    rooms = [Room(unit_id=units["province"].id, kind=RoomKind.HALL, name=HALL_NAME,
                  seats=HALL_SEATS)]
    rooms += [Room(unit_id=units[key].id, kind=RoomKind.REMOTE, name=f"Điểm cầu huyện {name}")
              for key, name in DISTRICTS]
    db.add_all(rooms)
    await db.flush()
    return {room.name: room for room in rooms}


async def _add_users(
    db: AsyncSession, passwords: Passwords, units: dict[str, Unit], password_hash: str
) -> dict[str, User]:
    users: dict[str, User] = {}
    for account in ACCOUNTS:
        users[account.username] = await create_user(
            db, passwords, username=account.username, full_name=account.full_name,
            password=None, password_hash=password_hash, title=account.title,
            unit_id=units[account.unit].id, is_admin=account.is_admin,
            is_secretary=account.is_secretary)
    return users


async def _add_meeting(db: AsyncSession, units: dict[str, Unit], hall: Room) -> Meeting:
    now = datetime.now(UTC)
    meeting = Meeting(
        code=MEETING_CODE, title=MEETING_TITLE, organiser_unit_id=units["province"].id,
        hall_room_id=hall.id, starts_at=next_weekday_at(now, 8, 0),
        ends_at=next_weekday_at(now, 11, 30), status=MeetingStatus.SCHEDULED)
    db.add(meeting)
    await db.flush()
    return meeting


async def _add_participants(
    db: AsyncSession, meeting: Meeting, users: dict[str, User], rooms: dict[str, Room]
) -> None:
    def place(username: str, role: MeetingRole, **fields: object) -> Participant:
        return Participant(meeting_id=meeting.id, user_id=users[username].id, role=role,
                           **fields)

    people = [place("chutoa", MeetingRole.CHAIR, voting_right=True),
              place("thuky", MeetingRole.SECRETARY, voting_right=False)]
    people += [place(f"daibieu{seat:02d}", MeetingRole.DELEGATE, seat=seat, voting_right=True)
               for seat in range(1, len(DELEGATES) + 1)]
    # District rooms follow and speak from afar; the vote belongs to the provincial members.
    for i, (_key, name) in enumerate(DISTRICTS, start=1):
        room = rooms[f"Điểm cầu huyện {name}"]
        db.add(MeetingRoom(meeting_id=meeting.id, room_id=room.id))
        people.append(place(f"huyen{i}", MeetingRole.DELEGATE, room_id=room.id,
                            voting_right=False))
    db.add_all(people)
    await db.flush()


async def _add_agenda(db: AsyncSession, meeting: Meeting) -> list[AgendaItem]:
    """The items in AGENDA order; positions count from 1 among siblings."""
    items: list[AgendaItem] = []
    for position, (title, presenter, minutes, children) in enumerate(AGENDA, start=1):
        parent = AgendaItem(meeting_id=meeting.id, position=position, title=title,
                            presenter=presenter, planned_minutes=minutes)
        db.add(parent)
        await db.flush()
        items.append(parent)
        items += [AgendaItem(meeting_id=meeting.id, parent_id=parent.id, position=sub,
                             title=t, presenter=p, planned_minutes=m)
                  for sub, (t, p, m) in enumerate(children, start=1)]
    db.add_all(items)
    await db.flush()
    return items


def _add_documents(
    db: AsyncSession, meeting: Meeting, items: list[AgendaItem], files: list[StoredPdf]
) -> None:
    by_title = {item.title: item for item in items}
    db.add_all(Document(
        meeting_id=meeting.id, agenda_item_id=by_title[f.document.agenda_title].id,
        title=f.document.title, position=position,
        versions=[DocumentVersion(number=1, filename=f.document.filename, sha256=f.sha256,
                                  size=f.size, pages=f.pages)])
        for position, f in enumerate(files, start=1))


# --- files --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPdf:
    document: DemoDocument
    sha256: str
    size: int
    pages: int


async def _store_documents(store: DocumentStore) -> list[StoredPdf]:
    loop = asyncio.get_running_loop()
    return list(await asyncio.gather(
        *(loop.run_in_executor(None, _render_and_store, store, d) for d in DOCUMENTS)))


def _render_and_store(store: DocumentStore, document: DemoDocument) -> StoredPdf:
    pdf = render_pdf(document)
    return StoredPdf(document, store.put(pdf.data), len(pdf.data), pdf.pages)

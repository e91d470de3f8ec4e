"""Fixtures of the organisation tests: a small province built in one line, an API client
that signs in as anyone, and meetings that use rooms and units.

The organisation is built here rather than from the demo: the demo draws its PDFs,
and these tests need only units, rooms and people (every account's password is
``PASSWORD``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from server.auth.models import User
from server.auth.passwords import Passwords
from server.meetings.models import (
    Meeting,
    MeetingRole,
    MeetingRoom,
    Participant,
    Room,
    RoomKind,
    Unit,
    UnitKind,
)
from tests.api import Api as BaseApi

PASSWORD = "mật khẩu thử"


@dataclass(frozen=True)
class Org:
    """Ids of the test province's units, rooms and people."""

    province: int
    office: int
    finance: int
    tan_lap: int
    hoa_an: int
    hall: int
    remote: int
    users: dict[str, int]


# username, full name, title, unit key, admin, secretary
PEOPLE = (
    ("admin", "Quản trị hệ thống", "", "office", True, False),
    ("thuky", "Trần Thị Mai", "Chánh Văn phòng UBND tỉnh", "office", False, True),
    ("chutoa", "Nguyễn Văn Hùng", "Chủ tịch UBND tỉnh", "province", False, False),
    ("daibieu01", "Phùng Thị Lan", "Giám đốc Sở Tài chính", "finance", False, False),
    ("daibieu02", "Đặng Văn Hưng", "Phó Giám đốc Sở Tài chính", "finance", False, False),
    ("daibieu03", "Lê Quang Minh", "Phó Chủ tịch UBND tỉnh", "province", False, False),
    ("huyen1", "Điểm cầu huyện Tân Lập", "", "tan_lap", False, False),
)


@pytest.fixture
async def org(sessions: Any, passwords: Passwords) -> Org:
    async with sessions() as db:
        province = Unit(kind=UnitKind.PROVINCE, name="Ủy ban nhân dân tỉnh Lâm Sơn",
                        short_name="UBND tỉnh")
        db.add(province)
        await db.flush()
        units = {"province": province}
        for key, kind, name in (
                ("office", UnitKind.DEPARTMENT, "Văn phòng UBND tỉnh"),
                ("finance", UnitKind.DEPARTMENT, "Sở Tài chính"),
                ("tan_lap", UnitKind.DISTRICT, "UBND huyện Tân Lập"),
                ("hoa_an", UnitKind.DISTRICT, "UBND huyện Hòa An")):
            units[key] = Unit(kind=kind, name=name, short_name="", parent_id=province.id)
            db.add(units[key])
        await db.flush()
        hall = Room(unit_id=province.id, kind=RoomKind.HALL, name="Hội trường tầng 3", seats=20)
        remote = Room(unit_id=units["tan_lap"].id, kind=RoomKind.REMOTE,
                      name="Điểm cầu huyện Tân Lập", seats=0)
        db.add_all([hall, remote])
        password_hash = await passwords.hash(PASSWORD)
        people = {}
        for username, full_name, title, key, is_admin, is_secretary in PEOPLE:
            people[username] = User(
                username=username, full_name=full_name, title=title, unit_id=units[key].id,
                password_hash=password_hash, is_admin=is_admin, is_secretary=is_secretary)
            db.add(people[username])
        await db.commit()
        return Org(province=province.id, office=units["office"].id,
                   finance=units["finance"].id, tan_lap=units["tan_lap"].id,
                   hoa_an=units["hoa_an"].id, hall=hall.id, remote=remote.id,
                   users={name: user.id for name, user in people.items()})


class Api(BaseApi):
    """Signs in with the password of :func:`org`'s people."""

    password = PASSWORD


@pytest.fixture
def api(client: TestClient, login: Any) -> Api:
    return Api(client, login)


@pytest.fixture
async def admin(api: Api, org: Org) -> Api:
    """Signed in as the administrator of :func:`org`."""
    return await api.as_("admin")


@pytest.fixture
def make_meeting(sessions: Any, org: Org) -> Any:
    """``await make_meeting(organiser=..., hall=..., remote=[...], seats={user_id: seat})``."""

    async def create(*, organiser: int | None = None, hall: int | None = None,
                     remote: tuple[int, ...] = (), seats: dict[int, int] | None = None,
                     room_of: dict[int, int] | None = None, title: str = "Họp giao ban") -> int:
        async with sessions() as db:
            meeting = Meeting(title=title, organiser_unit_id=organiser or org.province,
                              hall_room_id=hall, starts_at=datetime(2026, 12, 1, 1, tzinfo=UTC))
            db.add(meeting)
            await db.flush()
            db.add_all([MeetingRoom(meeting_id=meeting.id, room_id=r) for r in remote])
            for user_id, seat in (seats or {}).items():
                db.add(Participant(meeting_id=meeting.id, user_id=user_id,
                                   role=MeetingRole.DELEGATE, seat=seat))
            for user_id, room_id in (room_of or {}).items():
                db.add(Participant(meeting_id=meeting.id, user_id=user_id,
                                   role=MeetingRole.DELEGATE, room_id=room_id))
            await db.commit()
            return meeting.id

    return create

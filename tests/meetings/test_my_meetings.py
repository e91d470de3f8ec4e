"""GET /api/v1/meetings lists the meetings the caller takes part in, and only those."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient

from server.meetings.models import (
    Meeting,
    MeetingRole,
    MeetingStatus,
    Participant,
    Unit,
    UnitKind,
)

PASSWORD = "mật-khẩu-đúng"


async def _meeting(sessions, title: str, status: MeetingStatus, **roles: MeetingRole) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from server.auth.models import User

    async with sessions() as db:
        unit = Unit(kind=UnitKind.PROVINCE, name="UBND tỉnh Lâm Sơn")
        db.add(unit)
        await db.flush()
        meeting = Meeting(title=title, organiser_unit_id=unit.id, status=status,
                          starts_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
        db.add(meeting)
        await db.flush()
        for username, role in roles.items():
            user = await db.scalar(select(User).where(User.username == username))
            db.add(Participant(meeting_id=meeting.id, user_id=user.id, role=role))
        await db.commit()
        return meeting.id


async def test_a_delegate_sees_only_the_meetings_they_take_part_in(
    client: TestClient, sessions, make_user, login
) -> None:
    await make_user("daibieu01")
    await make_user("daibieu02")
    mine = await _meeting(sessions, "Giao ban tuần 48", MeetingStatus.SCHEDULED,
                          daibieu01=MeetingRole.DELEGATE)
    await _meeting(sessions, "Họp kín", MeetingStatus.SCHEDULED, daibieu02=MeetingRole.DELEGATE)
    await login("daibieu01", PASSWORD)
    meetings = (await (await client.get("/api/v1/meetings")).json())["meetings"]
    assert [(m["id"], m["my_role"]) for m in meetings] == [(mine, "delegate")]


async def test_drafts_are_shown_to_their_chair_and_secretary_only(
    client: TestClient, sessions, make_user, login
) -> None:
    for name in ("chutoa", "thuky", "daibieu01"):
        await make_user(name)
    await _meeting(sessions, "Dự thảo", MeetingStatus.DRAFT, chutoa=MeetingRole.CHAIR,
                   thuky=MeetingRole.SECRETARY, daibieu01=MeetingRole.DELEGATE)
    seen = {}
    for name in ("chutoa", "thuky", "daibieu01"):
        await login(name, PASSWORD)
        seen[name] = len((await (await client.get("/api/v1/meetings")).json())["meetings"])
    assert seen == {"chutoa": 1, "thuky": 1, "daibieu01": 0}


async def test_the_list_needs_a_login(client: TestClient) -> None:
    response = await client.get("/api/v1/meetings")
    assert response.status == 401
    assert (await response.json())["error"]["code"] == "not_authenticated"


async def test_the_chair_sees_the_demo_meeting_with_its_agenda_and_documents(
    client: TestClient, demo: None, login
) -> None:
    await login("chutoa")
    [meeting] = (await (await client.get("/api/v1/meetings")).json())["meetings"]
    assert meeting["title"] == "Phiên họp thường kỳ tháng 11 năm 2026 của Ủy ban nhân dân tỉnh"
    assert (meeting["my_role"], meeting["status"]) == ("chair", "scheduled")
    assert meeting["agenda_items"] >= 5 and meeting["documents"] >= 3
    starts = datetime.fromisoformat(meeting["starts_at"])
    assert starts.astimezone(UTC) - datetime.now(UTC) < timedelta(days=8)


async def test_a_room_account_lists_its_meeting_by_token(
    client: TestClient, demo: None, sessions
) -> None:
    from sqlalchemy import select

    from server.auth import service
    from server.auth.models import User

    async with sessions() as db:
        user = await db.scalar(select(User).where(User.username == "huyen1"))
        secret, _ = await service.issue_token(db, user, "room agent")
        await db.commit()
    response = await client.get("/api/v1/meetings", headers={"Authorization": f"Bearer {secret}"})
    assert len((await response.json())["meetings"]) == 1

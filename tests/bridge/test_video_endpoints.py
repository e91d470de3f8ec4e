"""GET /api/v1/meetings/{id}/video: the console's list of video endpoints, without a worker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.bridge.models import RoomHealth
from server.db import utcnow
from server.demo.organisation import HALL_NAME
from server.meetings.models import Meeting, Participant, Room


async def _meeting(sessions: Any) -> Meeting:
    async with sessions() as db:
        return await db.scalar(select(Meeting))


async def test_every_invited_room_is_listed_with_its_heartbeat_when_no_worker_holds_the_meeting(
    demo: None, sessions: Any, client: Any, login: Any
) -> None:
    meeting = await _meeting(sessions)
    async with sessions() as db:
        room = await db.scalar(select(Room).where(Room.name == "Điểm cầu huyện Tân Lập"))
        seated = await db.scalar(select(Participant).where(Participant.room_id == room.id))
        db.add(RoomHealth(room_id=room.id, meeting_id=meeting.id, at=utcnow(), data={
            "cpu": 0.37, "bitrate_kbps": 812.4, "packet_loss": 0.012, "frames_received": 4210,
            "source": "pattern"}))
        await db.commit()
    await login("chutoa")
    response = await client.get(f"/api/v1/meetings/{meeting.id}/video")
    assert response.status == 200, await response.text()
    view = await response.json()
    names = [e["name"] for e in view["endpoints"]]
    assert view["placed"] is False and names[0] == HALL_NAME and len(names) == 4
    tan_lap = next(e for e in view["endpoints"] if e["peer_id"] == f"room-{room.id}")
    assert tan_lap["connected"] is False and tan_lap["participant_id"] == seated.id
    assert tan_lap["health"]["cpu"] == 0.37 and tan_lap["health"]["age_seconds"] >= 0


async def test_a_delegate_may_not_read_the_video_endpoints(
    demo: None, sessions: Any, client: Any, login: Any
) -> None:
    meeting = await _meeting(sessions)
    await login("daibieu01")
    response = await client.get(f"/api/v1/meetings/{meeting.id}/video")
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "forbidden"


async def test_a_room_not_on_the_bridge_shows_the_link_budget_it_will_get(
    demo: None, sessions: Any, client: Any, login: Any
) -> None:
    meeting = await _meeting(sessions)
    async with sessions() as db:
        room = await db.scalar(select(Room).where(Room.name == "Điểm cầu huyện Tân Lập"))
        room.link_kbps = 512
        await db.commit()
    await login("chutoa")
    view = await (await client.get(f"/api/v1/meetings/{meeting.id}/video")).json()
    tan_lap = next(e for e in view["endpoints"] if e["peer_id"] == f"room-{room.id}")
    assert (tan_lap["budget_kbps"], tan_lap["sent_kbps"]) == (512, None)

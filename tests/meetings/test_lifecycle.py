"""A meeting's life: created as a draft by a secretary, published, run, ended, archived."""

from __future__ import annotations

from typing import Any

from .conftest import Api

NEW = {"title": "Giao ban tuần 48", "organiser_unit_id": 1,
       "starts_at": "2026-11-30T08:00:00+07:00", "ends_at": "2026-11-30T10:00:00+07:00"}


async def _new_meeting(api: Api, **fields: Any) -> dict[str, Any]:
    await api.as_("thuky")
    status, body = await api.post("/api/v1/meetings", {**NEW, **fields})
    assert status == 201, body
    return body


async def test_a_secretary_creates_a_draft_and_becomes_its_secretary(demo: None, api: Api) -> None:
    body = await _new_meeting(api, hall_room_id=1)
    assert body["meeting"]["status"] == "draft"
    assert body["meeting"]["starts_at"] == "2026-11-30T01:00:00+00:00"
    assert body["me"] == {"can_edit": True, "participant_id": body["participants"][0]["id"],
                          "role": "secretary"}


async def test_a_delegate_may_not_create_meetings(demo: None, api: Api) -> None:
    await api.as_("daibieu01")
    status, body = await api.post("/api/v1/meetings", NEW)
    assert (status, body["error"]["code"]) == (403, "forbidden")


async def test_publishing_shows_the_meeting_to_its_participants(demo: None, api: Api) -> None:
    meeting_id = (await _new_meeting(api))["meeting"]["id"]
    user_id = await _user_id(api, "daibieu05")
    await api.post(f"/api/v1/meetings/{meeting_id}/participants", {"user_id": user_id})
    await api.as_("daibieu05")
    assert (await api.get(f"/api/v1/meetings/{meeting_id}"))[0] == 404, "a draft is hidden"
    await api.as_("thuky")
    status, body = await api.post(f"/api/v1/meetings/{meeting_id}/status",
                                  {"status": "scheduled"})
    assert (status, body["meeting"]["status"]) == (200, "scheduled")
    assert body["meeting"]["published_at"]
    await api.as_("daibieu05")
    titles = [m["title"] for m in (await api.get("/api/v1/meetings"))[1]["meetings"]]
    assert "Giao ban tuần 48" in titles


async def _user_id(api: Api, username: str) -> int:
    from sqlalchemy import select

    from server.auth.models import User
    from server.state import SESSIONS

    async with api.client.app[SESSIONS]() as db:
        return int(await db.scalar(select(User.id).where(User.username == username)))


async def test_an_ended_meeting_cannot_go_back_to_live(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    path = f"/api/v1/meetings/{demo_meeting}/status"
    for status in ("live", "ended"):
        assert (await api.post(path, {"status": status}))[0] == 200
    status, body = await api.post(path, {"status": "live"})
    assert (status, body["error"]["code"]) == (409, "invalid_transition")
    assert body["error"]["message"] == (
        "Không thể chuyển cuộc họp từ “Đã kết thúc” sang “Đang họp”.")


async def test_an_ended_meeting_is_frozen(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    for status in ("live", "ended"):
        await api.post(f"/api/v1/meetings/{demo_meeting}/status", {"status": status})
    status, body = await api.patch(f"/api/v1/meetings/{demo_meeting}", {"title": "Sửa lại"})
    assert (status, body["error"]["code"]) == (409, "meeting_frozen")


async def test_an_unknown_status_is_named(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    status, body = await api.post(f"/api/v1/meetings/{demo_meeting}/status", {"status": "xong"})
    assert status == 400 and "draft, scheduled, live, ended, archived" in body["error"]["message"]


async def test_an_end_before_the_start_is_refused(demo: None, api: Api) -> None:
    await api.as_("thuky")
    status, body = await api.post("/api/v1/meetings", {
        **NEW, "ends_at": "2026-11-30T07:00:00+07:00"})
    assert (status, body["error"]["code"]) == (400, "end_before_start")


async def test_a_time_without_its_offset_is_refused(demo: None, api: Api) -> None:
    await api.as_("thuky")
    status, body = await api.post("/api/v1/meetings", {**NEW, "starts_at": "2026-11-30T08:00"})
    assert (status, body["error"]["code"]) == (400, "invalid_field")


async def test_unknown_and_malformed_ids_are_404(demo: None, api: Api) -> None:
    await api.as_("thuky")
    for path in ("/api/v1/meetings/999999", "/api/v1/meetings/abc", "/api/v1/meetings/0",
                 "/api/v1/meetings/-1", "/api/v1/meetings/1e3",
                 "/api/v1/meetings/99999999999999999999999", "/api/v1/meetings/2147483648",
                 "/api/v1/meetings/99999999999"):
        status, body = await api.get(path)
        assert (status, body["error"]["code"]) == (404, "not_found"), path


async def test_a_weekly_meeting_is_copied_with_its_people_agenda_and_documents(
    demo_meeting: int, api: Api
) -> None:
    await api.as_("thuky")
    _, source = await api.get(f"/api/v1/meetings/{demo_meeting}")
    status, copy = await api.post(f"/api/v1/meetings/{demo_meeting}/copy",
                                  {"starts_at": "2026-12-07T08:00:00+07:00"})
    assert status == 201
    assert copy["meeting"]["status"] == "draft"
    assert copy["meeting"]["previous_id"] == demo_meeting
    assert len(copy["participants"]) == len(source["participants"])
    assert {p["attendance"] for p in copy["participants"]} == {"unknown"}
    assert [i["title"] for i in copy["agenda"]] == [i["title"] for i in source["agenda"]]
    assert len(copy["remote_rooms"]) == 3
    listed = {m["id"]: m for m in (await api.get("/api/v1/meetings"))[1]["meetings"]}
    assert listed[copy["meeting"]["id"]]["documents"] == listed[demo_meeting]["documents"]

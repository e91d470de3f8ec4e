"""Only the meeting's secretary and admins change it; participants read it; strangers get 404."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api

READS = ["", "/participants", "/agenda"]
WRITES = [
    ("PATCH", "", {"title": "Đổi tên"}),
    ("POST", "/status", {"status": "live"}),
    ("PUT", "/rooms", {"room_ids": []}),
    ("POST", "/copy", {"starts_at": "2026-12-07T08:00:00+07:00"}),
    ("POST", "/participants", {"user_id": 1}),
    ("POST", "/participants/units", {"unit_id": 1}),
    ("POST", "/agenda", {"title": "Thêm"}),
    ("PUT", "/agenda/order", {"order": []}),
]


@pytest.fixture
async def stranger(make_user: Any) -> str:
    await make_user("nguoila", full_name="Người lạ", password="demo")
    return "nguoila"


async def test_a_stranger_gets_404_for_everything_of_the_meeting(
    demo_meeting: int, api: Api, stranger: str
) -> None:
    await api.as_(stranger)
    for suffix in READS:
        assert (await api.get(f"/api/v1/meetings/{demo_meeting}{suffix}"))[0] == 404, suffix
    for method, suffix, body in WRITES:
        status, _ = await api.call(method, f"/api/v1/meetings/{demo_meeting}{suffix}", body)
        assert status == 404, (method, suffix)
    assert (await api.post(f"/api/v1/meetings/{demo_meeting}/check-in"))[0] == 404


async def test_a_stranger_and_an_unknown_meeting_look_the_same(
    demo_meeting: int, api: Api, stranger: str
) -> None:
    await api.as_(stranger)
    assert await api.get(f"/api/v1/meetings/{demo_meeting}") == await api.get(
        "/api/v1/meetings/987654")


async def test_a_delegate_reads_but_may_not_change(demo_meeting: int, api: Api) -> None:
    await api.as_("daibieu01")
    for suffix in READS:
        assert (await api.get(f"/api/v1/meetings/{demo_meeting}{suffix}"))[0] == 200, suffix
    for method, suffix, body in WRITES:
        status, answer = await api.call(method, f"/api/v1/meetings/{demo_meeting}{suffix}", body)
        assert (status, answer["error"]["code"]) == (403, "forbidden"), (method, suffix)


async def test_the_chair_reads_but_only_the_secretary_edits(demo_meeting: int, api: Api) -> None:
    await api.as_("chutoa")
    _, body = await api.get(f"/api/v1/meetings/{demo_meeting}")
    assert body["me"]["can_edit"] is False
    assert (await api.patch(f"/api/v1/meetings/{demo_meeting}", {"title": "X"}))[0] == 403


async def test_an_admin_edits_any_meeting(demo_meeting: int, api: Api) -> None:
    await api.as_("admin")
    status, body = await api.patch(f"/api/v1/meetings/{demo_meeting}", {"code": "13/BB-UBND"})
    assert (status, body["meeting"]["code"]) == (200, "13/BB-UBND")


async def test_signed_out_callers_get_401(demo_meeting: int, client: Any) -> None:
    for suffix in READS:
        response = await client.get(f"/api/v1/meetings/{demo_meeting}{suffix}")
        assert response.status == 401


async def test_a_participant_of_one_meeting_sees_nothing_of_another(
    demo_meeting: int, api: Api
) -> None:
    await api.as_("thuky")
    _, other = await api.post("/api/v1/meetings", {
        "title": "Họp riêng Sở Tài chính", "organiser_unit_id": 1,
        "starts_at": "2026-12-02T08:00:00+07:00"})
    other_id = other["meeting"]["id"]
    await api.post(f"/api/v1/meetings/{other_id}/status", {"status": "scheduled"})
    await api.as_("daibieu01")
    assert (await api.get(f"/api/v1/meetings/{other_id}"))[0] == 404
    listed = [m["id"] for m in (await api.get("/api/v1/meetings"))[1]["meetings"]]
    assert listed == [demo_meeting]

"""Rooms through the API: halls with numbered seats, remote rooms with few or none, and
rooms that meetings use stay put."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from server.meetings.models import Room

from .conftest import Api, Org
from .test_pages import field_error, post_form


async def test_an_admin_adds_a_remote_room_for_a_district(admin: Api, org: Org) -> None:
    status, body = await admin.post("/api/v1/rooms", {
        "name": "Điểm cầu huyện Hòa An", "kind": "remote", "unit_id": org.hoa_an})
    assert (status, body["room"]) == (201, {
        "id": body["room"]["id"], "name": "Điểm cầu huyện Hòa An", "kind": "remote", "seats": 0,
        "link_kbps": 1000, "unit_id": org.hoa_an,
        "unit": {"id": org.hoa_an, "name": "UBND huyện Hòa An"}})


async def test_the_list_shows_halls_first(admin: Api, org: Org) -> None:
    await admin.post("/api/v1/rooms", {"name": "Điểm cầu huyện Hòa An", "kind": "remote",
                                       "unit_id": org.hoa_an})
    await admin.post("/api/v1/rooms", {"name": "Phòng họp tầng 2", "kind": "hall",
                                       "unit_id": org.province, "seats": 12})
    _, body = await admin.get("/api/v1/rooms")
    assert [r["name"] for r in body["rooms"]] == [
        "Hội trường tầng 3", "Phòng họp tầng 2", "Điểm cầu huyện Hòa An",
        "Điểm cầu huyện Tân Lập"]


async def test_seats_are_checked_against_the_kind_of_room(admin: Api, org: Org) -> None:
    cases = {"remote with a handful": ("remote", 4), "remote with a hall's worth": ("remote", 60),
             "hall of 500": ("hall", 500), "hall too big": ("hall", 2001),
             "negative": ("hall", -1), "not a number": ("hall", "20")}
    answers = {}
    for case, (kind, seats) in cases.items():
        status, _ = await admin.post("/api/v1/rooms", {
            "name": "Phòng thử", "kind": kind, "unit_id": org.province, "seats": seats})
        answers[case] = status
    assert answers == {"remote with a handful": 201, "remote with a hall's worth": 400,
                       "hall of 500": 201, "hall too big": 400, "negative": 400,
                       "not a number": 400}


async def test_a_remote_room_with_too_many_seats_is_told_why(admin: Api, org: Org) -> None:
    _, body = await admin.patch(f"/api/v1/rooms/{org.remote}", {"seats": 80})
    assert body["error"]["message"] == (
        "Trường “seats” không hợp lệ: điểm cầu không có ghế đánh số, hoặc tối đa 50 ghế")


async def test_a_room_needs_a_unit_that_exists(admin: Api, org: Org) -> None:
    missing, _ = await admin.post("/api/v1/rooms", {"name": "Phòng", "kind": "hall"})
    unknown, body = await admin.post("/api/v1/rooms", {
        "name": "Phòng", "kind": "hall", "unit_id": 424242})
    assert (missing, unknown, body["error"]["code"]) == (400, 400, "unknown_unit")


async def test_an_unused_room_is_renamed_moved_and_deleted(admin: Api, org: Org) -> None:
    status, body = await admin.patch(f"/api/v1/rooms/{org.remote}", {
        "name": "Điểm cầu Hòa An", "unit_id": org.hoa_an, "kind": "hall", "seats": 30})
    assert (status, body["room"]["unit"]["name"], body["room"]["kind"]) == (
        200, "UBND huyện Hòa An", "hall")
    assert (await admin.delete(f"/api/v1/rooms/{org.remote}"))[0] == 204
    assert (await admin.delete(f"/api/v1/rooms/{org.remote}"))[0] == 404


async def test_a_room_a_meeting_uses_is_not_deleted(
    admin: Api, org: Org, make_meeting: Any
) -> None:
    _, body = await admin.post("/api/v1/rooms", {
        "name": "Điểm cầu huyện Hòa An", "kind": "remote", "unit_id": org.hoa_an})
    attended_from = body["room"]["id"]
    await make_meeting(hall=org.hall)
    await make_meeting(remote=(org.remote,))
    await make_meeting(room_of={org.users["huyen1"]: attended_from})
    answers = {}
    for room_id in (org.hall, org.remote, attended_from):
        status, body = await admin.delete(f"/api/v1/rooms/{room_id}")
        answers[room_id] = (status, body["error"]["code"])
    assert set(answers.values()) == {(409, "room_in_use")}


async def test_the_refusal_counts_the_meetings(admin: Api, org: Org, make_meeting: Any) -> None:
    await make_meeting(hall=org.hall)
    await make_meeting(hall=org.hall)
    _, body = await admin.delete(f"/api/v1/rooms/{org.hall}")
    assert body["error"]["message"] == (
        "Không thể xóa phòng “Hội trường tầng 3”: 2 cuộc họp đang dùng phòng này "
        "(làm hội trường, điểm cầu hoặc nơi dự họp).")


async def test_a_hall_in_use_keeps_its_kind(admin: Api, org: Org, make_meeting: Any) -> None:
    await make_meeting(hall=org.hall)
    status, body = await admin.patch(f"/api/v1/rooms/{org.hall}", {"kind": "remote", "seats": 0})
    assert (status, body["error"]["code"]) == (409, "room_kind_in_use")


async def test_seats_do_not_drop_below_one_already_given(
    admin: Api, org: Org, make_meeting: Any
) -> None:
    await make_meeting(hall=org.hall, seats={org.users["chutoa"]: 1, org.users["daibieu01"]: 18})
    below, body = await admin.patch(f"/api/v1/rooms/{org.hall}", {"seats": 17})
    enough, _ = await admin.patch(f"/api/v1/rooms/{org.hall}", {"seats": 18})
    assert (below, body["error"]["code"], enough) == (409, "seats_below_assigned", 200)


async def test_unknown_and_malformed_room_ids_are_404(admin: Api, org: Org) -> None:
    ids = ["424242", "x", "0", "-3", "2147483648"]
    statuses = {(await admin.patch(f"/api/v1/rooms/{i}", {"seats": 1}))[0] for i in ids}
    statuses |= {(await admin.delete(f"/api/v1/rooms/{i}"))[0] for i in ids}
    assert statuses == {404}


async def test_a_body_that_is_not_json_is_refused(admin: Api, org: Org) -> None:
    response = await admin.client.post(
        "/api/v1/rooms", data="name=x", headers={"X-CSRF-Token": admin.csrf,
                                                 "Content-Type": "application/json"})
    assert (response.status, (await response.json())["error"]["code"]) == (400, "invalid_json")


async def test_a_rooms_link_budget_is_set_and_cleared_for_no_limit(admin: Api, org: Org) -> None:
    _, made = await admin.post("/api/v1/rooms", {
        "name": "Điểm cầu huyện Hòa An", "kind": "remote", "unit_id": org.hoa_an,
        "link_kbps": 768})
    room = made["room"]["id"]
    budgets = [made["room"]["link_kbps"]]
    for value in (2000, None, 0):
        status, body = await admin.patch(f"/api/v1/rooms/{room}", {"link_kbps": value})
        assert status == 200, body
        budgets.append(body["room"]["link_kbps"])
    _, untouched = await admin.patch(f"/api/v1/rooms/{room}", {"name": "Điểm cầu Hòa An"})
    assert (budgets, untouched["room"]["link_kbps"]) == ([768, 2000, None, 0], 0)


async def test_a_negative_or_non_number_link_budget_is_refused_in_vietnamese(
    admin: Api, org: Org
) -> None:
    messages = {}
    for value in (-1, "1000", 1.5, True, 1_000_001):
        status, body = await admin.patch(f"/api/v1/rooms/{org.remote}", {"link_kbps": value})
        messages[repr(value)] = (status, body["error"]["message"])
    _, kept = await admin.get("/api/v1/rooms")
    wrong_range = "Trường “link_kbps” không hợp lệ: phải trong khoảng 0–1000000"
    not_integer = "Trường “link_kbps” không hợp lệ: phải là số nguyên"
    assert messages == {"-1": (400, wrong_range), "'1000'": (400, not_integer),
                        "1.5": (400, not_integer), "True": (400, not_integer),
                        "1000001": (400, wrong_range)}
    assert {r["id"]: r["link_kbps"] for r in kept["rooms"]}[org.remote] == 1000


async def test_the_rooms_page_sets_the_link_budget_and_says_what_is_wrong(
    client: TestClient, admin: Api, org: Org, sessions: Any
) -> None:
    fields = {"name": "Điểm cầu huyện Tân Lập", "kind": "remote", "unit_id": str(org.tan_lap),
              "seats": "0"}
    saved = await post_form(client, admin, f"/admin/rooms/{org.remote}", **fields,
                            link_kbps="640")
    negative = await post_form(client, admin, f"/admin/rooms/{org.remote}", **fields,
                               link_kbps="-5")
    words = await post_form(client, admin, f"/admin/rooms/{org.remote}", **fields,
                            link_kbps="một nghìn")
    async with sessions() as db:
        budget = (await db.get(Room, org.remote)).link_kbps
    listing = await (await client.get("/admin/rooms")).text()
    assert (saved.status, budget) == (303, 640) and "640 kbit/s" in listing
    assert negative.status == 400 and field_error(
        await negative.text(), "room-link") == "phải trong khoảng 0–1000000"
    assert words.status == 400 and field_error(await words.text(), "room-link") == (
        "phải là số nguyên")
    cleared = await post_form(client, admin, f"/admin/rooms/{org.remote}", **fields,
                              link_kbps="")
    async with sessions() as db:
        assert (cleared.status, (await db.get(Room, org.remote)).link_kbps) == (303, None)
    assert "Không giới hạn" in await (await client.get("/admin/rooms")).text()

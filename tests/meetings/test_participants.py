"""Who attends and where from: seats, rooms, roll call, check-in, substitutes, quorum."""

from __future__ import annotations

from typing import Any

from .conftest import Api


def _by_username(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["user"]["username"]: p for p in body["participants"]}


async def _participants(api: Api, meeting: int) -> dict[str, dict[str, Any]]:
    return _by_username((await api.get(f"/api/v1/meetings/{meeting}/participants"))[1])


async def test_the_quorum_counts_present_members_with_a_vote(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    people = await _participants(api, demo_meeting)
    base = f"/api/v1/meetings/{demo_meeting}/participants"
    for name in ("chutoa", "daibieu01", "daibieu02"):
        await api.post(f"{base}/{people[name]['id']}/attendance", {"attendance": "present_hall"})
    _, body = await api.post(f"{base}/{people['huyen1']['id']}/attendance",
                             {"attendance": "present_remote"})
    assert body["quorum"] == {"present": 3, "members": 21, "share": round(3 / 21, 4)}


async def test_a_delegate_checks_in_from_the_tablet(demo_meeting: int, api: Api) -> None:
    await api.as_("daibieu07")
    status, body = await api.post(f"/api/v1/meetings/{demo_meeting}/check-in")
    assert status == 200
    me = _by_username(body)["daibieu07"]
    assert (me["attendance"], me["may_vote"]) == ("present_hall", True)


async def test_a_district_room_checks_in_as_present_remotely(demo_meeting: int, api: Api) -> None:
    await api.as_("huyen2")
    _, body = await api.post(f"/api/v1/meetings/{demo_meeting}/check-in")
    assert _by_username(body)["huyen2"]["attendance"] == "present_remote"


async def test_an_absence_keeps_its_reason(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    people = await _participants(api, demo_meeting)
    _, body = await api.post(
        f"/api/v1/meetings/{demo_meeting}/participants/{people['daibieu03']['id']}/attendance",
        {"attendance": "absent", "absence_reason": "Đi công tác tại Hà Nội"})
    assert _by_username(body)["daibieu03"]["absence_reason"] == "Đi công tác tại Hà Nội"


async def test_a_substitute_votes_for_the_absent_member_only_where_allowed(
    demo_meeting: int, api: Api, make_user: Any
) -> None:
    stand_in = await make_user("phogiamdoc", full_name="Vũ Minh Châu", password="demo")
    await api.as_("thuky")
    base = f"/api/v1/meetings/{demo_meeting}/participants"
    people = await _participants(api, demo_meeting)
    member = people["daibieu04"]["id"]
    await api.post(f"{base}/{member}/attendance", {"attendance": "absent",
                                                   "absence_reason": "Ốm"})
    status, body = await api.post(f"{base}/substitutes",
                                  {"member_id": member, "user_id": stand_in.id})
    assert status == 201, body
    substitute = _by_username(body)["phogiamdoc"]
    _, body = await api.post(f"{base}/{substitute['id']}/attendance",
                             {"attendance": "present_hall"})
    assert _by_username(body)["phogiamdoc"]["may_vote"] is True
    assert body["quorum"]["present"] == 1
    await api.patch(f"/api/v1/meetings/{demo_meeting}", {"substitutes_may_vote": False})
    body = (await api.get(base))[1]
    assert _by_username(body)["phogiamdoc"]["may_vote"] is False
    assert body["quorum"]["present"] == 0


async def test_a_substitute_needs_an_absent_voting_member(
    demo_meeting: int, api: Api, make_user: Any
) -> None:
    stand_in = await make_user("khach", full_name="Khách")
    await api.as_("thuky")
    people = await _participants(api, demo_meeting)
    status, body = await api.post(
        f"/api/v1/meetings/{demo_meeting}/participants/substitutes",
        {"member_id": people["daibieu05"]["id"], "user_id": stand_in.id})
    assert (status, body["error"]["code"]) == (400, "invalid_substitute")


async def test_two_people_cannot_share_a_seat(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    people = await _participants(api, demo_meeting)
    status, body = await api.patch(
        f"/api/v1/meetings/{demo_meeting}/participants/{people['daibieu01']['id']}", {"seat": 2})
    assert (status, body["error"]["message"]) == (409, "Ghế số 2 đã có người ngồi.")


async def test_a_seat_outside_the_hall_is_refused(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    people = await _participants(api, demo_meeting)
    status, body = await api.patch(
        f"/api/v1/meetings/{demo_meeting}/participants/{people['daibieu01']['id']}", {"seat": 21})
    assert (status, body["error"]["code"]) == (400, "seat_out_of_range")


async def test_a_meeting_has_one_chair(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    people = await _participants(api, demo_meeting)
    status, body = await api.patch(
        f"/api/v1/meetings/{demo_meeting}/participants/{people['daibieu01']['id']}",
        {"role": "chair"})
    assert (status, body["error"]["code"]) == (409, "one_chair")


async def test_adding_a_unit_adds_its_people_once(demo: None, api: Api) -> None:
    await api.as_("thuky")
    _, created = await api.post("/api/v1/meetings", {
        "title": "Họp chuyên đề", "organiser_unit_id": 1,
        "starts_at": "2026-12-01T14:00:00+07:00"})
    meeting = created["meeting"]["id"]
    path = f"/api/v1/meetings/{meeting}/participants/units"
    status, body = await api.post(path, {"unit_id": 1, "voting_right": True})
    assert status == 201 and len(body["added"]) > 0
    status, again = await api.post(path, {"unit_id": 1})
    assert again["added"] == []
    usernames = [p["user"]["username"] for p in again["participants"]]
    assert len(usernames) == len(set(usernames))


async def test_the_same_person_cannot_be_added_twice(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    people = await _participants(api, demo_meeting)
    status, body = await api.post(f"/api/v1/meetings/{demo_meeting}/participants",
                                  {"user_id": people["daibieu01"]["user"]["id"]})
    assert (status, body["error"]["code"]) == (409, "already_participant")


async def test_check_in_is_closed_after_the_meeting(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    for status in ("live", "ended"):
        await api.post(f"/api/v1/meetings/{demo_meeting}/status", {"status": status})
    await api.as_("daibieu01")
    status, body = await api.post(f"/api/v1/meetings/{demo_meeting}/check-in")
    assert (status, body["error"]["code"]) == (409, "check_in_closed")

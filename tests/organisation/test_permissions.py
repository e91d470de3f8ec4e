"""Who may do what through the organisation API: admins everything; global secretaries
read units and rooms and search people; other users 403; signed out 401."""

from __future__ import annotations

from typing import Any

from .conftest import Api, Org


def writes(org: Org) -> list[tuple[str, str, Any]]:
    chutoa = org.users["chutoa"]
    return [
        ("POST", "/api/v1/units", {"name": "Sở Y tế", "kind": "department",
                                   "parent_id": org.province}),
        ("PATCH", f"/api/v1/units/{org.finance}", {"name": "Sở Tài chính mới"}),
        ("DELETE", f"/api/v1/units/{org.hoa_an}", None),
        ("POST", "/api/v1/rooms", {"name": "Phòng họp nhỏ", "kind": "hall",
                                   "unit_id": org.province, "seats": 10}),
        ("PATCH", f"/api/v1/rooms/{org.hall}", {"seats": 30}),
        ("DELETE", f"/api/v1/rooms/{org.remote}", None),
        ("POST", "/api/v1/users", {"username": "moi", "full_name": "Người Mới",
                                   "password": "mật khẩu dài"}),
        ("GET", f"/api/v1/users/{chutoa}", None),
        ("PATCH", f"/api/v1/users/{chutoa}", {"title": "Chủ tịch"}),
        ("POST", f"/api/v1/users/{chutoa}/password", {"password": "mật khẩu mới"}),
    ]


READS = [("GET", "/api/v1/units"), ("GET", "/api/v1/rooms"), ("GET", "/api/v1/users?q=hung")]


async def statuses(api: Api, calls: list[tuple[str, str, Any]]) -> dict[str, int]:
    return {f"{method} {path}": (await api.call(method, path, body))[0]
            for method, path, body in calls}


async def test_a_delegate_may_neither_read_nor_write(api: Api, org: Org) -> None:
    await api.as_("chutoa")
    calls = writes(org) + [(m, p, None) for m, p in READS]
    assert await statuses(api, calls) == {f"{m} {p}": 403 for m, p, _ in calls}


async def test_a_secretary_reads_units_rooms_and_people_but_writes_nothing(
    api: Api, org: Org
) -> None:
    await api.as_("thuky")
    assert await statuses(api, [(m, p, None) for m, p in READS]) == {
        f"{m} {p}": 200 for m, p in READS}
    assert await statuses(api, writes(org)) == {f"{m} {p}": 403 for m, p, _ in writes(org)}


async def test_signed_out_every_call_is_401(api: Api, org: Org) -> None:
    calls = writes(org) + [(m, p, None) for m, p in READS]
    assert await statuses(api, calls) == {f"{m} {p}": 401 for m, p, _ in calls}


async def test_an_admin_may_do_all_of_it(admin: Api, org: Org) -> None:
    expected = {"POST": {201, 200}, "PATCH": {200}, "DELETE": {204}, "GET": {200}}
    for method, path, body in writes(org) + [(m, p, None) for m, p in READS]:
        status, answer = await admin.call(method, path, body)
        assert status in expected[method], (method, path, answer)


async def test_a_non_admin_gets_403_before_the_body_is_read(api: Api, org: Org) -> None:
    await api.as_("thuky")
    status, body = await api.post("/api/v1/units", {"kind": "not a kind"})
    assert (status, body["error"]["code"]) == (403, "forbidden")


async def test_only_an_admin_sees_locked_accounts_in_the_search(api: Api, org: Org) -> None:
    await api.as_("thuky")
    status, _ = await api.get("/api/v1/users?include_inactive=true")
    assert status == 403

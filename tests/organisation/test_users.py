"""Accounts through the API: created with a password (never shown back), unique user names,
roles and units changed, locked accounts signed out at once, passwords reset."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from server.auth.models import AuthSession

from .conftest import PASSWORD, Api, Org

NEW = {"username": "NguyenVanAn", "full_name": "Nguyễn Văn An", "password": "mật khẩu dài",
       "title": "Chuyên viên", "roles": ["secretary"], "locale": "en"}


async def sign_in(client: TestClient, username: str, password: str) -> int:
    response = await client.post("/api/v1/auth/login",
                                 json={"username": username, "password": password})
    return response.status


async def test_an_admin_creates_an_account(admin: Api, org: Org) -> None:
    status, body = await admin.post("/api/v1/users", {**NEW, "unit_id": org.finance})
    assert (status, body["user"]) == (201, {
        "id": body["user"]["id"], "username": "nguyenvanan", "full_name": "Nguyễn Văn An",
        "title": "Chuyên viên", "unit": {"id": org.finance, "name": "Sở Tài chính"},
        "locale": "en", "roles": ["secretary"], "active": True,
        "created_at": body["user"]["created_at"]})


async def test_the_new_account_signs_in_with_its_password(
    admin: Api, org: Org, client: TestClient
) -> None:
    await admin.post("/api/v1/users", NEW)
    client.session.cookie_jar.clear()
    assert await sign_in(client, "nguyenvanan", "mật khẩu dài") == 200


async def test_no_answer_carries_a_password_or_its_hash(admin: Api, org: Org) -> None:
    _, created = await admin.post("/api/v1/users", NEW)
    user_id = created["user"]["id"]
    answers = [created, (await admin.get(f"/api/v1/users/{user_id}"))[1],
               (await admin.patch(f"/api/v1/users/{user_id}", {"title": "x"}))[1],
               (await admin.post(f"/api/v1/users/{user_id}/password",
                                 {"password": "một mật khẩu khác"}))[1],
               (await admin.get("/api/v1/users?q=an"))[1]]
    text = json.dumps(answers, ensure_ascii=False)
    assert "password" not in text and "argon2" not in text and "mật khẩu" not in text


async def test_a_user_name_is_taken_once_whatever_its_case(admin: Api, org: Org) -> None:
    answers = set()
    for username in ("chutoa", "ChuToa", " CHUTOA "):
        status, body = await admin.post("/api/v1/users", {**NEW, "username": username})
        answers.add((status, body["error"]["code"]))
    assert answers == {(409, "username_taken")}


async def test_user_names_are_plain_ascii(admin: Api, org: Org) -> None:
    statuses = {}
    for username in ("nguyễn", "nguyen van", "<script>", "'; drop", "-dash", "", "a" * 65,
                     "an.nguyen@lamson", "an_nguyen-2"):
        statuses[username] = (await admin.post("/api/v1/users", {**NEW, "username": username}))[0]
    assert statuses == {"nguyễn": 400, "nguyen van": 400, "<script>": 400, "'; drop": 400,
                        "-dash": 400, "": 400, "a" * 65: 400,
                        "an.nguyen@lamson": 201, "an_nguyen-2": 201}


async def test_a_password_has_at_least_eight_characters(admin: Api, org: Org) -> None:
    short, body = await admin.post("/api/v1/users", {**NEW, "password": "1234567"})
    missing, _ = await admin.post("/api/v1/users", {k: v for k, v in NEW.items()
                                                    if k != "password"})
    assert (short, missing) == (400, 400)
    assert body["error"]["message"] == "Trường “password” không hợp lệ: phải có ít nhất 8 ký tự"


async def test_names_with_markup_are_stored_as_given_and_controls_refused(
    admin: Api, org: Org
) -> None:
    nasty = "Lê <script>alert('x')</script> \"Bảo\"; DROP TABLE users;--"
    stored, body = await admin.post("/api/v1/users", {**NEW, "full_name": nasty})
    assert (stored, body["user"]["full_name"]) == (201, nasty)
    refused = {(await admin.post("/api/v1/users", {**NEW, "username": f"u{i}", "full_name": n}))[0]
               for i, n in enumerate(("Lê\nBảo", "Lê\u0007Bảo", "\u202eoảB êL", "   "))}
    assert refused == {400}


async def test_a_very_long_name_is_refused_with_a_clear_message(admin: Api, org: Org) -> None:
    name = "Công Tằng Tôn Nữ Thị Hoàng Phương " * 7
    _, body = await admin.post("/api/v1/users", {**NEW, "full_name": name})
    assert body["error"]["message"] == (
        f"Trường “full_name” không hợp lệ: dài {len(name.strip())} ký tự, tối đa 200 ký tự")


async def test_bad_fields_are_refused(admin: Api, org: Org) -> None:
    cases = {"unknown unit": {"unit_id": 99999}, "unit as text": {"unit_id": "3"},
             "unknown role": {"roles": ["chair"]}, "roles not a list": {"roles": "admin"},
             "unknown locale": {"locale": "fr"}, "active as text": {"active": "yes"},
             "name as number": {"full_name": 42}}
    answers = {}
    for case, fields in cases.items():
        status, body = await admin.post("/api/v1/users", {**NEW, **fields})
        answers[case] = (status, body["error"]["code"])
    assert answers == {"unknown unit": (400, "unknown_unit"),
                       **{case: (400, "invalid_field") for case in cases if case != "unknown unit"}}


async def test_an_admin_changes_name_title_unit_locale_and_roles(admin: Api, org: Org) -> None:
    status, body = await admin.patch(f"/api/v1/users/{org.users['chutoa']}", {
        "full_name": "Nguyễn Văn Hùng", "title": "Bí thư", "unit_id": org.office, "locale": "en",
        "roles": ["admin", "secretary"]})
    assert (status, body["user"]["title"], body["user"]["unit"]["id"], body["user"]["locale"],
            body["user"]["roles"]) == (200, "Bí thư", org.office, "en", ["admin", "secretary"])


async def test_a_new_secretary_may_search_people_at_once(
    admin: Api, org: Org, api: Api
) -> None:
    await admin.patch(f"/api/v1/users/{org.users['chutoa']}", {"roles": ["secretary"]})
    await api.as_("chutoa")
    assert (await api.get("/api/v1/users?q=lan"))[0] == 200


async def test_a_user_can_be_taken_out_of_every_unit(admin: Api, org: Org) -> None:
    _, body = await admin.patch(f"/api/v1/users/{org.users['chutoa']}", {"unit_id": None})
    assert body["user"]["unit"] is None


async def test_locking_an_account_signs_it_out_everywhere(
    api: Api, org: Org, client: TestClient, sessions: Any
) -> None:
    await api.as_("chutoa")
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["phonghop_session"]
    await api.as_("admin")
    status, body = await api.patch(f"/api/v1/users/{org.users['chutoa']}", {"active": False})
    assert (status, body["user"]["active"]) == (200, False)
    async with sessions() as db:
        left = await db.scalar(select(func.count()).select_from(AuthSession)
                               .where(AuthSession.user_id == org.users["chutoa"]))
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({"phonghop_session": cookie.value})
    me = (await client.get("/api/v1/me")).status
    assert (left, me, await sign_in(client, "chutoa", PASSWORD)) == (0, 401, 401)


async def test_an_admin_cannot_lock_themselves_out(admin: Api, org: Org) -> None:
    me = org.users["admin"]
    locked, body = await admin.patch(f"/api/v1/users/{me}", {"active": False})
    demoted, _ = await admin.patch(f"/api/v1/users/{me}", {"roles": ["secretary"]})
    still, _ = await admin.get("/api/v1/units")
    assert (locked, body["error"]["code"], demoted, still) == (409, "own_access", 409, 200)


async def test_an_admin_sets_a_new_password(
    api: Api, org: Org, client: TestClient, sessions: Any
) -> None:
    await api.as_("chutoa")
    await api.as_("admin")
    status, _ = await api.post(f"/api/v1/users/{org.users['chutoa']}/password",
                               {"password": "mật khẩu mới tinh"})
    async with sessions() as db:
        left = await db.scalar(select(func.count()).select_from(AuthSession)
                               .where(AuthSession.user_id == org.users["chutoa"]))
    still_admin, _ = await api.get("/api/v1/units")
    client.session.cookie_jar.clear()
    old = await sign_in(client, "chutoa", PASSWORD)
    new = await sign_in(client, "chutoa", "mật khẩu mới tinh")
    assert (status, left, still_admin, old, new) == (200, 0, 200, 401, 200)


async def test_a_short_new_password_is_refused(admin: Api, org: Org) -> None:
    status, body = await admin.post(f"/api/v1/users/{org.users['chutoa']}/password",
                                    {"password": "ngắn"})
    assert (status, body["error"]["code"]) == (400, "invalid_field")


async def test_an_admin_resetting_their_own_password_stays_signed_in(
    admin: Api, org: Org
) -> None:
    status, _ = await admin.post(f"/api/v1/users/{org.users['admin']}/password",
                                 {"password": "mật khẩu mới của tôi"})
    assert (status, (await admin.get("/api/v1/units"))[0]) == (200, 200)


async def test_unknown_and_malformed_user_ids_are_404(admin: Api, org: Org) -> None:
    statuses = set()
    for user_id in ("424242", "abc", "0", "2147483648", "１"):  # the last: a full-width 1
        statuses.add((await admin.get(f"/api/v1/users/{user_id}"))[0])
        statuses.add((await admin.patch(f"/api/v1/users/{user_id}", {"title": "x"}))[0])
        statuses.add((await admin.post(f"/api/v1/users/{user_id}/password",
                                       {"password": "mật khẩu dài"}))[0])
    assert statuses == {404}

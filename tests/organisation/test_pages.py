"""The admin pages: forms that work without JavaScript, messages beside their fields,
names escaped, and nobody but an administrator gets in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from yarl import URL

from server.auth.models import User
from server.meetings.models import Unit

from .conftest import Api, Org

PAGES = ["/admin", "/admin/units", "/admin/rooms", "/admin/users", "/admin/users/new"]


async def page(client: TestClient, path: str) -> tuple[int, str]:
    response = await client.get(path, allow_redirects=False)
    return response.status, await response.text()


async def post_form(client: TestClient, admin: Api, path: str, **fields: Any) -> Any:
    data = [("csrf_token", admin.csrf)]
    for name, value in fields.items():
        data += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return await client.post(path, data=data, allow_redirects=False)


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="admin-field__error" id="{field_id}-error">([^<]*)</p>', html)
    assert match, f"no error beside {field_id}"
    return match.group(1)


async def test_every_admin_page_opens_for_an_admin(
    client: TestClient, admin: Api, org: Org
) -> None:
    paths = [*PAGES, f"/admin/units/{org.tan_lap}", f"/admin/rooms/{org.hall}",
             f"/admin/users/{org.users['chutoa']}", "/admin/users?q=nguyen+van+hung"]
    assert {path: (await page(client, path))[0] for path in paths} == {p: 200 for p in paths}


@pytest.mark.parametrize("who", ["chutoa", "thuky"])
async def test_anyone_else_gets_the_403_page(
    client: TestClient, api: Api, org: Org, who: str
) -> None:
    await api.as_(who)
    statuses = {path: (await page(client, path))[0] for path in PAGES}
    posted = await post_form(client, api, "/admin/units", name="Sở Y tế", kind="department",
                             parent_id=str(org.province))
    assert (statuses, posted.status) == ({p: 403 for p in PAGES}, 403)
    assert "Bạn không có quyền thực hiện việc này." in await posted.text()


async def test_signed_out_the_page_sends_to_the_login(client: TestClient, org: Org) -> None:
    response = await client.get("/admin/users?q=hùng", allow_redirects=False)
    location = URL(response.headers["Location"])
    assert (response.status, location.path, location.query["next"]) == (
        303, "/login", "/admin/users?q=h%C3%B9ng")


async def test_only_an_admin_sees_the_link_in_the_header(
    client: TestClient, api: Api, org: Org
) -> None:
    await api.as_("thuky")
    secretary = (await page(client, "/"))[1]
    await api.as_("admin")
    admin = (await page(client, "/"))[1]
    assert ('href="/admin"' in secretary, 'href="/admin"' in admin) == (False, True)


async def test_a_form_post_creates_a_unit(
    client: TestClient, admin: Api, org: Org, sessions: Any
) -> None:
    response = await post_form(client, admin, "/admin/units", name="UBND xã Tân Thành",
                               short_name="Xã Tân Thành", kind="commune",
                               parent_id=str(org.tan_lap))
    async with sessions() as db:
        unit = await db.scalar(select(Unit).where(Unit.name == "UBND xã Tân Thành"))
    assert unit is not None and unit.parent_id == org.tan_lap
    assert (response.status, response.headers["Location"]) == (
        303, f"/admin/units?added={unit.id}#unit-{unit.id}")
    _, html = await page(client, response.headers["Location"])
    assert "Đã thêm đơn vị “UBND xã Tân Thành”." in html


async def test_a_refused_form_keeps_what_was_typed_and_explains_beside_the_field(
    client: TestClient, admin: Api, org: Org
) -> None:
    response = await post_form(client, admin, "/admin/units", name="Huyện Mới", short_name="HM",
                               kind="district", parent_id=str(org.hoa_an))
    html = await response.text()
    assert response.status == 400
    assert field_error(html, "new-unit-parent") == (
        "Đơn vị loại “Cấp huyện” không thể trực thuộc “UBND huyện Hòa An” (loại “Cấp huyện”).")
    assert 'value="Huyện Mới"' in html and 'aria-describedby="new-unit-parent-error"' in html


async def test_every_wrong_field_is_shown_at_once(
    client: TestClient, admin: Api, org: Org
) -> None:
    response = await post_form(client, admin, "/admin/rooms", name="Phòng\tthử", kind="sảnh",
                               unit_id="", seats="bốn")
    html = await response.text()
    assert response.status == 400
    assert {field: field_error(html, f"new-room-{field}") for field in
            ("name", "kind", "unit", "seats")} == {
        "name": "có ký tự điều khiển hoặc ký tự ẩn (xuống dòng, tab…): hãy gõ lại",
        "kind": "phải là một trong: hall, remote",
        "unit": "bắt buộc phải có",
        "seats": "phải là số nguyên"}


async def test_a_negative_number_of_seats_is_refused_for_its_range(
    client: TestClient, admin: Api, org: Org
) -> None:
    response = await post_form(client, admin, "/admin/rooms", name="Phòng thử", kind="hall",
                               unit_id=str(org.province), seats="-4")
    assert field_error(await response.text(), "new-room-seats") == "phải trong khoảng 0–2000"


async def test_messages_follow_the_language_chosen(
    client: TestClient, admin: Api, org: Org
) -> None:
    client.session.cookie_jar.update_cookies({"lang": "en"})
    response = await post_form(client, admin, "/admin/units", name="", kind="department",
                               parent_id=str(org.province))
    assert field_error(await response.text(), "new-unit-name") == "it is required"


async def test_a_refused_delete_says_why_on_the_unit_page(
    client: TestClient, admin: Api, org: Org
) -> None:
    response = await post_form(client, admin, f"/admin/units/{org.province}/delete")
    html = await response.text()
    assert response.status == 409
    assert "Không thể xóa “Ủy ban nhân dân tỉnh Lâm Sơn”: còn 4 đơn vị trực thuộc." in html


async def test_the_edit_form_moves_a_unit(client: TestClient, admin: Api, org: Org) -> None:
    response = await post_form(client, admin, f"/admin/units/{org.finance}",
                               name="Sở Tài chính", short_name="STC", kind="department",
                               parent_id=str(org.office))
    _, body = await admin.get("/api/v1/units")
    [province] = body["units"]
    office = next(c for c in province["children"] if c["id"] == org.office)
    assert (response.status, [c["id"] for c in office["children"]]) == (303, [org.finance])


async def test_the_edit_page_offers_no_parent_that_would_make_a_cycle(
    client: TestClient, admin: Api, org: Org
) -> None:
    _, body = await admin.post("/api/v1/units", {"name": "Phòng Ngân sách", "kind": "department",
                                                 "parent_id": org.finance})
    _, html = await page(client, f"/admin/units/{org.finance}")
    parent_select = html[html.index('name="parent_id"'):]
    parent_select = parent_select[:parent_select.index("</select>")]
    assert f'value="{body["unit"]["id"]}"' not in parent_select
    assert f'value="{org.finance}"' not in parent_select


async def test_names_with_markup_are_escaped_in_every_page(
    client: TestClient, admin: Api, org: Org
) -> None:
    nasty = "<script>alert('x')</script>"
    await admin.patch(f"/api/v1/units/{org.finance}", {"name": f"Sở {nasty}"})
    await admin.patch(f"/api/v1/rooms/{org.hall}", {"name": f"Hội trường {nasty}"})
    await admin.patch(f"/api/v1/users/{org.users['chutoa']}", {"full_name": f"Hùng {nasty}"})
    htmls = [(await page(client, p))[1] for p in (
        "/admin/units", "/admin/rooms", "/admin/users?q=hung", f"/admin/units/{org.finance}",
        f"/admin/rooms/{org.hall}", f"/admin/users/{org.users['chutoa']}")]
    assert not any("<script>alert" in html for html in htmls)
    assert all("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html for html in htmls)


async def test_the_user_search_page_is_accent_insensitive(
    client: TestClient, admin: Api, org: Org
) -> None:
    _, html = await page(client, "/admin/users?q=nguyen+van+hung")
    assert "Nguyễn Văn Hùng" in html and "Tìm thấy 1 người." in html


async def test_a_form_creates_a_user_and_never_shows_the_password_back(
    client: TestClient, admin: Api, org: Org, sessions: Any
) -> None:
    response = await post_form(client, admin, "/admin/users/new", username="tranvanba",
                               full_name="Trần Văn Ba", title="", unit_id=str(org.finance),
                               locale="vi", roles=["secretary"], active="on",
                               password="mật khẩu dài")
    async with sessions() as db:
        user = await db.scalar(select(User).where(User.username == "tranvanba"))
    assert user is not None and user.is_secretary and user.unit_id == org.finance
    assert response.headers["Location"] == f"/admin/users?added={user.id}"
    again = await post_form(client, admin, "/admin/users/new", username="tranvanba",
                            full_name="Trần Văn Ba", locale="vi", password="mật khẩu dài")
    html = await again.text()
    assert again.status == 409 and "mật khẩu dài" not in html
    assert field_error(html, "new-user-username") == (
        "Tên đăng nhập “tranvanba” đã có người dùng. Hãy chọn tên khác.")


async def test_unticking_active_locks_the_account(
    client: TestClient, admin: Api, org: Org, sessions: Any
) -> None:
    response = await post_form(client, admin, f"/admin/users/{org.users['chutoa']}",
                               full_name="Nguyễn Văn Hùng", title="Chủ tịch UBND tỉnh",
                               unit_id=str(org.province), locale="vi")
    async with sessions() as db:
        user = await db.get(User, org.users["chutoa"])
    assert response.status == 303 and user is not None and not user.is_active


async def test_a_short_password_is_refused_beside_its_field(
    client: TestClient, admin: Api, org: Org
) -> None:
    response = await post_form(client, admin, f"/admin/users/{org.users['chutoa']}/password",
                               password="ngắn")
    html = await response.text()
    assert (response.status, field_error(html, "user-password")) == (
        400, "phải có ít nhất 8 ký tự")


async def test_a_form_without_its_csrf_token_is_refused(
    client: TestClient, admin: Api, org: Org
) -> None:
    response = await client.post("/admin/units", data={
        "name": "Sở Y tế", "kind": "department", "parent_id": str(org.province)})
    assert response.status == 403


async def test_unknown_ids_give_the_404_page(client: TestClient, admin: Api, org: Org) -> None:
    paths = ["/admin/units/424242", "/admin/rooms/abc", "/admin/users/0"]
    assert {(await page(client, p))[0] for p in paths} == {404}


async def test_odd_query_parameters_are_ignored_not_an_error(
    client: TestClient, admin: Api, org: Org
) -> None:
    paths = ["/admin/users?added=9999999999", "/admin/users?saved=x", "/admin/units?added=0",
             "/admin/units?parent_id=9999999999", "/admin/rooms?saved=-1",
             "/admin/users/new?unit_id=abc"]
    assert {(await page(client, p))[0] for p in paths} == {200}

"""The server-rendered pages: language, sign-in by form, the home page's meetings, escaping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient
from markupsafe import escape

from server.i18n import translate
from server.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingRole,
    MeetingStatus,
    Participant,
    Room,
    RoomKind,
    Unit,
    UnitKind,
)
from server.pages import create_environment

PASSWORD = "mật-khẩu-đúng"
DEMO_MEETING = "Phiên họp thường kỳ tháng 11 năm 2026 của Ủy ban nhân dân tỉnh"


async def form_login(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return await client.post(
        "/login", data={"username": username, "password": password}, allow_redirects=False)


@pytest.fixture
def make_meeting(sessions):  # type: ignore[no-untyped-def]
    """``await make_meeting(user_id)``: a scheduled meeting in the hall, with the user in it."""

    async def create(user_id: int, role: MeetingRole = MeetingRole.DELEGATE) -> Meeting:
        async with sessions() as db:
            province = Unit(kind=UnitKind.PROVINCE, name="Ủy ban nhân dân tỉnh Bắc Ninh")
            db.add(province)
            await db.flush()
            hall = Room(unit_id=province.id, kind=RoomKind.HALL, name="Hội trường tầng 3",
                        seats=40)
            db.add(hall)
            await db.flush()
            meeting = Meeting(
                code="125/GM-UBND", title="Họp bàn kế hoạch đầu tư công năm 2027",
                organiser_unit_id=province.id, hall_room_id=hall.id,
                starts_at=datetime(2026, 11, 30, 1, 0, tzinfo=UTC),
                status=MeetingStatus.SCHEDULED)
            db.add(meeting)
            await db.flush()
            db.add(Participant(meeting_id=meeting.id, user_id=user_id, role=role))
            db.add_all(AgendaItem(meeting_id=meeting.id, position=i, title=f"Nội dung {i}")
                       for i in (1, 2))
            await db.commit()
            return meeting

    return create


async def test_the_login_page_is_vietnamese_by_default(client: TestClient) -> None:
    html = await (await client.get("/login")).text()
    assert '<html lang="vi">' in html and "<h1 id=\"login-title\">Đăng nhập</h1>" in html


async def test_the_language_switch_gives_english_and_marks_it_current(client: TestClient) -> None:
    response = await client.get("/lang/en?next=/login")
    html = await response.text()
    assert response.url.path == "/login"
    assert '<html lang="en">' in html and "Sign in" in html
    assert 'hreflang="en" aria-current="true">English</a>' in html


async def test_home_sends_a_signed_out_visitor_to_the_login_page(client: TestClient) -> None:
    response = await client.get("/", allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (303, "/login")


async def test_a_form_login_leads_home_to_the_users_meetings(
    client: TestClient, make_user, make_meeting
) -> None:
    user = await make_user("daibieu01", full_name="Trần Thị Lan", title="Giám đốc Sở Tài chính")
    await make_meeting(user.id)
    response = await form_login(client, "daibieu01")
    assert (response.status, response.headers["Location"]) == (303, "/")
    html = await (await client.get("/")).text()
    card = html[html.index('<ul class="meetings"'):]
    for shown in ("Số: 125/GM-UBND", "Họp bàn kế hoạch đầu tư công năm 2027",
                  "08:00, thứ Hai 30/11/2026", "Hội trường tầng 3", "Đã lên lịch", "Đại biểu",
                  "2 nội dung", "0 tài liệu"):
        assert shown in card, shown


async def test_home_lists_the_demo_meeting_after_a_form_login(client: TestClient, demo) -> None:
    response = await form_login(client, "chutoa", "demo")
    assert response.status == 303
    assert DEMO_MEETING in await (await client.get("/")).text()


async def test_home_shows_the_empty_state_from_the_catalog(client: TestClient, make_user) -> None:
    await make_user("khach")
    await form_login(client, "khach")
    assert translate("vi", "home.empty") in await (await client.get("/")).text()


async def test_a_wrong_password_shows_the_catalog_message_and_keeps_the_username(
    client: TestClient, make_user
) -> None:
    await make_user("thuky")
    response = await form_login(client, "thuky", "sai-mật-khẩu")
    html = await response.text()
    assert response.status == 401
    assert translate("vi", "error.invalid_credentials") in html
    assert 'value="thuky"' in html


async def test_a_name_with_html_metacharacters_is_shown_as_text(
    client: TestClient, make_user
) -> None:
    name = '<img src=x onerror="alert(1)"> Lê & Trần'
    await make_user("laco", full_name=name)
    await form_login(client, "laco")
    html = await (await client.get("/")).text()
    assert str(escape(name)) in html and "<img src=x" not in html


async def test_the_header_logout_form_signs_out(client: TestClient, make_user) -> None:
    await make_user("daibieu02")
    await form_login(client, "daibieu02")
    html = await (await client.get("/")).text()
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = await client.post("/logout", data={"csrf_token": token})
    assert translate("vi", "login.logged_out") in await response.text()


async def test_an_unknown_page_shows_the_error_page_with_a_way_home(client: TestClient) -> None:
    response = await client.get("/khong-co-trang-nay", headers={"Accept": "text/html"})
    html = await response.text()
    assert response.status == 404
    assert translate("vi", "error.not_found") in html and 'href="/"' in html


@pytest.mark.parametrize(("locale", "shown"), [
    ("vi", "08:00, thứ Hai 30/11/2026"),
    ("en", "08:00, Monday 30/11/2026"),
    ])
async def test_meeting_times_are_shown_in_vietnam_time_in_the_pages_language(
    locale: str, shown: str
) -> None:
    template = create_environment().from_string("{{ moment | local_time }}")
    moment = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert await template.render_async(locale=locale, moment=moment) == shown


async def test_signing_in_returns_to_the_page_that_asked(client: TestClient, demo: None) -> None:
    response = await client.get("/admin/units", allow_redirects=False)
    assert response.headers["Location"] == "/login?next=/admin/units"
    page = await (await client.get(response.headers["Location"])).text()
    assert 'action="/login?next=/admin/units"' in page
    response = await client.post("/login?next=/admin/units", allow_redirects=False,
                                 data={"username": "admin", "password": "demo"})
    assert (response.status, response.headers["Location"]) == (303, "/admin/units")

"""Who sees which meeting page: participants read, the secretary prepares, strangers get 404."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from server.auth.models import User
from server.i18n import translate
from server.meetings.models import Unit

from .conftest import Api

HTML = {"Accept": "text/html"}


@pytest.fixture
async def stranger(make_user: Any) -> str:
    await make_user("nguoila", full_name="Người lạ", password="demo")
    return "nguoila"


async def _page(client: TestClient, path: str) -> tuple[int, str]:
    response = await client.get(path, headers=HTML, allow_redirects=False)
    return response.status, await response.text()


async def test_a_stranger_gets_the_404_page_for_the_meeting_and_its_edit_page(
    demo_meeting: int, api: Api, client: TestClient, stranger: str
) -> None:
    await api.as_(stranger)
    for path in (f"/meetings/{demo_meeting}", f"/meetings/{demo_meeting}/edit"):
        status, html = await _page(client, path)
        assert status == 404, path
        assert translate("vi", "error.not_found") in html


async def test_a_stranger_cannot_tell_a_meeting_from_one_that_does_not_exist(
    demo_meeting: int, api: Api, client: TestClient, stranger: str
) -> None:
    await api.as_(stranger)
    status, html = await _page(client, f"/meetings/{demo_meeting}")
    unknown = await _page(client, "/meetings/987654")
    # The pages differ only in the path the language switch returns to.
    html = html.replace(f"next=/meetings/{demo_meeting}", "next=/meetings/987654")
    assert (status, html) == unknown


@pytest.mark.parametrize("path", ["/meetings/0", "/meetings/-1", "/meetings/abc",
                                  "/meetings/1e3/edit", "/meetings/١٢"])
async def test_malformed_ids_get_the_404_page(
    demo: None, api: Api, client: TestClient, path: str
) -> None:
    await api.as_("thuky")
    assert (await _page(client, path))[0] == 404


async def test_a_delegate_reads_the_meeting_page(
    demo_meeting: int, api: Api, client: TestClient
) -> None:
    await api.as_("daibieu01")
    status, html = await _page(client, f"/meetings/{demo_meeting}")
    assert status == 200
    assert "Phiên họp thường kỳ tháng 11 năm 2026" in html
    assert f'href="/meetings/{demo_meeting}/edit"' not in html


async def test_a_delegate_gets_the_403_page_on_the_edit_page(
    demo_meeting: int, api: Api, client: TestClient
) -> None:
    await api.as_("daibieu01")
    status, html = await _page(client, f"/meetings/{demo_meeting}/edit")
    assert status == 403
    assert translate("vi", "error.forbidden") in html


async def test_the_chair_reads_but_does_not_prepare(
    demo_meeting: int, api: Api, client: TestClient
) -> None:
    await api.as_("chutoa")
    assert (await _page(client, f"/meetings/{demo_meeting}"))[0] == 200
    assert (await _page(client, f"/meetings/{demo_meeting}/edit"))[0] == 403


@pytest.mark.parametrize("username", ["thuky", "admin"])
async def test_the_secretary_and_an_admin_open_the_edit_page(
    demo_meeting: int, api: Api, client: TestClient, username: str
) -> None:
    await api.as_(username)
    status, html = await _page(client, f"/meetings/{demo_meeting}/edit")
    assert status == 200
    assert translate("vi", "meeting_pages.edit_title") in html


async def test_a_signed_out_visitor_is_sent_to_the_login_page(
    demo_meeting: int, client: TestClient
) -> None:
    for path in (f"/meetings/{demo_meeting}", f"/meetings/{demo_meeting}/edit", "/meetings/new"):
        response = await client.get(path, allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (
            303, f"/login?next={path}"), path


async def test_only_secretaries_and_admins_get_the_create_form(
    demo: None, api: Api, client: TestClient
) -> None:
    await api.as_("daibieu01")
    assert (await _page(client, "/meetings/new"))[0] == 403
    await api.as_("thuky")
    status, html = await _page(client, "/meetings/new")
    assert status == 200 and translate("vi", "meeting_pages.new_title") in html


async def test_a_draft_is_hidden_from_its_delegates_until_published(
    demo: None, api: Api, client: TestClient, sessions: Any
) -> None:
    async with sessions() as db:
        delegate = await db.scalar(select(User.id).where(User.username == "daibieu01"))
        unit = await db.scalar(select(Unit.id).where(Unit.parent_id.is_(None)))
    await api.as_("thuky")
    _, created = await api.post("/api/v1/meetings", {
        "title": "Giao ban tuần", "organiser_unit_id": unit,
        "starts_at": "2026-12-07T08:00:00+07:00"})
    meeting = created["meeting"]["id"]
    await api.post(f"/api/v1/meetings/{meeting}/participants", {"user_id": delegate})
    await api.as_("daibieu01")
    assert (await _page(client, f"/meetings/{meeting}"))[0] == 404
    await api.as_("thuky")
    await api.post(f"/api/v1/meetings/{meeting}/status", {"status": "scheduled"})
    await api.as_("daibieu01")
    assert (await _page(client, f"/meetings/{meeting}"))[0] == 200

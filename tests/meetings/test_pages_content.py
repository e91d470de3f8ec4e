"""What the meeting pages show, without a browser: facts, quorum, agenda, participants, strings."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp.test_utils import TestClient

from server.i18n import catalog, translate

from .conftest import Api

HTML = {"Accept": "text/html"}


async def _html(client: TestClient, path: str) -> str:
    response = await client.get(path, headers=HTML)
    assert response.status == 200, path
    return await response.text()


def _json_block(html: str, block_id: str) -> Any:
    found = re.search(
        rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S)
    assert found, block_id
    return json.loads(found.group(1))


async def test_the_meeting_page_shows_the_quorum_figure_agenda_and_total(
    demo_meeting: int, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    for username in ("daibieu01", "daibieu02"):
        participant = next(p for p in (await api.get(
            f"/api/v1/meetings/{demo_meeting}/participants"))[1]["participants"]
            if p["user"]["username"] == username)
        await api.post(f"/api/v1/meetings/{demo_meeting}/participants/{participant['id']}"
                       "/attendance", {"attendance": "present_hall"})
    await api.as_("daibieu01")
    html = await _html(client, f"/meetings/{demo_meeting}")
    assert "Có mặt 2/21 đại biểu có quyền biểu quyết" in html
    assert "Đề án chuyển đổi số tỉnh Lâm Sơn giai đoạn 2026–2030" in html
    assert "Tổng thời gian dự kiến: 3 giờ 35 phút" in html
    assert ">3.2<" in html  # the nested item's number
    assert "Có mặt tại hội trường" in html


async def test_a_delegate_sees_the_check_in_button_of_a_scheduled_meeting(
    demo_meeting: int, api: Api, client: TestClient
) -> None:
    await api.as_("daibieu03")
    html = await _html(client, f"/meetings/{demo_meeting}")
    assert "data-check-in-button" in html and translate("vi", "meeting_pages.check_in") in html


async def test_a_checked_in_delegate_is_told_so_instead_of_a_button(
    demo_meeting: int, api: Api, client: TestClient
) -> None:
    await api.as_("daibieu03")
    await api.post(f"/api/v1/meetings/{demo_meeting}/check-in")
    html = await _html(client, f"/meetings/{demo_meeting}")
    assert "data-check-in-button" not in html
    assert translate("vi", "meeting_pages.checked_in") in html


async def test_the_meeting_page_speaks_english_after_the_switch(
    demo_meeting: int, api: Api, client: TestClient
) -> None:
    await api.as_("daibieu01")
    client.session.cookie_jar.update_cookies({"lang": "en"})
    html = await _html(client, f"/meetings/{demo_meeting}")
    assert '<html lang="en">' in html
    assert "0/21 voting members present" in html and "Total planned time: 3 h 35 min" in html
    strings = _json_block(html, "meeting-strings")
    assert strings["meeting_pages.check_in"] == "Check in"


async def test_the_edit_page_hands_its_scripts_the_meeting_and_the_catalog(
    demo_meeting: int, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    html = await _html(client, f"/meetings/{demo_meeting}/edit")
    state = _json_block(html, "meeting-state")
    assert state["detail"]["meeting"]["id"] == demo_meeting
    assert len(state["detail"]["participants"]) == 25
    assert state["roll_call_open"] is True and state["frozen"] is False
    strings = _json_block(html, "meeting-strings")
    assert strings["meeting_pages.quorum"] == catalog("vi")["meeting_pages.quorum"]
    assert not any(key.startswith("error.") for key in strings)


async def test_a_title_that_closes_a_script_stays_text_in_the_state_block(
    demo_meeting: int, api: Api, client: TestClient
) -> None:
    title = "</script><script>alert(1)</script> Họp & bàn"
    await api.as_("thuky")
    await api.patch(f"/api/v1/meetings/{demo_meeting}", {"title": title})
    html = await _html(client, f"/meetings/{demo_meeting}/edit")
    assert "<script>alert(1)" not in html
    assert _json_block(html, "meeting-state")["detail"]["meeting"]["title"] == title


async def test_the_create_form_lists_units_and_halls(
    demo: None, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    html = await _html(client, "/meetings/new")
    assert "Ủy ban nhân dân tỉnh Lâm Sơn" in html and "Hội trường tầng 3, trụ sở UBND tỉnh" in html
    assert html.index("Ủy ban nhân dân tỉnh Lâm Sơn") < html.index("Sở Tài chính")


async def test_home_links_each_card_to_its_meeting_and_offers_secretaries_a_new_one(
    demo_meeting: int, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    html = await _html(client, "/")
    assert f'href="/meetings/{demo_meeting}"' in html and 'href="/meetings/new"' in html
    await api.as_("daibieu01")
    html = await _html(client, "/")
    assert f'href="/meetings/{demo_meeting}"' in html and 'href="/meetings/new"' not in html

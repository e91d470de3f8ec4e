"""In a real Chromium: the chair runs the meeting from the console and the hall screen follows.

The main path has three people in three browser contexts: the chair's console
(chutoa), the hall screen (signed in as the secretary, as in the hall), and a
delegate (daibieu01) who asks to speak from the tablet reader (two more
delegates' tablets join the queue over Socket.IO, as the contract says). The
chair starts the meeting, goes to the first item, sees the request, gives the
floor with a time limit; the screen shows the speaker and a countdown that runs
down; a refusal from the server is shown beside the queue; the queue is
reordered with the keyboard; the chair ends the turn, the screen clears and the
statistics no longer count the speaker as silent. Then: ending asks first; the
console locks while offline and the screen catches up by itself; presenting
shows the screen only the page.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, Page, expect

from server.demo.documents import DOCUMENTS
from server.demo.organisation import AGENDA, MEETING_TITLE
from server.i18n import translate
from server.realtime import events as wire

from .test_secretary_path import sign_in

SPEAKER = "Lê Quang Minh"  # daibieu01
SPEAKER_UNIT = "Ủy ban nhân dân tỉnh Lâm Sơn"
SECOND, THIRD = "Phạm Thị Thu Hà", "Hoàng Đức Thắng"  # daibieu02, daibieu03


def clock_seconds(text: str) -> int:
    minutes, seconds = text.strip().split(":")
    return int(minutes) * 60 + int(seconds)


async def api_cookie(base: str, username: str) -> str:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http, \
            http.post(f"{base}/api/v1/auth/login",
                      json={"username": username, "password": "demo"}) as response:
        assert response.status == 200, await response.text()
        return response.cookies["phonghop_session"].value


async def tablet(base: str, cookie: str, meeting_id: int) -> socketio.AsyncClient:
    """A delegate's tablet as the contract has it: signed in, connected, joined."""
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(base, namespaces=[wire.MEETINGS_NAMESPACE], transports=["websocket"],
                      wait_timeout=5, headers={"Cookie": f"phonghop_session={cookie}"})
    answer = await sio.call(wire.JOIN, {"meeting_id": meeting_id, "device": "tablet"},
                            namespace=wire.MEETINGS_NAMESPACE, timeout=10)
    assert answer.get("ok"), answer
    return sio


async def ask_to_speak(sio: socketio.AsyncClient) -> dict[str, Any]:
    answer = await sio.call(wire.REQUEST_TO_SPEAK, {}, namespace=wire.MEETINGS_NAMESPACE,
                            timeout=10)
    assert answer.get("ok"), answer
    return answer


@asynccontextmanager
async def console_and_screen(
    browser: Browser, base: str, chair: str, viewer: str
) -> AsyncIterator[tuple[Page, Page, int]]:
    """The console, found from the meeting page as ``chair``, and the hall screen as
    ``viewer``; both browser contexts closed afterwards."""
    console = await sign_in(browser, base, chair)
    await console.get_by_role("link", name=MEETING_TITLE).click()
    await console.get_by_role("link", name="Điều hành cuộc họp").click()
    meeting_id = int(console.url.split("/")[-2])
    screen = await sign_in(browser, base, viewer, viewport={"width": 1280, "height": 720})
    await screen.goto(f"{base}/meetings/{meeting_id}/screen")
    try:
        yield console, screen, meeting_id
    finally:
        for page in (console, screen):
            await page.context.close()


async def test_the_chair_gives_the_floor_and_the_hall_screen_counts_down(
    client: TestClient, demo: None, browser: Browser, artifacts: Path, engine_name: str,
) -> None:
    base = f"http://{client.host}:{client.port}"

    # The chair finds the console from the meeting page.
    console = await sign_in(browser, base, "chutoa", viewport={"width": 1280, "height": 1000})
    await console.get_by_role("link", name=MEETING_TITLE).click()
    await console.get_by_role("link", name="Điều hành cuộc họp").click()
    await expect(console).to_have_url(re.compile(rf"{base}/meetings/\d+/console$"))
    meeting_id = int(console.url.split("/")[-2])
    await expect(console.locator("[data-connection]")).to_contain_text("Đã kết nối")

    # The hall screen, before the meeting starts.
    screen = await sign_in(browser, base, "thuky", viewport={"width": 1280, "height": 720})
    await screen.goto(f"{base}/meetings/{meeting_id}/screen")
    await expect(screen.locator("[data-connection]")).to_have_text("Đã kết nối")
    await expect(screen.locator("[data-item-title]")).to_have_text("Cuộc họp chưa bắt đầu")

    # The delegate's tablet reader, in its own browser context; two more delegates' tablets.
    delegate = await sign_in(browser, base, "daibieu01", viewport={"width": 1280, "height": 800})
    await delegate.goto(f"{base}/meetings/{meeting_id}/live")
    tablets: list[socketio.AsyncClient] = []
    try:
        for username in ("daibieu02", "daibieu03"):
            tablets.append(await tablet(base, await api_cookie(base, username), meeting_id))
        # Start, and move to the first item; the screen follows.
        await console.get_by_role("button", name="Bắt đầu cuộc họp").click()
        head = console.locator("#meeting-controls")
        await expect(head.get_by_role("status")).to_have_text("Cuộc họp đã bắt đầu.")
        await expect(head.locator("[data-status-badge]")).to_contain_text("Đang họp")
        await expect(screen.locator("[data-item-title]")).to_have_text("Chưa vào nội dung nào")
        agenda = console.locator("#agenda")
        first = agenda.locator(".live-item").first
        first_title = AGENDA[0][0]
        await agenda.get_by_role("button", name=f"Chuyển đến nội dung 1: {first_title}").click()
        await expect(agenda.get_by_role("status")).to_have_text("Đang thảo luận nội dung 1.")
        await expect(first).to_have_attribute("aria-current", "step")
        await expect(screen.locator("[data-item-number]")).to_have_text("Nội dung 1")
        await expect(screen.locator("[data-item-title]")).to_have_text(first_title)

        # The delegate asks; the console's queue shows the request, the screen the next name.
        speak = delegate.locator("[data-speak-box]")
        await speak.get_by_role("button", name="Xin phát biểu").click()
        await expect(speak.get_by_role("status")).to_have_text(
            "Bạn ở vị trí 1 trong danh sách chờ phát biểu")
        floor = console.locator("#floor")
        queued = floor.locator(".turn", has_text=SPEAKER)
        await expect(queued).to_contain_text(SPEAKER_UNIT)
        await expect(screen.locator("[data-queue]")).to_contain_text(SPEAKER)

        # A limit the server refuses (under 10 seconds) is shown as the server says it.
        await floor.get_by_label("Thời gian tối đa mỗi lượt (phút)").fill("0.1")
        await floor.get_by_role("button", name=f"Mời {SPEAKER} phát biểu").click()
        await expect(floor.get_by_role("alert")).not_to_be_empty()
        await expect(screen.locator("[data-speaker-name]")).to_have_count(0)

        # Two minutes: the screen shows the speaker and a countdown that runs down.
        await floor.get_by_label("Thời gian tối đa mỗi lượt (phút)").fill("2")
        await floor.get_by_role("button", name=f"Mời {SPEAKER} phát biểu").click()
        await expect(floor.get_by_role("status")).to_have_text(f"Đã mời {SPEAKER} phát biểu.")
        await expect(floor.get_by_role("alert")).to_be_hidden()
        await expect(screen.locator("[data-speaker-name]")).to_have_text(SPEAKER)
        await expect(screen.locator(".screen__from")).to_have_text(SPEAKER_UNIT)
        await expect(speak.get_by_role("status")).to_have_text("Bạn đang phát biểu")
        clock = screen.locator("[data-clock]")
        await expect(clock).to_have_text(re.compile(r"^0[12]:\d\d$"))
        await expect(clock).to_have_attribute("data-stage", "running")
        started = clock_seconds(await clock.inner_text())
        assert 110 <= started <= 120, started
        await screen.wait_for_function(
            "([at]) => { const [m, s] = document.querySelector('[data-clock]').textContent"
            ".split(':').map(Number); return m * 60 + s < at; }", arg=[started], timeout=5000)
        await expect(screen.locator("[data-queue]")).to_be_hidden()
        await expect(floor.locator("[data-speaker-name]")).to_have_text(SPEAKER)
        await expect(floor.locator("[data-clock]")).to_have_text(re.compile(r"^Còn 0[12]:\d\d$"))
        await expect(floor.locator(".turn")).to_have_count(0)

        # Two more ask; the chair puts the last one first with the keyboard.
        await ask_to_speak(tablets[0])
        await ask_to_speak(tablets[1])
        await expect(floor.locator(".turn__name")).to_have_text([SECOND, THIRD])
        await expect(screen.locator(".screen__next-name")).to_have_text([SECOND, THIRD])
        up = floor.get_by_role("button", name=f"Đưa {THIRD} lên trước")
        await up.focus()
        await console.keyboard.press("Enter")
        await expect(floor.get_by_role("status")).to_have_text(
            f"{THIRD} ở vị trí 1 trong danh sách.")
        await expect(floor.locator(".turn__name")).to_have_text([THIRD, SECOND])
        await expect(screen.locator(".screen__next-name")).to_have_text([THIRD, SECOND])
        # At the top "up" is off, so focus stays with the row that moved, on "down".
        await expect(floor.get_by_role("button", name=f"Đưa {THIRD} xuống sau")).to_be_focused()
        await screen.screenshot(path=artifacts / f"screen-speaker-{engine_name}.png")
        await console.screenshot(path=artifacts / f"console-chutoa-{engine_name}.png",
                                 full_page=True)

        # The chair ends the turn: the screen clears, the speaker is no longer silent.
        await floor.get_by_role("button", name="Kết thúc lượt phát biểu").click()
        await expect(floor.get_by_role("status")).to_have_text(
            f"Đã kết thúc lượt phát biểu của {SPEAKER}.")
        await expect(screen.locator("[data-speaker-name]")).to_have_count(0)
        await expect(screen.locator("[data-speaker]")).to_have_text("Chưa có người phát biểu")
        stats = console.locator("#stats")
        await expect(stats.locator("#stats-people")).to_contain_text(SPEAKER)
        await expect(stats.locator("[data-silent]")).not_to_contain_text(SPEAKER)
        await expect(stats.locator("[data-silent]")).to_contain_text(SECOND)

        # Half a minute: the last 30 seconds are shown in the warning colour from the start.
        await floor.get_by_label("Thời gian tối đa mỗi lượt (phút)").fill("0.5")
        await floor.get_by_role("button", name=f"Mời {THIRD} phát biểu").click()
        await expect(screen.locator("[data-speaker-name]")).to_have_text(THIRD)
        await expect(screen.locator("[data-clock]")).to_have_attribute("data-stage", "warning")
        # Declining the other request empties the queue and the screen's "next".
        await floor.get_by_role("button", name=f"Từ chối đăng ký phát biểu của {SECOND}").click()
        await expect(floor.get_by_role("status")).to_have_text(
            f"Đã từ chối đăng ký phát biểu của {SECOND}.")
        await expect(screen.locator("[data-next]")).to_be_hidden()

        # Who is connected, from which device: the reader on a computer, a tablet, the screen.
        presence = console.locator("#presence")
        people = presence.locator(".presence__person")
        await expect(people.filter(has_text=SPEAKER)).to_contain_text("máy tính từ")
        await expect(people.filter(has_text=SECOND)).to_contain_text("máy tính bảng")
        await expect(people.filter(has_text="Trần Thị Mai")).to_contain_text("màn hình hội trường")
    finally:
        for sio in tablets:
            await sio.disconnect()
        for page in (console, screen, delegate):
            await page.context.close()


async def test_ending_the_meeting_asks_first_and_the_screen_says_it_ended(
    client: TestClient, demo: None, browser: Browser,
) -> None:
    base = f"http://{client.host}:{client.port}"
    async with console_and_screen(browser, base, "thuky", "chutoa") as (
            console, screen, meeting_id):
        await console.get_by_role("button", name="Bắt đầu cuộc họp").click()
        end = console.get_by_role("button", name="Kết thúc cuộc họp")
        await end.click()
        dialog = console.get_by_role("dialog")
        await expect(dialog).to_contain_text("Kết thúc cuộc họp?")
        await dialog.get_by_role("button", name="Hủy").click()
        await expect(console.locator("[data-status-badge]")).to_contain_text("Đang họp")
        await end.click()
        await dialog.get_by_role("button", name="Kết thúc cuộc họp").click()
        await expect(console.locator("#meeting-controls").get_by_role("status")).to_have_text(
            "Cuộc họp đã kết thúc.")
        await expect(console.locator("[data-status-badge]")).to_contain_text(
            translate("vi", "meeting_status.ended"))
        await expect(screen.locator("[data-item-title]")).to_have_text("Cuộc họp đã kết thúc")
        # An ended meeting cannot be run: the buttons say so by being locked.
        await expect(end).to_be_disabled()


async def test_the_console_locks_while_offline_and_the_screen_catches_up_by_itself(
    client: TestClient, demo: None, browser: Browser,
) -> None:
    base = f"http://{client.host}:{client.port}"
    async with console_and_screen(browser, base, "chutoa", "thuky") as (
            console, screen, meeting_id):
        agenda = console.locator("#agenda")
        go_to = [agenda.get_by_role("button", name=f"Chuyển đến nội dung {n}: {item[0]}")
                 for n, item in enumerate(AGENDA[:3], start=1)]
        await console.get_by_role("button", name="Bắt đầu cuộc họp").click()
        await go_to[0].click()
        await expect(screen.locator("[data-item-number]")).to_have_text("Nội dung 1")

        # The chair's network drops: every action is locked and says why.
        await console.context.set_offline(True)
        await expect(console.locator("[data-connection]")).to_contain_text("Mất kết nối máy chủ")
        await expect(go_to[1]).to_be_disabled()
        await expect(console.get_by_role("button", name="Kết thúc cuộc họp")).to_be_disabled()
        await console.context.set_offline(False)
        await expect(console.locator("[data-connection]")).to_contain_text("Đã kết nối")
        await expect(go_to[1]).to_be_enabled()

        # The screen's network drops while the meeting moves on (engine.io takes the browser's
        # "offline" as a closed transport, as after a server restart); back, it joins again
        # and its new snapshot shows what it missed.
        await screen.context.set_offline(True)
        await expect(screen.locator("[data-connection]")).to_have_text("Đang kết nối lại…")
        await go_to[1].click()
        await expect(agenda.get_by_role("status")).to_have_text("Đang thảo luận nội dung 2.")
        await screen.context.set_offline(False)
        await expect(screen.locator("[data-item-number]")).to_have_text("Nội dung 2")
        await expect(screen.locator("[data-connection]")).to_have_text("Đã kết nối")

        # And the stream goes on from there.
        await go_to[2].click()
        await expect(screen.locator("[data-item-number]")).to_have_text("Nội dung 3")


async def test_the_chair_presents_a_document_and_the_screen_shows_only_its_page(
    client: TestClient, demo: None, browser: Browser,
) -> None:
    base = f"http://{client.host}:{client.port}"
    async with console_and_screen(browser, base, "chutoa", "thuky") as (
            console, screen, meeting_id):
        present = console.locator("#presentation")
        shown = present.locator("[data-presenting]")
        title = DOCUMENTS[0].title
        await console.get_by_role("button", name="Bắt đầu cuộc họp").click()
        await present.get_by_label("Tài liệu").select_option(label=f"1. {title}")
        await present.get_by_label("Trang", exact=True).fill("2")
        await present.get_by_role("button", name="Trình chiếu", exact=True).click()
        await expect(shown).to_have_text(re.compile(rf"^Đang trình chiếu “{re.escape(title)}”, "
                                                    r"trang 2/\d+$"))
        pages = int((await shown.inner_text()).rsplit("/", 1)[1])
        await expect(screen.locator("[data-presenting]")).to_have_text(
            f"Đang trình chiếu · Trang 2/{pages}")
        await present.get_by_role("button", name="Trang sau").click()
        await expect(screen.locator("[data-presenting]")).to_have_text(
            f"Đang trình chiếu · Trang 3/{pages}")
        await present.get_by_role("button", name="Trang trước").click()
        await present.get_by_role("button", name="Trang trước").click()
        await expect(shown).to_contain_text(f"trang 1/{pages}")
        await expect(present.get_by_role("button", name="Trang trước")).to_be_disabled()
        await present.get_by_role("button", name="Dừng trình chiếu").click()
        await expect(shown).to_have_text("Không trình chiếu tài liệu nào.")
        await expect(screen.locator("[data-presenting]")).to_be_hidden()

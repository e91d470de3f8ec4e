"""In a real Chromium: a delegate's tablet follows the chair, then keeps reading offline.

The chair drives the meeting over Socket.IO as the console does (a python-socketio
client signed in as chutoa): start, go to the first item, present a document and
turn its pages. The delegate's tablet (daibieu01, 800×1280 portrait) opens the
reader, downloads the meeting's documents for offline use (the progress text says
how many), follows the chair's document and page, leaves follow mode by turning a
page itself and comes back with one tap. Then the tablet loses the network: it
says so, refuses to queue a request to speak, opens another (cached) document,
turns its page and draws on it. Back online, the drawing reaches the server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, Page, expect

from server.demo.documents import DOCUMENTS
from server.demo.organisation import AGENDA, MEETING_TITLE
from server.demo.pdf import render_pdf
from server.i18n import translate
from server.realtime import events as wire

from .test_secretary_path import sign_in

SECRET = "Phương án nhân sự (tài liệu mật)"
FOLLOW_MS = 2000  # the tablet is on the chair's page well within this
# Select the first few words of a page's text layer, as a finger would.
SELECT_WORDS = """(page) => {
  const spans = document.querySelectorAll(`.page[data-page-number="${page}"] .textLayer span`);
  const text = [...spans].find((span) => span.textContent.trim().length > 8);
  const range = document.createRange();
  range.selectNodeContents(text);
  getSelection().removeAllRanges();
  getSelection().addRange(range);
}"""
RANGE_FETCH = """async (url) => {
  const answer = await fetch(url, { headers: { Range: "bytes=0-4" } });
  return [answer.status, await answer.text()];
}"""


def vi(key: str, **params: Any) -> str:
    return translate("vi", key, **params)


async def chair_socket(base: str, meeting_id: int) -> tuple[socketio.AsyncClient, str]:
    """The chair's console as the contract has it: signed in as chutoa, joined."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http, \
            http.post(f"{base}/api/v1/auth/login",
                      json={"username": "chutoa", "password": "demo"}) as response:
        assert response.status == 200, await response.text()
        cookie = response.cookies["phonghop_session"].value
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(base, namespaces=[wire.MEETINGS_NAMESPACE], transports=["websocket"],
                      wait_timeout=5, headers={"Cookie": f"phonghop_session={cookie}"})
    answer = await sio.call(wire.JOIN, {"meeting_id": meeting_id, "device": "computer"},
                            namespace=wire.MEETINGS_NAMESPACE, timeout=10)
    assert answer.get("ok"), answer
    return sio, cookie


async def secret_for_the_chair(base: str, meeting_id: int) -> int:
    """A confidential paper only the chair may read, uploaded by the secretary."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(f"{base}/api/v1/auth/login",
                             json={"username": "thuky", "password": "demo"}) as response:
            assert response.status == 200, await response.text()
            headers = {"X-CSRF-Token": (await response.json())["csrf_token"]}
        async with http.get(f"{base}/api/v1/meetings/{meeting_id}") as response:
            people = (await response.json())["participants"]
        chair_id = next(p["id"] for p in people if p["user"]["username"] == "chutoa")
        form = aiohttp.FormData()
        form.add_field("file", render_pdf(DOCUMENTS[1]).data, filename="mat.pdf",
                       content_type="application/pdf")
        form.add_field("title", SECRET)
        form.add_field("access", "confidential")
        async with http.post(f"{base}/api/v1/meetings/{meeting_id}/documents", data=form,
                             headers=headers) as response:
            assert response.status == 201, await response.text()
            document_id = int((await response.json())["document"]["id"])
        async with http.put(f"{base}/api/v1/documents/{document_id}/readers",
                            json={"participant_ids": [chair_id]}, headers=headers) as response:
            assert response.status == 200, await response.text()
    return document_id


async def act(sio: socketio.AsyncClient, event: str, payload: dict[str, Any]) -> None:
    answer = await sio.call(event, payload, namespace=wire.MEETINGS_NAMESPACE, timeout=10)
    assert answer.get("ok"), (event, answer)


async def api_json(page: Page, path: str) -> Any:
    origin = re.match(r"https?://[^/]+", page.url)
    assert origin is not None
    response = await page.request.get(origin.group(0) + path)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_the_tablet_follows_the_chair_and_keeps_reading_offline(
    client: TestClient, demo: None, browser: Browser, artifacts: Path, engine_name: str,
) -> None:
    base = f"http://{client.host}:{client.port}"
    tablet = await sign_in(browser, base, "daibieu01", viewport={"width": 800, "height": 1280})
    errors: list[str] = []
    tablet.on("pageerror", lambda error: errors.append(str(error)))

    # From the meeting page into the reader; the meeting is published, not yet begun.
    await tablet.get_by_role("link", name=MEETING_TITLE).click()
    await tablet.get_by_role("link", name="Vào phòng họp").click()
    await expect(tablet).to_have_url(re.compile(rf"{base}/meetings/\d+/live$"))
    meeting_id = int(tablet.url.split("/")[-2])
    reader = tablet.locator("[data-reader]")
    status = tablet.locator("[data-status-bar]")
    await expect(status.locator("[data-connection]")).to_have_text(vi("live.connected"))

    # Every document is kept for offline reading, with the progress shown.
    documents = (await api_json(tablet, f"/api/v1/meetings/{meeting_id}/manifest"))["documents"]
    total = len(documents)
    assert total == 4
    offline_box = tablet.locator("[data-offline]")
    await expect(offline_box.locator("[data-offline-text]")).to_have_text(
        vi("live.offline.ready", done=total, total=total), timeout=20_000)
    await expect(offline_box.locator("progress")).to_have_js_property("value", total)
    speak = tablet.locator("[data-speak-box]")
    await expect(speak.get_by_role("button", name="Xin phát biểu")).to_be_disabled()
    await expect(speak.locator("[data-speak-status]")).to_have_text(vi("live.speak.not_live"))

    # The chair starts, goes to the first item and presents its document at page 2.
    secret = await secret_for_the_chair(base, meeting_id)
    first, second = documents[0], documents[1]
    assert first["pages"] >= 3 and second["pages"] >= 2
    item_id = first["agenda_item_id"]
    chair, _ = await chair_socket(base, meeting_id)
    try:
        await act(chair, wire.START_MEETING, {})
        await act(chair, wire.GO_TO_ITEM, {"item_id": item_id})
        await act(chair, wire.PRESENT, {"document_id": first["id"], "page": 2})
        await expect(status.locator("[data-current-item]")).to_have_text(f"1. {AGENDA[0][0]}")
        await expect(reader).to_have_attribute("data-open-document", str(first["id"]),
                                               timeout=10_000)
        await expect(reader).to_have_attribute("data-page", "2", timeout=FOLLOW_MS)
        await expect(status.locator("[data-follow-state]")).to_have_text(
            vi("live.reader.following", page=2))
        await expect(tablet.locator("[data-doc-title]")).to_have_text(first["title"])
        # The page's text is there to be selected and searched, in Vietnamese.
        await expect(tablet.locator('.page[data-page-number="2"] .textLayer')).to_contain_text(
            re.compile(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]"))

        # Each page the chair turns is on the tablet at once.
        await act(chair, wire.TURN_PAGE, {"page": 3})
        await expect(reader).to_have_attribute("data-page", "3", timeout=FOLLOW_MS)

        # Turning a page by hand leaves follow mode; the chair's next page does not pull it back.
        await tablet.get_by_role("button", name=vi("live.reader.previous_page")).click()
        await expect(reader).to_have_attribute("data-page", "2")
        await expect(status.locator("[data-follow-state]")).to_have_text(
            vi("live.reader.not_following"))
        back = status.get_by_role("button", name=vi("live.reader.follow"))
        await expect(back).to_be_visible()
        await act(chair, wire.TURN_PAGE, {"page": 1})
        await expect(status.locator("[data-follow-state]")).to_have_text(
            vi("live.reader.not_following"))
        await expect(reader).to_have_attribute("data-page", "2")
        # One tap returns to the chair's page.
        await back.click()
        await expect(reader).to_have_attribute("data-page", "1", timeout=FOLLOW_MS)
        await expect(back).to_be_hidden()

        # A paper the delegate may not read is never opened: the tablet says why instead.
        await act(chair, wire.PRESENT, {"document_id": secret, "page": 1})
        notice = tablet.locator("[data-doc-message]")
        await expect(notice).to_have_text(vi("live.reader.not_readable"), timeout=FOLLOW_MS)
        await expect(tablet.locator("[data-doc-title]")).not_to_have_text(SECRET)
        await act(chair, wire.PRESENT, {"document_id": first["id"], "page": 1})
        await expect(notice).to_be_hidden()
        await expect(reader).to_have_attribute("data-page", "1", timeout=FOLLOW_MS)

        # Asking to speak: its place in the queue, then the floor and the time left.
        await speak.get_by_role("button", name=vi("live.speak.request")).click()
        await expect(speak.locator("[data-speak-status]")).to_have_text(
            vi("live.speak.queued", position=1))
        snapshot = await chair.call(wire.SNAPSHOT, {}, namespace=wire.MEETINGS_NAMESPACE,
                                    timeout=10)
        turn = snapshot["snapshot"]["queue"][0]
        await act(chair, wire.GIVE_FLOOR, {"turn_id": turn["id"], "limit_seconds": 20})
        await expect(speak.locator("[data-speak-status]")).to_have_text(vi("live.speak.speaking"))
        countdown = status.locator("[data-countdown]")
        await expect(countdown).to_have_text(re.compile(r"^Còn 00:(1\d|20)$"))
        await expect(countdown).to_have_attribute("data-warning", "soon")  # the last 30 s
        await act(chair, wire.END_TURN, {})
        await expect(countdown).to_be_hidden()
        await expect(speak.get_by_role("button", name=vi("live.speak.request"))).to_be_enabled()

        # The network goes: the tablet says so and does not queue a request to speak.
        # The browser's HTTP cache is emptied first: what is read now comes from the worker's.
        cdp = await tablet.context.new_cdp_session(tablet)
        await cdp.send("Network.clearBrowserCache")
        await tablet.context.set_offline(True)
        await expect(status.locator("[data-connection]")).to_have_text(vi("live.disconnected"))
        await expect(speak.get_by_role("button", name="Xin phát biểu")).to_be_disabled()
        await expect(speak.locator("[data-speak-status]")).to_have_text(vi("live.speak.offline"))

        # It opens another document, kept on the tablet, and turns its page.
        await tablet.get_by_role("button", name=vi("live.reader.show_agenda")).click()
        await tablet.get_by_role(
            "button", name=vi("live.reader.open_document", title=second["title"])).click()
        await expect(reader).to_have_attribute("data-open-document", str(second["id"]),
                                               timeout=10_000)
        await tablet.get_by_role("button", name=vi("live.reader.next_page")).click()
        await expect(reader).to_have_attribute("data-page", "2")
        # A range of a kept file is cut from the whole file the worker holds.
        status_code, head = await tablet.evaluate(RANGE_FETCH, second["url"])
        assert (status_code, head) == (206, "%PDF-")
        page_two = tablet.locator('.page[data-page-number="2"]')
        await expect(page_two.locator(".textLayer")).not_to_be_empty()

        # And draws on it with the pen: the stroke waits in the outbox.
        await tablet.get_by_role("button", name=vi("live.annotations.tools")).click()
        await tablet.get_by_role("button", name=vi("live.annotations.tool_ink")).click()
        await page_two.scroll_into_view_if_needed()
        box = await page_two.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] * 0.3, box["y"] + min(box["height"] * 0.3, 300)
        await tablet.mouse.move(x, y)
        await tablet.mouse.down()
        for step in range(1, 11):
            await tablet.mouse.move(x + step * 15, y + step * 4)
        await tablet.mouse.up()
        pending = tablet.locator("[data-notes-pending]")
        await expect(pending).to_have_text(vi("live.annotations.pending", count=1))
        await expect(page_two.locator(".note-layer polyline")).to_have_count(1)
        await tablet.screenshot(path=artifacts / f"live-reader-offline-{engine_name}.png")

        # Back online: the drawing reaches the server and the tablet follows again on request.
        await tablet.context.set_offline(False)
        await expect(pending).to_have_text(vi("live.annotations.all_sent"), timeout=15_000)
        await expect(status.locator("[data-connection]")).to_have_text(vi("live.connected"),
                                                                        timeout=15_000)
        stored = (await api_json(tablet, f"/api/v1/meetings/{meeting_id}/annotations"))
        ink = [a for a in stored["annotations"] if a["kind"] == "ink"]
        assert len(ink) == 1, stored
        assert (ink[0]["document_id"], ink[0]["page"], ink[0]["visibility"]) == (
            second["id"], 2, "private")
        assert len(ink[0]["data"]["strokes"][0]) >= 5
        await status.get_by_role("button", name=vi("live.reader.follow")).click()
        await expect(reader).to_have_attribute("data-open-document", str(first["id"]))
        await expect(reader).to_have_attribute("data-page", "1")

        # A highlight from a selection of the page's text, sent at once while online.
        await expect(tablet.locator('.page[data-page-number="1"] .textLayer')).to_contain_text(
            "BÁO CÁO")
        await tablet.evaluate(SELECT_WORDS, 1)
        async with tablet.expect_response(lambda r: r.url.endswith("/annotations/sync")) as sync:
            await tablet.get_by_role("button", name=vi("live.annotations.highlight")).click()
        assert (await sync.value).status == 200
        await expect(tablet.locator('.page[data-page-number="1"] .note-layer rect').first
                     ).to_be_attached()
        stored = await api_json(tablet, f"/api/v1/meetings/{meeting_id}/annotations")
        marks = [a for a in stored["annotations"] if a["kind"] == "highlight"]
        assert len(marks) == 1, stored
        assert (marks[0]["document_id"], marks[0]["page"]) == (first["id"], 1)
        assert marks[0]["data"]["text"] and marks[0]["data"]["rects"]
        await tablet.screenshot(path=artifacts / f"live-reader-{engine_name}.png")
    finally:
        await chair.disconnect()
    assert errors == []


async def test_the_meeting_page_keeps_the_documents_and_the_reader_opens_them_offline(
    client: TestClient, demo: None, browser: Browser, artifacts: Path, engine_name: str,
) -> None:
    """The download starts when the meeting is published, from its page, with the bar: a
    delegate who never opened the reader online can still read in the hall without Wi-Fi."""
    base = f"http://{client.host}:{client.port}"
    tablet = await sign_in(browser, base, "daibieu02", viewport={"width": 800, "height": 1280})
    errors: list[str] = []
    tablet.on("pageerror", lambda error: errors.append(str(error)))
    await tablet.get_by_role("link", name=MEETING_TITLE).click()
    meeting_id = int(tablet.url.rstrip("/").split("/")[-1])
    documents = (await api_json(tablet, f"/api/v1/meetings/{meeting_id}/manifest"))["documents"]
    total = len(documents)
    box = tablet.locator("[data-offline]")
    await expect(box.locator("[data-offline-text]")).to_have_text(
        vi("live.offline.ready", done=total, total=total), timeout=20_000)
    await expect(box.locator("progress")).to_have_js_property("value", total)
    await tablet.screenshot(path=artifacts / f"meeting-page-offline-{engine_name}.png")

    cdp = await tablet.context.new_cdp_session(tablet)
    await cdp.send("Network.clearBrowserCache")
    await tablet.context.set_offline(True)
    await tablet.goto(f"{base}/meetings/{meeting_id}/live")
    reader = tablet.locator("[data-reader]")
    await expect(tablet.locator("[data-status-bar] [data-connection]")).to_have_text(
        vi("live.disconnected"))
    await tablet.get_by_role("button", name=vi("live.reader.show_agenda")).click()
    await tablet.get_by_role(
        "button", name=vi("live.reader.open_document", title=documents[0]["title"])).click()
    await expect(reader).to_have_attribute("data-open-document", str(documents[0]["id"]),
                                           timeout=10_000)
    await expect(tablet.locator('.page[data-page-number="1"] .textLayer')).not_to_be_empty()
    await tablet.context.set_offline(False)
    assert errors == []


async def test_every_live_page_says_while_the_meeting_is_recorded(
    client: TestClient, demo: None, browser: Browser, artifacts: Path, engine_name: str,
) -> None:
    base = f"http://{client.host}:{client.port}"
    tablet = await sign_in(browser, base, "daibieu01")
    await tablet.get_by_role("link", name=MEETING_TITLE).click()
    meeting_id = int(tablet.url.rstrip("/").split("/")[-1])
    screen = await sign_in(browser, base, "chutoa")
    await screen.goto(f"{base}/meetings/{meeting_id}/screen")
    await tablet.goto(f"{base}/meetings/{meeting_id}/live")
    marks = [page.locator("[data-recording-mark]") for page in (tablet, screen)]
    await expect(tablet.locator("[data-status-bar] [data-connection]")).to_have_text(
        vi("live.connected"))

    async def record(on: bool) -> None:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.post(f"{base}/api/v1/auth/login",
                                 json={"username": "thuky", "password": "demo"}) as response:
                csrf = (await response.json())["csrf_token"]
            async with http.patch(f"{base}/api/v1/meetings/{meeting_id}",
                                  json={"record_video": on},
                                  headers={"X-CSRF-Token": csrf}) as response:
                assert response.status == 200, await response.text()

    chair, _ = await chair_socket(base, meeting_id)
    try:
        await record(True)
        for mark in marks:  # asked for, but the meeting has not begun: nothing is recorded
            await expect(mark).to_be_hidden()
        await act(chair, wire.START_MEETING, {})
        for mark in marks:
            await expect(mark).to_be_visible()
            await expect(mark).to_have_text(vi("live.recording"))
        await tablet.screenshot(path=artifacts / f"live-reader-recording-{engine_name}.png")
        await record(False)
        for mark in marks:
            await expect(mark).to_be_hidden()
    finally:
        await chair.disconnect()


KEPT_FILES = """async () => {
  const cache = await caches.open("phonghop-files");
  return (await cache.keys()).map((request) => new URL(request.url).pathname).sort();
}"""


async def kept_files(page: Page, wanted: list[str]) -> list[str]:
    """The files the tablet keeps, once they are ``wanted`` (the prune runs after the bar
    says done) or after 10 s."""
    for _ in range(100):
        kept = await page.evaluate(KEPT_FILES)
        if kept == wanted:
            break
        await page.wait_for_timeout(100)
    return list(kept)


async def test_a_new_version_replaces_the_old_one_kept_on_the_tablet(
    client: TestClient, demo: None, browser: Browser,
) -> None:
    base = f"http://{client.host}:{client.port}"
    tablet = await sign_in(browser, base, "daibieu03")
    await tablet.get_by_role("link", name=MEETING_TITLE).click()
    meeting_id = int(tablet.url.rstrip("/").split("/")[-1])
    text = tablet.locator("[data-offline] [data-offline-text]")
    documents = (await api_json(tablet, f"/api/v1/meetings/{meeting_id}/manifest"))["documents"]
    await expect(text).to_have_text(vi("live.offline.ready", done=4, total=4), timeout=20_000)
    before = sorted(d["url"] for d in documents)
    assert await kept_files(tablet, before) == before

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(f"{base}/api/v1/auth/login",
                             json={"username": "thuky", "password": "demo"}) as response:
            csrf = (await response.json())["csrf_token"]
        form = aiohttp.FormData()
        form.add_field("file", render_pdf(DOCUMENTS[2]).data, filename="ban-sua.pdf",
                       content_type="application/pdf")
        async with http.post(f"{base}/api/v1/documents/{documents[0]['id']}/versions",
                             data=form, headers={"X-CSRF-Token": csrf}) as response:
            assert response.status == 201, await response.text()

    await tablet.reload()
    documents = (await api_json(tablet, f"/api/v1/meetings/{meeting_id}/manifest"))["documents"]
    after = sorted(d["url"] for d in documents)
    assert after != before
    await expect(text).to_have_text(vi("live.offline.ready", done=4, total=4), timeout=20_000)
    assert await kept_files(tablet, after) == after  # the old version is gone from the tablet

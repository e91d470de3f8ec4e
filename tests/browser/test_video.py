"""In a real Chromium with a fake camera: browser endpoints join a meeting's video through a
real bridge worker, and the chair runs them from the console.

A worker process (``python -m server bridge``) is started on a free port and the app's
settings point at it, offering 127.0.0.1 as its only ICE address (aioice skips loopback
otherwise). Two delegates open /meetings/{id}/video in their own browser contexts; the
chair, on the console, sees both connected in "Điểm cầu truyền hình", gives the floor
to one of them there, and the other's page then plays that camera as its main video:
frames that keep coming (the video's size known, its time advancing). The chair mutes
the first delegate and their page says so with its microphone off; unmuting opens it.
Then: a district's room agent given the floor; the worker killed and started again;
and a browser with no camera at all.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlalchemy import select

from server.demo.organisation import MEETING_TITLE
from server.settings import ROOT, Settings

from ..conftest import make_settings
from ..realtime.processes import free_port, wait_answering
from .conftest import ARGS, CHROMIUM
from .test_secretary_path import sign_in

SECRET = secrets.token_hex(16)
VIEWER, VIEWER_NAME = "daibieu01", "Lê Quang Minh"
SPEAKER, SPEAKER_NAME = "daibieu02", "Phạm Thị Thu Hà"
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="module")
def bridge_port() -> int:
    return free_port()


@pytest.fixture
def settings(database_url: str, store_path: Path, bridge_port: int) -> Settings:
    return make_settings(database_url, store_path, bridge={
        "workers": [f"http://127.0.0.1:{bridge_port}"], "secret": SECRET,
        "host_addresses": ["127.0.0.1"], "thumbnails": 2})


class Worker:
    """A bridge worker process on loopback (``python -m server bridge``), which a test may
    kill and start again on the same port; its log is in ``bridge.log``."""

    def __init__(self, port: int, folder: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.log = folder / "bridge.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "PHONGHOP_BRIDGE_SECRET": SECRET,
               "PHONGHOP_BRIDGE_HOST_ADDRESSES": "127.0.0.1", "PHONGHOP_LOGGING_LEVEL": "INFO"}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server", "bridge", "--port", str(self.port)], cwd=ROOT,
                env=env, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    async def ready(self) -> None:
        assert self.process is not None
        await wait_answering(f"{self.url}/status", self.process, {"X-Bridge-Key": SECRET},
                             self.log)


@pytest.fixture
def worker(bridge_port: int, tmp_path: Path) -> Iterator[Worker]:
    worker = Worker(bridge_port, tmp_path)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
async def media_browser() -> AsyncIterator[Browser]:
    """Chromium with a fake camera and microphone, granted without asking."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                   args=[*ARGS, *MEDIA_ARGS])
        try:
            yield browser
        finally:
            await browser.close()


FRAMES_JS = """async ([selector, seconds]) => {
  const video = document.querySelector(selector);
  const frames = () => video.getVideoPlaybackQuality().totalVideoFrames;
  const [time, decoded] = [video.currentTime, frames()];
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return { frames: frames() - decoded, advanced: video.currentTime - time,
           width: video.videoWidth, height: video.videoHeight };
}"""


async def frames_of(page: Page, selector: str, seconds: float = 2) -> dict[str, float]:
    """How many frames a <video> showed in `seconds`, how far its time moved, its size."""
    return await page.evaluate(FRAMES_JS, [selector, seconds])


async def start_meeting(console: Page, base: str) -> int:
    """The chair opens the console from the meeting page and starts the meeting; its id."""
    await console.get_by_role("link", name=MEETING_TITLE).click()
    await console.get_by_role("link", name="Điều hành cuộc họp").click()
    await expect(console).to_have_url(re.compile(rf"{base}/meetings/\d+/console$"))
    await expect(console.locator("[data-connection]")).to_contain_text("Đã kết nối")
    await console.get_by_role("button", name="Bắt đầu cuộc họp").click()
    await expect(console.locator("#meeting-controls [data-status-badge]")).to_contain_text(
        "Đang họp")
    return int(console.url.split("/")[-2])


async def endpoint_page(browser: Browser, base: str, username: str, meeting_id: int) -> Page:
    page = await sign_in(browser, base, username, viewport={"width": 1280, "height": 900})
    await page.goto(f"{base}/meetings/{meeting_id}/video")
    return page


async def test_a_browser_endpoint_receives_the_floor_holders_camera(
    client: TestClient, demo: None, media_browser: Browser, worker: Worker, artifacts: Path,
    engine_name: str,
) -> None:
    await worker.ready()
    base = f"http://{client.host}:{client.port}"
    console = await sign_in(media_browser, base, "chutoa", viewport={"width": 1280, "height": 1100})
    pages = [console]
    try:
        meeting_id = await start_meeting(console, base)

        viewer = await endpoint_page(media_browser, base, VIEWER, meeting_id)
        pages.append(viewer)
        speaker = await endpoint_page(media_browser, base, SPEAKER, meeting_id)
        pages.append(speaker)
        for page in (viewer, speaker):
            await expect(page.locator("[data-connection-text]")).to_have_text(
                "Đã kết nối hình ảnh", timeout=20_000)
            # Its own camera, muted, in the corner.
            await page.wait_for_function(
                "document.querySelector('[data-self-video]').videoWidth > 0")

        # The console lists both browsers as connected.
        panel = console.locator("#video")
        viewer_row = panel.locator(".endpoint", has_text=VIEWER_NAME)
        speaker_row = panel.locator(".endpoint", has_text=SPEAKER_NAME)
        await expect(viewer_row).to_have_attribute("data-connected", "yes", timeout=10_000)
        await expect(speaker_row).to_have_attribute("data-connected", "yes")

        # Nobody has the floor: the viewer's main video shows nothing yet.
        await expect(viewer.locator("[data-main-empty]")).to_be_visible()

        # The chair gives the floor from the panel: the viewer's main video is the speaker's camera.
        await panel.get_by_role("button", name=f"Trao quyền phát biểu cho {SPEAKER_NAME}").click()
        await expect(panel.get_by_role("status")).to_have_text(
            f"Đã trao quyền phát biểu cho {SPEAKER_NAME}.")
        await expect(viewer.locator("[data-speaker-name]")).to_have_text(SPEAKER_NAME)
        await expect(speaker_row).to_have_attribute("data-floor", "yes", timeout=10_000)
        await expect(viewer.locator("[data-main-empty]")).to_be_hidden(timeout=10_000)
        seen = await frames_of(viewer, "video[data-main-video]")
        assert seen["frames"] >= 4 and seen["width"] > 0 and seen["advanced"] > 1, seen
        # The speaker sees the viewer small, as a thumbnail; the viewer's only other
        # endpoint is its main video, so it shows no thumbnail (not even a frozen one).
        await expect(speaker.locator(".video-thumb:visible")).to_have_count(1, timeout=20_000)
        # Named by whom the bridge put in that slot.
        await expect(speaker.locator(".video-thumb:visible figcaption")).to_have_text(
            VIEWER_NAME, timeout=10_000)
        small = await frames_of(speaker, ".video-thumb:not([hidden]) video")
        assert small["frames"] >= 3 and 0 < small["width"] <= 320, small
        await speaker.screenshot(path=artifacts / f"video-floor-holder-{engine_name}.png")
        await expect(viewer.locator(".video-thumb:visible")).to_have_count(0)

        # The chair mutes the viewer: its page closes its microphone and says who did.
        await panel.get_by_role("button", name=f"Tắt tiếng {VIEWER_NAME}").click()
        await expect(viewer.locator("[data-notice]")).to_have_text("Chủ tọa đã tắt micrô của bạn.")
        await expect(viewer.locator("[data-mute]")).to_have_text("Bật micrô")
        assert await viewer.evaluate(
            "document.querySelector('[data-video-room]').dataset.microphone") == "off"
        await expect(viewer_row).to_have_attribute("data-muted", "yes", timeout=10_000)
        await viewer.screenshot(path=artifacts / f"video-browser-endpoint-{engine_name}.png")
        await console.locator("#video").screenshot(
            path=artifacts / f"video-console-panel-{engine_name}.png")
        await panel.get_by_role("button", name=f"Bật tiếng {VIEWER_NAME}").click()
        await expect(viewer.locator("[data-mute]")).to_have_text("Tắt micrô")
        await expect(viewer_row).to_have_attribute("data-muted", "no", timeout=10_000)
    finally:
        for page in pages:
            await page.context.close()


DISTRICT_ROOM = "Điểm cầu huyện Tân Lập"  # huyen1's room; the account has the same name
# The room agent's test pattern: seven bars at 75% (room_agent/media.py), sampled by the page.
BARS = [(191, 191, 191), (191, 191, 0), (0, 191, 191), (0, 191, 0),
        (191, 0, 191), (191, 0, 0), (0, 0, 191)]
PATTERN_JS = """(selector) => {
  const video = document.querySelector(selector);
  const canvas = document.createElement("canvas");
  [canvas.width, canvas.height] = [video.videoWidth, video.videoHeight];
  const context = canvas.getContext("2d");
  context.drawImage(video, 0, 0);
  const y = Math.floor(canvas.height * 3 / 10);
  return [0, 1, 2, 3, 4, 5, 6].map((i) => Array.from(
    context.getImageData(Math.floor((2 * i + 1) * canvas.width / 14), y, 1, 1).data.slice(0, 3)));
}"""


def looks_like_bars(colours: list[list[int]]) -> bool:
    return all(abs(a - b) <= 48 for seen, bar in zip(colours, BARS, strict=True)
               for a, b in zip(seen, bar, strict=True))


async def wait_for_bars(page: Page, selector: str, seconds: float = 20) -> list[list[int]]:
    """The bar colours of `selector` once they are the pattern's, or the last seen."""
    colours: list[list[int]] = []
    for _ in range(int(seconds / 0.2)):
        colours = await page.evaluate(PATTERN_JS, selector)
        if looks_like_bars(colours):
            break
        await asyncio.sleep(0.2)
    return colours


@pytest.fixture
async def district_agent(sessions: Any, tmp_path: Path) -> AsyncIterator[Any]:
    """``await start(base, meeting_id)`` runs huyen1's room agent with a test pattern."""
    from server.auth import service
    from server.auth.models import User

    async with sessions() as db:
        user = await db.scalar(select(User).where(User.username == "huyen1"))
        token, _row = await service.issue_token(db, user, "room agent")
        await db.commit()
    processes: list[subprocess.Popen[bytes]] = []

    async def start(base: str, meeting_id: int) -> subprocess.Popen[bytes]:
        config = tmp_path / "agent.toml"
        config.write_text(
            f'server = "{base}"\ntoken = "{token}"\nmeeting = {meeting_id}\n'
            'source = "pattern"\nsink = "none"\nhost_addresses = ["127.0.0.1"]\n'
            'heartbeat_seconds = 1\n', encoding="utf-8")
        log = (tmp_path / "agent.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "room_agent", "--config", str(config)],
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    try:
        yield start
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def test_the_browser_shows_a_district_rooms_picture_when_the_chair_gives_it_the_floor(
    client: TestClient, demo: None, media_browser: Browser, worker: Worker, district_agent: Any,
    artifacts: Path, engine_name: str,
) -> None:
    await worker.ready()
    base = f"http://{client.host}:{client.port}"
    console = await sign_in(media_browser, base, "chutoa", viewport={"width": 1280, "height": 1100})
    pages = [console]
    try:
        meeting_id = await start_meeting(console, base)
        agent = await district_agent(base, meeting_id)
        viewer = await endpoint_page(media_browser, base, VIEWER, meeting_id)
        pages.append(viewer)
        await expect(viewer.locator("[data-connection-text]")).to_have_text(
            "Đã kết nối hình ảnh", timeout=20_000)

        # The room's agent is on the bridge and its heartbeat reaches the console.
        panel = console.locator("#video")
        room = panel.locator(".endpoint", has_text=DISTRICT_ROOM)
        await expect(room).to_have_attribute("data-connected", "yes", timeout=20_000)
        await expect(room.locator(".endpoint__health")).to_contain_text("CPU", timeout=15_000)
        assert agent.poll() is None, "the room agent exited"

        await room.get_by_role("button", name=f"Trao quyền phát biểu cho {DISTRICT_ROOM}").click()
        await expect(room).to_have_attribute("data-floor", "yes", timeout=10_000)
        await expect(viewer.locator("[data-speaker-name]")).to_have_text(DISTRICT_ROOM)
        # Soon the viewer's main video is the room's colour bars, moving.
        colours = await wait_for_bars(viewer, "video[data-main-video]")
        main = "video[data-main-video]"
        assert looks_like_bars(colours), (colours, await frames_of(viewer, main))
        # Frames keep coming (the pattern runs at 15 a second; a busy machine shows fewer).
        seen = await frames_of(viewer, main)
        assert seen["frames"] >= 4 and seen["advanced"] > 1, seen
        # The room was the viewer's thumbnail until it took the floor; that slot now gets
        # nothing and its tile goes, rather than keep a frozen frame.
        await expect(viewer.locator(".video-thumb:visible")).to_have_count(0, timeout=10_000)
        await viewer.screenshot(path=artifacts / f"video-district-floor-{engine_name}.png")
        await panel.screenshot(path=artifacts / f"video-console-district-{engine_name}.png")
    finally:
        for page in pages:
            await page.context.close()


async def test_a_browser_endpoint_comes_back_by_itself_when_its_bridge_worker_restarts(
    client: TestClient, demo: None, media_browser: Browser, worker: Worker,
) -> None:
    await worker.ready()
    base = f"http://{client.host}:{client.port}"
    console = await sign_in(media_browser, base, "chutoa", viewport={"width": 1280, "height": 1100})
    pages = [console]
    try:
        meeting_id = await start_meeting(console, base)
        viewer = await endpoint_page(media_browser, base, VIEWER, meeting_id)
        speaker = await endpoint_page(media_browser, base, SPEAKER, meeting_id)
        pages += [viewer, speaker]
        state = viewer.locator("[data-connection-text]")
        await expect(state).to_have_text("Đã kết nối hình ảnh", timeout=20_000)
        panel = console.locator("#video")
        await expect(panel.locator(".endpoint", has_text=SPEAKER_NAME)).to_have_attribute(
            "data-connected", "yes", timeout=10_000)
        await panel.get_by_role("button", name=f"Trao quyền phát biểu cho {SPEAKER_NAME}").click()
        root = viewer.locator("[data-video-room]")
        await expect(root).to_have_attribute("data-main-flowing", "yes", timeout=10_000)

        # The worker dies: the page notices (its connection fails or the server, finding the
        # worker gone, says reconnect) and keeps trying; the picture stops.
        worker.kill()
        await expect(state).not_to_have_text("Đã kết nối hình ảnh", timeout=20_000)
        await expect(root).to_have_attribute("data-main-flowing", "no", timeout=10_000)

        # The worker is back: with no one touching the page, it joins again and the
        # speaker's camera is the main video once more (the floor follows the new offer).
        worker.start()
        await worker.ready()
        await expect(state).to_have_text("Đã kết nối hình ảnh", timeout=45_000)
        await expect(root).to_have_attribute("data-main-flowing", "yes", timeout=20_000)
        seen = await frames_of(viewer, "video[data-main-video]")
        assert seen["frames"] >= 4 and seen["advanced"] > 1, seen
    finally:
        for page in pages:
            await page.context.close()


async def test_a_browser_without_a_camera_is_told_so_and_may_try_again(
    client: TestClient, demo: None, browser: Browser, sessions: Any,
) -> None:
    """Chromium without the fake devices finds no camera and no microphone at all."""
    from server.meetings.models import Meeting

    async with sessions() as db:
        meeting_id = (await db.scalar(select(Meeting))).id
    base = f"http://{client.host}:{client.port}"
    page = await endpoint_page(browser, base, VIEWER, meeting_id)
    try:
        await expect(page.get_by_role("alert")).to_have_text(
            "Không tìm thấy camera hoặc micrô trên máy này. Hãy cắm thiết bị rồi bấm “Thử lại”.")
        await expect(page.locator("[data-connection-text]")).to_have_text(
            "Chưa vào được cầu truyền hình")
        await expect(page.get_by_role("button", name="Thử lại")).to_be_visible()
    finally:
        await page.context.close()

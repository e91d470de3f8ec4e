"""In a real Chromium: the chair signs in and sees the demo meeting."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, expect

MEETING = "Phiên họp thường kỳ tháng 11 năm 2026 của Ủy ban nhân dân tỉnh"


async def test_the_chair_signs_in_and_sees_the_demo_meeting(
    client: TestClient, demo: None, browser: Browser, artifacts: Path, engine_name: str
) -> None:
    page = await browser.new_page(viewport={"width": 800, "height": 1280})
    base = f"http://{client.host}:{client.port}"
    await page.goto(f"{base}/")
    await expect(page).to_have_url(f"{base}/login")
    await page.get_by_label("Tên đăng nhập").fill("chutoa")
    await page.get_by_label("Mật khẩu").fill("demo")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page).to_have_url(f"{base}/")
    await expect(page.get_by_text(MEETING)).to_be_visible()
    await page.screenshot(path=artifacts / f"home-chutoa-{engine_name}.png", full_page=True)


async def test_a_wrong_password_keeps_the_user_on_the_login_page(
    client: TestClient, demo: None, browser: Browser
) -> None:
    page = await browser.new_page()
    base = f"http://{client.host}:{client.port}"
    await page.goto(f"{base}/login")
    await page.get_by_label("Tên đăng nhập").fill("chutoa")
    await page.get_by_label("Mật khẩu").fill("sai")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("alert")).to_contain_text("không đúng")
    assert await page.get_by_label("Tên đăng nhập").input_value() == "chutoa"


async def test_the_language_switch_turns_the_page_english(
    client: TestClient, browser: Browser
) -> None:
    page = await browser.new_page()
    await page.goto(f"http://{client.host}:{client.port}/login")
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert await page.get_attribute("html", "lang") == "en"

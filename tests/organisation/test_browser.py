"""In a real Chromium: the administrator adds a commune from the tree, and finds a person
by typing without accents."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import browser  # noqa: F401  (the Chromium fixture)

from .conftest import PASSWORD, Org


async def signed_in_admin(client: TestClient, browser: Browser) -> tuple[Page, str]:  # noqa: F811
    page = await browser.new_page(viewport={"width": 800, "height": 1280})
    base = f"http://{client.host}:{client.port}"
    await page.goto(f"{base}/login")
    await page.get_by_label("Tên đăng nhập").fill("admin")
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page).to_have_url(f"{base}/")
    await page.get_by_role("link", name="Quản trị", exact=True).click()
    await expect(page).to_have_url(f"{base}/admin")
    return page, base


async def test_the_admin_adds_a_commune_from_the_tree(
    client: TestClient, browser: Browser, org: Org  # noqa: F811
) -> None:
    page, base = await signed_in_admin(client, browser)
    await page.get_by_role("link", name="Đơn vị").first.click()
    await page.get_by_role("link", name="Thêm đơn vị trực thuộc UBND huyện Tân Lập").click()
    await expect(page.get_by_role("combobox", name="Cấp, loại đơn vị")).to_have_value("commune")
    await expect(page.get_by_label("Trực thuộc", exact=True)).to_have_value(str(org.tan_lap))
    await page.get_by_role("textbox", name="Tên đơn vị").fill("UBND xã Tân Thành")
    await page.get_by_role("button", name="Thêm đơn vị", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("Đã thêm đơn vị “UBND xã Tân Thành”.")
    district = page.locator(f"#unit-{org.tan_lap}")
    await expect(district.get_by_role("link", name="Sửa đơn vị UBND xã Tân Thành")).to_be_visible()


async def test_the_people_search_refreshes_while_typing(
    client: TestClient, browser: Browser, org: Org  # noqa: F811
) -> None:
    page, base = await signed_in_admin(client, browser)
    await page.goto(f"{base}/admin/users")
    await page.get_by_label("Họ tên, chức vụ hoặc tên đăng nhập").fill("nguyen van hung")
    results = page.locator("#user-results")
    await expect(results.get_by_role("status")).to_have_text("Tìm thấy 1 người.")
    await expect(results.get_by_role("link", name="Sửa tài khoản Nguyễn Văn Hùng")).to_be_visible()
    assert page.url.endswith("/admin/users?q=nguyen+van+hung&unit_id=")

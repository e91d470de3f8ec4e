"""In a real Chromium: the secretary prepares and publishes a meeting, then a delegate reads it.

The secretary's path: create the meeting, find and add three delegates and a
district's delegation, build a three-item agenda with one nested item and
reorder it (by drag and drop, and by the keyboard buttons), upload a PDF while
the progress bar shows, publish. The delegate's path: the meeting on the home
page, its page, check-in, and the document's file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, Page, expect

from server.demo.documents import DOCUMENTS
from server.demo.organisation import MEETING_TITLE as DEMO_MEETING
from server.demo.pdf import render_pdf
from server.i18n import translate

TITLE = "Giao ban tuần 49 năm 2026 của Ủy ban nhân dân tỉnh"
DELEGATES = ("Lê Quang Minh", "Phạm Thị Thu Hà", "Hoàng Đức Thắng")  # daibieu01..03
DOCUMENT = "Báo cáo tình hình kinh tế - xã hội tuần 48"
SECRET = "Phương án nhân sự (tài liệu mật)"
OPENING, REPORT, FINANCE = "Khai mạc", "Báo cáo tình hình kinh tế - xã hội tuần 48", \
    "Ý kiến của Sở Tài chính"


async def sign_in(browser: Browser, base: str, username: str, **options: Any) -> Page:
    context = await browser.new_context(locale="vi-VN", **options)
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill("demo")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page).to_have_url(f"{base}/")
    return page


def agenda_titles(page: Page) -> Any:
    return page.locator("#agenda [data-item-title]")


async def add_item(page: Page, title: str, minutes: int, parent: str | None = None) -> None:
    agenda = page.locator("#agenda")
    await agenda.get_by_label("Tên nội dung").fill(title)
    await agenda.get_by_label("Thời lượng (phút)").fill(str(minutes))
    if parent:
        await agenda.get_by_label("Thuộc nội dung").select_option(label=parent)
    await agenda.get_by_role("button", name="Thêm nội dung").click()
    await expect(agenda.get_by_role("status")).to_have_text(f"Đã thêm “{title}”.")


async def test_the_secretary_prepares_and_publishes_and_a_delegate_reads(
    client: TestClient, demo: None, browser: Browser, artifacts: Path, engine_name: str,
    tmp_path: Path,
) -> None:
    base = f"http://{client.host}:{client.port}"
    page = await sign_in(browser, base, "thuky", viewport={"width": 800, "height": 1280})

    # Create the meeting.
    await page.get_by_role("link", name="Tạo cuộc họp").click()
    await page.get_by_label("Tên cuộc họp").fill(TITLE)
    await page.get_by_label("Số, ký hiệu").fill("49/GB-UBND")
    await page.get_by_label("Cơ quan tổ chức").select_option(label="Ủy ban nhân dân tỉnh Lâm Sơn")
    await page.get_by_label("Hội trường").select_option(label="Hội trường tầng 3, trụ sở UBND tỉnh")
    await page.get_by_label("Bắt đầu (giờ Việt Nam)").fill("2026-12-07T08:00")
    await page.get_by_label("Kết thúc (giờ Việt Nam)").fill("2026-12-07T10:00")
    await page.get_by_role("button", name="Tạo cuộc họp").click()
    await expect(page).to_have_url(re.compile(rf"{base}/meetings/\d+/edit$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    meeting_url = page.url.removesuffix("/edit")

    # Participants: three delegates found by name, then a district's delegation without a vote.
    people = page.locator("#participants")
    # Found by user name, by name as written, and by name typed without accents.
    for typed, name in zip(("daibieu01", DELEGATES[1], "hoang duc thang"), DELEGATES, strict=True):
        await people.get_by_label("Tìm người dùng").fill(typed)
        await people.get_by_role("button", name=f"Thêm {name}").click()
        await expect(people.locator("[data-status]")).to_have_text(f"Đã thêm {name}.")
    await people.get_by_label("Có quyền biểu quyết", exact=True).first.uncheck()
    await people.get_by_label("Đơn vị").select_option(label="UBND huyện Tân Lập")
    await people.get_by_role("button", name="Thêm cả đơn vị").click()
    await expect(people.locator("[data-status]")).to_have_text("Đã thêm 1 người của đơn vị.")
    await expect(people.locator(".person")).to_have_count(5)
    await expect(people.locator("[data-quorum]")).to_have_text(
        "Có mặt 0/3 đại biểu có quyền biểu quyết")

    # Agenda: added out of order, then put right by drag and drop.
    await add_item(page, REPORT, 30)
    await add_item(page, OPENING, 5)
    await add_item(page, FINANCE, 10, parent=f"1. {REPORT}")
    await expect(agenda_titles(page)).to_have_text([REPORT, FINANCE, OPENING])
    opening = page.locator(".builder__row", has_text=OPENING)
    report = page.locator(".builder__row", has_text=REPORT).first
    await opening.drag_to(report, target_position={"x": 120, "y": 4})
    await expect(agenda_titles(page)).to_have_text([OPENING, REPORT, FINANCE])
    await expect(page.locator("#agenda [data-status]")).to_have_text(
        f"Đã chuyển “{OPENING}” đến mục 1.")
    # The same with the keyboard: the nested item out one level, and back in.
    outdent = page.get_by_role("button", name=f"Đưa “{FINANCE}” ra ngoài một cấp")
    await outdent.focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("#agenda [data-status]")).to_have_text(
        f"Đã chuyển “{FINANCE}” đến mục 3.")
    await expect(outdent).to_be_focused()  # focus stays with the item that moved
    await page.keyboard.press("Shift+Tab")
    indent = page.get_by_role("button", name=f"Đưa “{FINANCE}” vào trong nội dung phía trên")
    await expect(indent).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("#agenda [data-status]")).to_have_text(
        f"Đã chuyển “{FINANCE}” đến mục 2.1.")
    await expect(page.locator("#agenda [data-agenda-total]")).to_have_text(
        "Tổng thời gian dự kiến: 45 phút")

    # Upload a PDF to the report, with the progress bar shown to its end.
    pdf = tmp_path / "bao-cao-tuan-48.pdf"
    pdf.write_bytes(render_pdf(DOCUMENTS[0]).data)
    documents = page.locator("#documents")
    await documents.get_by_label("Nội dung trong chương trình").select_option(label=f"2. {REPORT}")
    await documents.get_by_label("Tệp PDF").set_input_files(pdf)
    await documents.get_by_label("Tên tài liệu").fill(DOCUMENT)
    await documents.get_by_role("button", name="Tải lên").click()
    progress = documents.get_by_role("progressbar")
    await expect(progress).to_be_visible()
    await expect(progress).to_have_js_property("value", 100)
    await expect(documents.locator("[data-status]")).to_have_text(f"Đã tải lên “{DOCUMENT}”.")
    await expect(documents.get_by_role("link", name=DOCUMENT)).to_be_visible()
    await expect(progress).to_be_visible()
    # A confidential paper for the first delegate only.
    await documents.get_by_label("Tệp PDF").set_input_files(pdf)
    await documents.get_by_label("Tên tài liệu").fill(SECRET)
    await documents.get_by_label("Mật: người được chỉ định").check()
    await documents.get_by_role("checkbox", name=DELEGATES[0]).check()
    await documents.get_by_role("button", name="Tải lên").click()
    await expect(documents.locator("[data-status]")).to_have_text(f"Đã tải lên “{SECRET}”.")

    # Publish, after the confirmation.
    await page.get_by_role("button", name="Xuất bản").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("Xuất bản cuộc họp?")
    await dialog.get_by_role("button", name="Xuất bản").click()
    await expect(page.locator("[data-publish-box] [data-status]")).to_have_text(
        "Đã xuất bản cuộc họp.")
    await expect(page.locator("#publish [data-status-badge]")).to_contain_text("Đã lên lịch")

    # The roll call opens with publishing: one delegate is absent, with the reason.
    absent = DELEGATES[1]
    await people.get_by_label(f"Điểm danh {absent}").select_option(label="Vắng mặt")
    await expect(people.locator("[data-status]")).to_have_text(f"Đã ghi điểm danh của {absent}.")
    await people.get_by_label(f"Lý do vắng của {absent}").fill("Đi công tác")
    async with page.expect_response(lambda r: r.url.endswith("/attendance")) as answer:
        await people.get_by_label(f"Lý do vắng của {absent}").press("Tab")
    assert (await answer.value).status == 200
    await page.screenshot(path=artifacts / f"edit-thuky-{engine_name}.png", full_page=True)

    # The delegate: the meeting on the home page, its page, check-in, the document.
    for width, height in ((800, 1280), (1280, 800)):
        reader = await sign_in(browser, base, "daibieu01",
                               viewport={"width": width, "height": height})
        await reader.get_by_role("link", name=TITLE).click()
        await expect(reader).to_have_url(meeting_url)
        await expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
        link = reader.get_by_role("link", name=DOCUMENT)
        await expect(link).to_be_visible()
        secret = reader.locator(".doc", has_text=SECRET)
        await expect(secret.locator(".tag--secret")).to_have_text("Mật")
        await expect(reader.get_by_role("row", name=absent)).to_contain_text(
            "Vắng mặt: Đi công tác")
        if width == 800:
            await reader.get_by_role("button", name="Điểm danh có mặt").click()
            await expect(reader.locator("[data-quorum]")).to_have_text(
                "Có mặt 1/3 đại biểu có quyền biểu quyết")
        shot = artifacts / f"meeting-daibieu01-{width}x{height}-{engine_name}.png"
        await reader.screenshot(path=shot, full_page=True)
        response = await reader.request.get(await link.evaluate("a => a.href"))
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert (await response.body()).startswith(b"%PDF")
        await reader.context.close()


async def test_refusals_are_shown_in_the_users_language(
    client: TestClient, demo: None, browser: Browser, tmp_path: Path
) -> None:
    base = f"http://{client.host}:{client.port}"
    page = await sign_in(browser, base, "thuky")
    await page.get_by_role("link", name=DEMO_MEETING).click()
    await page.get_by_role("link", name="Chuẩn bị cuộc họp").click()
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", name="Meeting details")).to_be_visible()

    details = page.locator("#details")
    await details.get_by_label("Ends (Vietnam time)").fill("2020-01-01T08:00")
    await details.get_by_role("button", name="Save changes").click()
    await expect(details.get_by_role("alert")).to_have_text(
        translate("en", "meetings.end_before_start"))

    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    documents = page.locator("#documents")
    await documents.get_by_label("PDF file").set_input_files(empty)
    await documents.get_by_role("button", name="Upload").click()
    await expect(documents.get_by_role("alert")).to_have_text(
        translate("en", "documents.empty_file"))
    await expect(documents.get_by_role("progressbar")).to_be_hidden()

"""In a real Chromium: a meeting's minutes from the end of the meeting to published.

The demo meeting is held and ended quickly through Socket.IO tablets (an item
discussed, voted and concluded). Keys from a throwaway dev PKI are registered for
the chair (chutoa), the secretary (thuky) and the organiser unit's seal. Then, in
the browser: the secretary starts the minutes from the record, edits a section
(the toolbar's bold, the autosave seen, the save in the history), resets another
section from the record, and approves; the chair first types a wrong passphrase
(the server's message, nothing changes, the field is cleared), then signs; the
secretary signs, seals and publishes; a delegate downloads the signed PDF from the
meeting page, which carries the three signatures, and checks it on the
verification page (and is told why a text file or an unsigned PDF cannot be checked).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, Page, expect
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.pdfgen.canvas import Canvas

from server.i18n import translate
from server.minutes.pki import DEV_PASSPHRASE
from tests.minutes.signing_fixtures import dev_pki, keys, settings  # noqa: F401  (fixtures)
from tests.minutes.test_draft import _hold_meeting
from tests.voting.conftest import (  # noqa: F401  (fixtures)
    MakePoll,
    Tablet,
    Tablets,
    chair,
    make_poll,
    meeting_id,
    tablets,
)

from .test_secretary_path import sign_in

EDITED = "Thời gian bắt đầu: 08 giờ 00 phút.\nĐịa điểm: Hội trường tầng 3, trụ sở UBND tỉnh."
BOLD = "Hội trường tầng 3"
CLOSING = "Cuộc họp kết thúc vào 11 giờ 30 phút cùng ngày./."
SECRETARY = "Trần Thị Mai"  # thuky in the demo
SIGNING = 60_000  # ms: a signature with its timestamp, the seal with B-LTA validation data


def vi(key: str, **params: Any) -> str:
    return translate("vi", key, **params)


async def minutes_json(page: Page, meeting: int) -> dict[str, Any]:
    response = await page.request.get(f"/api/v1/meetings/{meeting}/minutes")
    assert response.ok, await response.text()
    return (await response.json())["minutes"]


def section(page: Page, title: str) -> Any:
    return page.locator(".minutes-section", has=page.get_by_role("heading", name=title))


async def sign_with(page: Page, secret: str) -> None:
    field = page.get_by_label(vi("minutes_page.secret_label"))
    await field.fill(secret)
    await page.locator("[data-sign-button]").click()


def unsigned_pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(90, 760, "Bien ban chua ky")
    canvas.save()
    return out.getvalue()


async def test_the_minutes_go_from_the_ended_meeting_to_a_signed_published_pdf(
    client: TestClient, browser: Browser, artifacts: Path, engine_name: str,
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, meeting_id: int,  # noqa: F811
    keys: None, tmp_path: Path,  # noqa: F811
) -> None:
    await _hold_meeting(chair, make_poll, tablets)
    base = f"http://{client.host}:{client.port}"
    size = {"viewport": {"width": 1280, "height": 1000}, "base_url": base}

    # The secretary: from the meeting page to the minutes, drafted from the record.
    secretary = await sign_in(browser, base, "thuky", **size)
    await secretary.goto(f"{base}/meetings/{meeting_id}")
    await secretary.get_by_role("link", name=vi("minutes_page.link"), exact=True).click()
    await expect(secretary).to_have_url(f"{base}/meetings/{meeting_id}/minutes")
    await secretary.get_by_role("button", name=vi("minutes_page.start")).click()
    await expect(secretary.locator("textarea")).to_have_count(6)
    await expect(secretary.locator("[data-minutes-badge]")).to_have_text(
        vi("minutes_status.draft"))

    # An edit: typed, a phrase made bold with the toolbar, saved a second later.
    opening = section(secretary, vi("minutes_page.section.opening"))
    text = opening.locator("textarea")
    await text.fill(EDITED)
    await text.evaluate("""(area, phrase) => {
        const at = area.value.indexOf(phrase);
        area.focus();
        area.setSelectionRange(at, at + phrase.length);
    }""", BOLD)
    await opening.get_by_role("button", name=vi("minutes_page.bold")).click()
    saved = EDITED.replace(BOLD, f"**{BOLD}**")
    await expect(text).to_have_value(saved)
    await expect(opening.locator("[data-save-state]")).to_have_text(
        re.compile(r"^Đã lưu lúc \d\d:\d\d$"))
    stored = await minutes_json(secretary, meeting_id)
    assert next(s["text"] for s in stored["sections"] if s["key"] == "opening") == saved
    assert await secretary.evaluate(
        f"localStorage.getItem('phonghop:minutes:{meeting_id}:opening')") is None
    await opening.get_by_text(vi("minutes_page.history")).click()
    await expect(opening.locator(".history__text").first).to_have_text(saved)
    await expect(opening.locator(".history__meta").first).to_contain_text(SECRETARY)

    # Another section typed over, then restored from the record after a confirmation.
    recipients = section(secretary, vi("minutes_page.section.recipients"))
    original = await recipients.locator("textarea").input_value()
    await recipients.locator("textarea").fill("Nơi nhận: chỉ để thử.")
    await expect(recipients.locator("[data-save-state]")).to_have_text(
        re.compile(r"^Đã lưu lúc"))
    await recipients.get_by_role("button", name=vi("minutes_page.reset")).click()
    await secretary.get_by_role("dialog").get_by_role(
        "button", name=vi("minutes_page.reset_yes")).click()
    await expect(recipients.locator("textarea")).to_have_value(original)

    # Typing that cannot reach the server stays on the device and is saved after a reload.
    closing = section(secretary, vi("minutes_page.section.closing"))
    await secretary.route("**/minutes/sections/closing", lambda route: route.abort())
    await closing.locator("textarea").fill(CLOSING)
    await expect(closing.locator("[data-save-state]")).to_have_text(
        vi("minutes_page.save_failed", message=vi("meeting_pages.network_error")))
    await secretary.unroute("**/minutes/sections/closing")
    await secretary.reload()
    await expect(closing.locator("textarea")).to_have_value(CLOSING)
    await expect(closing.locator("[data-save-state]")).to_have_text(
        re.compile(r"^Đã lưu lúc"))
    stored = await minutes_json(secretary, meeting_id)
    assert next(s["text"] for s in stored["sections"] if s["key"] == "closing") == CLOSING
    await secretary.screenshot(path=artifacts / f"minutes-edit-{engine_name}.png", full_page=True)

    # Approved: the PDF with its signature fields, the chair's turn.
    await secretary.get_by_role("button", name=vi("minutes_page.approve")).click()
    await expect(secretary.locator("[data-minutes-badge]")).to_have_text(
        vi("minutes_status.approved"), timeout=SIGNING)
    await expect(secretary.locator("[data-next]")).to_have_text(
        vi("minutes_page.next_signer", role=vi("minutes.role.chair")))
    preview = secretary.get_by_role("link", name=vi("minutes_page.preview"))
    prepared = await secretary.request.get(await preview.get_attribute("href"))
    assert prepared.ok and (await prepared.body()).startswith(b"%PDF")
    await expect(secretary.locator("textarea").first).to_have_attribute("readonly", "")

    # The chair: a wrong passphrase is refused with the server's message; nothing changes.
    chutoa = await sign_in(browser, base, "chutoa", **size)
    await chutoa.goto(f"{base}/meetings/{meeting_id}/minutes")
    await expect(chutoa.locator("[data-sign-title]")).to_have_text(
        vi("minutes_page.sign_title", role=vi("minutes.role.chair")))
    before = await minutes_json(chutoa, meeting_id)
    await sign_with(chutoa, "mat-khau-sai")
    await expect(chutoa.locator("[data-workflow] [role=alert]")).to_have_text(
        vi("minutes.wrong_secret"), timeout=SIGNING)
    await expect(chutoa.get_by_label(vi("minutes_page.secret_label"))).to_have_value("")
    assert await minutes_json(chutoa, meeting_id) == before
    await chutoa.screenshot(path=artifacts / f"minutes-wrong-secret-{engine_name}.png",
                           full_page=True)

    await sign_with(chutoa, DEV_PASSPHRASE)
    await expect(chutoa.locator("[data-minutes-badge]")).to_have_text(
        vi("minutes_status.signed_chair"), timeout=SIGNING)
    await expect(chutoa.locator("[data-sign-form]")).to_be_hidden()
    await expect(chutoa.locator('[data-step="chair"]')).to_have_class(re.compile("step--done"))

    # The secretary signs, seals (timestamp, B-LTA) and publishes.
    await secretary.reload()
    await expect(secretary.locator("[data-sign-title]")).to_have_text(
        vi("minutes_page.sign_title", role=vi("minutes.role.secretary")))
    await sign_with(secretary, DEV_PASSPHRASE)
    await expect(secretary.locator("[data-minutes-badge]")).to_have_text(
        vi("minutes_status.signed_secretary"), timeout=SIGNING)
    await expect(secretary.locator("[data-sign-title]")).to_have_text(vi("minutes_page.seal_title"))
    await expect(secretary.locator("[data-sign-button]")).to_have_text(vi("minutes_page.seal"))
    await sign_with(secretary, DEV_PASSPHRASE)
    await expect(secretary.locator("[data-minutes-badge]")).to_have_text(
        vi("minutes_status.sealed"), timeout=SIGNING)
    await secretary.screenshot(path=artifacts / f"minutes-sealed-{engine_name}.png", full_page=True)
    await secretary.get_by_role("button", name=vi("minutes_page.publish")).click()
    await secretary.get_by_role("dialog").get_by_role(
        "button", name=vi("minutes_page.publish")).click()
    await expect(secretary.locator("[data-minutes-badge]")).to_have_text(
        vi("minutes_status.published"))

    # A delegate: the minutes from the meeting page, the signed PDF downloaded.
    delegate = await sign_in(browser, base, "daibieu05", **size)
    await delegate.goto(f"{base}/meetings/{meeting_id}")
    await delegate.get_by_role("link", name=vi("minutes_page.link"), exact=True).click()
    download_link = delegate.get_by_role("link", name=vi("minutes_page.download"))
    async with delegate.expect_download() as waiting:
        await download_link.click()
    downloaded = tmp_path / "bien-ban.pdf"
    await (await waiting.value).save_as(downloaded)
    await delegate.screenshot(path=artifacts / f"minutes-published-{engine_name}.png")
    signatures = PdfFileReader(io.BytesIO(downloaded.read_bytes())).embedded_signatures
    signed = [s.field_name for s in signatures if s.sig_object_type == "/Sig"]
    assert signed == ["chair", "secretary", "seal"]

    # The verification page: the file is valid and complete; a text file and an unsigned
    # PDF get the server's reason.
    await delegate.goto(f"{base}/minutes/verify")
    chooser = delegate.get_by_label(vi("minutes_verify.file_label"))
    await chooser.set_input_files(str(downloaded))
    await expect(delegate.locator("[data-verdict]")).to_have_text(
        vi("minutes.report.valid"), timeout=SIGNING)
    items = delegate.locator("[data-signatures] > li")
    await expect(items).to_have_count(len(signatures))
    await expect(items.first).to_contain_text(vi("minutes.report.intact"))
    await expect(items.first).to_contain_text("giờ Việt Nam")
    await delegate.screenshot(path=artifacts / f"minutes-verify-{engine_name}.png", full_page=True)
    await chooser.set_input_files(
        files=[{"name": "ghi-chu.txt", "mimeType": "text/plain", "buffer": b"khong phai PDF"}])
    await expect(delegate.locator("[data-verify] [role=alert]")).to_have_text(
        vi("minutes.not_a_pdf"))
    await expect(delegate.locator("[data-report]")).to_be_hidden()
    await chooser.set_input_files(
        files=[{"name": "chua-ky.pdf", "mimeType": "application/pdf", "buffer": unsigned_pdf()}])
    await expect(delegate.locator("[data-verify] [role=alert]")).to_have_text(
        vi("minutes.not_signed"))

"""The minutes from the record to published: approved, signed by the chair, the secretary
and the seal in that order, with the right keys only; refusals leave the last good file."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from typing import Any

import aiohttp
from sqlalchemy import select

from server.auth.models import User
from server.minutes.pki import DEV_PASSPHRASE
from tests.minutes.signing_fixtures import dev_pki, keys, settings  # noqa: F401  (fixtures)
from tests.voting.conftest import MakePoll, Tablet, Tablets

from .test_draft import BASE, _hold_meeting


async def _approved(chair: Tablet, make_poll: MakePoll, tablets: Tablets,
                    meeting_id: int) -> Tablet:
    await _hold_meeting(chair, make_poll, tablets)
    secretary = await tablets("thuky")
    assert (await secretary.http("POST", BASE.format(meeting_id)))[0] == 201
    status, body = await secretary.http("POST", BASE.format(meeting_id) + "/approve",
                                        {"version": 1})
    assert status == 200, body
    assert body["minutes"]["status"] == "approved" and body["minutes"]["next"] == "chair"
    return secretary


async def sign(tablet: Tablet, meeting_id: int, role: str, secret: str = DEV_PASSPHRASE,
               version: int = 1) -> tuple[int, Any]:
    return await tablet.http("POST", BASE.format(meeting_id) + "/sign",
                             {"role": role, "secret": secret, "version": version})


async def test_minutes_go_from_the_record_to_published_and_verify(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, meeting_id: int, keys: None,  # noqa: F811
    sessions: Any
) -> None:
    secretary = await _approved(chair, make_poll, tablets, meeting_id)
    for tablet, role, status in ((chair, "chair", "signed_chair"),
                                 (secretary, "secretary", "signed_secretary"),
                                 (secretary, "seal", "sealed")):
        code, body = await sign(tablet, meeting_id, role)
        assert code == 200, body
        assert body["minutes"]["status"] == status
    code, body = await secretary.http("POST", BASE.format(meeting_id) + "/publish")
    assert code == 200 and body["minutes"]["status"] == "published"
    signers = {s["role"]: s["name"] for s in body["minutes"]["signatures"]}
    async with sessions() as db:
        names = dict((await db.execute(select(User.username, User.full_name).where(
            User.username.in_(["chutoa", "thuky"])))).all())
    assert (signers["chair"], signers["secretary"]) == (names["chutoa"], names["thuky"])
    assert all(s["signed_at"] for s in body["minutes"]["signatures"])

    delegate = await tablets("daibieu05")
    assert delegate.snapshot["minutes"]["url"].endswith("/minutes.pdf")
    async with aiohttp.ClientSession(
            cookies={"phonghop_session": delegate.cookie}) as http:
        async with http.get(f"{delegate.url}/api/v1/meetings/{meeting_id}/minutes.pdf") as r:
            assert r.status == 200
            pdf = await r.read()
        async with http.post(f"{delegate.url}/api/v1/minutes/verify", data=pdf,
                             headers={"Content-Type": "application/pdf",
                                      "X-CSRF-Token": delegate.csrf}) as r:
            report = await r.json()
    assert report["valid"] is True, report
    form = aiohttp.FormData()
    form.add_field("file", pdf, filename="bien-ban.pdf", content_type="application/pdf")
    async with aiohttp.ClientSession(
            cookies={"phonghop_session": delegate.cookie}) as http, \
            http.post(f"{delegate.url}/api/v1/minutes/verify", data=form,
                      headers={"X-CSRF-Token": delegate.csrf}) as r:
        assert (r.status, (await r.json())["valid"]) == (200, True)
    assert [s["role"] for s in report["signatures"] if s["role"]] == ["chair", "secretary",
                                                                      "seal"]
    async with aiohttp.ClientSession(
            cookies={"phonghop_session": secretary.cookie}) as http, \
            http.get(f"{secretary.url}/api/v1/meetings/{meeting_id}/minutes.edxml") as r:
        root = ET.fromstring(await r.read())
    attached = next(e for e in root.iter() if e.tag.endswith("ContentTransferEncoded"))
    assert base64.b64decode(attached.text or "") == pdf


async def test_a_wrong_passphrase_changes_nothing(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, meeting_id: int, keys: None  # noqa: F811
) -> None:
    await _approved(chair, make_poll, tablets, meeting_id)
    before = (await chair.http("GET", BASE.format(meeting_id)))[1]["minutes"]
    code, body = await sign(chair, meeting_id, "chair", secret="sai-mat-khau")
    after = (await chair.http("GET", BASE.format(meeting_id)))[1]["minutes"]
    assert code >= 400 and body["error"]["code"] == "wrong_pin_or_passphrase"
    assert "mật khẩu" in body["error"]["message"]
    assert after == before


async def test_signatures_go_in_order_and_only_by_their_signer(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, meeting_id: int, keys: None  # noqa: F811
) -> None:
    secretary = await _approved(chair, make_poll, tablets, meeting_id)
    early = await sign(secretary, meeting_id, "secretary")
    impostor = await sign(secretary, meeting_id, "chair")
    delegate = await sign(await tablets("daibieu01"), meeting_id, "chair")
    assert early[1]["error"]["code"] == "minutes_wrong_status"
    assert impostor[0] == 403 and delegate[0] in (403, 404)


async def test_a_change_after_the_first_signature_makes_a_new_version(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, meeting_id: int, keys: None  # noqa: F811
) -> None:
    secretary = await _approved(chair, make_poll, tablets, meeting_id)
    assert (await sign(chair, meeting_id, "chair"))[0] == 200
    code, body = await secretary.http("PUT", BASE.format(meeting_id) + "/sections/closing",
                                      {"text": "Cuộc họp kết thúc lúc 11 giờ./.", "version": 1})
    assert code == 200
    assert (body["minutes"]["version"], body["minutes"]["status"]) == (2, "draft")
    assert body["minutes"]["pdf_url"] is None
    stale = await sign(chair, meeting_id, "chair", version=1)
    assert stale[1]["error"]["code"] == "stale_version"


async def test_a_missing_key_is_named(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, meeting_id: int
) -> None:
    await _approved(chair, make_poll, tablets, meeting_id)
    code, body = await sign(chair, meeting_id, "chair")
    assert body["error"]["code"] == "signing_key_missing"
    assert "signing-key" in body["error"]["message"]


async def test_verifying_something_that_is_not_a_signed_pdf_says_so(tablets: Tablets) -> None:
    tablet = await tablets("daibieu01")
    async with aiohttp.ClientSession(
            cookies={"phonghop_session": tablet.cookie}) as http:
        async with http.post(f"{tablet.url}/api/v1/minutes/verify", data=b"khong phai pdf",
                             headers={"Content-Type": "application/pdf",
                                      "X-CSRF-Token": tablet.csrf}) as r:
            not_pdf = (r.status, await r.json())
    assert not_pdf[0] == 415 and not_pdf[1]["error"]["code"] == "not_a_pdf"

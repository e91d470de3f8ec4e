"""In a real Chromium: a vote from the chair's console to two delegates' tablets and the hall.

Four browser contexts: the chair's console (chutoa), two delegates' tablet readers
(daibieu01, daibieu02) and the hall screen (signed in as the secretary). Fifteen of
the twenty-one members are present (over the two-thirds quorum). The chair creates
a named yes/no poll in the console and opens it; the ballot appears on both
tablets at once; one votes in favour, the other against, each through the confirm
step; the console counts 2/15 (how many, never what) while the screen says a vote
is under way; the chair closes and publishes, and both tablets and the screen show
"Không thông qua" with 1 / 1 / 0 and the numbers of the rule (11 of 21 needed).
Then: a tablet without its connection shows the ballot, says voting needs the
network and cannot send it; back online, it votes. And the chair's one button that
closes and publishes at once: the tablet goes from its recorded ballot straight to
the result.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, Locator, Page, expect
from sqlalchemy import func, select, update

from server.auth.models import User
from server.demo.organisation import MEETING_TITLE
from server.i18n import translate
from server.meetings.models import Attendance, Participant
from server.realtime import events as wire
from server.voting.models import NamedChoice, PollOption, VoterRoll

from .test_secretary_path import sign_in

FOR, AGAINST = "Lê Quang Minh", "Phạm Thị Thu Hà"  # daibieu01, daibieu02
PRESENT = ["chutoa", *(f"daibieu{n:02d}" for n in range(1, 15))]  # 15 of the 21 members
TITLE = "Thông qua Nghị quyết về kế hoạch đầu tư công năm 2027"


def vi(key: str, **params: Any) -> str:
    return translate("vi", key, **params)


async def seat_the_members(sessions: Any, meeting_id: int) -> None:
    """Check in the members of PRESENT (as the secretary's roll call would)."""
    async with sessions() as db:
        user_ids = (await db.scalars(select(User.id).where(User.username.in_(PRESENT)))).all()
        await db.execute(update(Participant).where(
            Participant.meeting_id == meeting_id, Participant.user_id.in_(user_ids),
        ).values(attendance=Attendance.PRESENT_HALL))
        await db.commit()


async def open_console(browser: Browser, base: str) -> tuple[Page, int]:
    console = await sign_in(browser, base, "chutoa", viewport={"width": 1280, "height": 1000})
    await console.get_by_role("link", name=MEETING_TITLE).click()
    await console.get_by_role("link", name="Điều hành cuộc họp").click()
    await expect(console).to_have_url(re.compile(rf"{base}/meetings/\d+/console$"))
    await expect(console.locator("[data-connection]")).to_contain_text("Đã kết nối")
    return console, int(console.url.split("/")[-2])


async def open_tablet(browser: Browser, base: str, username: str, meeting_id: int) -> Page:
    tablet = await sign_in(browser, base, username, viewport={"width": 1280, "height": 800},
                           has_touch=True)
    await tablet.goto(f"{base}/meetings/{meeting_id}/live")
    await expect(tablet.locator("[data-connection]")).to_have_attribute("data-online", "yes")
    return tablet


async def vote(tablet: Page, choice: str) -> Locator:
    """Choose on the ballot, confirm, send; the ballot says the vote is recorded."""
    ballot = tablet.get_by_role("dialog", name=TITLE)
    await ballot.get_by_label(choice, exact=True).check()
    await ballot.get_by_role("button", name=vi("live.vote.next")).click()
    await expect(ballot.locator("[data-confirm]")).to_have_text(
        vi("live.vote.confirm", choice=choice))
    await ballot.get_by_role("button", name=vi("live.vote.cast")).click()
    await expect(ballot.locator("[data-ballot-done]")).to_have_text(vi("live.vote.recorded"))
    await expect(ballot).to_contain_text(vi("live.vote.you_chose", choice=choice))
    return ballot


async def expect_result(box: Locator) -> None:
    """One in favour, one against, nobody abstaining: 1 of the 11 votes needed of 21."""
    result = box.locator("[data-poll-result]")
    await expect(result.locator("[data-outcome]")).to_have_text(vi("live.vote.not_passed"))
    bars = result.locator(".bar")
    await expect(bars.locator(".bar__label")).to_have_text(
        [vi("live.vote.yes"), vi("live.vote.no"), vi("live.vote.abstain")])
    await expect(bars.locator("[data-votes]")).to_have_text(["1", "1", "0"])
    await expect(result.locator("[data-turnout]")).to_have_text(
        vi("live.vote.turnout", cast=2, present=len(PRESENT), members=21))
    await expect(result.locator("[data-needed]")).to_have_text(
        vi("live.vote.needed_got", needed=11, base=21, votes=1))


async def test_two_tablets_vote_and_everyone_sees_the_published_result(
    client: TestClient, demo: None, sessions: Any, browser: Browser, artifacts: Path,
    engine_name: str,
) -> None:
    base = f"http://{client.host}:{client.port}"
    console, meeting_id = await open_console(browser, base)
    await seat_the_members(sessions, meeting_id)
    screen = await sign_in(browser, base, "thuky", viewport={"width": 1280, "height": 720})
    await screen.goto(f"{base}/meetings/{meeting_id}/screen")
    tablets = [await open_tablet(browser, base, name, meeting_id)
               for name in ("daibieu01", "daibieu02")]
    section = console.locator("#vote")
    try:
        await console.get_by_role("button", name="Bắt đầu cuộc họp").click()
        await expect(console.locator("[data-status-badge]")).to_contain_text("Đang họp")

        # The chair prepares a named yes/no poll; it waits as a draft.
        await section.get_by_text(vi("live.console_vote.new")).click()
        await section.get_by_label(vi("live.console_vote.field_title")).fill(TITLE)
        await section.get_by_role("button", name=vi("live.console_vote.create")).click()
        await expect(section.locator(":scope > [data-status]")).to_have_text(
            vi("live.console_vote.created", title=TITLE))
        poll = section.locator(".poll", has_text=TITLE)
        await expect(poll.locator("[data-poll-status]")).to_have_text(
            vi("live.console_vote.status_draft"))
        for tablet in tablets:
            await expect(tablet.get_by_role("dialog", name=TITLE)).to_have_count(0)

        # Opened: the ballot is on both tablets, the screen says a vote is under way.
        await poll.get_by_role(
            "button", name=vi("live.console_vote.open_label", title=TITLE)).click()
        await expect(poll.locator("[data-poll-status]")).to_have_text(
            vi("live.console_vote.status_open"))
        await expect(screen.locator("[data-poll]")).to_contain_text(TITLE)
        await expect(screen.locator("[data-poll-state]")).to_have_text(vi("live.vote.voting_now"))
        for tablet in tablets:
            ballot = tablet.get_by_role("dialog", name=TITLE)
            await expect(ballot).to_be_visible()
            await expect(ballot.locator("[data-secrecy]")).to_have_text(vi("live.vote.named"))
            await expect(ballot.get_by_role("radio")).to_have_count(3)
        await expect(poll.locator("[data-progress]")).to_have_text(
            vi("live.console_vote.progress", voted=0, eligible=len(PRESENT)))
        await tablets[0].screenshot(path=artifacts / f"vote-ballot-{engine_name}.png")

        await vote(tablets[0], vi("live.vote.yes"))
        await expect(poll.locator("[data-progress]")).to_have_text(
            vi("live.console_vote.progress", voted=1, eligible=len(PRESENT)))
        await vote(tablets[1], vi("live.vote.no"))
        await expect(poll.locator("[data-progress]")).to_have_text(
            vi("live.console_vote.progress", voted=2, eligible=len(PRESENT)))
        await tablets[1].screenshot(path=artifacts / f"vote-recorded-{engine_name}.png")

        # Closed: the ballots close; published: the result everywhere.
        await poll.get_by_role(
            "button", name=vi("live.console_vote.close_label", title=TITLE)).click()
        confirm = console.get_by_role("dialog")
        await confirm.get_by_role("button", name=vi("live.console_vote.close")).click()
        await expect(poll.locator("[data-poll-status]")).to_have_text(
            vi("live.console_vote.status_closed"))
        for tablet in tablets:
            await expect(tablet.locator("[data-ballot]")).not_to_be_visible()
        await expect(screen.locator("[data-poll-state]")).to_have_text(vi("live.vote.counting"))
        await poll.get_by_role(
            "button", name=vi("live.console_vote.publish_label", title=TITLE)).click()
        await expect(poll.locator("[data-poll-status]")).to_have_text(
            vi("live.console_vote.status_published"))

        await expect_result(poll)
        await expect_result(screen.locator("[data-poll]"))
        for tablet in tablets:
            shown = tablet.get_by_role("dialog", name=TITLE)
            await expect(shown).to_contain_text(vi("live.vote.result_title"))
            await expect_result(shown)
            named = shown.locator(".named tbody tr")
            await expect(named.filter(has_text=FOR)).to_contain_text(vi("live.vote.yes"))
            await expect(named.filter(has_text=AGAINST)).to_contain_text(vi("live.vote.no"))
            await expect(named).to_have_count(2)
        await tablets[0].screenshot(path=artifacts / f"vote-result-tablet-{engine_name}.png")
        await screen.screenshot(path=artifacts / f"vote-result-screen-{engine_name}.png")
        await console.screenshot(path=artifacts / f"vote-console-{engine_name}.png", full_page=True)
    finally:
        for page in (console, screen, *tablets):
            await page.context.close()


async def chair_opens_a_poll(base: str, meeting_id: int, **poll: Any) -> int:
    """The chair, as the contract has it: a draft over HTTP (a named yes/no poll, or
    ``poll``'s fields), the start and the opening over Socket.IO."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(f"{base}/api/v1/auth/login",
                             json={"username": "chutoa", "password": "demo"}) as response:
            assert response.status == 200, await response.text()
            headers = {"X-CSRF-Token": (await response.json())["csrf_token"]}
            cookie = response.cookies["phonghop_session"].value
        async with http.post(f"{base}/api/v1/meetings/{meeting_id}/polls", headers=headers,
                             json={"title": TITLE, "kind": "yes_no", **poll}) as response:
            assert response.status == 201, await response.text()
            poll_id = int((await response.json())["poll"]["id"])
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(base, namespaces=[wire.MEETINGS_NAMESPACE], transports=["websocket"],
                      wait_timeout=5, headers={"Cookie": f"phonghop_session={cookie}"})
    try:
        for event, payload in ((wire.JOIN, {"meeting_id": meeting_id}),
                               (wire.START_MEETING, {}), (wire.OPEN_POLL, {"poll_id": poll_id})):
            answer = await sio.call(event, payload, namespace=wire.MEETINGS_NAMESPACE, timeout=10)
            assert answer.get("ok"), (event, answer)
    finally:
        await sio.disconnect()
    return poll_id


async def test_a_tablet_without_its_connection_cannot_vote_and_says_so(
    client: TestClient, demo: None, sessions: Any, browser: Browser, artifacts: Path,
    engine_name: str,
) -> None:
    base = f"http://{client.host}:{client.port}"
    async with sessions() as db:
        meeting_id = int(await db.scalar(select(Participant.meeting_id).limit(1)))
    await seat_the_members(sessions, meeting_id)
    tablet = await open_tablet(browser, base, "daibieu01", meeting_id)
    try:
        await chair_opens_a_poll(base, meeting_id)
        ballot = tablet.get_by_role("dialog", name=TITLE)
        await expect(ballot).to_be_visible()
        await ballot.get_by_label(vi("live.vote.yes"), exact=True).check()

        await tablet.context.set_offline(True)
        await expect(ballot.locator("[data-ballot-offline]")).to_have_text(vi("live.vote.offline"))
        await expect(ballot.get_by_role("button", name=vi("live.vote.next"))).to_be_disabled()
        await tablet.screenshot(path=artifacts / f"vote-offline-{engine_name}.png")

        await tablet.context.set_offline(False)
        await expect(ballot.locator("[data-ballot-offline]")).to_have_count(0)
        await vote(tablet, vi("live.vote.yes"))
    finally:
        await tablet.context.close()


async def test_the_chair_records_a_show_of_hands_for_a_delegate_in_a_remote_room(
    client: TestClient, demo: None, sessions: Any, browser: Browser, artifacts: Path,
    engine_name: str,
) -> None:
    base = f"http://{client.host}:{client.port}"
    console, meeting_id = await open_console(browser, base)
    await seat_the_members(sessions, meeting_id)
    # daibieu15 follows from a district room, where hands are counted by the room's staff.
    async with sessions() as db:
        remote = await db.scalar(select(Participant).join(User, Participant.user_id == User.id)
                                 .where(User.username == "daibieu15"))
        room_of = await db.scalar(select(Participant.room_id).join(
            User, Participant.user_id == User.id).where(User.username == "huyen1"))
        remote.room_id, remote.attendance = room_of, Attendance.PRESENT_REMOTE
        name = (await db.get(User, remote.user_id)).full_name
        await db.commit()
    section = console.locator("#vote")
    try:
        await chair_opens_a_poll(base, meeting_id)
        poll = section.locator(".poll", has_text=TITLE)
        await expect(poll.locator("[data-poll-status]")).to_have_text(
            vi("live.console_vote.status_open"))
        hands = poll.get_by_role("form", name=vi("live.console_vote.hands_title"))
        await hands.get_by_label(vi("live.console_vote.hands_who")).select_option(label=name)
        await hands.get_by_label(vi("live.vote.yes"), exact=True).check()
        await hands.get_by_role("button", name=vi("live.console_vote.hands_record")).click()
        await expect(section.locator(":scope > [data-status]")).to_have_text(
            vi("live.console_vote.hands_recorded", name=name))
        await expect(poll.locator("[data-progress]")).to_have_text(
            vi("live.console_vote.progress", voted=1, eligible=len(PRESENT) + 1))

        await poll.get_by_role(
            "button", name=vi("live.console_vote.close_label", title=TITLE)).click()
        await console.get_by_role("dialog").get_by_role(
            "button", name=vi("live.console_vote.close")).click()
        await poll.get_by_role(
            "button", name=vi("live.console_vote.publish_label", title=TITLE)).click()
        row = poll.locator(".named tbody tr", has_text=name)
        await expect(row).to_contain_text(vi("live.vote.yes"))
        await expect(row).to_contain_text(vi("live.vote.by_chair"))
        await console.screenshot(path=artifacts / f"vote-hands-{engine_name}.png", full_page=True)
    finally:
        await console.context.close()


async def test_the_chair_closes_and_publishes_with_one_button_and_the_tablet_shows_the_result(
    client: TestClient, demo: None, sessions: Any, browser: Browser, artifacts: Path,
    engine_name: str,
) -> None:
    base = f"http://{client.host}:{client.port}"
    console, meeting_id = await open_console(browser, base)
    await seat_the_members(sessions, meeting_id)
    tablet = await open_tablet(browser, base, "daibieu01", meeting_id)
    section = console.locator("#vote")
    try:
        await chair_opens_a_poll(base, meeting_id)
        poll = section.locator(".poll", has_text=TITLE)
        await expect(poll.locator("[data-poll-status]")).to_have_text(
            vi("live.console_vote.status_open"))
        await vote(tablet, vi("live.vote.yes"))

        await poll.get_by_role("button", name=vi(
            "live.console_vote.close_publish.button_label", title=TITLE)).click()
        confirm = console.get_by_role("dialog")
        await expect(confirm).to_contain_text(
            vi("live.console_vote.close_publish.confirm_text", title=TITLE))
        await confirm.get_by_role(
            "button", name=vi("live.console_vote.close_publish.button")).click()
        await expect(section.locator(":scope > [data-status]")).to_have_text(
            vi("live.console_vote.close_publish.done", title=TITLE))
        await expect(poll.locator("[data-poll-status]")).to_have_text(
            vi("live.console_vote.status_published"))

        shown = tablet.get_by_role("dialog", name=TITLE)
        await expect(shown).to_contain_text(vi("live.vote.result_title"))
        result = shown.locator("[data-poll-result]")
        await expect(result.locator("[data-outcome]")).to_have_text(vi("live.vote.not_passed"))
        await expect(result.locator(".bar [data-votes]")).to_have_text(["1", "0", "0"])
        await expect(result.locator("[data-turnout]")).to_have_text(
            vi("live.vote.turnout", cast=1, present=len(PRESENT), members=21))
        await tablet.screenshot(path=artifacts / f"vote-close-publish-tablet-{engine_name}.png")
        await console.screenshot(path=artifacts / f"vote-close-publish-console-{engine_name}.png",
                                 full_page=True)
    finally:
        for page in (console, tablet):
            await page.context.close()


async def test_the_chair_edits_a_draft_before_opening_it(
    client: TestClient, demo: None, browser: Browser,
) -> None:
    base = f"http://{client.host}:{client.port}"
    console, meeting_id = await open_console(browser, base)
    section = console.locator("#vote")
    draft = "Chọn phương án xây dựng cầu"
    try:
        await section.get_by_text(vi("live.console_vote.new")).click()
        await section.get_by_label(vi("live.console_vote.field_title")).fill(draft)
        await section.get_by_role("button", name=vi("live.console_vote.create")).click()
        poll = section.locator(".poll", has_text=draft)
        await expect(poll.locator("[data-poll-status]")).to_have_text(
            vi("live.console_vote.status_draft"))

        # The form takes the draft's values; the chair makes it a secret choice of two.
        await poll.get_by_role(
            "button", name=vi("live.console_vote_edit.edit_label", title=draft)).click()
        title = section.get_by_label(vi("live.console_vote.field_title"))
        await expect(title).to_have_value(draft)
        await title.fill(TITLE)
        await section.get_by_label(vi("live.console_vote.field_kind")).select_option("choice")
        await section.get_by_label(vi("live.console_vote.field_options")).fill(
            "Phương án A\nPhương án B")
        await section.get_by_label(vi("live.console_vote.secret"), exact=True).check()
        await section.get_by_role("button", name=vi("live.console_vote_edit.save")).click()
        await expect(section.locator(":scope > [data-status]")).to_have_text(
            vi("live.console_vote_edit.saved", title=TITLE))

        edited = section.locator(".poll", has_text=TITLE)
        await expect(edited.locator("[data-poll-status]")).to_have_text(
            vi("live.console_vote.status_draft"))
        await expect(section.locator(".poll", has_text=draft)).to_have_count(0)
        response = await console.request.get(f"{base}/api/v1/meetings/{meeting_id}/polls")
        (saved,) = (await response.json())["polls"]
        assert (saved["title"], saved["kind"], saved["secret"]) == (TITLE, "choice", True)
        assert [o["label"] for o in saved["options"]] == ["Phương án A", "Phương án B"]
        # Saved, the form is a new poll's again.
        await expect(section.locator("[data-vote-submit]")).to_have_text(
            vi("live.console_vote.create"))
        await expect(section.locator("[data-vote-cancel]")).to_be_hidden()
    finally:
        await console.context.close()


async def test_an_election_ballot_takes_up_to_its_maximum_and_a_vote_is_changed_until_the_close(
    client: TestClient, meeting_id: int, sessions: Any, browser: Browser, artifacts: Path,
    engine_name: str,
) -> None:
    base = f"http://{client.host}:{client.port}"
    await seat_the_members(sessions, meeting_id)
    candidates = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    tablet = await open_tablet(browser, base, "daibieu01", meeting_id)
    try:
        poll_id = await chair_opens_a_poll(base, meeting_id, kind="election",
                                           options=candidates, max_selections=2,
                                           allow_change=True)
        ballot = tablet.get_by_role("dialog", name=TITLE)
        await expect(ballot.get_by_role("checkbox")).to_have_count(3)
        await ballot.get_by_label(candidates[0], exact=True).check()
        await ballot.get_by_label(candidates[1], exact=True).check()
        # Two of two chosen: the third cannot be added.
        await expect(ballot.locator("[data-counter]")).to_have_text(
            vi("live.vote.counter", count=2, max=2))
        await expect(ballot.get_by_label(candidates[2], exact=True)).to_be_disabled()
        await ballot.get_by_role("button", name=vi("live.vote.next")).click()
        await expect(ballot.locator("[data-confirm]")).to_have_text(
            vi("live.vote.confirm", choice=f"{candidates[0]}, {candidates[1]}"))
        await ballot.get_by_role("button", name=vi("live.vote.cast")).click()
        await expect(ballot.locator("[data-ballot-done]")).to_have_text(vi("live.vote.recorded"))

        # Changed while the poll is open: An out, Cường in.
        await ballot.get_by_role("button", name=vi("live.vote.change")).click()
        await ballot.get_by_label(candidates[0], exact=True).uncheck()
        await ballot.get_by_label(candidates[2], exact=True).check()
        await ballot.get_by_role("button", name=vi("live.vote.next")).click()
        await ballot.get_by_role("button", name=vi("live.vote.cast")).click()
        await expect(ballot.locator("[data-ballot-done]")).to_have_text(vi("live.vote.changed"))
        await expect(ballot).to_contain_text(
            vi("live.vote.you_chose", choice=f"{candidates[1]}, {candidates[2]}"))
        await tablet.screenshot(path=artifacts / f"vote-election-changed-{engine_name}.png")

        # The record holds the second ballot only.
        async with sessions() as db:
            chosen = (await db.scalars(select(PollOption.label).join(
                NamedChoice, NamedChoice.option_id == PollOption.id).where(
                NamedChoice.poll_id == poll_id).order_by(PollOption.label))).all()
            rolls = await db.scalar(select(func.count()).select_from(VoterRoll).where(
                VoterRoll.poll_id == poll_id))
        assert (chosen, rolls) == ([candidates[2], candidates[1]], 1)
    finally:
        await tablet.context.close()

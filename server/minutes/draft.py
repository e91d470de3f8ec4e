"""The draft: the minutes written from the record, in sections the secretary edits.

Each section is plain text, one paragraph per line: a line starting with ``# ``
is a heading, a line ``[[bieu-quyet:12]]`` stands for the result table of poll
12 (drawn from the published tally when the minutes are rendered, so the numbers
in a signed minutes are always the recorded ones), every other line a paragraph
(``**bold**`` and ``*italic*`` allowed). A section can be reset to what the
record says at any time (:func:`draft_sections` gives every section afresh).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..meetings.agenda import agenda_tree, numbered_items
from ..meetings.models import (
    Attendance,
    Meeting,
    MeetingRole,
    Participant,
    Room,
    SpeakingTurn,
    TurnStatus,
    Unit,
)
from ..meetings.participants import participants_of
from ..meetings.service import remote_rooms
from ..meetings.speakers import spoken_seconds, turns_of
from ..pages import VIETNAM
from ..voting.models import Poll, PollKind, PollStatus
from ..voting.service import Results, polls_of, tally
from .document import (
    Block,
    Heading,
    MinutesDocument,
    Paragraph,
    Signature,
    SignerRole,
    VoteRow,
    VoteTable,
)

SECTION_TITLES = {
    "opening": "Thời gian, địa điểm",
    "participants": "Thành phần tham dự",
    "presiding": "Chủ trì, thư ký",
    "content": "Nội dung",
    "closing": "Kết thúc",
    "recipients": "Nơi nhận",
}
SECTION_KEYS = tuple(SECTION_TITLES)
POLL_MARK = re.compile(r"^\[\[bieu-quyet:(\d+)\]\]$")


def when(moment: datetime | None) -> str:
    """``08 giờ 00 phút, ngày 03 tháng 12 năm 2026``, Vietnam time; dots when unknown."""
    if moment is None:
        return "… giờ … phút, ngày … tháng … năm …"
    local = moment.astimezone(VIETNAM)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def person(participant: Participant) -> str:
    user = participant.user
    return f"{user.full_name}, {user.title}" if user.title else user.full_name


def share(votes: int, base: int) -> str:
    """``61,9%``: a Vietnamese decimal comma."""
    return f"{votes * 100 / base:.1f}%".replace(".", ",") if base else "—"


@dataclass(frozen=True)
class Record:
    meeting: Meeting
    organiser: Unit
    parent: Unit | None
    hall: Room | None
    rooms: list[Room]
    people: list[Participant]
    turns: list[SpeakingTurn]
    polls: list[Poll]


async def load_record(db: AsyncSession, meeting: Meeting) -> Record:
    organiser = await db.get(Unit, meeting.organiser_unit_id)
    assert organiser is not None  # a meeting's organiser cannot be deleted (RESTRICT)
    parent = await db.get(Unit, organiser.parent_id) if organiser.parent_id else None
    return Record(
        meeting=meeting, organiser=organiser, parent=parent, hall=meeting.hall,
        rooms=await remote_rooms(db, meeting.id), people=await participants_of(db, meeting.id),
        turns=await turns_of(db, meeting.id),
        polls=[p for p in await polls_of(db, meeting.id, drafts=False)
               if p.status == PollStatus.PUBLISHED])


def _opening(record: Record) -> str:
    meeting = record.meeting
    place = record.hall.name if record.hall else "…"
    if record.rooms:
        place += ", kết nối trực tuyến với các điểm cầu: " + ", ".join(r.name for r in record.rooms)
    return f"Thời gian bắt đầu: {when(meeting.started_at or meeting.starts_at)}.\n" \
           f"Địa điểm: {place}."


def _participants(record: Record) -> str:
    by_id = {p.id: p for p in record.people}
    lines = ["Thành phần tham dự:"]
    hall = [p for p in record.people if p.attendance == Attendance.PRESENT_HALL]
    if hall:
        lines.append(f"- Tại hội trường ({len(hall)} người): "
                     + "; ".join(person(p) for p in hall) + ".")
    for room in record.rooms:
        there = [p for p in record.people
                 if p.attendance == Attendance.PRESENT_REMOTE and p.room_id == room.id]
        if there:
            lines.append(f"- Tại {room.name}: " + "; ".join(person(p) for p in there) + ".")
    absent = [p for p in record.people if p.attendance == Attendance.ABSENT]
    if absent:
        lines.append("- Vắng mặt: " + "; ".join(
            person(p) + (f" (lý do: {p.absence_reason})" if p.absence_reason else "")
            for p in absent) + ".")
    stand_ins = [p for p in record.people if p.substitute_for_id in by_id]
    for p in stand_ins:
        lines.append(f"- {person(p)} dự thay {by_id[p.substitute_for_id or 0].user.full_name}.")
    return "\n".join(lines)


def _presiding(record: Record) -> str:
    chair = next((p for p in record.people if p.role == MeetingRole.CHAIR), None)
    secretary = next((p for p in record.people if p.role == MeetingRole.SECRETARY), None)
    return (f"Chủ trì (chủ tọa): {person(chair) if chair else '…'}.\n"
            f"Thư ký (người ghi biên bản): {person(secretary) if secretary else '…'}.")


def _minutes_of(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} phút"


def _speakers(turns: list[SpeakingTurn]) -> str:
    spoken = [t for t in turns if t.status == TurnStatus.DONE]
    if not spoken:
        return ""
    names = []
    for turn in spoken:
        user = turn.participant.user
        unit = f" ({user.unit.name})" if user.unit else ""
        names.append(f"{user.full_name}{unit}, {_minutes_of(spoken_seconds(turn))}")
    return "Ý kiến phát biểu: " + "; ".join(names) + "."


async def _content(db: AsyncSession, record: Record) -> str:
    lines = ["Nội dung (theo diễn biến cuộc họp):"]
    for number, _depth, node in numbered_items(await agenda_tree(db, record.meeting.id)):
        item = node.item
        lines.append(f"# {number}. {item.title}")
        if item.presenter:
            lines.append(f"Trình bày: {item.presenter}.")
        said = _speakers([t for t in record.turns if t.agenda_item_id == item.id])
        if said:
            lines.append(said)
        lines.extend(f"[[bieu-quyet:{p.id}]]" for p in record.polls
                     if p.agenda_item_id == item.id)
        if item.conclusion:
            lines.append(f"Kết luận: {item.conclusion}")
    other = [p for p in record.polls if p.agenda_item_id is None]
    if other:
        lines.append("# Biểu quyết khác")
        lines.extend(f"[[bieu-quyet:{p.id}]]" for p in other)
    return "\n".join(lines)


def _closing(record: Record) -> str:
    return f"Cuộc họp kết thúc vào {when(record.meeting.ended_at)}./."


def _recipients(record: Record) -> str:
    return "Các thành viên dự họp;\nLưu: VT, TH."


async def draft_sections(db: AsyncSession, meeting: Meeting) -> list[dict[str, Any]]:
    """Every section as the record says it now."""
    record = await load_record(db, meeting)
    texts = {"opening": _opening(record), "participants": _participants(record),
             "presiding": _presiding(record), "content": await _content(db, record),
             "closing": _closing(record), "recipients": _recipients(record)}
    return [{"key": key, "title": SECTION_TITLES[key], "text": texts[key]}
            for key in SECTION_KEYS]


def vote_table(poll: Poll, results: Results) -> VoteTable:
    outcome = results.outcome
    votes = {c.option_id: c.votes for c in results.counts}
    rows = [VoteRow(o.label, votes.get(o.id, 0), share(votes.get(o.id, 0), outcome.base))
            for o in poll.options]
    cast = results.turnout.cast
    if poll.kind == PollKind.ELECTION:
        elected = [o.label for o in poll.options if o.id in outcome.chosen]
        verdict = ("Trúng cử: " + ", ".join(elected)) if elected else "Không có người trúng cử"
    else:
        verdict = "Thông qua" if outcome.passed else "Không thông qua"
    kind = "bỏ phiếu kín" if poll.secret else "biểu quyết công khai"
    outcome_text = (f"Kết quả ({kind}): {verdict}. Số phiếu: {cast}; "
                    f"cần ít nhất {outcome.needed}/{outcome.base}.")
    return VoteTable(title=poll.title, rows=rows, outcome=outcome_text)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


async def blocks_of(db: AsyncSession, text: str, polls: dict[int, Poll]) -> list[Block]:
    blocks: list[Block] = []
    for raw in _nfc(text).splitlines():
        line = raw.strip()
        if not line:
            continue
        mark = POLL_MARK.match(line)
        if mark and int(mark.group(1)) in polls:
            poll = polls[int(mark.group(1))]
            blocks.append(vote_table(poll, await tally(db, poll)))
        elif line.startswith("# "):
            blocks.append(Heading(line[2:].strip()))
        else:
            blocks.append(Paragraph(line))
    return blocks


async def document_of(
    db: AsyncSession, meeting: Meeting, sections: list[dict[str, Any]]
) -> MinutesDocument:
    """The document to render from a version's sections and the record's published polls."""
    record = await load_record(db, meeting)
    polls = {p.id: p for p in record.polls}
    texts = {s["key"]: s["text"] for s in sections}
    blocks: list[Block] = []
    for key in ("opening", "participants", "presiding", "content"):
        blocks.extend(await blocks_of(db, texts.get(key, ""), polls))
    chair = next((p for p in record.people if p.role == MeetingRole.CHAIR), None)
    secretary = next((p for p in record.people if p.role == MeetingRole.SECRETARY), None)
    recipients = [line.strip() for line in _nfc(texts.get("recipients", "")).splitlines()
                  if line.strip()]
    return MinutesDocument(
        parent_agency=(record.parent.name.upper() if record.parent else ""),
        agency=record.organiser.name.upper(),
        number=f"Số: {meeting.code or '…/BB-…'}",
        meeting_name=meeting.title,
        blocks=blocks,
        closing=" ".join(line.strip() for line in _nfc(texts.get("closing", "")).splitlines()),
        signatures=[
            Signature(SignerRole.SECRETARY, "THƯ KÝ", secretary.user.full_name if secretary
                      else ""),
            Signature(SignerRole.CHAIR, "CHỦ TỌA", chair.user.full_name if chair else ""),
        ],
        recipients=recipients,
    )


async def unknown_polls(db: AsyncSession, meeting: Meeting,
                        sections: list[dict[str, Any]]) -> list[int]:
    """Poll marks that name no published poll of this meeting (a typo, or a poll still open)."""
    published = {p.id for p in await polls_of(db, meeting.id, drafts=False)
                 if p.status == PollStatus.PUBLISHED}
    marks = [int(m.group(1)) for s in sections for line in s["text"].splitlines()
             if (m := POLL_MARK.match(line.strip()))]
    return [m for m in marks if m not in published]


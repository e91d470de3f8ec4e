"""JSON shapes of the meetings area, shared by its routes (and the pages' scripts)."""

from __future__ import annotations

from typing import Any

from ..auth.models import User
from .access import MeetingAccess
from .agenda import AgendaNode
from .models import Meeting, Participant, Room
from .participants import Quorum, may_vote


def room_json(room: Room) -> dict[str, Any]:
    return {"id": room.id, "name": room.name, "kind": room.kind.value, "seats": room.seats,
            "unit_id": room.unit_id}


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "code": meeting.code,
        "title": meeting.title,
        "status": meeting.status.value,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else None,
        "organiser": {"id": meeting.organiser.id, "name": meeting.organiser.name},
        "hall": room_json(meeting.hall) if meeting.hall else None,
        "substitutes_may_vote": meeting.substitutes_may_vote,
        "record_video": meeting.record_video,
        "previous_id": meeting.previous_id,
        "published_at": meeting.published_at.isoformat() if meeting.published_at else None,
    }


def participant_json(
    meeting: Meeting, participant: Participant, user: User, by_id: dict[int, Participant]
) -> dict[str, Any]:
    return {
        "id": participant.id,
        "user": {"id": user.id, "username": user.username, "full_name": user.full_name,
                 "title": user.title, "unit": user.unit.name if user.unit else None},
        "role": participant.role.value,
        "seat": participant.seat,
        "room_id": participant.room_id,
        "voting_right": participant.voting_right,
        "attendance": participant.attendance.value,
        "absence_reason": participant.absence_reason,
        "substitute_for_id": participant.substitute_for_id,
        "checked_in_at": participant.checked_in_at.isoformat()
        if participant.checked_in_at else None,
        "may_vote": may_vote(meeting, participant, by_id),
    }


def quorum_json(quorum: Quorum) -> dict[str, Any]:
    return {"present": quorum.present, "members": quorum.members,
            "share": round(quorum.share, 4)}


def agenda_json(nodes: list[AgendaNode]) -> list[dict[str, Any]]:
    return [{
        "id": node.item.id,
        "parent_id": node.item.parent_id,
        "position": node.item.position,
        "title": node.item.title,
        "presenter": node.item.presenter,
        "planned_minutes": node.item.planned_minutes,
        "total_minutes": node.total_minutes,
        "status": node.item.status.value,
        "notes": node.item.notes,
        "children": agenda_json(node.children),
    } for node in nodes]


def access_json(access: MeetingAccess) -> dict[str, Any]:
    return {"can_edit": access.can_edit,
            "participant_id": access.participant.id if access.participant else None,
            "role": access.participant.role.value if access.participant else None}

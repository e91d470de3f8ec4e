"""HTTP views of the live meeting: the snapshot, and the speaking log with its totals.

The snapshot is the same as the Socket.IO ``join`` answer, for the hall screen's
first paint and for integrations. The speaking log is what the minutes and the
chair's "who has not spoken yet" read.
"""

from __future__ import annotations

from aiohttp import web

from ..auth.identity import require_user
from ..http import json_response, path_id
from ..state import SESSIONS
from . import speakers
from .access import readable_meeting
from .live_state import SHARED_PARTS, snapshot, turn_json
from .participants import participants_of

routes = web.RouteTableDef()


@routes.get("/api/v1/meetings/{meeting_id}/live")
async def api_live(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        return json_response(await snapshot(db, access, request.app[SHARED_PARTS]))


@routes.get("/api/v1/meetings/{meeting_id}/speaking")
async def api_speaking(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        meeting = access.meeting
        turns = await speakers.turns_of(db, meeting.id)
        people, units = speakers.totals(await participants_of(db, meeting.id), turns)
    return json_response({
        "turns": [turn_json(t, meeting) for t in turns],
        "by_participant": [{
            "participant_id": p.participant.id, "name": p.participant.user.full_name,
            "unit": p.participant.user.unit.name if p.participant.user.unit else None,
            "role": p.participant.role.value, "turns": p.turns, "seconds": p.seconds,
        } for p in people],
        "by_unit": [{"unit": u.unit or None, "participants": u.participants, "silent": u.silent,
                     "turns": u.turns, "seconds": u.seconds} for u in units],
    })

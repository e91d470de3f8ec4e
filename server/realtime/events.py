"""The wire contract: Socket.IO namespaces, event names and room names, in one place.

The room agent imports this module; ``web/static/js/live-contract.js`` mirrors it.
docs/realtime.md describes every payload.

A client joins one meeting per connection with :data:`JOIN` and gets the whole
live state (a snapshot with its revision) in the acknowledgement. Afterwards
every change that participants see arrives as one :data:`MEETING_EVENT`
``{"rev", "type", "data", "at"}``; a client that sees a gap in ``rev`` asks for
a new snapshot with :data:`SNAPSHOT`. Every client→server event is answered
through its acknowledgement: ``{"ok": true, ...}`` or
``{"error": {"code", "message"}}`` in the user's language.
"""

from __future__ import annotations

MEETINGS_NAMESPACE = "/meetings"

# server → client
WELCOME = "welcome"            # {"user": {...}} once the connection is accepted
SESSION_ENDED = "session_ended"  # {"message"}: the login behind this socket was ended
MEETING_EVENT = "meeting_event"  # {"rev", "type", "data", "at"}: a change everyone in it sees
ANNOTATION_EVENT = "annotation"  # {"annotation"}: a note this user owns or was shown changed
PRESENCE_EVENT = "presence"      # {"connections": [...]}: to the chair and secretary only
POLL_PROGRESS = "poll_progress"  # {"poll_id", "voted", "eligible"}: console, a few a second

# client → server: reading
JOIN = "join"                  # {"meeting_id", "device"?} → {"ok", "snapshot"}
SNAPSHOT = "snapshot"          # {} → {"ok", "snapshot"}
LEAVE = "leave"                # {} → {"ok"}

# client → server: the chair's console (chair, co-chair; secretary may run it too)
START_MEETING = "start_meeting"    # {}
END_MEETING = "end_meeting"        # {}
GO_TO_ITEM = "go_to_item"          # {"item_id"}
PRESENT = "present"                # {"document_id", "page"}
TURN_PAGE = "turn_page"            # {"page"}
STOP_PRESENTING = "stop_presenting"  # {}
CONCLUDE_ITEM = "conclude_item"    # {"item_id", "conclusion"}
GIVE_FLOOR = "give_floor"          # {"turn_id"} or {"participant_id"}, "limit_seconds"?
END_TURN = "end_turn"              # {}
REORDER_QUEUE = "reorder_queue"    # {"turn_ids": [...]}
DECLINE_REQUEST = "decline_request"  # {"turn_id"}

# client → server: votes (docs/voting.md)
OPEN_POLL = "open_poll"            # {"poll_id"}
CLOSE_POLL = "close_poll"          # {"poll_id", "publish"?}: with publish true, closed and
                                   #   published in one step (one revision, both audit entries)
PUBLISH_POLL = "publish_poll"      # {"poll_id"}
RECORD_HANDS = "record_hands"      # {"poll_id", "votes": [{"participant_id", "option_ids",
                                   #   "ballot_id"}]}: a show of hands in a remote room
CAST_BALLOT = "cast_ballot"        # {"poll_id", "ballot_id", "option_ids"}: any voter

# client → server: video endpoints (docs/video.md)
VIDEO_JOIN = "video_join"          # {"endpoint"} → {"ok", "peer_id", "ice_servers", "codec", ...}
VIDEO_OFFER = "video_offer"        # {"peer_id", "sdp", "type"} → {"ok", "sdp", "type"}
VIDEO_LEAVE = "video_leave"        # {"peer_id"}
VIDEO_VIEW = "video_view"          # {"peer_id"} → {"ok", "thumbnails": [name or null, …]}
AGENT_HEARTBEAT = "agent_heartbeat"  # {"cpu", "bitrate_kbps", "packet_loss", ...}
VIDEO_MUTE = "video_mute"          # {"peer_id", "audio": true|false}: the console only
# server → video endpoint
VIDEO_COMMAND = "video_command"    # {"command": "mute"|"unmute"|"reconnect", "peer_id"?, ...}

# client → server: any participant
REQUEST_TO_SPEAK = "request_to_speak"  # {"participant_id"?}: a remote room for its delegate
WITHDRAW_REQUEST = "withdraw_request"  # {"turn_id"}

# Types of MEETING_EVENT; ``data`` of each is the part of the snapshot it replaces.
STATUS_CHANGED = "status"          # {"status", "started_at", "ended_at"}
ITEM_CHANGED = "item"              # {"current_item_id", "agenda"}
PRESENTATION_CHANGED = "presentation"  # {"presentation"} (null when nobody presents)
FLOOR_CHANGED = "floor"            # {"speaker", "queue"}
ATTENDANCE_CHANGED = "attendance"  # {"quorum"}
DOCUMENTS_CHANGED = "documents"    # {}: fetch the manifest again
POLLS_CHANGED = "polls"            # {"polls"}: polls past their draft, results once published
MINUTES_CHANGED = "minutes"        # {"minutes"}: {"published_at", "url"} once published, or null

CHAIR_EVENTS = frozenset({START_MEETING, END_MEETING, GO_TO_ITEM, PRESENT, TURN_PAGE,
                          STOP_PRESENTING, CONCLUDE_ITEM, GIVE_FLOOR, END_TURN, REORDER_QUEUE,
                          DECLINE_REQUEST, OPEN_POLL, CLOSE_POLL, PUBLISH_POLL, RECORD_HANDS})
PARTICIPANT_EVENTS = frozenset({REQUEST_TO_SPEAK, WITHDRAW_REQUEST, CAST_BALLOT})

# Largest event payload accepted, as JSON text; a conclusion is the longest thing sent,
# apart from an SDP offer, which has its own limit.
MAX_PAYLOAD_BYTES = 16 * 1024
MAX_SDP_BYTES = 64 * 1024


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def session_room(session_id: int) -> str:
    return f"session:{session_id}"


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def console_room(meeting_id: int) -> str:
    """Those who run the meeting: presence goes here, not to every tablet."""
    return f"meeting:{meeting_id}:console"

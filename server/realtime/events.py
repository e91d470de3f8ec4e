"""The wire contract: Socket.IO namespaces, event names and room names, in one place.

The room agent imports this module; ``web/static/js/realtime.js`` mirrors it.
"""

from __future__ import annotations

MEETINGS_NAMESPACE = "/meetings"

# server → client
WELCOME = "welcome"            # {"user": {...}} once the connection is accepted
SESSION_ENDED = "session_ended"  # {"message"}: the login behind this socket was ended


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def session_room(session_id: int) -> str:
    return f"session:{session_id}"

"""The Socket.IO server, mounted on the aiohttp app.

A connection is accepted only with a live session cookie or a bearer token
(``auth={"token": ...}`` from room agents and integrations); otherwise it is
refused with ``ConnectionRefusedError``, whose message reaches the client.
With ``redis.url`` set, broadcasts travel between server processes through
python-socketio's ``AsyncRedisManager``; handlers never know which manager runs.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio
from aiohttp import web

from ..auth import identity as auth_identity
from ..auth.routes import user_json
from ..i18n import translate
from ..state import SETTINGS
from .events import MEETINGS_NAMESPACE, WELCOME, session_room, user_room

log = logging.getLogger("phonghop.realtime")
SIO = web.AppKey("sio", socketio.AsyncServer)


class MeetingsNamespace(socketio.AsyncNamespace):
    def __init__(self, app: web.Application) -> None:
        super().__init__(MEETINGS_NAMESPACE)
        self.app = app

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        request: web.Request = environ["aiohttp.request"]
        identity = await self._identify(request, auth)
        if identity is None:
            raise socketio.exceptions.ConnectionRefusedError(
                {"code": "not_authenticated", "message": translate(
                    self.app[SETTINGS].i18n.default_locale, "error.not_authenticated")})
        user = identity.user
        await self.save_session(sid, {"user_id": user.id, "locale": user.locale,
                                      "session_id": identity.session.id if identity.session
                                      else None})
        await self.enter_room(sid, user_room(user.id))
        if identity.session is not None:
            await self.enter_room(sid, session_room(identity.session.id))
        log.info("%s connected to %s as %s", sid, MEETINGS_NAMESPACE, user.username)
        await self.emit(WELCOME, {"user": user_json(user)}, to=sid)

    async def _identify(
        self, request: web.Request, auth: Any
    ) -> auth_identity.Identity | None:
        # Room agents send their token in the Socket.IO auth payload, browsers their cookie.
        token = auth.get("token") if isinstance(auth, dict) else None
        if isinstance(token, str) and token:
            return await auth_identity.identify(self.app, token=token, cookie=None)
        return await auth_identity.resolve(request)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        log.info("%s disconnected from %s [%s]", sid, MEETINGS_NAMESPACE, reason)


def create_sio(app: web.Application) -> socketio.AsyncServer:
    settings = app[SETTINGS]
    manager = None
    if settings.redis.url:
        manager = socketio.AsyncRedisManager(settings.redis.url, channel=settings.redis.channel)
    public = settings.server.public_url
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        # Same-origin by default; python-socketio then compares Origin with Host.
        cors_allowed_origins=[public] if public else None,
        logger=False,
        engineio_logger=False,
    )
    sio.register_namespace(MeetingsNamespace(app))
    sio.attach(app, socketio_path="socket.io")
    return sio

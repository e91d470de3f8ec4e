"""The Socket.IO server, mounted on the aiohttp app.

A connection is accepted only with a live session cookie or a bearer token
(``auth={"token": ...}`` from room agents and integrations); otherwise it is
refused with ``ConnectionRefusedError``, whose message reaches the client.
Every other event goes through :meth:`MeetingsNamespace.trigger_event`, the one
gate described in :mod:`.dispatch`, to the handler an area registered for it.
With ``redis.url`` set, broadcasts travel between server processes through
python-socketio's ``AsyncRedisManager``; handlers never know which manager runs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import socketio
from aiohttp import web

from ..auth import identity as auth_identity
from ..auth.routes import user_json
from ..errors import DomainError, Internal, error_payload
from ..i18n import translate
from ..state import SETTINGS
from .dispatch import (
    ANSWER,
    Bucket,
    EventContext,
    EventSpec,
    EventTable,
    LeaveHook,
    payload_size,
)
from .errors import InvalidPayload, PayloadTooLarge, RateLimited, UnknownEvent
from .events import MEETINGS_NAMESPACE, WELCOME, session_room, user_room

log = logging.getLogger("phonghop.realtime")
SIO = web.AppKey("sio", socketio.AsyncServer)
# Engine.IO closes a connection that sends more than this in one message; the
# contract's own, smaller limit is answered with a message first (see dispatch).
MAX_MESSAGE_BYTES = 256 * 1024


class MeetingsNamespace(socketio.AsyncNamespace):
    def __init__(self, app: web.Application, tables: list[EventTable]) -> None:
        super().__init__(MEETINGS_NAMESPACE)
        self.app = app
        self.specs: dict[str, EventSpec] = {}
        self.leave_hooks: list[LeaveHook] = []
        for table in tables:
            self.specs.update(table.specs)
            self.leave_hooks.extend(table.leave_hooks)
        self._locks: dict[str, asyncio.Lock] = {}
        self._buckets: dict[tuple[str, str], Bucket] = {}

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
        try:
            context = await self._context(sid)
        except KeyError:
            context = None
        if context is not None:
            for hook in self.leave_hooks:
                await hook(context)
        self._locks.pop(sid, None)
        for key in [k for k in self._buckets if k[0] == sid]:
            del self._buckets[key]

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        sid, payload = args[0], (args[1] if len(args) > 1 else {})
        lock = self._locks.setdefault(sid, asyncio.Lock())
        async with lock:
            return await self._handle(event, sid, payload)

    async def _context(self, sid: str) -> EventContext:
        return EventContext(self.app, self, sid, await self.get_session(sid))

    async def _handle(self, event: str, sid: str, payload: Any) -> ANSWER:
        context = await self._context(sid)
        try:
            spec = self._check(event, sid, payload)
            return await spec.handler(context, payload if payload is not None else {})
        except DomainError as error:
            return error_payload(error, context.locale)
        except Exception:
            log.exception("event %s from %s failed", event, sid)
            return error_payload(Internal(request_id=sid), context.locale)

    def _check(self, event: str, sid: str, payload: Any) -> EventSpec:
        spec = self.specs.get(event)
        if spec is None:
            raise UnknownEvent(event=event[:60])
        if payload is not None and not isinstance(payload, dict):
            raise InvalidPayload()
        if payload and payload_size(payload) > spec.max_bytes:
            raise PayloadTooLarge(max_kib=spec.max_bytes // 1024)
        bucket = self._buckets.get((sid, event))
        if bucket is None:
            bucket = self._buckets[(sid, event)] = Bucket.full(spec.rate)
        if not bucket.take():
            raise RateLimited()
        return spec


def create_sio(app: web.Application, tables: list[EventTable]) -> socketio.AsyncServer:
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
        max_http_buffer_size=MAX_MESSAGE_BYTES,
        logger=False,
        engineio_logger=False,
    )
    if not settings.server.websocket_compression:
        _without_compression(sio)
    sio.register_namespace(MeetingsNamespace(app, tables))
    sio.attach(app, socketio_path="socket.io")
    return sio


def _without_compression(sio: socketio.AsyncServer) -> None:
    """python-engineio's aiohttp driver always accepts permessage-deflate and has no
    option against it: give this server (only) a websocket wrapper that declines it.
    ``_async`` is the driver's table, private to python-engineio (pinned in
    pyproject.toml; tests/realtime/test_compression.py fails if it changes)."""
    from engineio.async_drivers.aiohttp import WebSocket

    class UncompressedWebSocket(WebSocket):  # type: ignore[misc]
        async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
            request = environ["aiohttp.request"]
            self._sock = web.WebSocketResponse(
                max_msg_size=self.server.max_http_buffer_size, compress=False)
            await self._sock.prepare(request)
            self.environ = environ
            await self.handler(self)
            return self._sock

    sio.eio._async = {**sio.eio._async, "websocket": UncompressedWebSocket}

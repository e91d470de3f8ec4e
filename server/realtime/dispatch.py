"""How a Socket.IO event reaches its handler: one table per area, one gate for all.

Areas declare their handlers in an :class:`EventTable` (``events.py`` of the
area, the same shape as its ``routes.py``); the namespace looks every incoming
event up there. Before a handler runs, the gate refuses unknown names, payloads
that are not a JSON object or are larger than the contract allows, and a
connection that sends one kind of event faster than its rate. After it, a
domain error becomes ``{"error": {"code", "message"}}`` in the user's language,
the same shape as over HTTP. Events of one connection are handled one at a
time, in the order they came: two quick page turns must land in that order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import socketio
from aiohttp import web

from .events import MAX_PAYLOAD_BYTES

ANSWER = dict[str, Any]


@dataclass
class EventContext:
    """What a handler knows of the connection that sent the event."""

    app: web.Application
    namespace: socketio.AsyncNamespace
    sid: str
    session: dict[str, Any]

    @property
    def user_id(self) -> int:
        return int(self.session["user_id"])

    @property
    def locale(self) -> str:
        return str(self.session["locale"])

    async def save_session(self) -> None:
        """Keep ``session`` for the connection's next events; nothing when the connection
        went away while the handler ran (its session is gone with it)."""
        try:
            await self.namespace.save_session(self.sid, self.session)
        except KeyError:
            pass


Handler = Callable[[EventContext, dict[str, Any]], Awaitable[ANSWER]]


@dataclass(frozen=True)
class Rate:
    """A token bucket: ``per_second`` on average, ``burst`` at once."""

    per_second: float
    burst: float


@dataclass(frozen=True)
class EventSpec:
    handler: Handler
    rate: Rate
    max_bytes: int


# What any one event may do, unless its table says otherwise.
DEFAULT_RATE = Rate(per_second=20, burst=40)


LeaveHook = Callable[[EventContext], Awaitable[None]]


@dataclass
class EventTable:
    specs: dict[str, EventSpec] = field(default_factory=dict)
    leave_hooks: list[LeaveHook] = field(default_factory=list)

    def on_disconnect(self, hook: LeaveHook) -> LeaveHook:
        self.leave_hooks.append(hook)
        return hook

    def on(self, name: str, *, rate: Rate = DEFAULT_RATE,
           max_bytes: int = MAX_PAYLOAD_BYTES) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self.specs:
                raise ValueError(f"two handlers for {name}")
            self.specs[name] = EventSpec(handler, rate, max_bytes)
            return handler

        return register


@dataclass
class Bucket:
    rate: Rate
    tokens: float
    stamp: float

    @classmethod
    def full(cls, rate: Rate) -> Bucket:
        return cls(rate, rate.burst, time.monotonic())

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate.burst, self.tokens + (now - self.stamp) * self.rate.per_second)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def payload_size(payload: Any) -> int:
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())

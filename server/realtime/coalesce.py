"""Updates that may come fast but need only reach clients a few times a second.

A burst of ballots, or five hundred tablets joining, changes the same picture
again and again; broadcasting each change costs the server more than the
changes themselves (every broadcast is one send per client). :class:`Coalescer`
remembers which keys (meetings, polls) changed and calls ``send(key)`` for each
at most once per period, with the state as it is then.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("phonghop.realtime")


class Coalescer:
    def __init__(self, send: Callable[[int], Awaitable[None]], every: float, what: str) -> None:
        self.send, self.every, self.what = send, every, what
        self.dirty: set[int] = set()
        self.wake = asyncio.Event()

    def touch(self, key: int) -> None:
        self.dirty.add(key)
        self.wake.set()

    async def run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            keys, self.dirty = self.dirty, set()
            for key in sorted(keys):
                try:
                    await self.send(key)
                except Exception:
                    log.exception("%s of %s could not be sent", self.what, key)
            await asyncio.sleep(self.every)

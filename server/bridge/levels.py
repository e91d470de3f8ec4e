"""Audio levels (RFC 6464) read on receipt, and the active speaker.

Every Opus packet from an endpoint carries the level of its audio in a header
extension (``urn:ietf:params:rtp-hdrext:ssrc-audio-level``): 0 is the loudest,
127 silence, in -dBov. aiortc parses it into ``packet.extensions.audio_level`` but
does not expose it, so :func:`observe` wraps the audio receiver's
``_handle_rtp_packet`` to read it before the packet goes on (nothing is decoded).
Forwarded audio leaves the worker without the extension: levels are known here only.

The active speaker is the publisher loudest over a short window (energy averaged,
not dB), above a floor of silence, and it changes only when another is clearly
louder, so two rooms talking at once do not flicker.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any

from aiortc import RTCRtpReceiver

SILENCE_DBOV = -127
# Below this, a room is background noise, not a speaker.
SPEECH_DBOV = -50.0
# A challenger must be this much louder to take over the active speaker.
HYSTERESIS_DB = 3.0


class LevelMeter:
    """Levels of one publisher over the last ``window`` seconds."""

    def __init__(self, window: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._levels: deque[tuple[float, float]] = deque()  # (time, linear power)
        self.packets = 0

    def add(self, level: int) -> None:
        """``level`` as carried in RFC 6464: 0 (loudest) to 127 (silence), in -dBov."""
        now = self._clock()
        self._levels.append((now, 10 ** (-min(max(level, 0), 127) / 10)))
        self.packets += 1
        self._trim(now)

    def dbov(self) -> float:
        """Mean level over the window in dBov (-127 when silent or nothing came)."""
        self._trim(self._clock())
        if not self._levels:
            return float(SILENCE_DBOV)
        power = sum(p for _t, p in self._levels) / len(self._levels)
        return max(float(SILENCE_DBOV), 10 * math.log10(power)) if power > 0 else SILENCE_DBOV

    def _trim(self, now: float) -> None:
        while self._levels and self._levels[0][0] < now - self.window:
            self._levels.popleft()


class ActiveSpeaker:
    """Level meters by key (a peer id) and the active speaker among them."""

    def __init__(self, window: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self.meters: dict[Hashable, LevelMeter] = {}
        self.current: Hashable | None = None
        self.last_spoke: dict[Hashable, float] = {}

    def meter(self, key: Hashable) -> LevelMeter:
        if key not in self.meters:
            self.meters[key] = LevelMeter(self.window, self._clock)
        return self.meters[key]

    def remove(self, key: Hashable) -> None:
        self.meters.pop(key, None)
        self.last_spoke.pop(key, None)
        if self.current == key:
            self.current = None

    def update(self, exclude: set[Hashable] | frozenset[Hashable] = frozenset()) -> Hashable | None:
        """Recompute and return the active speaker; ``exclude``: muted publishers."""
        levels = {k: m.dbov() for k, m in self.meters.items() if k not in exclude}
        now = self._clock()
        for key, level in levels.items():
            if level >= SPEECH_DBOV:
                self.last_spoke[key] = now
        speaking = {k: v for k, v in levels.items() if v >= SPEECH_DBOV}
        if not speaking:
            self.current = None
            return None
        loudest = max(speaking, key=lambda k: speaking[k])
        held = speaking.get(self.current) if self.current is not None else None
        if held is None or speaking[loudest] >= held + HYSTERESIS_DB:
            self.current = loudest
        return self.current


def observe(receiver: RTCRtpReceiver, meter: LevelMeter) -> None:
    """Feed ``meter`` with the level of every RTP packet ``receiver`` gets."""
    original = receiver._handle_rtp_packet

    async def handle(packet: Any, arrival_time_ms: int) -> None:
        level = packet.extensions.audio_level
        if level is not None:
            meter.add(level[1])
        await original(packet, arrival_time_ms)

    receiver._handle_rtp_packet = handle  # type: ignore[method-assign]

"""What a heartbeat reports: the agent's CPU, the bitrate sent, the packet loss seen.

CPU is the share of one core the agent's process used since the last heartbeat
(0.25 is 25%; above 1 when its encoder threads use several cores), as
docs/video.md asks: ``resource.getrusage`` counts every thread. Bitrate and loss
come from aiortc's ``getStats()``, as differences since the last heartbeat: the
bitrate is what the room sends (its uplink, the scarcer direction on district
links), the loss the worse of the two directions: what the bridge reports losing
of ours (RTCP receiver reports) and what we lost of the bridge's.
"""

from __future__ import annotations

import resource
import time

from aiortc import RTCPeerConnection


class CpuMeter:
    def __init__(self) -> None:
        self._last = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime, time.monotonic()

    def share(self) -> float:
        """Cores used since the last call: 0.25 is a quarter of one core."""
        busy, at = self._sample()
        elapsed = at - self._last[1]
        used = busy - self._last[0]
        self._last = (busy, at)
        return round(used / elapsed, 3) if elapsed > 0 else 0.0


class LinkMeter:
    def __init__(self) -> None:
        self._at = time.monotonic()
        self._bytes_sent = 0
        self._received = 0
        self._lost = 0

    async def measure(self, pc: RTCPeerConnection) -> tuple[float, float]:
        """(kbit/s sent, loss fraction 0–1) since the last call."""
        bytes_sent = received = lost = 0
        remote_loss = 0.0
        for stats in (await pc.getStats()).values():
            if stats.type == "outbound-rtp":
                bytes_sent += stats.bytesSent
            elif stats.type == "inbound-rtp":
                received += stats.packetsReceived
                lost += max(0, stats.packetsLost)
            elif stats.type == "remote-inbound-rtp":
                # RTCP carries the fraction lost in 1/256ths.
                remote_loss = max(remote_loss, stats.fractionLost / 256)
        now = time.monotonic()
        elapsed = max(now - self._at, 1e-3)
        # Counters restart with a new peer connection: never report a negative rate.
        kbps = max(0, bytes_sent - self._bytes_sent) * 8 / 1000 / elapsed
        got, missed = max(0, received - self._received), max(0, lost - self._lost)
        local_loss = missed / (got + missed) if got + missed else 0.0
        self._at, self._bytes_sent, self._received, self._lost = now, bytes_sent, received, lost
        return round(kbps, 1), round(max(local_loss, remote_loss), 4)

"""Encoded media in and out of aiortc, never decoded: the receiver hook and ForwardTrack.

aiortc decodes whatever it receives: ``RTCRtpReceiver._handle_rtp_packet`` rebuilds
encoded frames in its jitter buffer and puts ``(codec, JitterFrame)`` on a
``queue.Queue`` that a ``decoder_worker`` thread drains into a decoder. There is no
public API for the encoded frames, so for the receivers the bridge forwards we swap
that queue (``RTCRtpReceiver.__decoder_queue``) for :class:`_ForwardingQueue`
before the receiver starts: frames then go, on the event loop and in the order they
were rebuilt, to a :class:`Publication`, and the decoder thread waits idle for the
end-of-stream marker, so no decoder is ever created. Everything else of the
receiver stays as it is: NACKs, RTCP receiver reports and its own picture-loss
requests on packet loss.

On the way out a track whose ``recv()`` returns ``av.Packet`` is only re-packetised
by ``RTCRtpSender`` (``Encoder.pack``). A sender that forwards packets ignores the
subscriber's keyframe requests (PLI/FIR set a flag only its encoder reads), so the
bridge replaces ``RTCRtpSender._send_keyframe`` on its senders to relay them to the
publisher (``RTCRtpReceiver._send_rtcp_pli``). Late joiners and floor changes ask
the same way.

Both ends are measured (:class:`Rate`): what each publication receives and what each
outgoing track sends, in bytes of encoded frames over a sliding window of a few
seconds. The SFU fits thumbnails into a room's link budget by these measures, since
the publisher's encoder, not the bridge, sets the rate (no REMB reaches it through a
forwarded stream) and a thumbnail's size depends on what its camera films.

These are private names of aiortc 1.16 (pinned exactly in pyproject.toml);
:func:`check_aiortc` names any that moved, the worker calls it at start, and
tests/bridge/test_sfu.py fails when an upgrade breaks the hook.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import time
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc import rtcrtpreceiver as _receiver_module
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

log = logging.getLogger("phonghop.bridge")

DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
DECODER_THREAD = "_RTCRtpReceiver__decoder_thread"
# Whatever the bridge reaches into: (owner, attribute). Instance attributes are
# checked on a receiver by forward_receiver().
PRIVATE_NAMES: tuple[tuple[Any, str], ...] = (
    (_receiver_module, "decoder_worker"),
    (RTCRtpReceiver, "_handle_rtp_packet"),
    (RTCRtpReceiver, "_send_rtcp_pli"),
    (RTCRtpSender, "_send_keyframe"),
    (RTCRtpSender, "_handle_rtcp_packet"),
)
# Queue lengths: about half a second; a sender that falls further behind loses frames.
VIDEO_CAPACITY = 16
AUDIO_CAPACITY = 25
# Keyframe requests to one publisher are spaced by at least this much: a floor change
# or several late joiners at once make one keyframe, not a burst of them.
KEYFRAME_INTERVAL = 0.25
# Bitrates are measured over this many seconds: a few frames of a 5 fps thumbnail and a
# keyframe spread over the frames after it, while a rate that grows shows within a second.
RATE_WINDOW = 3.0
# Less than this much seen of a stream is no measure yet (the first keyframe alone would
# read as megabits a second).
RATE_SETTLING = 1.0
# What the link carries beyond the encoded bytes, per RTP packet: RTP header 12, header
# extensions about 8, SRTP tag 10, UDP 8, IPv4 20 bytes. A frame takes one packet per
# started PACKET_PAYLOAD bytes (aiortc packetises at 1300 bytes less its descriptors).
PACKET_OVERHEAD = 58
PACKET_PAYLOAD = 1200


class HookBroken(RuntimeError):
    """aiortc no longer has the private names the bridge relies on."""


def check_aiortc() -> None:
    """Raise :class:`HookBroken` naming every private name of aiortc that is missing."""
    missing = [f"{getattr(owner, '__name__', owner)}.{name}"
               for owner, name in PRIVATE_NAMES if not hasattr(owner, name)]
    if missing:
        raise HookBroken(f"aiortc {_aiortc_version()} lacks {', '.join(missing)}: "
                         "the bridge cannot forward without decoding")


def _aiortc_version() -> str:
    import aiortc

    return str(getattr(aiortc, "__version__", "?"))


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One encoded frame as the publisher sent it (a VP8/H.264 picture, an Opus packet)."""

    data: bytes
    timestamp: int  # in clock_rate units, from 0 at the publisher's first frame
    clock_rate: int
    keyframe: bool


def is_keyframe(codec_name: str, data: bytes) -> bool:
    """Whether a decoder can start at this frame: a VP8 key frame, or an H.264 frame
    with an IDR slice or a sequence parameter set (Annex B, as aiortc depayloads it)."""
    if codec_name == "VP8":
        # RFC 6386 9.1: bit 0 of the first byte is 0 for a key frame.
        return bool(data) and not data[0] & 0x01
    if codec_name == "H264":
        start = data.find(b"\x00\x00\x01")
        while start != -1 and start + 3 < len(data):
            if data[start + 3] & 0x1F in (5, 7):
                return True
            start = data.find(b"\x00\x00\x01", start + 3)
        return False
    return True  # audio: every packet stands alone


class Rate:
    """Bytes of encoded frames over the last :data:`RATE_WINDOW` seconds, as kbit/s.

    ``kbps()`` is the encoded media alone, ``wire_kbps()`` adds each packet's headers
    (what a link budget has to carry). Both are None (not known yet) for
    :data:`RATE_SETTLING` seconds from the first frame, and before any frame for a
    whole window from the meter's creation (a connection takes a moment to start);
    then a stream that never started, or stopped, reads 0.
    """

    def __init__(self, window: float = RATE_WINDOW) -> None:
        self.window = window
        self._samples: deque[tuple[float, int, int]] = deque()
        self._bytes = 0
        self._packets = 0
        self._created = time.monotonic()
        self._since: float | None = None

    def add(self, size: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self._since is None:
            self._since = now
        packets = max(1, -(-size // PACKET_PAYLOAD))
        self._samples.append((now, size, packets))
        self._bytes += size
        self._packets += packets
        self._trim(now)

    def kbps(self, now: float | None = None) -> float | None:
        span = self._span(now)
        return None if span is None else self._bytes * 8 / span / 1000

    def wire_kbps(self, now: float | None = None) -> float | None:
        span = self._span(now)
        return None if span is None else (
            (self._bytes + self._packets * PACKET_OVERHEAD) * 8 / span / 1000)

    def _span(self, now: float | None) -> float | None:
        now = time.monotonic() if now is None else now
        if self._since is None:
            return self.window if now - self._created >= self.window else None
        if now - self._since < RATE_SETTLING:
            return None
        self._trim(now)
        return min(self.window, now - self._since)

    def _trim(self, now: float) -> None:
        edge = now - self.window
        samples = self._samples
        while samples and samples[0][0] <= edge:
            _at, size, packets = samples.popleft()
            self._bytes -= size
            self._packets -= packets


class Publication:
    """One incoming track of a peer (main video, audio or thumbnail) and the
    :class:`ForwardTrack` objects currently fed from it."""

    def __init__(self, kind: str, label: str) -> None:
        self.kind = kind
        self.label = label
        self.receiver: RTCRtpReceiver | None = None
        self.subscribers: set[ForwardTrack] = set()
        self.muted = False
        self.frames = 0
        self.rate = Rate()
        self.keyframes_requested = 0
        self._last_request = 0.0
        self._pending: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def deliver(self, frame: EncodedFrame) -> None:
        self.frames += 1
        self.rate.add(len(frame.data))
        if self.muted:
            return
        for track in tuple(self.subscribers):
            track.push(frame)

    def request_keyframe(self) -> None:
        """Ask the publisher for a keyframe (RTCP PLI), at most every KEYFRAME_INTERVAL."""
        if self.kind != "video" or self.receiver is None or self._pending is not None:
            return
        wait = self._last_request + KEYFRAME_INTERVAL - time.monotonic()
        if wait > 0:
            self._pending = asyncio.get_running_loop().call_later(wait, self._send_pli)
        else:
            self._send_pli()

    def _send_pli(self) -> None:
        self._pending = None
        receiver = self.receiver
        sources = receiver.getSynchronizationSources() if receiver is not None else []
        if receiver is None or not sources:
            return  # nothing received yet: the publisher's first frame is a keyframe anyway
        self._last_request = time.monotonic()
        self.keyframes_requested += 1
        task = asyncio.get_running_loop().create_task(
            receiver._send_rtcp_pli(sources[-1].source))
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("keyframe request to %s failed: %s", self.label, task.exception())

    async def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        for track in tuple(self.subscribers):
            track.switch(None)
        tasks = tuple(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _ForwardingQueue:
    """Stands in for a receiver's decoder queue: frames go to the publication on the
    event loop; only the end-of-stream marker reaches the decoder thread."""

    def __init__(self, original: queue.Queue[Any], publication: Publication) -> None:
        self._original = original
        self._publication = publication

    def put(self, item: Any, *args: Any, **kwargs: Any) -> None:
        if item is None:
            self._original.put(None)
            return
        codec, jitter_frame = item
        data = jitter_frame.data
        self._publication.deliver(EncodedFrame(
            data, jitter_frame.timestamp, codec.clockRate, is_keyframe(codec.name, data)))

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._original.get(*args, **kwargs)


def forward_receiver(receiver: RTCRtpReceiver, publication: Publication) -> None:
    """Send the receiver's encoded frames to ``publication`` instead of a decoder.
    Call before the connection starts (right after ``addTransceiver``)."""
    check_aiortc()
    original = getattr(receiver, DECODER_QUEUE, None)
    if not isinstance(original, queue.Queue) or not hasattr(receiver, DECODER_THREAD):
        raise HookBroken(f"aiortc {_aiortc_version()}: RTCRtpReceiver has no decoder queue "
                         "to take encoded frames from")
    if getattr(receiver, DECODER_THREAD) is not None:
        raise RuntimeError("the receiver has started: hook it before the connection starts")
    setattr(receiver, DECODER_QUEUE, _ForwardingQueue(original, publication))
    publication.receiver = receiver


def relay_keyframe_requests(sender: RTCRtpSender, track: ForwardTrack) -> None:
    """A subscriber's PLI/FIR on ``sender`` asks the publisher ``track`` is fed from."""
    sender._send_keyframe = track.request_keyframe  # type: ignore[method-assign]


class ForwardTrack(MediaStreamTrack):
    """An outgoing track fed with encoded frames from one :class:`Publication` at a time.

    ``recv()`` returns ``av.Packet``, so its sender packetises without encoding. The
    queue is bounded: when the sender falls behind, the oldest frame that is not a
    keyframe goes and a keyframe is asked for. Switching to another publication waits
    for that publication's next keyframe (asked for at once), and timestamps are
    rewritten so that the subscriber sees one continuous stream across switches.
    """

    def __init__(self, kind: str, label: str = "", capacity: int | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.label = label
        self.capacity = capacity or (VIDEO_CAPACITY if kind == "video" else AUDIO_CAPACITY)
        self.source: Publication | None = None
        self.sent = 0
        self.rate = Rate()  # what this track sent, its subscriber's share of the link
        self.dropped = 0
        self.switches = 0
        self._queue: deque[tuple[EncodedFrame, int]] = deque()
        self._ready = asyncio.Event()
        self._await_keyframe = kind == "video"
        self._offset: int | None = None
        self._last_pts: int | None = None
        self._last_push = 0.0

    def switch(self, source: Publication | None) -> None:
        """Take frames from ``source`` from now on (None: send nothing)."""
        if source is self.source:
            return
        if self.source is not None:
            self.source.subscribers.discard(self)
        self.source = source
        self._offset = None
        self.switches += 1
        if source is not None and self.readyState == "live":
            source.subscribers.add(self)
            if self.kind == "video":
                self._await_keyframe = True
                source.request_keyframe()

    def request_keyframe(self) -> None:
        if self.source is not None:
            self.source.request_keyframe()

    def push(self, frame: EncodedFrame) -> None:
        if self._await_keyframe:
            if not frame.keyframe:
                return
            self._await_keyframe = False
        now = time.monotonic()
        if self._offset is None:
            # First frame from this source: continue the subscriber's timeline where it
            # stopped, advanced by the wall-clock time since the last frame.
            if self._last_pts is None:
                self._offset = -frame.timestamp
            else:
                gap = max(1, round((now - self._last_push) * frame.clock_rate))
                self._offset = self._last_pts + gap - frame.timestamp
        pts = frame.timestamp + self._offset
        self._last_pts, self._last_push = pts, now
        if len(self._queue) >= self.capacity:
            self._drop_one()
        self._queue.append((frame, pts))
        self._ready.set()

    def _drop_one(self) -> None:
        self.dropped += 1
        for i, (frame, _pts) in enumerate(self._queue):
            if not frame.keyframe:
                del self._queue[i]
                # The frames after it no longer decode cleanly until the next keyframe.
                self.request_keyframe()
                return
        self._queue.popleft()

    async def recv(self) -> av.Packet:
        while not self._queue:
            if self.readyState != "live":
                raise MediaStreamError
            self._ready.clear()
            await self._ready.wait()
        if self.readyState != "live":
            raise MediaStreamError
        frame, pts = self._queue.popleft()
        packet = av.Packet(frame.data)
        packet.pts = pts
        packet.time_base = Fraction(1, frame.clock_rate)
        packet.is_keyframe = frame.keyframe
        self.sent += 1
        self.rate.add(len(frame.data))
        return packet

    def stop(self) -> None:
        self.switch(None)
        super().stop()
        self._queue.clear()
        self._ready.set()

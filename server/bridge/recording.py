"""Recording a meeting: its main video and the mix of its rooms' sound, for the archive.

One :class:`Recorder` per recording meeting writes one Matroska file,
``{recordings}/{meeting id}/{UTC start, YYYYmmddTHHMMSSZ}-{pid}.mkv`` (docs/video.md):

* **video**: the floor holder's main video as the hall sees it, its encoded frames
  copied into the file (VP8, or H.264 in an H.264 meeting), never decoded. The
  subscription is a :class:`~.forwarding.ForwardTrack` switched by the SFU's routing
  like any subscriber's, so a floor change waits for the new holder's keyframe (asked
  for at once) and timestamps run on. Nobody on the floor: no frames (a player holds
  the last picture). The file's video size is the first keyframe's (VP8: its header,
  RFC 6386 §9.1; H.264: that one frame decoded); later holders may send another size,
  which their keyframes carry and players follow.
* **sound**: every room that is not muted, mixed (mixing.py) and encoded to Opus,
  48 kHz mono. A muted room's publication delivers nothing, so it is not heard.

Both are placed on one timeline, the wall clock from the recording's start, so they
stay in step across floor changes. The event loop only notes what arrives and when
(an append); every ``FLUSH_SECONDS`` the batch goes to a thread (``asyncio.to_thread``,
one call after another, so the file is used by one thread at a time) that decodes
the sound, mixes, encodes and muxes. The Matroska header needs the video's size, so
it is written at the first keyframe (the encoded sound waits in memory until then);
VP8 starts after ``HEADER_WAIT`` without one at ``DEFAULT_SIZE``; H.264 cannot (the
muxer needs the first keyframe's parameter sets), and a recording that never had a
picture is sound only. The muxer closes a cluster at least every second and flushes
it, so a worker killed mid-recording leaves a file readable up to its last seconds.

A failure is logged and ends that recording (the file is closed as far as it can
be); it never reaches the routing, and the meeting goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.stream
from aiortc.mediastreams import MediaStreamError

from .forwarding import EncodedFrame, ForwardTrack, Publication
from .mixing import FRAME_SAMPLES, LATENCY, SAMPLE_RATE, Anchor, Mixer, Samples
from .recordings import file_name

log = logging.getLogger("phonghop.bridge")

# How often the loop hands what arrived to the writer thread.
FLUSH_SECONDS = 0.2
# A VP8 recording whose floor is empty this long starts its file without a picture.
HEADER_WAIT = 5.0
DEFAULT_SIZE = (640, 480)  # a room's camera (docs/video.md)
AUDIO_BITRATE = 64000
VIDEO_CLOCK = 90000
# Matroska written as it goes: a cluster at least every second, flushed to the file.
# The interleaver waits for the other stream at most 2 s (the mix trails by LATENCY).
CONTAINER_OPTIONS = {"cluster_time_limit": "1000", "flush_packets": "1",
                     "max_interleave_delta": "2000000"}


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a VP8 key frame (RFC 6386 §9.1): the 3-byte frame tag, the
    start code 9d 01 2a, then two little-endian 16-bit fields of 14 bits of size and 2
    of scaling. None for an interframe or anything malformed."""
    if len(data) < 10 or data[0] & 0x01 or data[3:6] != b"\x9d\x01\x2a":
        return None
    width = int.from_bytes(data[6:8], "little") & 0x3FFF
    height = int.from_bytes(data[8:10], "little") & 0x3FFF
    return (width, height) if width and height else None


def h264_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an H.264 keyframe, decoded once (its SPS has them only in
    exp-Golomb code with cropping; the decoder reads it right)."""
    try:
        decoder = av.CodecContext.create("h264", "r")
        frames = [*decoder.decode(av.Packet(data)), *decoder.decode(None)]
    except (av.FFmpegError, ValueError):
        return None
    for frame in frames:
        if isinstance(frame, av.VideoFrame):
            return frame.width, frame.height
    return None


@dataclass(frozen=True, slots=True)
class _Video:
    arrival: float
    packet: av.Packet


@dataclass(frozen=True, slots=True)
class _Audio:
    source: int
    arrival: float
    timestamp: int
    data: bytes


@dataclass(frozen=True, slots=True)
class _Gone:
    source: int


_Item = _Video | _Audio | _Gone


class _Writer:
    """The file: mux, mix and encode. Built and used only in the writer thread."""

    def __init__(self, path: Path, codec: str, t0: float) -> None:
        self.path, self.codec, self.t0 = path, codec, t0
        self.container: av.container.OutputContainer = av.open(
            str(path), "w", format="matroska", container_options=CONTAINER_OPTIONS)
        self.audio = self.container.add_stream("libopus", rate=SAMPLE_RATE, layout="mono")
        self.audio.codec_context.format = "flt"
        self.audio.codec_context.bit_rate = AUDIO_BITRATE
        self.video: av.stream.Stream | None = None
        self.size: tuple[int, int] | None = None
        self.mixer = Mixer()
        self.anchor = Anchor(VIDEO_CLOCK, ahead=0.1, behind=0.2)
        self._pending: list[av.Packet] = []  # encoded sound waiting for the header
        self._audio_pts = 0
        self._video_ms = -1

    def write(self, items: list[_Item], now: float) -> None:
        self._consume(items)
        if self.video is None and self.codec == "VP8" and now - self.t0 >= HEADER_WAIT:
            self._open_video(DEFAULT_SIZE)
        self._encode(self.mixer.take(self._position(now - LATENCY)))

    def close(self, items: list[_Item], end: float) -> None:
        self._consume(items)
        self._encode(self.mixer.take(self._position(end)))
        self._mux(self.audio.encode(None))
        if self.video is None:  # never a picture: the file has the sound only
            self.container.start_encoding()
            self.container.mux(self._pending)
            self._pending = []
        self.container.close()

    def abort(self) -> None:
        """After a failure: close what can be closed; an empty file goes."""
        with contextlib.suppress(Exception):
            self.container.close()
        _remove_if_empty(self.path)

    def _consume(self, items: list[_Item]) -> None:
        for item in items:
            if isinstance(item, _Audio):
                self.mixer.add(item.source, item.timestamp, self._position(item.arrival),
                               item.data)
            elif isinstance(item, _Video):
                self._write_video(item)
            else:
                self.mixer.remove(item.source)

    def _position(self, at: float, rate: int = SAMPLE_RATE) -> int:
        return round((at - self.t0) * rate)

    def _write_video(self, item: _Video) -> None:
        packet = item.packet
        if self.video is None:
            if not packet.is_keyframe:
                return
            data = bytes(packet)
            self._open_video((vp8_size(data) if self.codec == "VP8" else h264_size(data))
                             or DEFAULT_SIZE)
        assert self.video is not None and packet.pts is not None
        position = self.anchor.place(packet.pts, self._position(item.arrival, VIDEO_CLOCK))
        # Matroska counts milliseconds; each frame must come after the one before.
        ms = max(position * 1000 // VIDEO_CLOCK, self._video_ms + 1)
        self._video_ms = ms
        packet.stream = self.video
        packet.time_base = Fraction(1, 1000)
        packet.pts = packet.dts = ms
        self.container.mux(packet)

    def _open_video(self, size: tuple[int, int]) -> None:
        self.size = size
        self.video = self.container.add_mux_stream(
            "vp8" if self.codec == "VP8" else "h264", width=size[0], height=size[1])
        self.video.time_base = Fraction(1, 1000)
        pending, self._pending = self._pending, []
        if pending:
            # H.264: PyAV holds these until the keyframe the caller muxes next, whose
            # parameter sets the header needs; the interleaver puts them in order.
            self.container.mux(pending)

    def _encode(self, mix: Samples) -> None:
        for at in range(0, len(mix), FRAME_SAMPLES):
            frame = av.AudioFrame.from_ndarray(mix[at:at + FRAME_SAMPLES].reshape(1, -1),
                                               format="flt", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            frame.pts, frame.time_base = self._audio_pts, Fraction(1, SAMPLE_RATE)
            self._audio_pts += FRAME_SAMPLES
            self._mux(self.audio.encode(frame))

    def _mux(self, packets: list[av.Packet]) -> None:
        if self.video is None:
            self._pending.extend(packets)
        elif packets:
            self.container.mux(packets)


def _remove_if_empty(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.stat().st_size == 0:
            path.unlink()


def _create_file(folder: Path) -> tuple[datetime, Path]:
    """A new file named for now; two recordings of one meeting started within the same
    second by this process take the next free second, so names keep their shape."""
    started = datetime.now(UTC).replace(microsecond=0)
    for _ in range(60):
        path = folder / file_name(started, os.getpid())
        try:
            path.open("xb").close()
        except FileExistsError:
            started += timedelta(seconds=1)
            continue
        return started, path
    raise FileExistsError(f"no free recording name in {folder}")


class _AudioTap(ForwardTrack):
    """A subscription to one room's sound: each packet goes straight to the recorder's
    inbox with its arrival time (nothing queued, no task of its own)."""

    def __init__(self, key: int, inbox: list[_Item], label: str) -> None:
        super().__init__("audio", label)
        self.key = key
        self._inbox = inbox

    def push(self, frame: EncodedFrame) -> None:
        self._inbox.append(_Audio(self.key, time.monotonic(), frame.timestamp, frame.data))


class Recorder:
    """The recording of one meeting, from its creation (on the event loop) until
    :meth:`stop` has finalised the file. ``active`` is false once it ended, by
    :meth:`stop` or by a failure."""

    def __init__(self, meeting_id: str, codec: str, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.meeting_id, self.codec = meeting_id, codec
        self.started_at, self.path = _create_file(folder)
        self.name = self.path.name
        self.t0 = time.monotonic()
        self.active = True
        self.video = ForwardTrack("video", f"recording {meeting_id}<main")
        self._taps: dict[Publication, _AudioTap] = {}
        self._sources = itertools.count()
        self._inbox: list[_Item] = []
        self._stopping = asyncio.Event()
        self._stopped_at: float | None = None
        loop = asyncio.get_running_loop()
        self._pump = loop.create_task(self._pump_video())
        self._task = loop.create_task(self._run())

    def route(self, main: Publication | None, audio: list[Publication]) -> None:
        """Record ``main`` as the video and the sound of every publication in ``audio``."""
        if not self.active or self._stopping.is_set():
            return
        try:
            self.video.switch(main)
            wanted = set(audio)
            for publication in [p for p in self._taps if p not in wanted]:
                tap = self._taps.pop(publication)
                tap.stop()
                self._inbox.append(_Gone(tap.key))
            for publication in audio:
                if publication not in self._taps:
                    tap = _AudioTap(next(self._sources), self._inbox,
                                    f"recording {self.meeting_id}<{publication.label}")
                    tap.switch(publication)
                    self._taps[publication] = tap
        except Exception:
            log.exception("meeting %s: recording %s could not follow the routing; it ends",
                          self.meeting_id, self.name)
            self._end()

    async def stop(self) -> None:
        """Finalise the file (idempotent); returns when it is closed."""
        self._end()
        # Shielded: a caller that is cancelled must not leave the file half-closed.
        await asyncio.shield(asyncio.gather(self._task, self._pump, return_exceptions=True))

    def _end(self) -> None:
        if self._stopped_at is None:
            self._stopped_at = time.monotonic()
        self._stopping.set()

    def _take(self) -> list[_Item]:
        items, self._inbox[:] = list(self._inbox), []
        return items

    def _detach(self) -> None:
        self.video.stop()
        for tap in self._taps.values():
            tap.stop()
        self._taps.clear()

    async def _pump_video(self) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                packet = await self.video.recv()
                self._inbox.append(_Video(time.monotonic(), packet))

    async def _run(self) -> None:
        writer: _Writer | None = None
        try:
            writer = await asyncio.to_thread(_Writer, self.path, self.codec, self.t0)
            while not self._stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), FLUSH_SECONDS)
                if not self._stopping.is_set():
                    await asyncio.to_thread(writer.write, self._take(), time.monotonic())
            self._detach()
            end = self._stopped_at or time.monotonic()
            await asyncio.to_thread(writer.close, self._take(), end)
            log.info("meeting %s: recording %s closed after %.1f s", self.meeting_id,
                     self.name, end - self.t0)
        except Exception:
            log.exception("meeting %s: recording %s failed; the meeting goes on without it",
                          self.meeting_id, self.name)
            self._end()
            if writer is not None:
                await asyncio.to_thread(writer.abort)
            else:
                _remove_if_empty(self.path)
        finally:
            self.active = False
            self._detach()
            self._inbox.clear()

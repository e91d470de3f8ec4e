"""A recording's timeline: where each source's media goes on it, and the audio mix.

A recording has one timeline, the wall clock from its start (``time.monotonic()``),
in which its video and its sound are both placed, so they stay in step across floor
changes and rooms that come and go. A source's own timestamps (RTP, rebased by aiortc
to 0) are smooth but run on the publisher's clock, which drifts from ours (a tenth of
a second an hour is common), and arrival times are jittery but never early. An
:class:`Anchor` keeps a source's timestamps and shifts them only when they leave the
wall clock: a packet that arrives *before* its place says the source runs ahead, so
it is moved back and the overlap dropped; when even the most prompt packet of the
last seconds is late, the source runs behind, so it is moved forward and the gap is
silence. Packet loss, a mute or a pause leave silence in their place too, because
the timestamps after them have moved on.

:class:`Mixer` decodes each room's Opus packets (audio only: decoding it is cheap,
video is never decoded), converts them to 48 kHz mono, adds them at their place in
a buffer that runs ``LATENCY`` behind the clock (late packets still land at their
place) and hands out the sum, clipped to full scale, in 20 ms frames. It is numpy
because several rooms of 48,000 samples a second are summed and clipped: a Python
loop would cost a tenth of a core, an ffmpeg ``amix`` graph has a fixed number of
inputs (rebuilt at every join and leave) and places by timestamps it cannot correct
against our clock. It runs in the recording's writer thread, never on the loop.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field

import av
import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 48000
FRAME_SAMPLES = 960  # 20 ms, the Opus frame the encoder takes
# How far behind the clock the mix is handed out: a packet later than this (minus the
# writer's batching) arrives after its place has been written and is lost.
LATENCY = 0.6
# Room in the mix buffer ahead of what was handed out; an Anchor keeps sources close
# to the clock, so anything beyond is an error and is dropped.
HORIZON = 4 * SAMPLE_RATE

Samples = npt.NDArray[np.float32]


class Anchor:
    """Places one source's timestamps (``rate`` units) on the recording's timeline.

    ``ahead``: how far before its place a packet may arrive before the source is moved
    back (only the first packet's own delay, normally); ``behind``: how late the most
    prompt packet of ``window`` seconds may be before the source is moved forward.
    ``moved`` counts the corrections, ``shift`` sums them (positive: silence added).
    """

    def __init__(self, rate: int, *, ahead: float, behind: float, window: float = 2.0) -> None:
        self.rate = rate
        self.ahead = round(ahead * rate)
        self.behind = round(behind * rate)
        self.window = round(window * rate)
        self.offset: int | None = None
        self.moved = 0
        self.shift = 0
        # (wall, early) with early decreasing from the front: the front is the most
        # prompt packet of the window.
        self._prompt: deque[tuple[int, int]] = deque()
        self._since = 0

    def place(self, timestamp: int, wall: int) -> int:
        """Where the media of ``timestamp``, arrived at ``wall``, goes on the timeline."""
        if self.offset is None:
            self.offset, self._since = wall - timestamp, wall
        position = timestamp + self.offset
        early = position - wall
        if early > self.ahead:
            return self._move(-early, timestamp, wall)
        while self._prompt and self._prompt[-1][1] <= early:
            self._prompt.pop()
        self._prompt.append((wall, early))
        while self._prompt[0][0] < wall - self.window:
            self._prompt.popleft()
        most_prompt = self._prompt[0][1]
        if wall - self._since >= self.window and -most_prompt > self.behind:
            return self._move(-most_prompt, timestamp, wall)
        return position

    def _move(self, by: int, timestamp: int, wall: int) -> int:
        assert self.offset is not None
        self.offset += by
        self.moved += 1
        self.shift += by
        self._prompt.clear()
        self._since = wall
        return timestamp + self.offset


@dataclass
class _Source:
    decoder: av.CodecContext
    resampler: av.AudioResampler
    anchor: Anchor = field(default_factory=lambda: Anchor(SAMPLE_RATE, ahead=0.04, behind=0.1))
    end: int = 0  # timeline position after its last sample


class Mixer:
    """The sum of every source's sound on the recording's timeline (48 kHz mono)."""

    def __init__(self) -> None:
        self.sources: dict[Hashable, _Source] = {}
        self.start = 0  # timeline position of _buffer[0]: everything before is handed out
        self._buffer: Samples = np.zeros(HORIZON, np.float32)
        self.dropped = 0  # samples that came too late or overlapped their own source

    def add(self, source: Hashable, timestamp: int, wall: int, data: bytes) -> None:
        """One Opus packet of ``source`` with its RTP ``timestamp`` (48 kHz), arrived at
        timeline position ``wall``."""
        state = self.sources.get(source)
        if state is None:
            state = self.sources[source] = _Source(
                av.CodecContext.create("opus", "r"),
                av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE))
        samples = self._decode(state, data)
        if samples is None or not len(samples):
            return
        position = state.anchor.place(timestamp, wall)
        # Never twice over the same place (a source moved back), never into what was
        # handed out already (a packet too late).
        skip = max(state.end, self.start) - position
        if skip > 0:
            self.dropped += min(skip, len(samples))
            samples, position = samples[skip:], position + skip
        if not len(samples):
            return
        state.end = position + len(samples)
        at = position - self.start
        fits = max(0, min(len(samples), HORIZON - at))
        self._buffer[at:at + fits] += samples[:fits]
        self.dropped += len(samples) - fits

    def remove(self, source: Hashable) -> None:
        self.sources.pop(source, None)

    def take(self, until: int) -> Samples:
        """The mix from the last ``take`` to ``until`` in whole frames, clipped to
        [-1, 1]; silence where nobody was heard."""
        count = max(0, until - self.start) // FRAME_SAMPLES * FRAME_SAMPLES
        out: Samples = np.zeros(count, np.float32)
        kept = min(count, HORIZON)
        out[:kept] = self._buffer[:kept]
        self._buffer[:HORIZON - kept] = self._buffer[kept:]
        self._buffer[HORIZON - kept:] = 0
        self.start += count
        np.clip(out, -1.0, 1.0, out=out)
        return out

    @staticmethod
    def _decode(state: _Source, data: bytes) -> Samples | None:
        try:
            frames = state.decoder.decode(av.Packet(data))
            mono = [f for frame in frames for f in state.resampler.resample(frame)]
        except (av.FFmpegError, ValueError):
            return None  # a damaged packet: its place stays silent
        if not mono:
            return None
        return np.concatenate([f.to_ndarray().reshape(-1) for f in mono]).astype(
            np.float32, copy=False)

"""What the agent sends: a camera and microphone, a media file, or a test pattern and tone.

A source is opened once for the agent's life (a camera is slow to open and may be
held by one process only) and every connection subscribes to it through aiortc's
``MediaRelay``: the main video, the thumbnail (160×120 at 5 fps, docs/video.md) and
the audio are proxies of the same tracks, stopped when their connection ends while
the source keeps running. Video proxies keep only the newest frame, so a slow
encoder drops frames instead of growing a queue.

The test pattern carries its frame number twice: as text for people, and as a row
of black and white squares (16 bits, most significant first) that survives VP8 and
that :func:`read_counter` reads back, so tests and the bench can tell which frame
arrived without OCR.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import math
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import av
from aiortc.contrib.media import MediaPlayer, MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.video.reformatter import VideoReformatter
from PIL import Image, ImageDraw, ImageFont

from .config import AgentConfig

log = logging.getLogger(__name__)

VIDEO_CLOCK = 90_000
AUDIO_RATE = 48_000
AUDIO_PTIME = 0.020
THUMBNAIL_SIZE = (160, 120)
THUMBNAIL_FPS = 5
COUNTER_BITS = 16
# SMPTE-style bars at 75%: white, yellow, cyan, green, magenta, red, blue.
BARS = [(191, 191, 191), (191, 191, 0), (0, 191, 191), (0, 191, 0),
        (191, 0, 191), (191, 0, 0), (0, 0, 191)]
FONTS = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
         Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")]


class SourceError(RuntimeError):
    """A device or file that cannot be opened; ``str()`` is the one line for the operator."""


class PacedTrack(MediaStreamTrack):
    """A generated track that returns frames at its own rate, by the wall clock."""

    def __init__(self, period: float) -> None:
        super().__init__()
        self._period = period
        self._start: float | None = None
        self.count = 0

    async def _next(self) -> int:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
        wait = self._start + self.count * self._period - now
        if wait > 0:
            await asyncio.sleep(wait)
        elif wait < -1:
            # Far behind (the machine stalled): start again rather than race to catch up.
            self._start = now - self.count * self._period
        number = self.count
        self.count += 1
        return number


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONTS:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def counter_cell(width: int) -> int:
    return max(8, width // 20)


class PatternTrack(PacedTrack):
    """Colour bars, the room's name, the clock and the frame number."""

    kind = "video"

    def __init__(self, label: str, size: tuple[int, int], fps: int) -> None:
        super().__init__(1 / fps)
        self.label = label
        self.size = size
        self._fps = fps
        width, height = size
        self._base = Image.new("RGB", size, (16, 16, 16))
        draw = ImageDraw.Draw(self._base)
        bar_bottom = height * 3 // 5
        for i, colour in enumerate(BARS):
            draw.rectangle([i * width // 7, 0, (i + 1) * width // 7 - 1, bar_bottom], fill=colour)
        self._font = _font(max(10, height // 16))

    def draw(self, number: int) -> Image.Image:
        image = self._base.copy()
        draw = ImageDraw.Draw(image)
        width, height = self.size
        line = max(12, height // 14)
        top = height * 3 // 5 + line // 2
        draw.text((line, top), self.label, font=self._font, fill=(255, 255, 255))
        draw.text((line, top + line), f"{datetime.now():%H:%M:%S}   #{number}",
                  font=self._font, fill=(255, 255, 255))
        cell = counter_cell(width)
        y = height - 2 * cell
        for bit in range(COUNTER_BITS):
            on = (number >> (COUNTER_BITS - 1 - bit)) & 1
            x = (2 + bit) * cell
            draw.rectangle([x, y, x + cell - 1, y + cell - 1],
                           fill=(255, 255, 255) if on else (0, 0, 0))
        return image

    async def recv(self) -> av.VideoFrame:
        number = await self._next()
        # In the encoder's format already: the encoder would otherwise convert it in its
        # own thread with the frame's shared converter (see ThumbnailTrack).
        frame = av.VideoFrame.from_image(self.draw(number)).reformat(format="yuv420p")
        frame.pts = round(number * VIDEO_CLOCK / self._fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        return frame


def read_counter(image: Image.Image) -> int:
    """The frame number a :class:`PatternTrack` drew, read from its squares."""
    image = image.convert("L")
    cell = counter_cell(image.width)
    y = image.height - 2 * cell + cell // 2
    number = 0
    for bit in range(COUNTER_BITS):
        value = image.getpixel(((2 + bit) * cell + cell // 2, y))
        number = (number << 1) | (1 if isinstance(value, int) and value > 128 else 0)
    return number


def bar_colours(image: Image.Image) -> list[tuple[int, int, int]]:
    """The colour in the middle of each of the seven bars of a pattern frame."""
    image = image.convert("RGB")
    y = image.height * 3 // 10
    return [image.getpixel(((2 * i + 1) * image.width // 14, y)) for i in range(7)]  # type: ignore[misc]


class ToneTrack(PacedTrack):
    """A sine tone (or silence) in 20 ms frames of 16-bit mono at 48 kHz, ready for Opus."""

    kind = "audio"

    def __init__(self, frequency: float = 440.0, level: float = 0.25) -> None:
        super().__init__(AUDIO_PTIME)
        self._samples = int(AUDIO_RATE * AUDIO_PTIME)
        # One second holds a whole number of periods of any whole frequency: loop over it.
        amplitude = int(32767 * level)
        self._second = array("h", (round(amplitude * math.sin(2 * math.pi * frequency * n
                                                              / AUDIO_RATE))
                                   for n in range(AUDIO_RATE))).tobytes()

    async def recv(self) -> av.AudioFrame:
        number = await self._next()
        start = (number * self._samples) % AUDIO_RATE * 2
        frame = av.AudioFrame(format="s16", layout="mono", samples=self._samples)
        frame.planes[0].update(self._second[start:start + self._samples * 2])
        frame.sample_rate = AUDIO_RATE
        frame.pts = number * self._samples
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        return frame


def silence_like(frame: av.AudioFrame) -> av.AudioFrame:
    silent = av.AudioFrame(format=frame.format.name, layout=frame.layout.name,
                           samples=frame.samples)
    for plane in silent.planes:
        plane.update(bytes(plane.buffer_size))
    silent.sample_rate = frame.sample_rate
    silent.pts = frame.pts
    silent.time_base = frame.time_base
    return silent


class MutableAudioTrack(MediaStreamTrack):
    """Passes the microphone through, or silence of the same timing while muted.

    Silence rather than no frames: the far end's jitter buffer and the bridge's
    audio levels keep running, and unmuting needs no renegotiation.
    """

    kind = "audio"

    def __init__(self, source: MediaStreamTrack, muted: Callable[[], bool]) -> None:
        super().__init__()
        self._source = source
        self._muted = muted

    async def recv(self) -> av.AudioFrame:
        frame = await self._source.recv()
        return silence_like(frame) if self._muted() else frame

    def stop(self) -> None:
        super().stop()
        self._source.stop()


class ThumbnailTrack(MediaStreamTrack):
    """The same picture, 160×120 at 5 fps: what other rooms see of this one.

    It scales with a converter of its own. ``VideoFrame.reformat`` keeps one
    converter per frame, and the main video's encoder may use that one at the same
    time in its thread for the same frame: sharing it crashed the process (SIGSEGV
    in libswscale).
    """

    kind = "video"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self._source = source
        self._last: float | None = None
        self._scaler = VideoReformatter()

    async def recv(self) -> av.VideoFrame:
        while True:
            frame = await self._source.recv()
            at = float(frame.time) if frame.time is not None else time.monotonic()
            if self._last is None or not 0 <= at - self._last < 1 / THUMBNAIL_FPS - 0.005:
                break
        self._last = at
        width, height = THUMBNAIL_SIZE
        small = self._scaler.reformat(frame, width=width, height=height, format="yuv420p")
        small.pts, small.time_base = frame.pts, frame.time_base
        return small

    def stop(self) -> None:
        super().stop()
        self._source.stop()


@dataclass
class SessionTracks:
    """What one connection sends, in the contract's order; stopped with the connection."""

    video: MediaStreamTrack
    audio: MediaStreamTrack
    thumbnail: MediaStreamTrack

    def stop(self) -> None:
        for track in (self.video, self.audio, self.thumbnail):
            track.stop()


class MediaSource:
    """The agent's camera and microphone (or their stand-ins), shared by its connections."""

    def __init__(self, description: str, video: MediaStreamTrack, audio: MediaStreamTrack,
                 players: list[MediaPlayer]) -> None:
        self.description = description
        self._video = video
        self._audio = audio
        self._players = players
        self._relay = MediaRelay()

    def set_label(self, label: str) -> None:
        if isinstance(self._video, PatternTrack):
            self._video.label = label

    def subscribe(self, muted: Callable[[], bool]) -> SessionTracks:
        return SessionTracks(
            video=self._relay.subscribe(self._video, buffered=False),
            audio=MutableAudioTrack(self._relay.subscribe(self._audio), muted),
            thumbnail=ThumbnailTrack(self._relay.subscribe(self._video, buffered=False)))

    def close(self) -> None:
        self._video.stop()
        self._audio.stop()
        for player in self._players:
            for track in (player.audio, player.video):
                if track is not None:
                    track.stop()


def _player(file: str, format: str | None = None, options: dict[str, str] | None = None,
            loop: bool = False) -> MediaPlayer:
    try:
        return MediaPlayer(file, format=format, options=options, loop=loop)
    except (av.FFmpegError, OSError) as e:
        what = {"v4l2": ("camera", "camera"), "alsa": ("micrô", "microphone")}.get(
            format or "", ("tệp", "file"))
        raise SourceError(f"Không mở được {what[0]} {file}: {e} / "
                          f"Cannot open the {what[1]} {file}: {e}") from None


def open_source(config: AgentConfig, label: str) -> MediaSource:
    """Open what the config names; :class:`SourceError` when a device or file is missing."""
    width, height = config.size
    players: list[MediaPlayer] = []
    kind, _, where = config.source.partition(":")
    video: MediaStreamTrack | None
    file_audio: MediaStreamTrack | None = None
    if kind == "pattern":
        video = PatternTrack(label, config.size, config.fps)
    elif kind == "file":
        player = _player(where, loop=True)
        players.append(player)
        video, file_audio = player.video, player.audio
    else:
        if not Path(where).exists():
            raise SourceError(f"Không thấy camera {where} (đã cắm chưa?) / "
                              f"The camera {where} is not there (is it plugged in?)")
        player = _player(where, format="v4l2",
                         options={"video_size": f"{width}x{height}",
                                  "framerate": str(config.fps)})
        players.append(player)
        video = player.video
    if video is None:
        raise SourceError(f"{config.source} không có hình / {config.source} has no video")

    audio_kind, _, device = config.audio_source.partition(":")
    audio: MediaStreamTrack
    if audio_kind == "alsa":
        player = _player(device, format="alsa")
        players.append(player)
        if player.audio is None:
            raise SourceError(f"Micrô {device} không có tiếng / "
                              f"The microphone {device} has no audio")
        audio = player.audio
    elif audio_kind == "file" and file_audio is not None:
        audio = file_audio
    else:
        audio = ToneTrack(level=0.25 if audio_kind == "tone" else 0.0)
    description = config.source if audio_kind == "file" else f"{config.source}+{audio_kind}"
    log.info("source opened: %s, audio %s", config.source, config.audio_source)
    return MediaSource(description, video, audio, players)

"""What the agent does with what it receives: show it, record it, or count and drop it.

Every received track is consumed, whatever the sink: aiortc queues decoded frames
for a track nobody reads, without bound (../shared/NOTES.md). Every frame passes a
counter first, so heartbeats and tests know what arrived whichever sink runs.

Received tracks have roles by their transceiver's place in the offer
(docs/video.md): 0 the main video, 1 the main audio, 3… thumbnails of other rooms.
The window shows the main video; a recording (``sink = "file:PATH"``) holds the
main video and audio, one file per connection (``PATH``, then ``PATH-2.mp4``, …) so
that a reconnection never overwrites what was recorded before it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import queue
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import av
from aiortc.contrib.media import MediaRecorder
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

log = logging.getLogger(__name__)

MAIN_VIDEO, MAIN_AUDIO = "main_video", "main_audio"


def thumbnail_role(index: int) -> str:
    return f"thumbnail_{index}"


class FrameCounts:
    """Frames received per role over the agent's life, and the newest main picture."""

    def __init__(self) -> None:
        self.by_role: Counter[str] = Counter()
        self.last_video: av.VideoFrame | None = None
        self.last_audio: av.AudioFrame | None = None
        self.changed = asyncio.Event()

    @property
    def video_frames(self) -> int:
        return sum(n for role, n in self.by_role.items() if role != MAIN_AUDIO)

    def add(self, role: str, frame: Any) -> None:
        self.by_role[role] += 1
        if role == MAIN_VIDEO:
            self.last_video = frame
        elif role == MAIN_AUDIO:
            self.last_audio = frame
        self.changed.set()
        self.changed = asyncio.Event()

    async def wait_for(self, predicate: Any, timeout: float) -> None:
        """Wait until ``predicate(self)`` holds (for tests and the bench)."""
        async with asyncio.timeout(timeout):
            while not predicate(self):
                await self.changed.wait()


class CountingTrack(MediaStreamTrack):
    """Passes frames on to a recorder or a window, counting each."""

    def __init__(self, source: MediaStreamTrack, role: str, counts: FrameCounts) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self._role = role
        self._counts = counts

    async def recv(self) -> Any:
        frame = await self._source.recv()
        self._counts.add(self._role, frame)
        return frame


async def _consume(track: MediaStreamTrack, window: Window | None = None) -> None:
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        if window is not None:
            window.show(frame)


def display_available() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class Window:
    """A Tk window showing the main video, in its own thread (Tk wants its own loop)."""

    def __init__(self, title: str) -> None:
        self._frames: queue.Queue[av.VideoFrame | None] = queue.Queue(maxsize=2)
        self._thread = threading.Thread(target=self._run, args=(title,), daemon=True)
        self._thread.start()

    def show(self, frame: av.VideoFrame) -> None:
        self._put(frame)

    def close(self, timeout: float = 5.0) -> None:
        """Close the window and wait (blocking, up to ``timeout``) until Tk has let go."""
        self._put(None)
        self._thread.join(timeout)

    def _put(self, item: av.VideoFrame | None) -> None:
        """The screen is slower than the stream: the oldest waiting frame goes, never the
        newest (nor the end)."""
        while True:
            try:
                self._frames.put_nowait(item)
                return
            except queue.Full:
                try:
                    self._frames.get_nowait()
                except queue.Empty:
                    pass

    def _run(self, title: str) -> None:
        self._show(title)
        # Tcl aborts the process when its interpreter is freed by another thread than the one
        # that made it: free every Tk object here, now, not whenever the collector runs.
        gc.collect()

    def _show(self, title: str) -> None:
        import tkinter

        from PIL import ImageTk

        root = tkinter.Tk()
        root.title(title)
        label = tkinter.Label(root, background="black")
        label.pack(fill="both", expand=True)
        holder: dict[str, Any] = {}

        def poll() -> None:
            try:
                frame = self._frames.get_nowait()
            except queue.Empty:
                root.after(15, poll)
                return
            if frame is None:
                root.destroy()
                return
            holder["image"] = ImageTk.PhotoImage(frame.to_image())
            label.configure(image=holder["image"])
            root.after(1, poll)

        root.after(15, poll)
        try:
            root.mainloop()
        finally:
            holder.clear()


def recording_path(path: str, session: int) -> str:
    if session <= 1:
        return path
    target = Path(path)
    return str(target.with_name(f"{target.stem}-{session}{target.suffix}"))


class Sink:
    """Consumes one connection's received tracks; started per connection, stopped with it."""

    def __init__(self, spec: str, counts: FrameCounts, session: int,
                 window: Window | None = None) -> None:
        self._spec = spec
        self._counts = counts
        self._session = session
        self._window = window
        self._tasks: list[asyncio.Task[None]] = []
        self._recorder: MediaRecorder | None = None
        self._recorded: list[MediaStreamTrack] = []

    def add(self, role: str, track: MediaStreamTrack) -> None:
        counted = CountingTrack(track, role, self._counts)
        if self._spec.startswith("file:") and role in (MAIN_VIDEO, MAIN_AUDIO):
            self._recorded.append(counted)
            return
        window = self._window if role == MAIN_VIDEO else None
        self._tasks.append(asyncio.create_task(_consume(counted, window),
                                               name=f"consume {role}"))

    async def start(self) -> None:
        if self._recorded:
            path = recording_path(self._spec.removeprefix("file:"), self._session)
            self._recorder = MediaRecorder(path)
            for track in self._recorded:
                self._recorder.addTrack(track)
            await self._recorder.start()
            log.info("recording the main video and audio to %s", path)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._recorder is not None:
            try:
                await self._recorder.stop()
            except Exception:
                log.exception("the recording could not be finished")

"""The agent's life: connect, join the meeting, negotiate with the bridge, and start again.

One :class:`Session` is one Socket.IO connection and one peer connection, owned
together and torn down together: when either goes (the socket closes, the server
stops answering heartbeats, ICE fails or the peer connection closes, the server
sends ``reconnect``), the session ends, says ``video_leave`` if it still can, and
closes both. :class:`Agent` then waits an exponential back-off with jitter (capped,
reset once a session's media connected) and starts a new session; after a
``reconnect`` command it starts at once. A refusal that waiting cannot cure (a
wrong or revoked token, a meeting this room is not part of) ends the agent with
exit status 2, so systemd does not restart it into the same refusal.

The peer connection follows docs/video.md: the agent makes the offer, its
transceivers in the contract's order (main video sendrecv, audio sendrecv,
thumbnail sendonly, then as many recvonly thumbnails as ``video_join`` said), no
trickle ICE, ICE servers from the server's answer unless the config names its own,
and never aiortc's default public STUN server (closed networks).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from typing import Any

import aioice.ice
import socketio
from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.exceptions import InvalidStateError, OperationError

from server.realtime.events import (
    AGENT_HEARTBEAT,
    JOIN,
    MEETINGS_NAMESPACE,
    VIDEO_COMMAND,
    VIDEO_JOIN,
    VIDEO_LEAVE,
    VIDEO_OFFER,
    WELCOME,
)

from .config import AgentConfig, Backoff
from .media import MediaSource, SourceError, open_source
from .sinks import MAIN_AUDIO, MAIN_VIDEO, FrameCounts, Sink, Window, display_available
from .stats import CpuMeter, LinkMeter

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2
# Refusals that no retry cures: the token, or the room's place in the meeting.
PERMANENT = frozenset({"not_authenticated", "not_found", "not_invited", "forbidden"})
MISSED_HEARTBEATS = 2
LEAVE_TIMEOUT = 2.0


class Refused(Exception):
    """The server refused for good; ``str()`` is the line for the operator."""


class Retry(Exception):
    """This session cannot go on; a later one may."""


def backoff_delay(backoff: Backoff, attempt: int, rand: Callable[[], float] = random.random
                  ) -> float:
    """The wait before attempt ``attempt`` (0 first): exponential, capped, ±25% jitter."""
    delay = min(backoff.max_seconds, backoff.initial_seconds * backoff.factor ** attempt)
    return delay * (0.75 + 0.5 * rand())


def _refusal(error: Any) -> tuple[str, str]:
    """(code, message) of an ``{"error": {...}}`` answer or a refused connection."""
    if isinstance(error, dict) and isinstance(error.get("error"), dict):
        error = error["error"]
    if isinstance(error, dict) and "code" not in error and isinstance(error.get("data"), dict):
        error = error["data"]
    if isinstance(error, dict) and "code" not in error:
        # python-socketio sends a refusal's one argument as str(): the server's
        # {"code", "message"} arrives as the text of a Python dict.
        text = str(error.get("message", ""))
        with contextlib.suppress(ValueError, SyntaxError):
            error = ast.literal_eval(text) if text.startswith("{") else error
    if isinstance(error, dict):
        return str(error.get("code", "")), str(error.get("message", ""))
    return "", str(error)


def use_host_addresses(addresses: list[str]) -> Callable[[], None]:
    """Make aioice gather candidates on these addresses (it skips 127.0.0.1 otherwise).

    Returns the function that puts aioice's own discovery back.
    """
    original = aioice.ice.get_host_addresses

    def chosen(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in addresses if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    aioice.ice.get_host_addresses = chosen

    def restore() -> None:
        aioice.ice.get_host_addresses = original

    return restore


class Agent:
    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        self.counts = FrameCounts()
        self.muted = False
        self.commands: list[str] = []   # the video commands obeyed, in order
        self.sessions = 0          # connections whose media connected
        self.connected = asyncio.Event()
        self.refusal: str | None = None
        self.source: MediaSource | None = None
        self._window: Window | None = None
        self._stopping = asyncio.Event()
        self._session: Session | None = None
        self._reconnect_now = False

    def stop(self) -> None:
        self._stopping.set()
        if self._session is not None:
            self._session.end("the agent is stopping")

    async def run(self) -> int:
        restore = (use_host_addresses(self.config.host_addresses)
                   if self.config.host_addresses is not None else None)
        try:
            try:
                self.source = open_source(self.config, self.config.name or "Phòng Họp")
            except SourceError as e:
                log.error("%s", e)
                self.refusal = str(e)
                return EXIT_FAILED
            if self.config.sink == "window":
                if display_available():
                    self._window = Window(f"Phòng Họp: cuộc họp {self.config.meeting}")
                else:
                    log.warning("no display: the main video is counted, not shown")
            return await self._loop()
        finally:
            if self._window is not None:
                # Tk closes its window in its own thread: wait for it, so that nothing of it
                # outlives the agent (an X connection torn down under it ends the process).
                await asyncio.to_thread(self._window.close)
            if self.source is not None:
                self.source.close()
            if restore is not None:
                restore()

    async def _loop(self) -> int:
        attempt = number = 0
        while not self._stopping.is_set():
            number += 1
            self._session = Session(self, number)
            try:
                reached = await self._session.run()
            except Refused as e:
                self.refusal = str(e)
                log.error("refused for good: %s", e)
                return EXIT_REFUSED
            finally:
                self._session = None
            if self._stopping.is_set():
                break
            if reached:
                attempt = 0
            if self._reconnect_now:
                # Asked to (the meeting moved to another worker): at once, but spread over
                # up to a second so that every room of the meeting does not arrive together.
                self._reconnect_now = False
                delay = random.uniform(0, min(1.0, self.config.backoff.initial_seconds))
            else:
                delay = backoff_delay(self.config.backoff, attempt)
                attempt += 1
            log.info("connecting again in %.1f s (attempt %d)", delay, attempt)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
        return EXIT_OK


class Session:
    """One Socket.IO connection and one peer connection, from connect to teardown."""

    def __init__(self, agent: Agent, number: int) -> None:
        self.agent = agent
        self.config = agent.config
        self.number = number
        self.ended: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.pc: RTCPeerConnection | None = None
        self.peer_id: str | None = None
        self._connect_error: Any = None
        self._media_up = asyncio.Event()
        self._refused: Refused | None = None
        self._log = _Context(log, f"[meeting {self.config.meeting}, session {number}]")

    def end(self, reason: str) -> None:
        if not self.ended.done():
            self._log.info("ending: %s", reason)
            self.ended.set_result(reason)

    async def run(self) -> bool:
        """Run until the session ends; True when its media connected."""
        self._handlers()
        sink: Sink | None = None
        tracks = None
        heartbeats: asyncio.Task[None] | None = None
        try:
            await self._connect()
            await self._join()
            video = await self._call(VIDEO_JOIN, {"endpoint": "agent"})
            self.peer_id = str(video["peer_id"])
            assert self.agent.source is not None
            tracks = self.agent.source.subscribe(lambda: self.agent.muted)
            self.pc = self._peer(video.get("ice_servers") or [])
            thumbnails = max(0, min(int(video.get("thumbnails") or 0), 8))
            for transceiver in self._transceivers(tracks, thumbnails):
                self._prefer(transceiver, str(video.get("codec") or "VP8"))
            await self.pc.setLocalDescription(await self.pc.createOffer())
            answer = await self._call(VIDEO_OFFER, {
                "peer_id": self.peer_id, "sdp": self.pc.localDescription.sdp, "type": "offer"})
            try:
                await self.pc.setRemoteDescription(RTCSessionDescription(
                    sdp=str(answer.get("sdp", "")), type=answer.get("type", "answer")))
            except (ValueError, TypeError, InvalidStateError, OperationError) as e:
                raise Retry(f"the bridge's answer cannot be used: {e}") from None
            sink = Sink(self.config.sink, self.agent.counts, self.number, self.agent._window)
            self._consume(sink)
            await sink.start()
            self._log.info("negotiated as peer %s (%s, %d thumbnails); waiting for media",
                           self.peer_id, video.get("codec") or "VP8", thumbnails)
            await self._until(self._media_up.wait(), self.config.timeout_seconds,
                              "the media did not connect in time")
            self.agent.sessions += 1
            self.agent.connected.set()
            self._log.info("media connected")
            heartbeats = asyncio.create_task(self._heartbeats(), name="heartbeats")
            await self.ended
            if self._refused is not None:
                raise self._refused
            return True
        except Retry as e:
            self.end(str(e))
            return self._media_up.is_set()
        except Refused as e:
            self.end(f"refused: {e}")
            raise
        except Exception:
            # Unattended: whatever went wrong, log it whole and try again after the back-off.
            self._log.exception("the session failed")
            self.end("an unexpected error")
            return self._media_up.is_set()
        finally:
            self.agent.connected.clear()
            self.end("teardown")
            await self._teardown(heartbeats, sink, tracks)

    def _handlers(self) -> None:
        sio = self.sio

        async def on_connect_error(data: Any = None) -> None:
            self._connect_error = data

        async def on_disconnect(*_: Any) -> None:
            self.end("the server connection closed")

        async def on_welcome(data: Any) -> None:
            user = data.get("user") if isinstance(data, dict) else None
            if isinstance(user, dict):
                self._log.info("connected as %s", user.get("username"))
                if not self.config.name and self.agent.source is not None:
                    self.agent.source.set_label(str(user.get("full_name") or ""))

        async def on_command(data: Any) -> None:
            if not isinstance(data, dict):
                return
            # Commands go to the whole meeting: act on those for this peer or for everyone.
            if data.get("peer_id") not in (None, self.peer_id):
                return
            command, reason = data.get("command"), data.get("reason") or ""
            self._log.info("command %s %s", command, reason)
            self.agent.commands.append(str(command))
            if command in ("mute", "unmute"):
                self.agent.muted = command == "mute"
            elif command == "reconnect":
                self.agent._reconnect_now = True
                self.end(f"the server asked to reconnect {reason}".strip())
            else:
                self._log.warning("unknown video command %r", command)

        sio.on("connect_error", on_connect_error, namespace=MEETINGS_NAMESPACE)
        sio.on("disconnect", on_disconnect, namespace=MEETINGS_NAMESPACE)
        sio.on(WELCOME, on_welcome, namespace=MEETINGS_NAMESPACE)
        sio.on(VIDEO_COMMAND, on_command, namespace=MEETINGS_NAMESPACE)

    async def _connect(self) -> None:
        self._log.info("connecting to %s", self.config.server)
        try:
            await self._until(self.sio.connect(
                self.config.server, auth={"token": self.config.token},
                namespaces=[MEETINGS_NAMESPACE], transports=["websocket"],
                wait_timeout=self.config.timeout_seconds), self.config.timeout_seconds + 1,
                "the server did not answer")
        except socketio.exceptions.ConnectionError as e:
            # The refusal's data comes in a connect_error event or as the exception's argument.
            code, message = _refusal(self._connect_error or (e.args[0] if e.args else None))
            if code in PERMANENT:
                raise Refused(f"Máy chủ từ chối / The server refused: {message or code}") from None
            raise Retry(f"cannot connect: {message or e}") from None

    async def _join(self) -> None:
        await self._call(JOIN, {"meeting_id": self.config.meeting, "device": "room_agent"})
        self._log.info("joined the meeting")

    async def _until(self, awaitable: Any, timeout: float, what: str) -> Any:
        """Await, unless the session ends or the time runs out first."""
        task = asyncio.ensure_future(awaitable)
        done, _ = await asyncio.wait({task, self.ended}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            return task.result()
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise Retry(self.ended.result() if self.ended.done() else what)

    async def _call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        timeout = self.config.timeout_seconds
        try:
            answer = await self._until(
                self.sio.call(event, payload, namespace=MEETINGS_NAMESPACE, timeout=timeout),
                timeout + 1, f"no answer to {event}")
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                socketio.exceptions.DisconnectedError):
            raise Retry(f"no answer to {event}") from None
        if not isinstance(answer, dict) or "error" in answer or not answer.get("ok", True):
            code, message = _refusal(answer)
            if code in PERMANENT:
                raise Refused(f"{event}: {message or code} ({code})")
            raise Retry(f"{event} refused: {code} {message}".strip())
        return answer

    def _peer(self, offered: list[Any]) -> RTCPeerConnection:
        if self.config.ice_servers is not None:
            servers = [RTCIceServer(urls=s.urls, username=s.username, credential=s.credential)
                       for s in self.config.ice_servers]
        else:
            servers = [RTCIceServer(urls=s["urls"], username=s.get("username"),
                                    credential=s.get("credential"))
                       for s in offered if isinstance(s, dict) and s.get("urls")]
        pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            state = pc.connectionState
            self._log.info("peer connection %s", state)
            if state == "connected":
                self._media_up.set()
            elif state in ("failed", "closed"):
                self.end(f"the peer connection {state}")

        return pc

    def _transceivers(self, tracks: Any, thumbnails: int) -> list[RTCRtpTransceiver]:
        assert self.pc is not None
        pc = self.pc
        ordered = [pc.addTransceiver(tracks.video, direction="sendrecv"),
                   pc.addTransceiver(tracks.audio, direction="sendrecv"),
                   pc.addTransceiver(tracks.thumbnail, direction="sendonly")]
        ordered += [pc.addTransceiver("video", direction="recvonly") for _ in range(thumbnails)]
        return ordered

    def _prefer(self, transceiver: RTCRtpTransceiver, codec: str) -> None:
        if transceiver.kind != "video":
            return
        codecs = RTCRtpSender.getCapabilities("video").codecs
        chosen = [c for c in codecs if c.mimeType.lower() == f"video/{codec.lower()}"]
        if not chosen:
            self._log.warning("the server asked for %s, which aiortc lacks", codec)
            return
        transceiver.setCodecPreferences(
            chosen + [c for c in codecs if c.mimeType.lower() == "video/rtx"])

    def _consume(self, sink: Sink) -> None:
        assert self.pc is not None
        for index, transceiver in enumerate(self.pc.getTransceivers()):
            track = transceiver.receiver.track
            if track is None:
                continue
            role = {0: MAIN_VIDEO, 1: MAIN_AUDIO}.get(index, f"thumbnail_{index}")
            sink.add(role, track)

    async def _heartbeats(self) -> None:
        assert self.pc is not None
        cpu, link = CpuMeter(), LinkMeter()
        missed = 0
        while True:
            await asyncio.sleep(self.config.heartbeat_seconds)
            kbps, loss = await link.measure(self.pc)
            payload = {"cpu": cpu.share(), "bitrate_kbps": kbps, "packet_loss": loss,
                       "frames_received": self.agent.counts.video_frames,
                       "source": self.agent.source.description if self.agent.source else ""}
            try:
                await self._call(AGENT_HEARTBEAT, payload)
                missed = 0
            except Refused as e:
                self._refused = e
                self.end(str(e))
                return
            except Retry as e:
                missed += 1
                self._log.warning("heartbeat: %s (%d missed)", e, missed)
                if missed >= MISSED_HEARTBEATS:
                    self.end("the server stopped answering heartbeats")
                    return

    async def _teardown(self, heartbeats: asyncio.Task[None] | None, sink: Sink | None,
                        tracks: Any) -> None:
        if heartbeats is not None:
            heartbeats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeats
        if sink is not None:
            await sink.stop()
        if tracks is not None:
            tracks.stop()
        if self.peer_id is not None and self.sio.connected:
            with contextlib.suppress(Exception):
                await self.sio.call(VIDEO_LEAVE, {"peer_id": self.peer_id},
                                    namespace=MEETINGS_NAMESPACE, timeout=LEAVE_TIMEOUT)
        if self.pc is not None:
            await self.pc.close()
        with contextlib.suppress(Exception):
            await self.sio.disconnect()
        self._log.info("closed")


class _Context(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Every line of a session says which meeting and which session it is about."""

    def __init__(self, logger: logging.Logger, prefix: str) -> None:
        super().__init__(logger, {})
        self.prefix = prefix

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        return f"{self.prefix} {msg}", kwargs

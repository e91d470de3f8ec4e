"""The bridge worker's internal HTTP API (docs/video.md), around one :class:`Sfu`.

``python -m server bridge --port P`` runs it, one process a core; media never
touches the server's event loop. Every request carries ``X-Bridge-Key``
(``bridge.secret``), compared in constant time; a worker that listens beyond
loopback refuses to start without a secret. ``GET /status`` reports the load the
server places meetings by: peers, streams in and out, and the CPU this process used
since the previous ``/status`` (a fraction of one core, from ``getrusage``) and how
many meetings it records.

An offer may carry ``"budget_kbps"``: what the endpoint's link carries (a room's
``link_kbps``; null or 0, or absent: no limit); ``GET /meetings/{m}`` reports it per
peer with ``sent_kbps``, what the worker measured sending it lately.

Recording (recording.py): ``PUT /meetings/{m}/recording`` ``{"on": bool}`` starts or
stops it and answers the file's name; an offer with ``"record": true`` starts it when
the meeting is not recorded yet (the meeting moved here from a worker that died).
Files go to ``bridge.recordings_path`` (a relative ``bridge.recordings`` is taken from
the project folder, where the server looks for them too).

Errors are ``{"error": {"code", "message"}}`` with the codes of docs/video.md
(``invalid_sdp``, ``recording_unavailable``) plus ``forbidden``, ``invalid_request``
and ``not_found``; the messages are English, for the server's log, which translates
for the endpoint. Shutdown (SIGTERM, Ctrl+C) finalises every recording, closes every
peer connection and awaits every task.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import resource
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import aioice.ice
from aiohttp import web
from aiortc import RTCIceServer

from ..settings import BridgeSettings
from .forwarding import check_aiortc
from .sfu import CODECS, MAX_THUMBNAILS, Sfu, SfuError

log = logging.getLogger("phonghop.bridge")

SFU = web.AppKey("sfu", Sfu)
WORKER_NAME = web.AppKey("worker_name", str)
SECRET = web.AppKey("bridge_secret", str)
KEY_HEADER = "X-Bridge-Key"


class InvalidRequest(SfuError):
    code = "invalid_request"


class ConfigError(ValueError):
    """The worker cannot start with these settings; ``str()`` says why in one line."""


class CpuMeter:
    """CPU time of this process between two readings, as a fraction of one core."""

    def __init__(self) -> None:
        self._cpu, self._wall = _cpu_seconds(), time.monotonic()

    def read(self) -> float:
        cpu, wall = _cpu_seconds(), time.monotonic()
        used = (cpu - self._cpu) / max(wall - self._wall, 1e-3)
        self._cpu, self._wall = cpu, wall
        return round(used, 3)


CPU = web.AppKey("cpu", CpuMeter)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ice_servers(settings: BridgeSettings) -> list[RTCIceServer]:
    return [RTCIceServer(urls=s.urls, username=s.username or None,
                         credential=str(s.credential) or None)
            for s in settings.ice_servers]


@contextmanager
def host_addresses(addresses: Sequence[str]) -> Iterator[None]:
    """Make aioice offer exactly ``addresses`` as host candidates (empty: leave its own
    discovery alone). For tests and single-machine set-ups: aioice skips 127.0.0.1."""
    if not addresses:
        yield
        return
    original = aioice.ice.get_host_addresses
    chosen = list(addresses)

    def fixed(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in chosen if (use_ipv6 if ":" in a else use_ipv4)]

    aioice.ice.get_host_addresses = fixed
    try:
        yield
    finally:
        aioice.ice.get_host_addresses = original


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_worker_app(settings: BridgeSettings, *, host: str = "127.0.0.1",
                      port: int = 8701) -> web.Application:
    """The worker's aiohttp app: the SFU as a cleanup context, the key check, the routes."""
    check_aiortc()
    if not settings.secret and not _is_loopback(host):
        raise ConfigError(
            "bridge.secret trống: cầu nối chỉ chạy không có khóa khi nghe trên loopback / "
            f"bridge.secret is empty: a worker listening on {host} needs one")
    app = web.Application(middlewares=[_errors, _check_key], client_max_size=256 * 1024)
    app[SECRET] = str(settings.secret)
    app[WORKER_NAME] = f"http://{host}:{port}"
    app[CPU] = CpuMeter()

    async def sfu_context(app: web.Application) -> AsyncIterator[None]:
        with host_addresses(settings.host_addresses):
            sfu = Sfu(ice_servers=ice_servers(settings), codec=settings.codec,
                      max_thumbnails=settings.thumbnails,
                      recordings=settings.recordings_path)
            sfu.start()
            app[SFU] = sfu
            try:
                yield
            finally:
                await sfu.close()

    app.cleanup_ctx.append(sfu_context)
    app.router.add_get("/status", status)
    app.router.add_post("/meetings/{m}/peers", add_peer)
    app.router.add_delete("/meetings/{m}/peers/{peer_id}", remove_peer)
    app.router.add_put("/meetings/{m}/floor", set_floor)
    app.router.add_put("/meetings/{m}/peers/{peer_id}/muted", set_muted)
    app.router.add_put("/meetings/{m}/recording", set_recording)
    app.router.add_get("/meetings/{m}", describe)
    return app


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _check_key(request: web.Request, handler: Handler) -> web.StreamResponse:
    given = request.headers.get(KEY_HEADER, "").encode()
    if not hmac.compare_digest(given, request.app[SECRET].encode()):
        return _error(403, "forbidden", f"wrong or missing {KEY_HEADER}")
    return await handler(request)


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SfuError as e:
        return _error(e.status, e.code, str(e))
    except web.HTTPException as e:
        if e.status < 400:
            raise
        return _error(e.status, "not_found" if e.status == 404 else "invalid_request", e.reason)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidRequest("the body must be JSON") from None
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object")
    return body


async def status(request: web.Request) -> web.Response:
    sfu = request.app[SFU]
    return web.json_response({"worker": request.app[WORKER_NAME], **sfu.counts(),
                              "cpu": request.app[CPU].read()})


async def add_peer(request: web.Request) -> web.Response:
    body = await _body(request)
    peer_id, sdp, kind = body.get("peer_id"), body.get("sdp"), body.get("type", "offer")
    codec, name, thumbnails = body.get("codec"), body.get("name", ""), body.get("thumbnails")
    record, budget_kbps = body.get("record", False), body.get("budget_kbps")
    if not isinstance(peer_id, str) or not peer_id or len(peer_id) > 128:
        raise InvalidRequest("peer_id must be a non-empty string")
    if not isinstance(sdp, str) or not isinstance(kind, str):
        raise InvalidRequest("sdp and type must be strings")
    if codec is not None and codec not in CODECS:
        raise InvalidRequest(f"codec must be one of {', '.join(CODECS)}")
    if not isinstance(name, str):
        raise InvalidRequest("name must be a string")
    if thumbnails is not None and (not isinstance(thumbnails, int) or isinstance(
            thumbnails, bool) or not 0 <= thumbnails <= MAX_THUMBNAILS):
        raise InvalidRequest(f"thumbnails must be 0 to {MAX_THUMBNAILS}")
    if not isinstance(record, bool):
        raise InvalidRequest("record must be true or false")
    if budget_kbps is not None and (not isinstance(budget_kbps, int) or isinstance(
            budget_kbps, bool) or budget_kbps < 0):
        raise InvalidRequest("budget_kbps must be a non-negative integer or null")
    answer = await request.app[SFU].add_peer(
        request.match_info["m"], peer_id, sdp, type=kind, codec=codec, name=name,
        thumbnails=thumbnails, record=record, budget_kbps=budget_kbps)
    return web.json_response({"sdp": answer.sdp, "type": answer.type})


async def remove_peer(request: web.Request) -> web.Response:
    await request.app[SFU].remove_peer(request.match_info["m"], request.match_info["peer_id"])
    return web.Response(status=204)


async def set_floor(request: web.Request) -> web.Response:
    peer_id = (await _body(request)).get("peer_id")
    if peer_id is not None and not isinstance(peer_id, str):
        raise InvalidRequest("peer_id must be a string or null")
    floor = request.app[SFU].set_floor(request.match_info["m"], peer_id)
    return web.json_response({"floor": floor})


async def set_muted(request: web.Request) -> web.Response:
    audio = (await _body(request)).get("audio")
    if not isinstance(audio, bool):
        raise InvalidRequest("audio must be true or false")
    muted = request.app[SFU].set_muted(request.match_info["m"], request.match_info["peer_id"],
                                       audio)
    return web.json_response({"muted": muted})


async def set_recording(request: web.Request) -> web.Response:
    on = (await _body(request)).get("on")
    if not isinstance(on, bool):
        raise InvalidRequest("on must be true or false")
    name = await request.app[SFU].set_recording(request.match_info["m"], on)
    return web.json_response({"recording": name})


async def describe(request: web.Request) -> web.Response:
    return web.json_response(request.app[SFU].describe(request.match_info["m"]))

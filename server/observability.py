"""Request ids, the access log, Prometheus metrics and the health check.

Each app has its own metrics registry, so several apps in one process (tests)
never collide. ``/metrics`` answers loopback callers and administrators only:
it tells an outsider more than they need to know.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text

from .auth.identity import current_user
from .errors import Forbidden, Unavailable
from .http import json_response
from .logs import REQUEST_ID, request_id_var
from .state import ENGINE

log = logging.getLogger("phonghop.access")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "phonghop_http_requests", "HTTP requests answered",
            ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "phonghop_http_request_seconds", "Time to answer an HTTP request",
            ["method", "route"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


METRICS = web.AppKey("metrics", Metrics)


def _route_label(request: web.Request) -> str:
    # The route's pattern, not the raw path: ids in paths would explode the label set.
    info = request.match_info.route.resource
    return info.canonical if info is not None else "unmatched"


@web.middleware
async def request_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    incoming = request.headers.get("X-Request-Id", "")
    request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() \
        else secrets.token_hex(8)
    request[REQUEST_ID] = request_id
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-Id"] = request_id
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
    finally:
        elapsed = time.perf_counter() - started
        route = _route_label(request)
        metrics = request.app[METRICS]
        metrics.requests.labels(request.method, route, str(status)).inc()
        metrics.latency.labels(request.method, route).observe(elapsed)
        user = current_user(request)
        log.info("%s %s %s %.1fms", request.method, request.path, status, elapsed * 1000,
                 extra={"method": request.method, "path": request.path, "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                        "user": user.username if user else None})
        request_id_var.reset(token)


async def metrics_view(request: web.Request) -> web.Response:
    user = current_user(request)
    remote = request.remote or ""
    try:
        loopback = ipaddress.ip_address(remote).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not (user and user.is_admin):
        raise Forbidden()
    body = generate_latest(request.app[METRICS].registry)
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


async def healthz(request: web.Request) -> web.Response:
    try:
        async with request.app[ENGINE].connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as e:
        log.error("health check: database unreachable: %s", e)
        raise Unavailable() from None
    return json_response({"status": "ok", "database": "ok"})


def setup_observability(app: web.Application) -> None:
    app[METRICS] = Metrics()
    app.router.add_get("/healthz", healthz, name="healthz")
    app.router.add_get("/metrics", metrics_view, name="metrics")

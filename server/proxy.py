"""Believe ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from trusted proxies only.

Behind nginx every request comes from the proxy's address over plain HTTP; the
client's address (for logs and the login throttle) and whether it used HTTPS
(for the Secure cookie flag) are in these headers, which anyone else could forge.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from .state import SETTINGS


@web.middleware
async def proxy_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    trusted = request.app[SETTINGS].server.trusted_proxies
    if not trusted or request.remote not in trusted:
        return await handler(request)
    changes: dict[str, str] = {}
    forwarded_for = request.headers.get("X-Forwarded-For", "")
    if forwarded_for:
        # The last hop is the one our proxy added; earlier ones the client could write.
        changes["remote"] = forwarded_for.split(",")[-1].strip()
    proto = request.headers.get("X-Forwarded-Proto", "")
    if proto in ("http", "https"):
        changes["scheme"] = proto
    return await handler(request.clone(**changes) if changes else request)

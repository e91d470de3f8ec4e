"""Protection against cross-site request forgery for cookie-authenticated writes.

Two layers, as Datasette and the OWASP cheat sheet recommend:

1. Fetch metadata and Origin. Browsers send ``Sec-Fetch-Site`` (and ``Origin``
   on every POST); a write whose request came from another site is refused
   before anything else. This covers the login form too, which has no session
   yet ("login CSRF").
2. A synchronizer token. Every write carried by the session cookie must repeat
   the session's CSRF token, in the ``X-CSRF-Token`` header (JavaScript, JSON
   clients: the login answer gives it) or the ``csrf_token`` form field (pages).
   This holds even for old browsers that send neither header.

Bearer-token requests carry no ambient credential, so they need neither.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web
from yarl import URL

from ..errors import CSRFFailed
from ..state import SETTINGS
from .identity import IDENTITY, Identity, bearer_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"


def _own_origins(request: web.Request) -> set[str]:
    origins = {f"{request.scheme}://{request.host}"}
    public = request.app[SETTINGS].server.public_url
    if public:
        url = URL(public)
        origins.add(f"{url.scheme}://{url.raw_authority}")
    return origins


def _cross_site(request: web.Request) -> bool:
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    return origin is not None and origin not in _own_origins(request)


async def _submitted_token(request: web.Request) -> str:
    token = request.headers.get(HEADER)
    if token:
        return token
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


@web.middleware
async def csrf_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.method in SAFE_METHODS or bearer_token(request) is not None:
        return await handler(request)
    if _cross_site(request):
        raise CSRFFailed()
    identity: Identity | None = request.get(IDENTITY)
    if identity is not None and identity.csrf_token is not None:
        submitted = await _submitted_token(request)
        if not hmac.compare_digest(submitted.encode(), identity.csrf_token.encode()):
            raise CSRFFailed()
    return await handler(request)

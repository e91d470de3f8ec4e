"""Who is asking: a browser session cookie, or a bearer token for machines.

Resolved once per request by :func:`identity_middleware` and kept on the
request; handlers read it with :func:`current_user` / :func:`require_user`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from aiohttp import web

from ..errors import NotAuthenticated
from ..state import SESSIONS, SETTINGS
from . import service
from .models import AuthSession, User

COOKIE = "phonghop_session"


@dataclass(frozen=True)
class Identity:
    user: User
    via: Literal["cookie", "token"]
    session: AuthSession | None = None

    @property
    def csrf_token(self) -> str | None:
        return self.session.csrf_token if self.session else None


IDENTITY: web.RequestKey[Identity | None] = web.RequestKey("identity")


def bearer_token(request: web.Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def identify(
    app: web.Application, *, token: str | None, cookie: str | None
) -> Identity | None:
    """A bearer token wins over a cookie: a machine never acts through a browser login."""
    async with app[SESSIONS]() as db:
        if token:
            user = await service.user_for_token(db, token)
            return Identity(user=user, via="token") if user else None
        if cookie:
            session = await service.session_for(db, app[SETTINGS].auth, cookie)
            if session is not None:
                return Identity(user=session.user, via="cookie", session=session)
    return None


async def resolve(request: web.Request) -> Identity | None:
    return await identify(
        request.app, token=bearer_token(request), cookie=request.cookies.get(COOKIE))


@web.middleware
async def identity_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if not request.path.startswith(("/static/", "/vendor/", "/healthz")):
        request[IDENTITY] = await resolve(request)
    return await handler(request)


def current_user(request: web.Request) -> User | None:
    identity: Identity | None = request.get(IDENTITY)
    return identity.user if identity else None


def page_user(request: web.Request) -> User:
    """For pages: the signed-in user, or a redirect to the login page that comes back here."""
    user = current_user(request)
    if user is None:
        back = "" if request.path_qs == "/" else f"?next={quote(request.path_qs, safe='/')}"
        raise web.HTTPSeeOther(f"/login{back}")
    return user


def require_identity(request: web.Request) -> Identity:
    identity: Identity | None = request.get(IDENTITY)
    if identity is None:
        raise NotAuthenticated()
    return identity


def require_user(request: web.Request) -> User:
    return require_identity(request).user


def cookie_secure(request: web.Request) -> bool:
    mode = request.app[SETTINGS].auth.cookie_secure
    return mode == "always" or (mode == "auto" and request.secure)


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="Lax", secure=cookie_secure(request), path="/",
        max_age=request.app[SETTINGS].auth.session_hours * 3600,
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")




"""HTTP handlers of the auth area: the login page, and the JSON login, logout and me."""

from __future__ import annotations

import unicodedata

from aiohttp import web

from ..errors import DomainError
from ..http import json_body, json_response, redirect, safe_next, string_field
from ..pages import render
from ..realtime.fanout import end_session_sockets
from ..state import PASSWORDS, SESSIONS, SETTINGS
from . import service
from .identity import (
    IDENTITY,
    Identity,
    clear_session_cookie,
    require_identity,
    require_user,
    set_session_cookie,
)
from .models import User

routes = web.RouteTableDef()


def user_json(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "unit": {"id": user.unit.id, "name": user.unit.name} if user.unit else None,
        "locale": user.locale,
        "roles": user.roles,
    }


async def _login(request: web.Request, username: str, password: str) -> service.NewSession:
    app = request.app
    async with app[SESSIONS]() as db:
        user = await service.authenticate(
            db, app[PASSWORDS], app[SETTINGS].auth, username, password)
        new = await service.start_session(
            db, app[SETTINGS].auth, user,
            user_agent=request.headers.get("User-Agent", ""), ip=request.remote or "",
        )
        await db.commit()
    request[IDENTITY] = Identity(user=new.session.user, via="cookie", session=new.session)
    return new


@routes.post("/api/v1/auth/login")
async def api_login(request: web.Request) -> web.Response:
    body = await json_body(request)
    new = await _login(
        request, string_field(body, "username", 200), string_field(body, "password", 1000))
    response = json_response(
        {"user": user_json(new.session.user), "csrf_token": new.session.csrf_token})
    set_session_cookie(request, response, new.token)
    return response


@routes.post("/api/v1/auth/logout")
async def api_logout(request: web.Request) -> web.Response:
    identity = require_identity(request)
    await _logout(request, identity)
    response = json_response({"ok": True})
    clear_session_cookie(response)
    return response


async def _logout(request: web.Request, identity: Identity) -> None:
    if identity.session is None:
        return
    async with request.app[SESSIONS]() as db:
        await service.end_session(db, identity.session.id)
    await end_session_sockets(request.app, identity.session.id)


@routes.get("/api/v1/me")
async def api_me(request: web.Request) -> web.Response:
    return json_response({"user": user_json(require_user(request))})


@routes.get("/login", name="login")
async def login_page(request: web.Request) -> web.Response:
    if request.get(IDENTITY):
        raise web.HTTPSeeOther("/")
    return await render(request, "login.html", error=None, username="",
                        logged_out="logged_out" in request.query, next_path=_next(request))


@routes.post("/login")
async def login_form(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", ""))[:200]
    try:
        password = unicodedata.normalize("NFC", str(form.get("password", ""))[:1000])
        new = await _login(request, username, password)
    except DomainError as error:
        from ..pages import request_locale

        response = await render(request, "login.html", status=error.status, username=username,
                                error=error.message(request_locale(request)), logged_out=False,
                                next_path=_next(request))
        response.headers.update(error.headers)
        return response
    response = redirect(_next(request))
    set_session_cookie(request, response, new.token)
    return response


def _next(request: web.Request) -> str:
    """Where to go after signing in: the page that sent the user here, on this site only."""
    return safe_next(str(request.query.get("next", "/")))


@routes.post("/logout")
async def logout_form(request: web.Request) -> web.StreamResponse:
    identity: Identity | None = request.get(IDENTITY)
    if identity is not None:
        await _logout(request, identity)
    response = redirect("/login?logged_out=1")
    clear_session_cookie(response)
    return response

"""The administrator's pages for people: search, add, edit, set a password.

The search is the same accent-insensitive one as ``GET /api/v1/users`` (the
results render on the server; the page script only refreshes them while
typing). Deactivating an account or setting its password ends its sessions,
as through the API.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.identity import require_identity
from ..auth.models import User
from ..errors import DomainError
from ..http import path_id, redirect
from ..pages import render, request_locale
from ..state import PASSWORDS, SESSIONS
from . import bodies, units, users
from .access import admin_page_user
from .fields import PASSWORD_MIN, ROLES, password_field, username_field
from .forms import FormInvalid, checked, field_errors, number, parse_all, posted, text
from .pages import flash_id
from .routes import end_sockets

routes = web.RouteTableDef()
PAGE_SIZE = 100


def _choices() -> dict[str, Any]:
    return {"roles": ROLES, "password_min": PASSWORD_MIN}


@routes.get("/admin/users", name="admin-users")
async def users_page(request: web.Request) -> web.Response:
    admin_page_user(request)
    locale = request_locale(request)
    search = {"q": request.query.get("q", ""), "unit_id": request.query.get("unit_id", ""),
              "include_inactive": request.query.get("include_inactive", "")}
    errors: dict[str, str] = {}
    found: users.SearchResult | None = None
    async with request.app[SESSIONS]() as db:
        try:
            query = bodies.search_query({**search, "limit": str(PAGE_SIZE)})
            found = await users.search_users(db, **query)
        except DomainError as error:
            errors = field_errors(error, locale)
        added, saved = flash_id(request, "added"), flash_id(request, "saved")
        flashed = await db.get(User, added or saved) if (added or saved) else None
        return await render(
            request, "admin/users.html", status=400 if errors else 200,
            search=search, found=found, errors=errors, page_size=PAGE_SIZE,
            units=units.flatten(await units.unit_tree(db)),
            added=flashed if added else None, saved=flashed if saved else None)


def _account_form(form: Any) -> dict[str, Any]:
    return {"full_name": text(form, "full_name"), "title": text(form, "title"),
            "unit_id": number(form, "unit_id"), "locale": text(form, "locale"),
            "roles": [r for r in form.getall("roles", []) if isinstance(r, str)],
            "active": checked(form, "active")}


async def _new_user_page(request: web.Request, db: AsyncSession, *, status: int = 200,
                         values: dict[str, Any] | None = None,
                         errors: dict[str, str] | None = None) -> web.Response:
    unit_id = request.query.get("unit_id", "")
    return await render(
        request, "admin/user_new.html", status=status,
        units=units.flatten(await units.unit_tree(db)), errors=errors or {}, **_choices(),
        values=values or {"username": "", "full_name": "", "title": "", "locale": "vi",
                          "unit_id": int(unit_id) if unit_id.isdigit() else None,
                          "roles": [], "active": True})


@routes.get("/admin/users/new", name="admin-user-new")
async def new_user_page(request: web.Request) -> web.Response:
    admin_page_user(request)
    async with request.app[SESSIONS]() as db:
        return await _new_user_page(request, db)


@routes.post("/admin/users/new")
async def create_user_form(request: web.Request) -> web.Response:
    admin_page_user(request)
    form = await posted(request)
    body = {**_account_form(form), "username": text(form, "username"),
            "password": text(form, "password")}
    locale = request_locale(request)
    shown = {**body, "password": ""}  # a password is never sent back in a page
    async with request.app[SESSIONS]() as db:
        try:
            values = parse_all({"username": lambda: username_field(body),
                                "password": lambda: password_field(body),
                                **bodies.account_parsers(body)}, locale)
            new = users.NewAccount(**{**values, "roles": frozenset(values["roles"])})
            user = await users.create_account(db, request.app[PASSWORDS], new)
            await db.commit()
        except FormInvalid as invalid:
            return await _new_user_page(request, db, status=400, values=shown,
                                        errors=invalid.errors)
        except DomainError as error:
            await db.rollback()
            return await _new_user_page(request, db, status=error.status, values=shown,
                                        errors=field_errors(error, locale))
    return redirect(f"/admin/users?added={user.id}")


async def _user_page(request: web.Request, db: AsyncSession, user: User, *, status: int = 200,
                     values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                     password_set: bool = False) -> web.Response:
    return await render(
        request, "admin/user.html", status=status, account=user,
        units=units.flatten(await units.unit_tree(db)), errors=errors or {}, **_choices(),
        password_set=password_set or "password_set" in request.query,
        values=values or {"full_name": user.full_name, "title": user.title,
                          "unit_id": user.unit_id, "locale": user.locale, "roles": user.roles,
                          "active": user.is_active})


@routes.get("/admin/users/{user_id}", name="admin-user")
async def user_page(request: web.Request) -> web.Response:
    admin_page_user(request)
    async with request.app[SESSIONS]() as db:
        user = await users.get_user(db, path_id(request, "user_id"))
        return await _user_page(request, db, user)


@routes.post("/admin/users/{user_id}")
async def update_user_form(request: web.Request) -> web.Response:
    actor = admin_page_user(request)
    body = _account_form(await posted(request))
    locale = request_locale(request)
    user_id = path_id(request, "user_id")
    async with request.app[SESSIONS]() as db:
        user = await users.get_user(db, user_id)
        try:
            ended = await users.update_account(
                db, actor, user, parse_all(bodies.account_parsers(body), locale))
            await db.commit()
        except FormInvalid as invalid:
            return await _user_page(request, db, user, status=400, values=body,
                                    errors=invalid.errors)
        except DomainError as error:
            await db.rollback()
            return await _user_page(request, db, await users.get_user(db, user_id),
                                    status=error.status, values=body,
                                    errors=field_errors(error, locale))
    await end_sockets(request, ended)
    return redirect(f"/admin/users?saved={user_id}")


@routes.post("/admin/users/{user_id}/password")
async def password_form(request: web.Request) -> web.Response:
    admin_page_user(request)
    body = {"password": text(await posted(request), "password")}
    user_id = path_id(request, "user_id")
    own = require_identity(request).session
    async with request.app[SESSIONS]() as db:
        user = await users.get_user(db, user_id)
        try:
            password = password_field(body)
        except DomainError as error:
            return await _user_page(request, db, user, status=error.status,
                                    errors={"password": field_errors(
                                        error, request_locale(request))["password"]})
        ended = await users.set_password(db, request.app[PASSWORDS], user, password,
                                         keep=own.id if own else None)
        await db.commit()
    await end_sockets(request, ended)
    return redirect(f"/admin/users/{user_id}?password_set=1")

"""The administrator's pages: the index, the unit tree and the rooms (people: :mod:`.user_pages`).

Server-rendered forms that work without JavaScript and go through the same
parsers and services as the JSON API. A refused post renders the page again
with what was typed and each message beside its field (status 400 or 409);
an accepted one redirects (303) to the list, which says what was done.
Signed-out visitors are sent to the login page; other users get the 403 page.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..bridge.models import RoomHealth
from ..errors import DomainError
from ..http import path_id, redirect
from ..meetings.models import Room, RoomKind, Unit, UnitKind
from ..pages import render, request_locale
from ..state import SESSIONS
from . import bodies, rooms, units
from .access import admin_page_user
from .fields import ID_MAX
from .forms import FormInvalid, field_errors, number, parse_all, posted, text

routes = web.RouteTableDef()


def flash_id(request: web.Request, name: str) -> int | None:
    value = request.query.get(name, "")
    if value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= ID_MAX:
        return int(value)
    return None


def allowed_parents_json() -> str:
    """For the page script: which parent kinds each kind accepts."""
    return json.dumps({kind.value: sorted(k.value for k in parents)
                       for kind, parents in units.ALLOWED_PARENTS.items()})


@routes.get("/admin", name="admin")
async def admin_index(request: web.Request) -> web.Response:
    admin_page_user(request)
    async with request.app[SESSIONS]() as db:
        counts = {
            "units": await db.scalar(select(func.count()).select_from(Unit)),
            "rooms": await db.scalar(select(func.count()).select_from(Room)),
            "users": await db.scalar(select(func.count()).select_from(User).where(User.is_active)),
        }
    return await render(request, "admin/index.html", counts=counts)


# --- units ------------------------------------------------------------------------------

async def _units_page(request: web.Request, db: AsyncSession, *, status: int = 200,
                      values: dict[str, Any] | None = None,
                      errors: dict[str, str] | None = None) -> web.Response:
    tree = await units.unit_tree(db)
    flat = units.flatten(tree)
    parent = next((n.unit for n in flat if n.unit.id == flash_id(request, "parent_id")), None)
    default_kind = (units.DEFAULT_CHILD.get(parent.kind, UnitKind.DEPARTMENT) if parent
                    else UnitKind.DEPARTMENT if flat else UnitKind.PROVINCE)
    return await render(
        request, "admin/units.html", status=status, tree=tree, flat=flat,
        by_id={node.unit.id: node.unit for node in flat},
        added=flash_id(request, "added"), saved=flash_id(request, "saved"),
        deleted="deleted" in request.query,
        values=values or {"name": "", "short_name": "", "kind": default_kind.value,
                          "parent_id": parent.id if parent else None},
        errors=errors or {}, kinds=list(UnitKind), allowed_parents=allowed_parents_json(),
        child_kinds={kind.value: child.value for kind, child in units.DEFAULT_CHILD.items()})


@routes.get("/admin/units", name="admin-units")
async def units_page(request: web.Request) -> web.Response:
    admin_page_user(request)
    async with request.app[SESSIONS]() as db:
        return await _units_page(request, db)


def _unit_form(form: Any) -> dict[str, Any]:
    return {"name": text(form, "name"), "short_name": text(form, "short_name"),
            "kind": text(form, "kind"), "parent_id": number(form, "parent_id")}


@routes.post("/admin/units")
async def create_unit_form(request: web.Request) -> web.Response:
    admin_page_user(request)
    body = _unit_form(await posted(request))
    locale = request_locale(request)
    async with request.app[SESSIONS]() as db:
        try:
            unit = await units.create_unit(db, **parse_all(bodies.unit_parsers(body), locale))
            await db.commit()
        except FormInvalid as invalid:
            return await _units_page(request, db, status=400, values=body, errors=invalid.errors)
        except DomainError as error:
            await db.rollback()
            return await _units_page(request, db, status=error.status, values=body,
                                     errors=field_errors(error, locale))
    return redirect(f"/admin/units?added={unit.id}#unit-{unit.id}")


async def _unit_page(request: web.Request, db: AsyncSession, unit: Unit, *, status: int = 200,
                     values: dict[str, Any] | None = None,
                     errors: dict[str, str] | None = None) -> web.Response:
    flat = units.flatten(await units.unit_tree(db))
    below = await units.descendant_ids(db, unit.id)
    node = next(n for n in flat if n.unit.id == unit.id)
    return await render(
        request, "admin/unit.html", status=status, unit=unit, node=node,
        parents=[n for n in flat if n.unit.id != unit.id and n.unit.id not in below],
        values=values or {"name": unit.name, "short_name": unit.short_name,
                          "kind": unit.kind.value, "parent_id": unit.parent_id},
        errors=errors or {}, kinds=list(UnitKind), allowed_parents=allowed_parents_json())


@routes.get("/admin/units/{unit_id}", name="admin-unit")
async def unit_page(request: web.Request) -> web.Response:
    admin_page_user(request)
    async with request.app[SESSIONS]() as db:
        unit = await units.get_unit(db, path_id(request, "unit_id"))
        return await _unit_page(request, db, unit)


@routes.post("/admin/units/{unit_id}")
async def update_unit_form(request: web.Request) -> web.Response:
    admin_page_user(request)
    body = _unit_form(await posted(request))
    locale = request_locale(request)
    unit_id = path_id(request, "unit_id")
    async with request.app[SESSIONS]() as db:
        unit = await units.get_unit(db, unit_id)
        try:
            await units.update_unit(db, unit, parse_all(bodies.unit_parsers(body), locale))
            await db.commit()
        except FormInvalid as invalid:
            return await _unit_page(request, db, unit, status=400, values=body,
                                    errors=invalid.errors)
        except DomainError as error:
            await db.rollback()
            return await _unit_page(request, db, await units.get_unit(db, unit_id),
                                    status=error.status, values=body,
                                    errors=field_errors(error, locale))
    return redirect(f"/admin/units?saved={unit_id}#unit-{unit_id}")


@routes.post("/admin/units/{unit_id}/delete")
async def delete_unit_form(request: web.Request) -> web.Response:
    admin_page_user(request)
    unit_id = path_id(request, "unit_id")
    async with request.app[SESSIONS]() as db:
        unit = await units.get_unit(db, unit_id)
        try:
            await units.delete_unit(db, unit)
            await db.commit()
        except DomainError as error:
            await db.rollback()
            return await _unit_page(request, db, await units.get_unit(db, unit_id),
                                    status=error.status,
                                    errors={"delete": error.message(request_locale(request))})
    return redirect("/admin/units?deleted=1")


# --- rooms ------------------------------------------------------------------------------

async def _rooms_page(request: web.Request, db: AsyncSession, *, status: int = 200,
                      values: dict[str, Any] | None = None,
                      errors: dict[str, str] | None = None) -> web.Response:
    found = await rooms.list_rooms(db)
    health = {h.room_id: h for h in await db.scalars(select(RoomHealth))}
    return await render(
        request, "admin/rooms.html", status=status, rooms=found, health=health,
        units=units.flatten(await units.unit_tree(db)),
        added=flash_id(request, "added"), saved=flash_id(request, "saved"),
        deleted="deleted" in request.query,
        values=values or {"name": "", "kind": RoomKind.REMOTE.value, "unit_id": None,
                          "seats": 0, "link_kbps": rooms.LINK_KBPS_DEFAULT},
        errors=errors or {}, room_kinds=list(RoomKind), limits=_seat_limits())


def _seat_limits() -> dict[str, int]:
    return {**{kind.value: rooms.seats_max(kind) for kind in RoomKind},
            "link_kbps": rooms.LINK_KBPS_MAX}


def _room_form(form: Any) -> dict[str, Any]:
    # An empty link budget is "no limit" (null), as the API reads it.
    return {"name": text(form, "name"), "kind": text(form, "kind"),
            "unit_id": number(form, "unit_id"), "seats": number(form, "seats") or 0,
            "link_kbps": number(form, "link_kbps")}


@routes.get("/admin/rooms", name="admin-rooms")
async def rooms_page(request: web.Request) -> web.Response:
    admin_page_user(request)
    async with request.app[SESSIONS]() as db:
        return await _rooms_page(request, db)


@routes.post("/admin/rooms")
async def create_room_form(request: web.Request) -> web.Response:
    admin_page_user(request)
    body = _room_form(await posted(request))
    locale = request_locale(request)
    async with request.app[SESSIONS]() as db:
        try:
            room = await rooms.create_room(db, **parse_all(bodies.room_parsers(body), locale))
            await db.commit()
        except FormInvalid as invalid:
            return await _rooms_page(request, db, status=400, values=body, errors=invalid.errors)
        except DomainError as error:
            await db.rollback()
            return await _rooms_page(request, db, status=error.status, values=body,
                                     errors=field_errors(error, locale))
    return redirect(f"/admin/rooms?added={room.id}#room-{room.id}")


async def _room_page(request: web.Request, db: AsyncSession, room: Room, *, status: int = 200,
                     values: dict[str, Any] | None = None,
                     errors: dict[str, str] | None = None) -> web.Response:
    return await render(
        request, "admin/room.html", status=status, room=room,
        units=units.flatten(await units.unit_tree(db)),
        used_by=await rooms.meetings_using(db, room.id),
        values=values or {"name": room.name, "kind": room.kind.value, "unit_id": room.unit_id,
                          "seats": room.seats, "link_kbps": room.link_kbps},
        errors=errors or {}, room_kinds=list(RoomKind), limits=_seat_limits())


@routes.get("/admin/rooms/{room_id}", name="admin-room")
async def room_page(request: web.Request) -> web.Response:
    admin_page_user(request)
    async with request.app[SESSIONS]() as db:
        room = await rooms.get_room(db, path_id(request, "room_id"))
        return await _room_page(request, db, room)


@routes.post("/admin/rooms/{room_id}")
async def update_room_form(request: web.Request) -> web.Response:
    admin_page_user(request)
    body = _room_form(await posted(request))
    locale = request_locale(request)
    room_id = path_id(request, "room_id")
    async with request.app[SESSIONS]() as db:
        room = await rooms.get_room(db, room_id)
        try:
            await rooms.update_room(db, room, parse_all(bodies.room_parsers(body), locale))
            await db.commit()
        except FormInvalid as invalid:
            return await _room_page(request, db, room, status=400, values=body,
                                    errors=invalid.errors)
        except DomainError as error:
            await db.rollback()
            return await _room_page(request, db, await rooms.get_room(db, room_id),
                                    status=error.status, values=body,
                                    errors=field_errors(error, locale))
    return redirect(f"/admin/rooms?saved={room_id}#room-{room_id}")


@routes.post("/admin/rooms/{room_id}/delete")
async def delete_room_form(request: web.Request) -> web.Response:
    admin_page_user(request)
    room_id = path_id(request, "room_id")
    async with request.app[SESSIONS]() as db:
        room = await rooms.get_room(db, room_id)
        try:
            await rooms.delete_room(db, room)
            await db.commit()
        except DomainError as error:
            await db.rollback()
            return await _room_page(request, db, await rooms.get_room(db, room_id),
                                    status=error.status,
                                    errors={"delete": error.message(request_locale(request))})
    return redirect("/admin/rooms?deleted=1")

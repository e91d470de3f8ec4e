"""HTTP handlers of the organisation API: units, rooms and users under ``/api/v1``.

Every write is the administrator's; units, rooms and the people search are
also read by global secretaries (see :mod:`.access`). Permission is checked
before the body is read, so a delegate learns nothing from a 400.
"""

from __future__ import annotations

from aiohttp import web

from ..auth.identity import require_identity
from ..errors import Forbidden
from ..http import json_body, json_response, path_id
from ..realtime.fanout import end_session_sockets
from ..state import PASSWORDS, SESSIONS
from . import bodies, rooms, units, users
from .access import require_admin, require_directory_reader
from .fields import password_field
from .serialise import account_json, node_json, room_json, unit_json

routes = web.RouteTableDef()


async def end_sockets(request: web.Request, session_ids: list[int]) -> None:
    for session_id in session_ids:
        await end_session_sockets(request.app, session_id)


# --- units ------------------------------------------------------------------------------

@routes.get("/api/v1/units")
async def api_units(request: web.Request) -> web.Response:
    require_directory_reader(request)
    async with request.app[SESSIONS]() as db:
        tree = await units.unit_tree(db)
    return json_response({"units": [node_json(node) for node in tree]})


@routes.post("/api/v1/units")
async def api_create_unit(request: web.Request) -> web.Response:
    require_admin(request)
    fields = bodies.new_unit(await json_body(request))
    async with request.app[SESSIONS]() as db:
        unit = await units.create_unit(db, **fields)
        await db.commit()
    return json_response({"unit": unit_json(unit)}, status=201)


@routes.patch("/api/v1/units/{unit_id}")
async def api_update_unit(request: web.Request) -> web.Response:
    require_admin(request)
    unit_id = path_id(request, "unit_id")
    changes = bodies.unit_changes(await json_body(request))
    async with request.app[SESSIONS]() as db:
        unit = await units.update_unit(db, await units.get_unit(db, unit_id), changes)
        await db.commit()
    return json_response({"unit": unit_json(unit)})


@routes.delete("/api/v1/units/{unit_id}")
async def api_delete_unit(request: web.Request) -> web.Response:
    require_admin(request)
    unit_id = path_id(request, "unit_id")
    async with request.app[SESSIONS]() as db:
        await units.delete_unit(db, await units.get_unit(db, unit_id))
        await db.commit()
    return web.Response(status=204)


# --- rooms ------------------------------------------------------------------------------

@routes.get("/api/v1/rooms")
async def api_rooms(request: web.Request) -> web.Response:
    require_directory_reader(request)
    async with request.app[SESSIONS]() as db:
        found = await rooms.list_rooms(db)
    return json_response({"rooms": [room_json(room) for room in found]})


@routes.post("/api/v1/rooms")
async def api_create_room(request: web.Request) -> web.Response:
    require_admin(request)
    fields = bodies.new_room(await json_body(request))
    async with request.app[SESSIONS]() as db:
        room = await rooms.create_room(db, **fields)
        await db.commit()
    return json_response({"room": room_json(room)}, status=201)


@routes.patch("/api/v1/rooms/{room_id}")
async def api_update_room(request: web.Request) -> web.Response:
    require_admin(request)
    room_id = path_id(request, "room_id")
    changes = bodies.room_changes(await json_body(request))
    async with request.app[SESSIONS]() as db:
        room = await rooms.update_room(db, await rooms.get_room(db, room_id), changes)
        await db.commit()
    return json_response({"room": room_json(room)})


@routes.delete("/api/v1/rooms/{room_id}")
async def api_delete_room(request: web.Request) -> web.Response:
    require_admin(request)
    room_id = path_id(request, "room_id")
    async with request.app[SESSIONS]() as db:
        await rooms.delete_room(db, await rooms.get_room(db, room_id))
        await db.commit()
    return web.Response(status=204)


# --- users ------------------------------------------------------------------------------

@routes.get("/api/v1/users")
async def api_users(request: web.Request) -> web.Response:
    """The people search; secretaries see active accounts only."""
    reader = require_directory_reader(request)
    query = bodies.search_query(request.query)
    if query["include_inactive"] and not reader.is_admin:
        raise Forbidden()
    async with request.app[SESSIONS]() as db:
        found = await users.search_users(db, **query)
    return json_response({"users": [account_json(u) for u in found.users],
                          "total": found.total})


@routes.post("/api/v1/users")
async def api_create_user(request: web.Request) -> web.Response:
    require_admin(request)
    new = bodies.new_account(await json_body(request))
    async with request.app[SESSIONS]() as db:
        user = await users.create_account(db, request.app[PASSWORDS], new)
        await db.commit()
    return json_response({"user": account_json(user)}, status=201)


@routes.get("/api/v1/users/{user_id}")
async def api_user(request: web.Request) -> web.Response:
    require_admin(request)
    user_id = path_id(request, "user_id")
    async with request.app[SESSIONS]() as db:
        user = await users.get_user(db, user_id)
    return json_response({"user": account_json(user)})


@routes.patch("/api/v1/users/{user_id}")
async def api_update_user(request: web.Request) -> web.Response:
    actor = require_admin(request)
    user_id = path_id(request, "user_id")
    changes = bodies.account_changes(await json_body(request))
    async with request.app[SESSIONS]() as db:
        user = await users.get_user(db, user_id)
        ended = await users.update_account(db, actor, user, changes)
        await db.commit()
    await end_sockets(request, ended)
    return json_response({"user": account_json(user)})


@routes.post("/api/v1/users/{user_id}/password")
async def api_set_password(request: web.Request) -> web.Response:
    require_admin(request)
    user_id = path_id(request, "user_id")
    password = password_field(await json_body(request))
    own = require_identity(request).session
    async with request.app[SESSIONS]() as db:
        user = await users.get_user(db, user_id)
        ended = await users.set_password(
            db, request.app[PASSWORDS], user, password, keep=own.id if own else None)
        await db.commit()
    await end_sockets(request, ended)
    return json_response({"user": account_json(user)})



def all_routes() -> list[web.AbstractRouteDef]:
    """The API and the admin pages, for ``create_app``."""
    from .pages import routes as pages
    from .user_pages import routes as user_pages

    return [*routes, *pages, *user_pages]

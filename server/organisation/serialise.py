"""JSON shapes of the organisation: unit nodes, rooms, and users as administrators see them."""

from __future__ import annotations

from typing import Any

from ..auth.models import User
from ..auth.routes import user_json
from ..meetings.models import Room, Unit
from .units import UnitNode


def unit_json(unit: Unit) -> dict[str, Any]:
    return {"id": unit.id, "name": unit.name, "short_name": unit.short_name,
            "kind": unit.kind.value, "parent_id": unit.parent_id}


def node_json(node: UnitNode) -> dict[str, Any]:
    return {**unit_json(node.unit), "users": node.users, "rooms": node.rooms,
            "children": [node_json(child) for child in node.children]}


def room_json(room: Room) -> dict[str, Any]:
    return {"id": room.id, "name": room.name, "kind": room.kind.value, "seats": room.seats,
            "link_kbps": room.link_kbps,
            "unit_id": room.unit_id, "unit": {"id": room.unit.id, "name": room.unit.name}}


def account_json(user: User) -> dict[str, Any]:
    """:func:`user_json` (never a password hash) and whether the account is active."""
    return {**user_json(user), "active": user.is_active,
            "created_at": user.created_at.isoformat()}

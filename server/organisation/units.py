"""Rules of the unit tree: province → departments and districts → communes.

Which kind may sit under which is one table (:data:`ALLOWED_PARENTS`), read by
the service, the API's error messages and the page's parent picker alike:

- a province is a root; every other unit has a parent;
- a department (sở, ban, ngành; or a phòng of a district) sits under a
  province, a district or another department;
- a district sits under a province;
- a commune sits under a district, or directly under the province, as in the
  two-level local government in force since 1 July 2025.

Moving a unit is refused when its new parent is the unit itself or one of its
descendants (a cycle), and changing its kind when one of its sub-units would
then sit under a kind that may not hold it. A unit is deleted only when nothing
hangs on it any more: sub-units, users, rooms, meetings it organised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..errors import NotFound
from ..meetings.models import Meeting, Room, Unit, UnitKind
from .errors import (
    InvalidParent,
    KindDoesNotFitChildren,
    ParentRequired,
    ProvinceHasNoParent,
    UnitCycle,
    UnitHasChildren,
    UnitHasMeetings,
    UnitHasRooms,
    UnitHasUsers,
    UnknownUnit,
)
from .fields import ID_MAX
from .search import text_key

K = UnitKind
ALLOWED_PARENTS: dict[UnitKind, frozenset[UnitKind]] = {
    K.PROVINCE: frozenset(),
    K.DEPARTMENT: frozenset({K.PROVINCE, K.DISTRICT, K.DEPARTMENT}),
    K.DISTRICT: frozenset({K.PROVINCE}),
    K.COMMUNE: frozenset({K.DISTRICT, K.PROVINCE}),
}
# What "add a sub-unit" proposes under each kind (communes sit under none).
DEFAULT_CHILD: dict[UnitKind, UnitKind] = {
    K.PROVINCE: K.DEPARTMENT, K.DEPARTMENT: K.DEPARTMENT, K.DISTRICT: K.COMMUNE}
# Siblings are listed departments first, then districts, then communes, each by name.
KIND_ORDER = {K.PROVINCE: 0, K.DEPARTMENT: 1, K.DISTRICT: 2, K.COMMUNE: 3}


def kind_key(kind: UnitKind) -> str:
    return f"admin.unit_kind.{kind.value}"


@dataclass
class UnitNode:
    unit: Unit
    depth: int
    users: int = 0
    rooms: int = 0
    children: list[UnitNode] = field(default_factory=list)


def sort_key(unit: Unit) -> tuple[Any, ...]:
    return (KIND_ORDER[unit.kind], text_key(unit.name), unit.id)


async def unit_tree(db: AsyncSession) -> list[UnitNode]:
    """Every unit, as a forest of roots (provinces), with its counts of users and rooms."""
    units = sorted(await db.scalars(select(Unit)), key=sort_key)
    users = dict((await db.execute(
        select(User.unit_id, func.count()).group_by(User.unit_id))).all())
    rooms = dict((await db.execute(
        select(Room.unit_id, func.count()).group_by(Room.unit_id))).all())
    nodes = {u.id: UnitNode(u, 0, users.get(u.id, 0), rooms.get(u.id, 0)) for u in units}
    roots: list[UnitNode] = []
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(nodes[unit.id])

    def set_depth(node: UnitNode, depth: int) -> None:
        node.depth = depth
        for child in node.children:
            set_depth(child, depth + 1)

    for root in roots:
        set_depth(root, 0)
    return roots


def flatten(nodes: list[UnitNode]) -> list[UnitNode]:
    """The tree in reading order: each unit followed by its sub-units."""
    out: list[UnitNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


async def get_unit(db: AsyncSession, unit_id: int) -> Unit:
    unit = await db.get(Unit, unit_id) if 0 < unit_id <= ID_MAX else None
    if unit is None:
        raise NotFound()
    return unit


async def referenced_unit(db: AsyncSession, unit_id: int, field_name: str) -> Unit:
    """A unit named in a body (``parent_id``, ``unit_id``): unknown is a 400, not a 404."""
    unit = await db.get(Unit, unit_id) if 0 < unit_id <= ID_MAX else None
    if unit is None:
        raise UnknownUnit(field=field_name, id=unit_id)
    return unit


async def descendant_ids(db: AsyncSession, unit_id: int) -> set[int]:
    """The ids of every unit under ``unit_id`` (not itself)."""
    parent_of = dict((await db.execute(select(Unit.id, Unit.parent_id))).all())
    children: dict[int, list[int]] = {}
    for child, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found: set[int] = set()
    stack = list(children.get(unit_id, []))
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


def check_parent(kind: UnitKind, parent: Unit | None) -> None:
    allowed = ALLOWED_PARENTS[kind]
    if parent is None:
        if allowed:
            raise ParentRequired(kind_key=kind_key(kind))
        return
    if not allowed:
        raise ProvinceHasNoParent()
    if parent.kind not in allowed:
        raise InvalidParent(kind_key=kind_key(kind), parent_kind_key=kind_key(parent.kind),
                            name=parent.name)


async def create_unit(
    db: AsyncSession, *, name: str, short_name: str, kind: UnitKind, parent_id: int | None
) -> Unit:
    parent = await referenced_unit(db, parent_id, "parent_id") if parent_id else None
    check_parent(kind, parent)
    unit = Unit(name=name, short_name=short_name, kind=kind, parent_id=parent_id)
    db.add(unit)
    await db.flush()
    return unit


async def update_unit(db: AsyncSession, unit: Unit, changes: dict[str, Any]) -> Unit:
    """``changes`` holds any of name, short_name, kind, parent_id (None: make it a root)."""
    kind: UnitKind = changes.get("kind", unit.kind)
    parent_id: int | None = changes.get("parent_id", unit.parent_id)
    parent = await referenced_unit(db, parent_id, "parent_id") if parent_id else None
    check_parent(kind, parent)
    if parent is not None and (parent.id == unit.id
                               or parent.id in await descendant_ids(db, unit.id)):
        raise UnitCycle(name=parent.name)
    if kind != unit.kind:
        children = await db.scalars(select(Unit).where(Unit.parent_id == unit.id))
        for child in children:
            if kind not in ALLOWED_PARENTS[child.kind]:
                raise KindDoesNotFitChildren(kind_key=kind_key(kind), child=child.name)
    for name in ("name", "short_name"):
        if name in changes:
            setattr(unit, name, changes[name])
    unit.kind, unit.parent_id = kind, parent_id
    await db.flush()
    return unit


async def check_deletable(db: AsyncSession, unit_id: int, name: str) -> None:
    """Refuse, naming the first thing that still hangs on the unit and how many
    (users count whether active or not: deleting would leave them without a unit)."""
    counts = (
        (UnitHasChildren, select(func.count()).select_from(Unit).where(Unit.parent_id == unit_id)),
        (UnitHasUsers, select(func.count()).select_from(User).where(User.unit_id == unit_id)),
        (UnitHasRooms, select(func.count()).select_from(Room).where(Room.unit_id == unit_id)),
        (UnitHasMeetings, select(func.count()).select_from(Meeting)
         .where(Meeting.organiser_unit_id == unit_id)),
    )
    for error, query in counts:
        count = await db.scalar(query) or 0
        if count:
            raise error(name=name, count=count)


async def delete_unit(db: AsyncSession, unit: Unit) -> None:
    unit_id, name = unit.id, unit.name
    await check_deletable(db, unit_id, name)
    await db.delete(unit)
    try:
        await db.flush()
    except IntegrityError:
        # Something was attached between the check and the delete: say what it was.
        await db.rollback()
        await check_deletable(db, unit_id, name)
        raise

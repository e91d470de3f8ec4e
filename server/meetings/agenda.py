"""The agenda: an ordered tree of items with presenters and planned times.

Positions run 1..n among the children of one parent. Reordering takes the
whole tree at once (what a drag and drop produces), checks it completely and
writes it in one transaction, so a half-applied order cannot exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .access import MeetingAccess
from .errors import InvalidAgendaOrder, UnknownReference
from .models import AgendaItem
from .service import ensure_editable, nfc


@dataclass
class AgendaNode:
    item: AgendaItem
    children: list[AgendaNode] = field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        """An item's own time plus its sub-items'."""
        return self.item.planned_minutes + sum(c.total_minutes for c in self.children)


async def items_of(db: AsyncSession, meeting_id: int) -> list[AgendaItem]:
    return list(await db.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
                                 .order_by(AgendaItem.position, AgendaItem.id)))


def build_tree(items: list[AgendaItem]) -> list[AgendaNode]:
    nodes = {item.id: AgendaNode(item) for item in items}
    roots: list[AgendaNode] = []
    for item in items:
        parent = nodes.get(item.parent_id) if item.parent_id else None
        (parent.children if parent else roots).append(nodes[item.id])
    return roots


def numbered_items(tree: list[AgendaNode]) -> list[tuple[str, int, AgendaNode]]:
    """Every agenda item depth first, with its number ("1", "1.2") and depth."""
    rows: list[tuple[str, int, AgendaNode]] = []

    def walk(nodes: list[AgendaNode], prefix: str, depth: int) -> None:
        for index, node in enumerate(nodes, start=1):
            number = f"{prefix}{index}"
            rows.append((number, depth, node))
            walk(node.children, f"{number}.", depth + 1)

    walk(tree, "", 0)
    return rows


async def agenda_tree(db: AsyncSession, meeting_id: int) -> list[AgendaNode]:
    return build_tree(await items_of(db, meeting_id))


async def item_in(db: AsyncSession, meeting_id: int, item_id: int) -> AgendaItem:
    item = await db.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        raise UnknownReference(what_key="meetings.what_agenda_item", id=item_id)
    return item


async def add_item(
    db: AsyncSession, access: MeetingAccess, *, title: str, presenter: str = "",
    planned_minutes: int = 0, parent_id: int | None = None, notes: str = "",
) -> AgendaItem:
    """A new item at the end of its parent's children (or of the top level)."""
    meeting = access.meeting
    ensure_editable(meeting)
    if parent_id is not None:
        await item_in(db, meeting.id, parent_id)
    last = await db.scalar(select(func.max(AgendaItem.position)).where(
        AgendaItem.meeting_id == meeting.id,
        AgendaItem.parent_id.is_(None) if parent_id is None
        else AgendaItem.parent_id == parent_id))
    item = AgendaItem(meeting_id=meeting.id, parent_id=parent_id, position=(last or 0) + 1,
                      title=nfc(title), presenter=nfc(presenter),
                      planned_minutes=planned_minutes, notes=notes.strip())
    db.add(item)
    await db.flush()
    return item


ITEM_FIELDS = frozenset({"title", "presenter", "planned_minutes", "notes"})


async def update_item(
    db: AsyncSession, access: MeetingAccess, item_id: int, changes: dict[str, Any]
) -> AgendaItem:
    ensure_editable(access.meeting)
    item = await item_in(db, access.meeting.id, item_id)
    for name, value in changes.items():
        if name not in ITEM_FIELDS:
            raise ValueError(name)  # programming error: routes pass only known fields
        setattr(item, name, nfc(value) if isinstance(value, str) else value)
    await db.flush()
    return item


async def delete_item(db: AsyncSession, access: MeetingAccess, item_id: int) -> None:
    """Remove an item and its sub-items, and close the gap it leaves among its siblings."""
    ensure_editable(access.meeting)
    item = await item_in(db, access.meeting.id, item_id)
    items = await items_of(db, access.meeting.id)
    doomed = _descendants(items, item.id) | {item.id}
    for other in items:
        if other.id in doomed:
            await db.delete(other)
        elif other.parent_id == item.parent_id and other.position > item.position:
            other.position -= 1
    await db.flush()


def _descendants(items: list[AgendaItem], item_id: int) -> set[int]:
    found: set[int] = set()
    frontier = {item_id}
    while frontier:
        frontier = {i.id for i in items if i.parent_id in frontier} - found
        found |= frontier
    return found


@dataclass(frozen=True)
class Placement:
    item_id: int
    parent_id: int | None
    position: int


async def reorder(db: AsyncSession, access: MeetingAccess, order: list[Placement]) -> None:
    """Apply a whole new order: every item exactly once, positions 1..n per parent, no cycles."""
    ensure_editable(access.meeting)
    items = {i.id: i for i in await items_of(db, access.meeting.id)}
    _check_order(items, order)
    for placement in order:
        item = items[placement.item_id]
        item.parent_id, item.position = placement.parent_id, placement.position
    await db.flush()


def _check_order(items: dict[int, AgendaItem], order: list[Placement]) -> None:
    ids = [p.item_id for p in order]
    if sorted(ids) != sorted(items) or any(
            p.parent_id is not None and p.parent_id not in items for p in order):
        raise InvalidAgendaOrder(reason_key="meetings.order_incomplete")
    siblings: dict[int | None, list[int]] = {}
    for placement in order:
        siblings.setdefault(placement.parent_id, []).append(placement.position)
    for positions in siblings.values():
        if len(set(positions)) != len(positions):
            raise InvalidAgendaOrder(reason_key="meetings.order_duplicate")
        if sorted(positions) != list(range(1, len(positions) + 1)):
            raise InvalidAgendaOrder(reason_key="meetings.order_gap")
    parent_of = {p.item_id: p.parent_id for p in order}
    for start in parent_of:
        seen, current = {start}, parent_of[start]
        while current is not None:
            if current in seen:
                raise InvalidAgendaOrder(reason_key="meetings.order_cycle")
            seen.add(current)
            current = parent_of[current]

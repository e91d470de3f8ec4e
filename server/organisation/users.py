"""Rules of accounts as the administrator manages them, and the people search.

Accounts are created through :func:`server.auth.service.create_user` (one place
that hashes passwords and normalises user names). Deactivating an account, or
setting a new password for it, ends its browser sessions: the rows go, so the
cookies stop working at once, and the caller closes the live sockets with the
ids returned. (API tokens of an inactive user stop working by themselves.)

An administrator cannot deactivate their own account or drop their own admin
role, so there is always at least one administrator who can undo a mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth import service as auth
from ..auth.models import AuthSession, User
from ..auth.passwords import Passwords
from ..errors import NotFound
from .errors import OwnAccess, UsernameTaken
from .fields import ID_MAX
from .search import Candidate, best_matches
from .units import descendant_ids, referenced_unit

SEARCH_LIMIT_MAX = 200


async def get_user(db: AsyncSession, user_id: int) -> User:
    user = await db.get(User, user_id) if 0 < user_id <= ID_MAX else None
    if user is None:
        raise NotFound()
    return user


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    full_name: str
    title: str = ""
    unit_id: int | None = None
    locale: str = "vi"
    roles: frozenset[str] = frozenset()
    active: bool = True


async def create_account(db: AsyncSession, passwords: Passwords, new: NewAccount) -> User:
    if await db.scalar(select(User.id).where(User.username == new.username)) is not None:
        raise UsernameTaken(username=new.username)
    if new.unit_id is not None:
        await referenced_unit(db, new.unit_id, "unit_id")
    try:
        user = await auth.create_user(
            db, passwords, username=new.username, password=new.password,
            full_name=new.full_name, title=new.title, unit_id=new.unit_id, locale=new.locale,
            is_admin="admin" in new.roles, is_secretary="secretary" in new.roles)
    except IntegrityError:
        # Taken between the check and the insert.
        await db.rollback()
        raise UsernameTaken(username=new.username) from None
    user.is_active = new.active
    await db.flush()
    await db.refresh(user, ["unit"])
    return user


async def end_sessions(db: AsyncSession, user_id: int, keep: int | None = None) -> list[int]:
    """Delete the user's browser sessions (all but ``keep``); their ids, for the sockets."""
    query = select(AuthSession.id).where(AuthSession.user_id == user_id)
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    ids = list(await db.scalars(query))
    if ids:
        await db.execute(delete(AuthSession).where(AuthSession.id.in_(ids)))
    return ids


async def update_account(
    db: AsyncSession, actor: User, user: User, changes: dict[str, Any]
) -> list[int]:
    """``changes`` holds any of full_name, title, unit_id, locale, roles, active.
    Returns the ids of the sessions that ended (when the account was deactivated)."""
    if user.id == actor.id and (changes.get("active") is False
                                or ("roles" in changes and "admin" not in changes["roles"])):
        raise OwnAccess()
    if changes.get("unit_id") is not None:
        await referenced_unit(db, changes["unit_id"], "unit_id")
    for name in ("full_name", "title", "unit_id", "locale"):
        if name in changes:
            setattr(user, name, changes[name])
    if "roles" in changes:
        user.is_admin = "admin" in changes["roles"]
        user.is_secretary = "secretary" in changes["roles"]
    ended: list[int] = []
    if "active" in changes:
        user.is_active = changes["active"]
        if not user.is_active:
            ended = await end_sessions(db, user.id)
    await db.flush()
    if "unit_id" in changes:
        await db.refresh(user, ["unit"])
    return ended


async def set_password(
    db: AsyncSession, passwords: Passwords, user: User, password: str, keep: int | None
) -> list[int]:
    """A new password ends the account's other sessions (a reset is often done because
    someone else may know the old one); ``keep`` spares the administrator's own."""
    user.password_hash = await passwords.hash(password)
    ended = await end_sessions(db, user.id, keep)
    await db.flush()
    return ended


@dataclass(frozen=True)
class SearchResult:
    users: list[User]
    total: int


async def search_users(
    db: AsyncSession, *, query: str, unit_id: int | None = None,
    include_inactive: bool = False, limit: int = 50,
) -> SearchResult:
    """People whose name, title or user name match ``query`` without regard to accents
    (see :mod:`.search`), in ``unit_id`` or any unit under it; the best ``limit`` of them."""
    where = [] if include_inactive else [User.is_active]
    if unit_id is not None:
        await referenced_unit(db, unit_id, "unit_id")
        where.append(User.unit_id.in_({unit_id, *await descendant_ids(db, unit_id)}))
    rows = await db.execute(
        select(User.id, User.username, User.full_name, User.title).where(*where))
    matches = best_matches(query, [Candidate(*row) for row in rows])
    chosen = [m.id for m in matches[:limit]]
    users = {u.id: u for u in await db.scalars(select(User).where(User.id.in_(chosen)))}
    return SearchResult(users=[users[i] for i in chosen], total=len(matches))

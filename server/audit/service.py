"""Writing to the audit log and checking its chain.

Each entry's ``hash`` is SHA-256 (hex) of the previous entry's hash followed by
the entry's canonical JSON: the keys ``seq, at, actor_id, actor, meeting_id,
action, data``, sorted, UTF-8 as is (``ensure_ascii=False``), no spaces, ``at``
in ISO 8601 UTC with microseconds. The first entry's previous hash is 64 zeros.
Changing, removing or reordering an entry therefore breaks its own hash or the
link of the one after it, and :func:`verify` names the first entry where that
happens.

:func:`append` writes in the caller's transaction (it flushes, never commits),
so an action and its audit entry are committed together or not at all. Two
writers must not both read the same tail and fork the chain:

- on PostgreSQL the transaction first takes an advisory lock scoped to the
  transaction (``pg_advisory_xact_lock``), so appends queue one behind the other
  until each commits or rolls back; under READ COMMITTED (our default) the tail
  read after the lock sees the entry the previous holder committed;
- on SQLite only one transaction writes at a time, but a plain read takes no
  lock: two writers could both read seq 5 before either writes. So the first
  statement is a write that changes nothing (an UPDATE matching no row), which
  takes the database's write lock (waiting for ``busy_timeout``) before the tail
  is read.

The unique ``seq`` is the last guard: were both locks missed, the second writer
would fail on commit instead of forking the chain.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from .models import AuditEntry

if TYPE_CHECKING:
    from ..auth.models import User

GENESIS = "0" * 64
# Any fixed 64-bit number will do, as long as nothing else locks it: the first 8 bytes
# of SHA-256("phonghop audit chain"), read as a signed integer.
ADVISORY_LOCK = -5817310022076538314

Plain = None | bool | int | float | str | list["Plain"] | dict[str, "Plain"]


def plain(value: Any) -> Plain:
    """``value`` as plain JSON values with text in NFC; anything else is a ``TypeError``.

    The hash is computed before the entry is stored and recomputed after it is read
    back, so only values that JSON returns unchanged may go in: no dates, no Decimal,
    no NaN, and object keys are text.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"audit data cannot hold {value!r}")
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        out: dict[str, Plain] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"audit data keys must be text, not {key!r}")
            out[unicodedata.normalize("NFC", key)] = plain(item)
        return out
    raise TypeError(f"audit data cannot hold a {type(value).__name__}")


def canonical(content: Mapping[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, *, seq: int, at: datetime, actor_id: int | None, actor: str,
               meeting_id: int | None, action: str, data: Any) -> str:
    content = {"seq": seq, "at": _iso(at), "actor_id": actor_id, "actor": actor,
               "meeting_id": meeting_id, "action": action, "data": data}
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


def hash_of(entry: AuditEntry) -> str:
    """The hash ``entry`` should have, from its stored content and its ``prev_hash``."""
    return entry_hash(entry.prev_hash, seq=entry.seq, at=entry.at, actor_id=entry.actor_id,
                      actor=entry.actor, meeting_id=entry.meeting_id, action=entry.action,
                      data=entry.data)


async def _lock_chain(db: AsyncSession) -> None:
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    else:
        await db.execute(update(AuditEntry).where(AuditEntry.seq < 0)
                         .values(seq=AuditEntry.seq)
                         .execution_options(synchronize_session=False))


async def append(db: AsyncSession, *, action: str, data: dict[str, Any],
                 actor: User | None = None, meeting_id: int | None = None) -> AuditEntry:
    """Add an entry at the end of the chain, in the caller's transaction (flushed, not
    committed). Holds the chain's lock until that transaction ends."""
    content = plain(data)
    action = unicodedata.normalize("NFC", action)
    actor_name = unicodedata.normalize("NFC", actor.full_name) if actor is not None else ""
    actor_id = actor.id if actor is not None else None
    await _lock_chain(db)
    tail = (await db.execute(select(AuditEntry.seq, AuditEntry.hash)
                             .order_by(AuditEntry.seq.desc()).limit(1))).first()
    seq, prev_hash = (tail.seq + 1, tail.hash) if tail is not None else (1, GENESIS)
    at = utcnow()
    entry = AuditEntry(
        seq=seq, at=at, actor_id=actor_id, actor=actor_name, meeting_id=meeting_id,
        action=action, data=content, prev_hash=prev_hash,
        hash=entry_hash(prev_hash, seq=seq, at=at, actor_id=actor_id, actor=actor_name,
                        meeting_id=meeting_id, action=action, data=content))
    db.add(entry)
    await db.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    """What :func:`verify` found. ``reason`` is a stable key:

    ``intact``; ``missing`` (no entry with the seq ``first_broken``: removed);
    ``link`` (its ``prev_hash`` is not the hash of the entry before it);
    ``hash`` (its content or hash was changed after it was written);
    ``anchor`` (its hash is not the one exported earlier: the chain was rewritten).
    ``last_hash`` is the hash of the last entry that holds: export it to anchor later
    checks.
    """

    ok: bool
    entries: int
    first_broken: int | None
    reason: str
    last_hash: str = GENESIS


async def verify(db: AsyncSession, *, anchor: tuple[int, str] | None = None,
                 batch: int = 1000) -> VerifyResult:
    """Walk the chain in seq order, reading ``batch`` entries at a time, and stop at
    the first entry that does not hold.

    ``anchor`` is a ``(seq, hash)`` written down earlier (see docs/audit.md): the chain
    must still reach that seq with that hash, which catches what the chain alone
    cannot: the last entries removed, or the whole chain rewritten.
    """
    expected_seq, prev_hash, count = 1, GENESIS, 0
    result = await db.stream_scalars(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch))
    try:
        async for entry in result:
            if entry.seq != expected_seq:
                return VerifyResult(False, count, expected_seq, "missing", prev_hash)
            if entry.prev_hash != prev_hash:
                return VerifyResult(False, count, entry.seq, "link", prev_hash)
            if hash_of(entry) != entry.hash:
                return VerifyResult(False, count, entry.seq, "hash", prev_hash)
            if anchor is not None and entry.seq == anchor[0] and entry.hash != anchor[1].lower():
                return VerifyResult(False, count, entry.seq, "anchor", prev_hash)
            expected_seq, prev_hash, count = expected_seq + 1, entry.hash, count + 1
            # Entries are only read: let them go, so a long chain does not fill the session.
            db.expunge(entry)
    finally:
        await result.close()
    if anchor is not None and anchor[0] > count:
        return VerifyResult(False, count, count + 1, "missing", prev_hash)
    return VerifyResult(True, count, None, "intact", prev_hash)

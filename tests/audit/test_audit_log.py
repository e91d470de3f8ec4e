"""The audit log: entries chained by SHA-256, and a verify that names the first broken one.

Tampering is done the way an intruder with database access would: plain UPDATE and
DELETE statements, past the service.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEntry
from server.audit.service import GENESIS, append, hash_of, verify
from server.auth.models import User
from server.db import create_engine, migrate, session_factory
from server.settings import ROOT

from ..conftest import MakeUser, Sessions

Fill = Callable[[int], Awaitable[None]]


@pytest.fixture
def fill(sessions: Sessions) -> Fill:
    """``await fill(5)`` appends five entries, one transaction each."""

    async def add(count: int) -> None:
        for n in range(1, count + 1):
            async with sessions() as db:
                await append(db, action="poll.opened", data={"poll_id": n, "tiêu đề": f"Phiếu {n}"},
                             meeting_id=7)
                await db.commit()

    return add


async def _entries(sessions: Sessions) -> list[AuditEntry]:
    async with sessions() as db:
        return list(await db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


async def _verify(sessions: Sessions, **kwargs: Any) -> Any:
    async with sessions() as db:
        return await verify(db, **kwargs)


async def test_each_entry_hashes_the_one_before_and_its_own_canonical_content(
        sessions: Sessions, make_user: MakeUser) -> None:
    chair = await make_user("chutoa", full_name="Nguyễn Văn Chủ Tọa")
    async with sessions() as db:
        await append(db, action="poll.opened", data={"poll_id": 1}, actor=chair, meeting_id=3)
        await append(db, action="poll.closed", data={"poll_id": 1, "cast": 15}, actor=chair,
                     meeting_id=3)
        await db.commit()
    first, second = await _entries(sessions)
    content = {"seq": 1, "at": first.at.astimezone(UTC).isoformat(timespec="microseconds"),
               "actor_id": chair.id, "actor": "Nguyễn Văn Chủ Tọa", "meeting_id": 3,
               "action": "poll.opened", "data": {"poll_id": 1}}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert first.hash == hashlib.sha256((GENESIS + text).encode()).hexdigest()
    assert (second.seq, second.prev_hash) == (2, first.hash)


async def test_an_intact_chain_verifies_and_gives_its_last_hash(
        sessions: Sessions, fill: Fill) -> None:
    await fill(5)
    result = await _verify(sessions)
    assert (result.ok, result.entries, result.first_broken, result.reason) == (
        True, 5, None, "intact")
    assert result.last_hash == (await _entries(sessions))[-1].hash


async def test_an_empty_log_is_intact(sessions: Sessions) -> None:
    result = await _verify(sessions)
    assert (result.ok, result.entries, result.last_hash) == (True, 0, GENESIS)


async def test_an_entry_goes_with_the_callers_transaction(sessions: Sessions) -> None:
    async with sessions() as db:
        await append(db, action="poll.opened", data={"poll_id": 1})
        await db.rollback()
    async with sessions() as db:
        entry = await append(db, action="poll.opened", data={"poll_id": 2})
        await db.commit()
    assert entry.seq == 1 and len(await _entries(sessions)) == 1


async def test_text_is_kept_in_nfc_and_still_verifies(sessions: Sessions) -> None:
    decomposed = unicodedata.normalize("NFD", "Nghị quyết số 5")
    async with sessions() as db:
        await append(db, action=unicodedata.normalize("NFD", "biểu_quyết"),
                     data={decomposed: [decomposed, 1.5, None, True]})
        await db.commit()
    [entry] = await _entries(sessions)
    assert entry.data == {"Nghị quyết số 5": ["Nghị quyết số 5", 1.5, None, True]}
    assert entry.action == "biểu_quyết"
    assert (await _verify(sessions)).ok


@pytest.mark.parametrize("data", [
    {"at": datetime.now(UTC)}, {"share": float("nan")}, {1: "a key that is no text"},
    {"set": {1, 2}},
], ids=["datetime", "nan", "int-key", "set"])
async def test_data_that_json_would_not_give_back_unchanged_is_refused(
        sessions: Sessions, data: dict[str, Any]) -> None:
    async with sessions() as db:
        with pytest.raises((TypeError, ValueError)):
            await append(db, action="poll.opened", data=data)


async def _tamper_data(db: AsyncSession) -> None:
    await db.execute(update(AuditEntry).where(AuditEntry.seq == 3)
                     .values(data={"poll_id": 3, "tiêu đề": "Phiếu đã sửa"}))


async def _delete(db: AsyncSession) -> None:
    await db.execute(delete(AuditEntry).where(AuditEntry.seq == 3))


async def _swap(db: AsyncSession) -> None:
    two, four = [(await db.scalar(select(AuditEntry.data).where(AuditEntry.seq == s)))
                 for s in (2, 4)]
    await db.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(data=four))
    await db.execute(update(AuditEntry).where(AuditEntry.seq == 4).values(data=two))


async def _edit_last_hash(db: AsyncSession) -> None:
    await db.execute(update(AuditEntry).where(AuditEntry.seq == 5).values(hash="f" * 64))


async def _relink(db: AsyncSession) -> None:
    """Entry 3's content rewritten with a hash that fits it: entry 4 no longer links."""
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.seq == 3))
    assert entry is not None
    entry.data = {"poll_id": 99}
    entry.hash = hash_of(entry)


@pytest.mark.parametrize(("tamper", "first_broken", "reason"), [
    (_tamper_data, 3, "hash"),
    (_delete, 3, "missing"),
    (_swap, 2, "hash"),
    (_edit_last_hash, 5, "hash"),
    (_relink, 4, "link"),
], ids=["data-changed", "entry-deleted", "data-swapped", "last-hash-edited", "entry-rehashed"])
async def test_tampering_is_found_at_the_first_broken_entry(
        sessions: Sessions, fill: Fill, tamper: Callable[[AsyncSession], Awaitable[None]],
        first_broken: int, reason: str) -> None:
    await fill(5)
    async with sessions() as db:
        await tamper(db)
        await db.commit()
    result = await _verify(sessions)
    assert (result.ok, result.first_broken, result.reason) == (False, first_broken, reason)


async def test_an_anchor_catches_the_last_entries_removed(sessions: Sessions, fill: Fill) -> None:
    await fill(5)
    anchor = (5, (await _verify(sessions)).last_hash)
    async with sessions() as db:
        await db.execute(delete(AuditEntry).where(AuditEntry.seq >= 4))
        await db.commit()
    assert (await _verify(sessions)).ok, "without the anchor the shorter chain holds"
    result = await _verify(sessions, anchor=anchor)
    assert (result.ok, result.first_broken, result.reason) == (False, 4, "missing")


async def test_an_anchor_catches_a_chain_rewritten_from_the_start(
        sessions: Sessions, fill: Fill) -> None:
    await fill(3)
    anchor = (3, (await _verify(sessions)).last_hash)
    async with sessions() as db:
        await db.execute(delete(AuditEntry))
        await db.commit()
    await fill(4)
    assert (await _verify(sessions)).ok
    result = await _verify(sessions, anchor=anchor)
    assert (result.ok, result.first_broken, result.reason) == (False, 3, "anchor")


async def test_concurrent_appends_leave_one_gapless_chain(sessions: Sessions) -> None:
    async def one(n: int) -> int:
        async with sessions() as db:
            entry = await append(db, action="vote.recorded", data={"n": n})
            # The rest of the caller's transaction: others read the tail meanwhile.
            await asyncio.sleep(0.01)
            await db.commit()
            return entry.seq

    seqs = await asyncio.gather(*(one(n) for n in range(20)))
    assert sorted(seqs) == list(range(1, 21))
    result = await _verify(sessions)
    assert (result.ok, result.entries) == (True, 20)


# The command line, on a SQLite database of its own.

def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PHONGHOP_DATABASE_URL": url,
           "PHONGHOP_LOGGING_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "server", "audit", "verify", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli_database(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "audit.db"
    url = f"sqlite+aiosqlite:///{path}"
    migrate(url)

    async def write() -> None:
        engine = create_engine(url)
        try:
            for n in range(1, 43):
                async with session_factory(engine)() as db:
                    await append(db, action="poll.published", data={"poll_id": n, "yes": 9})
                    await db.commit()
        finally:
            await engine.dispose()

    asyncio.run(write())
    return url, path


def test_the_command_says_an_intact_log_is_intact(cli_database: tuple[str, Path]) -> None:
    result = _cli(cli_database[0])
    assert result.returncode == 0, result.stderr
    assert "Audit log intact: 42 entries" in result.stdout
    assert result.stdout.startswith("Nhật ký kiểm toán nguyên vẹn: 42 mục")


def test_the_command_names_the_first_tampered_entry(cli_database: tuple[str, Path]) -> None:
    url, path = cli_database
    with sqlite3.connect(path) as conn:
        conn.execute("""UPDATE audit_entries SET data = '{"poll_id":17,"yes":12}'
                        WHERE seq = 17""")
    result = _cli(url)
    assert result.returncode == 1
    assert result.stdout.strip() == (
        "Nhật ký kiểm toán bị sửa từ mục số 17 (nội dung hoặc mã băm đã bị thay đổi) / "
        "Audit log broken at entry 17 (its content or hash was changed)")


def test_the_command_checks_an_anchor_and_refuses_a_malformed_one(
        cli_database: tuple[str, Path]) -> None:
    url, path = cli_database
    last = _cli(url).stdout.split()[-1]
    assert last.startswith("42:") and _cli(url, "--anchor", last).returncode == 0
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM audit_entries WHERE seq = 42")
    truncated = _cli(url, "--anchor", last)
    assert truncated.returncode == 1 and "broken at entry 42" in truncated.stdout
    malformed = _cli(url, "--anchor", "42:abc")
    assert malformed.returncode == 2 and len(malformed.stderr.strip().splitlines()) == 1


async def test_deleting_a_user_who_acted_leaves_the_chain_intact(
        sessions: Sessions, make_user: MakeUser) -> None:
    chair = await make_user("chutoa", full_name="Nguyễn Văn Chủ Tọa")
    async with sessions() as db:
        await append(db, action="poll.opened", data={"poll_id": 1}, actor=chair, meeting_id=3)
        await db.commit()
    async with sessions() as db:
        await db.execute(delete(User).where(User.id == chair.id))
        await db.commit()
    (entry,) = await _entries(sessions)
    assert (entry.actor_id, entry.actor) == (chair.id, "Nguyễn Văn Chủ Tọa")
    assert (await _verify(sessions)).ok

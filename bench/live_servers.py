"""The servers the live bench measures, each in its own process on a free port.

- :func:`phonghop`: the real server (``python -m server serve``) on a fresh SQLite
  database, or on an empty one it is given (the voting bench's PostgreSQL): what
  ``migrate`` and ``demo`` do, then one delegate per tablet, each a participant of
  the demo meeting with a session cookie, made with the server's own services (no
  Argon2 on the way: sessions are started directly); with ``checked_in`` every
  member (the demo's and the tablets) is present in the hall, as for a vote;
- :func:`baseline`: the bare python-socketio server of :mod:`bench.live_baseline`.

Each yields a :class:`Target`: where it listens, its pid (for its CPU time), and
the handshake headers of the chair and of every tablet.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHEAP_ARGON2 = {"PHONGHOP_AUTH_ARGON2_TIME_COST": "1", "PHONGHOP_AUTH_ARGON2_MEMORY_KIB": "1024",
                "PHONGHOP_AUTH_ARGON2_PARALLELISM": "1"}


@dataclass
class Target:
    """A server to measure, and how the chair and each tablet connect to it."""

    name: str
    url: str
    pid: int
    meeting_id: int
    document_id: int
    pages: int
    chair: dict[str, str]  # headers of the handshake
    tablets: list[dict[str, str]]
    database_url: str = ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server stopped")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def _process(argv: Callable[[int], list[str]], env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """A server process on a free port: its URL and pid, once /healthz answers."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, *argv(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, process)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


SERVE = ("-m", "server", "serve")
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@contextmanager
def phonghop(tablets: int, database_url: str | None = None, *, checked_in: bool = False,
             serve: tuple[str, ...] = SERVE) -> Iterator[Target]:
    """The real server on a fresh database: the demo plus ``tablets`` delegates.

    ``database_url`` names an empty database to use (default: a SQLite file of its
    own); ``serve`` is the command line that serves, given ``--port`` after it.
    """
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{tmp}/live.db"
        env = {**os.environ, **CHEAP_ARGON2,
               "PHONGHOP_DATABASE_URL": url,
               "PHONGHOP_DOCUMENTS_STORE": f"{tmp}/documents",
               "PHONGHOP_LOGGING_LEVEL": "WARNING"}
        meeting_id, document_id, pages, chair, cookies = asyncio.run(
            _prepare(env, tablets, checked_in))

        def cookie(token: str) -> dict[str, str]:
            return {"Cookie": f"phonghop_session={token}"}

        engine = ENGINES.get(url.split(":")[0].split("+")[0], url.split(":")[0])
        with _process(lambda port: [*serve, "--port", str(port)], env) as (address, pid):
            yield Target(f"Phòng Họp ({engine})", address, pid, meeting_id, document_id, pages,
                         cookie(chair), [cookie(c) for c in cookies], url)


async def _prepare(env: dict[str, str], tablets: int, checked_in: bool = False
                   ) -> tuple[int, int, int, str, list[str]]:
    """``migrate`` and ``demo`` (what the two commands run, in this process), then a
    delegate, participant and session per tablet, and a session for the chair.

    Returns the meeting, its longest document and its pages, and the cookie tokens.
    """
    from sqlalchemy import select, update

    from server.auth.models import User
    from server.auth.passwords import Passwords
    from server.auth.service import create_user, start_session
    from server.db import create_engine, migrate, session_factory
    from server.demo import load_demo_into
    from server.documents.models import Document, DocumentVersion
    from server.meetings.models import Attendance, Meeting, MeetingRole, Participant
    from server.schema import load_models
    from server.settings import load_settings

    load_models()
    settings = load_settings(environ=env)
    await asyncio.get_running_loop().run_in_executor(None, migrate, settings.database.url)
    await load_demo_into(settings)
    passwords = Passwords(settings.auth)
    engine = create_engine(settings.database.url)
    try:
        async with session_factory(engine)() as db, db.begin():
            meeting_id = await db.scalar(select(Meeting.id).order_by(Meeting.id).limit(1))
            document_id, pages = (await db.execute(
                select(Document.id, DocumentVersion.pages)
                .join(DocumentVersion, DocumentVersion.document_id == Document.id)
                .where(Document.meeting_id == meeting_id)
                .order_by(DocumentVersion.pages.desc()).limit(1))).one()
            chair = await db.scalar(select(User).where(User.username == "chutoa"))
            assert meeting_id is not None and chair is not None, "the demo is not loaded"
            attendance = Attendance.PRESENT_HALL if checked_in else Attendance.UNKNOWN
            if checked_in:
                await db.execute(update(Participant).where(
                    Participant.meeting_id == meeting_id, Participant.voting_right.is_(True))
                    .values(attendance=attendance))
            cookies = []
            for i in range(1, tablets + 1):
                user = await create_user(db, passwords, username=f"tablet{i:03d}",
                                         full_name=f"Đại biểu {i:03d}", password=None)
                db.add(Participant(meeting_id=meeting_id, user_id=user.id,
                                   role=MeetingRole.DELEGATE, voting_right=True,
                                   attendance=attendance))
                cookies.append((await start_session(db, settings.auth, user,
                                                    user_agent="bench", ip="127.0.0.1")).token)
            chair_cookie = (await start_session(db, settings.auth, chair, user_agent="bench",
                                                ip="127.0.0.1")).token
    finally:
        await engine.dispose()
    return meeting_id, document_id, pages, chair_cookie, cookies


@contextmanager
def baseline(tablets: int) -> Iterator[Target]:
    with _process(lambda port: ["-m", "bench.live_baseline", str(port)],
                  dict(os.environ)) as (url, pid):
        yield Target("bare python-socketio", url, pid, 1, 1, 3, {}, [{}] * tablets)

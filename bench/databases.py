"""Throwaway databases for the benches that run on more than one engine.

SQLite needs nothing here (:func:`bench.live_servers.phonghop` makes its own
file). :func:`postgres` creates ``phonghop_bench_<random>`` through the
``postgres`` database on 127.0.0.1:5432 (trust authentication, as the tests use),
yields its URL, and drops it afterwards ``WITH (FORCE)``, so a server that is
still connected, or a run that failed half-way, leaves nothing behind. When
nothing answers on the port it yields ``None`` and the caller leaves its rows out.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager

PG_HOST, PG_PORT = "127.0.0.1", 5432


def postgres_answers() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def postgres() -> Iterator[str | None]:
    """The URL of a new, empty PostgreSQL database, or ``None`` if PostgreSQL does not
    answer."""
    if not postgres_answers():
        yield None
        return
    name = f"phonghop_bench_{secrets.token_hex(4)}"
    admin = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/postgres"
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, statement: str) -> None:
    from sqlalchemy import text

    from server.db import create_engine

    engine = create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()

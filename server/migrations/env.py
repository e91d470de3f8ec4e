"""Alembic environment: runs migrations through the async engine of either database."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from alembic import context
from sqlalchemy.engine import Connection

from server.db import Base, create_engine
from server.schema import load_models

load_models()
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a table by copying it and dropping the old one; with foreign keys
        # on, that drop would cascade into the rows that point at it (the pragma only works
        # outside a transaction, hence before it begins). The check after puts the guard back.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise RuntimeError("a migration left rows whose foreign keys point nowhere")


async def _run_async() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_run)
            await conn.commit()
    finally:
        await engine.dispose()


def _run_in_own_loop() -> None:
    # Alembic is synchronous; when called from code that already runs an event loop
    # (a test, an async command), the migration gets a loop of its own in a thread.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_run_async())
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _run_async()).result()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `python -m server migrate`")
_run_in_own_loop()

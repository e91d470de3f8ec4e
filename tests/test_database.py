"""The database: migrations are the only way in, and an unmigrated one is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import UnmigratedDatabase, create_app
from server.db import Base, create_engine, schema_state
from server.settings import ROOT, Settings

from .conftest import make_settings


async def test_migrations_build_exactly_the_schema_of_the_models(db_engine: AsyncEngine) -> None:
    def differences(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with db_engine.connect() as conn:
        assert await conn.run_sync(differences) == []
    assert (await schema_state(db_engine)).up_to_date


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_the_app_refuses_an_unmigrated_database(tmp_path: Path, aiohttp_client) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", tmp_path / "docs")
    with pytest.raises(UnmigratedDatabase, match="python -m server migrate"):
        await aiohttp_client(create_app(settings))


def test_serve_on_an_unmigrated_database_says_what_to_run(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server", "serve"], cwd=ROOT, capture_output=True, text=True,
        timeout=60, env={"PATH": "/usr/bin:/bin",
                         "PHONGHOP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'e.db'}"})
    assert result.returncode == 2
    assert "python -m server migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_then_serve_checks_pass_from_the_command_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin",
           "PHONGHOP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"}
    migrate = subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert migrate.returncode == 0, migrate.stderr
    again = subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, "migrating twice must be harmless"


async def test_healthz_reports_the_database(client, settings: Settings) -> None:
    response = await client.get("/healthz")
    assert (response.status, await response.json()) == (200, {"status": "ok", "database": "ok"})


async def test_metrics_count_requests_by_route(client) -> None:
    await client.get("/api/v1/me")
    body = await (await client.get("/metrics")).text()
    assert 'phonghop_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1.0' in body


async def test_migrate_can_be_called_from_running_async_code(tmp_path: Path) -> None:
    from server.db import migrate

    url = f"sqlite+aiosqlite:///{tmp_path / 'inside.db'}"
    migrate(url)
    engine = create_engine(url)
    try:
        assert (await schema_state(engine)).up_to_date
    finally:
        await engine.dispose()

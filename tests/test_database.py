"""The database: migrations are the only way in, and an unmigrated one is refused."""

from __future__ import annotations

import asyncio
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


async def test_migration_0002_keeps_existing_documents_as_their_first_version(
    engine_name: str, tmp_path: Path, database_url: str
) -> None:
    """Upgrading a 0001 database with documents, and back, keeps every document."""

    if engine_name == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    else:
        url = database_url.rsplit("/", 1)[0] + f"/phonghop_mig_{tmp_path.name[-8:].lower()}"
        from .conftest import _pg_admin

        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        await _pg_admin(admin, f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
    try:
        await _upgrade_with_a_document(url)
    finally:
        if engine_name != "sqlite":
            name = url.rsplit("/", 1)[1]
            await _pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _upgrade_with_a_document(url: str) -> None:
    from server.db import migrate

    await asyncio.to_thread(migrate, url, "0001")
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in (
                "INSERT INTO units (id, kind, name, short_name) VALUES (1, 'province', 'T', '')",
                "INSERT INTO meetings (id, code, title, organiser_unit_id, starts_at, status,"
                " created_at) VALUES (1, '', 'H', 1, '2026-11-30 01:00:00+00', 'draft',"
                " '2026-11-01 00:00:00+00')",
                "INSERT INTO documents (id, meeting_id, title, filename, sha256, size, pages,"
                " content_type, created_at) VALUES (1, 1, 'Tờ trình', 'to-trinh.pdf',"
                f" '{'a' * 64}', 1234, 3, 'application/pdf', '2026-11-01 00:00:00+00')",
            ):
                await conn.execute(text(statement))
        await asyncio.to_thread(migrate, url, "0002")
        async with engine.connect() as conn:
            row = (await conn.execute(text(
                "SELECT document_id, number, filename, sha256, size, pages"
                " FROM document_versions"))).one()
        assert tuple(row) == (1, 1, "to-trinh.pdf", "a" * 64, 1234, 3)
        await asyncio.to_thread(downgrade_to, url, "0001")
        async with engine.connect() as conn:
            row = (await conn.execute(text(
                "SELECT filename, sha256, size, pages FROM documents"))).one()
        assert tuple(row) == ("to-trinh.pdf", "a" * 64, 1234, 3)
    finally:
        await engine.dispose()


def downgrade_to(url: str, revision: str) -> None:
    from alembic import command

    from server.db import alembic_config

    command.downgrade(alembic_config(url), revision)

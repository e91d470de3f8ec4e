"""Shared fixtures: a real database per engine, the real app, and one-line logins.

Every test that touches the database runs once per engine that answers:
SQLite always, PostgreSQL when 127.0.0.1:5432 answers (a throwaway database
``phonghop_test_<random>`` is created and dropped), and the header of the run
says which ran. Between tests every table is emptied, so nothing is shared.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.app import create_app
from server.auth.models import User
from server.auth.passwords import Passwords
from server.db import Base, create_engine, migrate, session_factory
from server.documents.store import DocumentStore
from server.schema import load_models
from server.settings import Settings, load_settings

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_URL = "redis://127.0.0.1:6379/0"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}

load_models()


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    config.engines = ["sqlite"] + (["postgresql"] if _answers(PG_HOST, PG_PORT) else [])
    config.redis_answers = _answers("127.0.0.1", 6379)


def _engine_line(config: pytest.Config) -> list[str]:
    lines = [f"database engines: {', '.join(config.engines)}"]
    if "postgresql" not in config.engines:
        lines.append(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}: "
                     "database tests ran on SQLite only")
    lines.append("redis: multi-process tests on 127.0.0.1:6379" if config.redis_answers
                 else "Redis does not answer on 127.0.0.1:6379: multi-process tests not run")
    return lines


def pytest_report_header(config: pytest.Config) -> list[str]:
    return _engine_line(config)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for line in _engine_line(config):
        terminalreporter.write_line(line)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine_name" in metafunc.fixturenames:
        engines = metafunc.config.engines
        metafunc.parametrize("engine_name", engines, ids=engines, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.redis_answers:
        return
    skip = pytest.mark.skip(reason="Redis does not answer on 127.0.0.1:6379")
    for item in items:
        if "redis" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(engine_name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, throwaway database for this run and engine."""
    if engine_name == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
        migrate(url)
        yield url
        return
    name = f"phonghop_test_{secrets.token_hex(4)}"
    admin = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/postgres"
    asyncio.run(_pg_admin(admin, f'CREATE DATABASE "{name}"'))
    url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    try:
        migrate(url)
        yield url
    finally:
        asyncio.run(_pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg_admin(url: str, statement: str) -> None:
    engine = create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _empty_tables(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text(
                f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            # SQLite checks RESTRICT row by row, so a tree (units) must be cut first.
            for table in Base.metadata.sorted_tables:
                for fk in table.foreign_keys:
                    if fk.column.table is table and fk.parent.nullable:
                        await conn.execute(text(
                            f"UPDATE {table.name} SET {fk.parent.name} = NULL"))
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))


def make_settings(database_url: str, store: Path, **sections: dict[str, Any]) -> Settings:
    overrides: dict[str, dict[str, Any]] = {
        "database": {"url": database_url},
        "documents": {"store": str(store)},
        "auth": dict(CHEAP_ARGON2),
        "logging": {"level": "WARNING"},
    }
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    return load_settings(environ={}, overrides=overrides)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "documents"


@pytest.fixture
def settings(database_url: str, store_path: Path) -> Settings:
    return make_settings(database_url, store_path)


@pytest.fixture
async def db_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.database.url)
    await _empty_tables(engine)
    yield engine
    await engine.dispose()


Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def sessions(db_engine: AsyncEngine) -> Sessions:
    return session_factory(db_engine)


@pytest.fixture
def passwords(settings: Settings) -> Passwords:
    return Passwords(settings.auth)


@pytest.fixture
def app(settings: Settings, db_engine: AsyncEngine) -> web.Application:
    return create_app(settings)


@pytest.fixture
async def client(
    app: web.Application, aiohttp_client: Callable[..., Awaitable[TestClient]]
) -> TestClient:
    return await aiohttp_client(app)


@pytest.fixture
async def demo(settings: Settings, sessions: Sessions, passwords: Passwords) -> None:
    """The Vietnamese demo (province, districts, hall, users, one meeting) in the database."""
    from server.demo import load_demo

    await load_demo(sessions, passwords, DocumentStore(settings.documents.store),
                    settings.demo.password)


Login = Callable[..., Awaitable[str]]


@pytest.fixture
def login(client: TestClient) -> Login:
    """``await login("chutoa")`` signs the client in and returns the CSRF token."""

    tokens: list[str] = []

    async def sign_in(username: str, password: str = "demo") -> str:
        # Signing in again while signed in is itself a cookie-authenticated write.
        headers = {"X-CSRF-Token": tokens[-1]} if tokens else {}
        response = await client.post(
            "/api/v1/auth/login", json={"username": username, "password": password},
            headers=headers)
        assert response.status == 200, await response.text()
        tokens.append((await response.json())["csrf_token"])
        return tokens[-1]

    return sign_in


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


MakeUser = Callable[..., Awaitable[User]]


@pytest.fixture
def make_user(sessions: Sessions, passwords: Passwords) -> MakeUser:
    """``await make_user("an", password="...", is_admin=True)`` adds a user and returns it."""
    from server.auth import service

    async def create(username: str, password: str = "mật-khẩu-đúng", **fields: Any) -> User:
        fields.setdefault("full_name", username.title())
        async with sessions() as db:
            user = await service.create_user(
                db, passwords, username=username, password=password, **fields)
            await db.commit()
            return user

    return create

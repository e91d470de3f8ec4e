"""Typed keys of the application's shared state (``web.AppKey``), in one place."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .auth.passwords import Passwords
from .documents.store import DocumentStore
from .settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
PASSWORDS = web.AppKey("passwords", Passwords)
STORE = web.AppKey("store", DocumentStore)

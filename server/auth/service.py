"""Rules of the auth area: users, logins with throttling, sessions and API tokens.

Plain async functions over a database session; no HTTP here. Session cookies
and API tokens are random secrets of which only the SHA-256 is stored, so a
leaked database does not hand out logins (the secrets have 256 bits of entropy,
so a fast hash is enough; passwords, which have far less, get Argon2id).
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..errors import InvalidCredentials, InvalidField, TooManyAttempts
from ..settings import LOCALES, AuthSettings
from .models import ApiToken, AuthSession, LoginThrottle, User
from .passwords import Passwords

TOKEN_PREFIX = "phk_"
USERNAME_MAX = 64


def normalise_username(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().lower()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_user(
    db: AsyncSession,
    passwords: Passwords,
    *,
    username: str,
    full_name: str,
    password: str | None,
    title: str = "",
    unit_id: int | None = None,
    locale: str = "vi",
    is_admin: bool = False,
    is_secretary: bool = False,
    password_hash: str | None = None,
) -> User:
    name = normalise_username(username)
    if not name or len(name) > USERNAME_MAX or any(c.isspace() for c in name):
        raise InvalidField(field="username", reason_key="error.field_required")
    if locale not in LOCALES:
        raise InvalidField(field="locale", reason_key="error.field_required")
    if password_hash is None and password is not None:
        password_hash = await passwords.hash(password)
    user = User(
        username=name,
        full_name=unicodedata.normalize("NFC", full_name.strip()),
        title=unicodedata.normalize("NFC", title.strip()),
        unit_id=unit_id,
        locale=locale,
        password_hash=password_hash,
        is_admin=is_admin,
        is_secretary=is_secretary,
    )
    db.add(user)
    await db.flush()
    return user


async def authenticate(
    db: AsyncSession, passwords: Passwords, settings: AuthSettings, username: str, password: str
) -> User:
    """The user, or :class:`InvalidCredentials` / :class:`TooManyAttempts`.

    Unknown user, wrong password and inactive account give the same answer; the
    throttle counts failures per user name, existing or not, so its answer
    tells nothing either.
    """
    name = normalise_username(username)[:USERNAME_MAX]
    now = utcnow()
    throttle = await db.get(LoginThrottle, name)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        raise _locked(throttle.locked_until, now)
    user = await db.scalar(select(User).where(User.username == name))
    stored = user.password_hash if user is not None else None
    ok = await passwords.verify(stored, password) and user is not None and user.is_active
    if not ok:
        await _record_failure(db, settings, name, throttle, now)
        raise InvalidCredentials()
    assert user is not None and stored is not None
    if throttle is not None:
        await db.delete(throttle)
    if passwords.needs_rehash(stored):
        user.password_hash = await passwords.hash(password)
    return user


def _locked(until: datetime, now: datetime) -> TooManyAttempts:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    error = TooManyAttempts(minutes=minutes)
    error.headers["Retry-After"] = str(int((until - now).total_seconds()) + 1)
    return error


async def _record_failure(
    db: AsyncSession,
    settings: AuthSettings,
    name: str,
    throttle: LoginThrottle | None,
    now: datetime,
) -> None:
    window = timedelta(minutes=settings.lockout_window_minutes)
    if throttle is None:
        throttle = LoginThrottle(username=name, failures=0, window_started_at=now)
        db.add(throttle)
    elif now - throttle.window_started_at > window:
        throttle.failures, throttle.window_started_at = 0, now
    throttle.failures += 1
    if throttle.failures >= settings.lockout_attempts:
        throttle.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        throttle.failures, throttle.window_started_at = 0, now
    # The failure must be kept even though the caller answers with an error.
    await db.commit()


@dataclass(frozen=True)
class NewSession:
    token: str
    session: AuthSession


async def start_session(
    db: AsyncSession, settings: AuthSettings, user: User, *, user_agent: str, ip: str
) -> NewSession:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = AuthSession(
        token_hash=digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(hours=settings.session_hours),
        user_agent=user_agent[:300],
        ip=ip[:64],
    )
    db.add(session)
    await db.flush()
    session.user = user
    return NewSession(token=token, session=session)


async def session_for(
    db: AsyncSession, settings: AuthSettings, token: str
) -> AuthSession | None:
    """The live session of a cookie token, its expiry slid forward; None if none."""
    session = await db.scalar(select(AuthSession).where(AuthSession.token_hash == digest(token)))
    now = utcnow()
    if session is None or session.expires_at <= now or not session.user.is_active:
        return None
    # Slide the expiry, but write at most once a minute per session.
    renewed = now + timedelta(hours=settings.session_hours)
    if renewed - session.expires_at > timedelta(minutes=1):
        session.expires_at = renewed
        await db.commit()
    return session


async def end_session(db: AsyncSession, session_id: int) -> None:
    await db.execute(delete(AuthSession).where(AuthSession.id == session_id))
    await db.commit()


async def issue_token(db: AsyncSession, user: User, name: str) -> tuple[str, ApiToken]:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, token_hash=digest(secret), user_id=user.id)
    db.add(token)
    await db.flush()
    return secret, token


async def user_for_token(db: AsyncSession, secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = await db.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        await db.commit()
    return token.user

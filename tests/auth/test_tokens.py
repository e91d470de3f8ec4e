"""Bearer tokens for machines: stored hashed, revocable, no CSRF needed."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from server.auth import service
from server.auth.models import ApiToken
from server.db import utcnow


async def _token_for(sessions, make_user, username: str = "huyen1") -> str:  # type: ignore[no-untyped-def]
    user = await make_user(username)
    async with sessions() as db:
        secret, _ = await service.issue_token(db, user, "room agent")
        await db.commit()
    return secret


async def test_a_bearer_token_acts_as_its_user(client: TestClient, sessions, make_user) -> None:
    secret = await _token_for(sessions, make_user)
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert (await response.json())["user"]["username"] == "huyen1"


async def test_only_the_hash_of_a_token_is_stored(sessions, make_user) -> None:
    secret = await _token_for(sessions, make_user)
    async with sessions() as db:
        stored = (await db.scalars(select(ApiToken))).one()
    assert secret not in (stored.token_hash, stored.name)
    assert stored.token_hash == service.digest(secret)


async def test_a_revoked_or_forged_token_gets_401(client: TestClient, sessions, make_user) -> None:
    secret = await _token_for(sessions, make_user)
    async with sessions() as db:
        await db.execute(update(ApiToken).values(revoked_at=utcnow()))
        await db.commit()
    for token in (secret, secret[:-2] + "xx", "not-a-token"):
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status == 401


async def test_token_writes_need_no_csrf_token(client: TestClient, sessions, make_user) -> None:
    secret = await _token_for(sessions, make_user)
    response = await client.post(
        "/api/v1/auth/logout", headers={"Authorization": f"Bearer {secret}"})
    assert response.status == 200

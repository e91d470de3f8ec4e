"""Cookie-authenticated writes need the session's CSRF token and a same-site origin."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

PASSWORD = "mật-khẩu-đúng"


async def test_a_cookie_write_without_the_token_is_refused(
    client: TestClient, make_user, login
) -> None:
    await make_user("daibieu01")
    await login("daibieu01", PASSWORD)
    response = await client.post("/api/v1/auth/logout")
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "csrf_failed"
    assert (await client.get("/api/v1/me")).status == 200, "the session must survive"


async def test_a_cookie_write_with_a_wrong_token_is_refused(
    client: TestClient, make_user, login
) -> None:
    await make_user("daibieu01")
    await login("daibieu01", PASSWORD)
    response = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "đoán-bừa"})
    assert response.status == 403


async def test_a_form_write_carries_the_token_in_a_field(
    client: TestClient, make_user, login
) -> None:
    await make_user("daibieu01")
    csrf = await login("daibieu01", PASSWORD)
    refused = await client.post("/logout", data={}, allow_redirects=False)
    assert refused.status == 403
    accepted = await client.post("/logout", data={"csrf_token": csrf}, allow_redirects=False)
    assert accepted.status == 303
    assert (await client.get("/api/v1/me")).status == 401


async def test_a_login_posted_from_another_site_is_refused(
    client: TestClient, make_user
) -> None:
    await make_user("daibieu01")
    response = await client.post(
        "/login", data={"username": "daibieu01", "password": PASSWORD},
        headers={"Sec-Fetch-Site": "cross-site"}, allow_redirects=False)
    assert response.status == 403
    response = await client.post(
        "/api/v1/auth/login", json={"username": "daibieu01", "password": PASSWORD},
        headers={"Origin": "https://evil.example"})
    assert response.status == 403


async def test_same_origin_requests_pass_the_origin_check(client: TestClient, make_user) -> None:
    await make_user("daibieu01")
    origin = f"http://{client.host}:{client.port}"
    response = await client.post(
        "/api/v1/auth/login", json={"username": "daibieu01", "password": PASSWORD},
        headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"})
    assert response.status == 200

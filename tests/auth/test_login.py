"""Login and logout over JSON: cookies, the same answer for every failure, lock-out."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

PASSWORD = "mật-khẩu-đúng"


async def test_login_sets_an_httponly_lax_cookie_and_answers_the_user(
    client: TestClient, make_user
) -> None:
    await make_user("chutoa", full_name="Nguyễn Văn Hùng", title="Chủ tịch UBND tỉnh")
    response = await client.post(
        "/api/v1/auth/login", json={"username": "ChuToa", "password": PASSWORD})
    assert response.status == 200
    body = await response.json()
    assert body["user"]["full_name"] == "Nguyễn Văn Hùng"
    assert body["csrf_token"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


async def test_me_answers_401_before_login_and_the_user_after(
    client: TestClient, make_user, login
) -> None:
    await make_user("thuky", is_secretary=True)
    assert (await client.get("/api/v1/me")).status == 401
    await login("thuky", PASSWORD)
    me = await (await client.get("/api/v1/me")).json()
    assert (me["user"]["username"], me["user"]["roles"]) == ("thuky", ["secretary"])


async def test_unknown_user_and_wrong_password_get_the_same_answer(
    client: TestClient, make_user
) -> None:
    await make_user("daibieu01")
    wrong = await client.post(
        "/api/v1/auth/login", json={"username": "daibieu01", "password": "sai"})
    unknown = await client.post(
        "/api/v1/auth/login", json={"username": "khongco", "password": "sai"})
    assert wrong.status == unknown.status == 401
    assert await wrong.json() == await unknown.json()
    assert (await wrong.json())["error"]["code"] == "invalid_credentials"


async def test_an_inactive_user_cannot_log_in(client: TestClient, make_user) -> None:
    from sqlalchemy import update

    from server.auth.models import User
    from server.state import SESSIONS

    await make_user("nghihuu")
    async with client.app[SESSIONS]() as db:
        await db.execute(update(User).where(User.username == "nghihuu").values(is_active=False))
        await db.commit()
    response = await client.post(
        "/api/v1/auth/login", json={"username": "nghihuu", "password": PASSWORD})
    assert (await response.json())["error"]["code"] == "invalid_credentials"


async def test_repeated_failures_lock_the_name_even_for_the_right_password(
    client: TestClient, make_user
) -> None:
    await make_user("daibieu02")
    for _ in range(5):
        await client.post("/api/v1/auth/login", json={"username": "daibieu02", "password": "x"})
    response = await client.post(
        "/api/v1/auth/login", json={"username": "daibieu02", "password": PASSWORD})
    assert response.status == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Đăng nhập sai quá nhiều lần" in (await response.json())["error"]["message"]


async def test_unknown_names_are_locked_alike(client: TestClient) -> None:
    for _ in range(5):
        await client.post("/api/v1/auth/login", json={"username": "ma", "password": "x"})
    response = await client.post("/api/v1/auth/login", json={"username": "ma", "password": "x"})
    assert response.status == 429


async def test_a_success_clears_earlier_failures(client: TestClient, make_user, login) -> None:
    await make_user("daibieu03")
    for _ in range(4):
        await client.post("/api/v1/auth/login", json={"username": "daibieu03", "password": "x"})
    await login("daibieu03", PASSWORD)
    for _ in range(4):
        await client.post("/api/v1/auth/login", json={"username": "daibieu03", "password": "x"})
    await login("daibieu03", PASSWORD)


async def test_logout_ends_the_session_on_the_server(
    client: TestClient, make_user, login
) -> None:
    await make_user("daibieu04")
    csrf = await login("daibieu04", PASSWORD)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["phonghop_session"]
    response = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status == 200
    # Replaying the old cookie must not work: the session is gone, not just the cookie.
    client.session.cookie_jar.update_cookies({"phonghop_session": cookie.value})
    assert (await client.get("/api/v1/me")).status == 401


async def test_login_answers_in_english_for_english_users(client: TestClient) -> None:
    client.session.cookie_jar.update_cookies({"lang": "en"})
    response = await client.post("/api/v1/auth/login", json={"username": "x", "password": "y"})
    assert (await response.json())["error"]["message"] == "Wrong user name or password."


async def test_secure_cookies_behind_a_trusted_https_proxy(
    database_url: str, store_path, make_user, aiohttp_client
) -> None:
    from server.app import create_app

    from ..conftest import make_settings

    await make_user("daibieu05")
    settings = make_settings(database_url, store_path, server={"trusted_proxies": ["127.0.0.1"]})
    client = await aiohttp_client(create_app(settings))
    response = await client.post(
        "/api/v1/auth/login", json={"username": "daibieu05", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"})
    assert "Secure" in response.headers["Set-Cookie"]


async def test_forwarded_headers_from_untrusted_peers_are_ignored(
    client: TestClient, make_user
) -> None:
    await make_user("daibieu06")
    response = await client.post(
        "/api/v1/auth/login", json={"username": "daibieu06", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in response.headers["Set-Cookie"]

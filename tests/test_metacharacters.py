"""Names with HTML and SQL metacharacters are stored as given and escaped when shown."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

NASTY = "Lê <script>alert('x')</script> \"Bảo\"; DROP TABLE users;--"


async def test_a_nasty_name_comes_back_exactly_as_given(
    client: TestClient, make_user, login
) -> None:
    await make_user("daibieu01", full_name=NASTY, title="O'Brien & <b>Sở</b>")
    await login("daibieu01", "mật-khẩu-đúng")
    user = (await (await client.get("/api/v1/me")).json())["user"]
    assert (user["full_name"], user["title"]) == (NASTY, "O'Brien & <b>Sở</b>")


async def test_a_nasty_user_name_is_only_a_failed_login(client: TestClient, make_user) -> None:
    await make_user("daibieu01")
    response = await client.post(
        "/api/v1/auth/login", json={"username": "' OR '1'='1", "password": "' OR '1'='1"})
    assert response.status == 401
    assert (await client.post("/api/v1/auth/login", json={
        "username": "daibieu01", "password": "mật-khẩu-đúng"})).status == 200


async def test_a_nasty_name_is_escaped_in_the_page(client: TestClient, make_user, login) -> None:
    await make_user("daibieu01", full_name=NASTY)
    await login("daibieu01", "mật-khẩu-đúng")
    html = await (await client.get("/", headers={"Accept": "text/html"})).text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html

"""Every error is JSON {"error": {"code", "message"}} for API clients and a page for people."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient


async def test_malformed_json_is_a_400_with_a_vietnamese_message(client: TestClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", data=b'{"username": "chutoa",',
        headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert await response.json() == {"error": {
        "code": "invalid_json", "message": "Nội dung gửi lên không phải JSON hợp lệ."}}


async def test_json_answers_carry_vietnamese_as_utf8_not_escapes(client: TestClient) -> None:
    response = await client.get("/api/v1/me")
    assert "Bạn cần đăng nhập.".encode() in await response.read()
    assert response.charset == "utf-8"


async def test_json_that_is_not_an_object_is_refused(client: TestClient) -> None:
    response = await client.post("/api/v1/auth/login", json=["chutoa", "demo"])
    assert (await response.json())["error"]["code"] == "invalid_json"


async def test_a_field_of_the_wrong_type_is_named(client: TestClient) -> None:
    response = await client.post("/api/v1/auth/login", json={"username": 7, "password": "x"})
    error = (await response.json())["error"]
    assert (response.status, error["code"]) == (400, "invalid_field")
    assert "username" in error["message"]


async def test_a_non_json_body_gets_415(client: TestClient) -> None:
    response = await client.post("/api/v1/auth/login", data="username=chutoa")
    assert response.status == 415


async def test_an_oversized_body_is_refused_with_413(client: TestClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", data=b"{" + b" " * (3 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert (await response.json())["error"]["message"] == (
        "Nội dung gửi lên quá lớn (tối đa 2 MB).")


async def test_unknown_api_routes_are_json_404(client: TestClient) -> None:
    response = await client.get("/api/v1/khong-co")
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"


async def test_unknown_pages_are_a_friendly_html_404(client: TestClient) -> None:
    response = await client.get("/khong-co", headers={"Accept": "text/html"})
    assert response.status == 404
    assert response.content_type == "text/html"
    assert "Không tìm thấy trang" in await response.text()


async def test_a_wrong_method_is_405(client: TestClient) -> None:
    response = await client.delete("/api/v1/me")
    assert response.status in (403, 405)
    response = await client.put("/api/v1/auth/login", headers={"Authorization": "Bearer x"})
    assert response.status == 405
    assert (await response.json())["error"]["code"] == "method_not_allowed"


async def test_an_unexpected_fault_is_a_500_that_carries_the_request_id(
    app: web.Application, aiohttp_client
) -> None:
    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("a bug")

    app.router.add_get("/api/v1/broken", broken)
    client = await aiohttp_client(app)
    response = await client.get("/api/v1/broken")
    assert response.status == 500
    error = (await response.json())["error"]
    assert error["code"] == "internal"
    assert response.headers["X-Request-Id"] in error["message"]
    assert "a bug" not in error["message"]

"""The people search secretaries use to add participants: Vietnamese with or without its
accents, within a unit and the units under it, active accounts only."""

from __future__ import annotations

import pytest

from server.organisation.search import Candidate, best_matches, fold

from .conftest import Api, Org


async def names(api: Api, query: str) -> list[str]:
    status, body = await api.get(f"/api/v1/users?{query}")
    assert status == 200, body
    return [user["full_name"] for user in body["users"]]


@pytest.fixture
async def secretary(api: Api, org: Org) -> Api:
    return await api.as_("thuky")


@pytest.mark.parametrize("query", ["nguyen van hung", "Nguyễn Văn Hùng", "NGUYEN VAN HUNG",
                                   "nguyễn văn hùng", "van hung", "chutoa"])
async def test_a_name_is_found_with_or_without_accents(
    secretary: Api, query: str
) -> None:
    assert "Nguyễn Văn Hùng" in await names(secretary, f"q={query}")


async def test_a_word_matches_from_its_start_not_from_inside(secretary: Api) -> None:
    # "hung" is the given name Hùng or Hưng, never the middle of "Phùng".
    assert await names(secretary, "q=hung") == ["Đặng Văn Hưng", "Nguyễn Văn Hùng"]


async def test_the_accents_typed_put_the_exact_name_first(secretary: Api) -> None:
    assert await names(secretary, "q=Hùng") == ["Nguyễn Văn Hùng", "Đặng Văn Hưng"]
    assert await names(secretary, "q=Hưng") == ["Đặng Văn Hưng", "Nguyễn Văn Hùng"]


async def test_d_with_stroke_is_found_as_d(secretary: Api) -> None:
    assert await names(secretary, "q=dang van") == ["Đặng Văn Hưng"]


async def test_a_title_finds_the_people_who_hold_it(secretary: Api) -> None:
    assert await names(secretary, "q=giam doc so tai chinh") == ["Đặng Văn Hưng", "Phùng Thị Lan"]


async def test_a_unit_holds_the_people_of_its_sub_units_too(
    secretary: Api, org: Org
) -> None:
    finance = await names(secretary, f"q=&unit_id={org.finance}")
    province = await names(secretary, f"q=van&unit_id={org.province}")
    # Trần Thị Mai of the office (under the province) is "Chánh Văn phòng".
    assert (finance, province) == (["Đặng Văn Hưng", "Phùng Thị Lan"],
                                   ["Đặng Văn Hưng", "Nguyễn Văn Hùng", "Trần Thị Mai"])


async def test_an_empty_query_lists_people_by_given_name(secretary: Api) -> None:
    assert await names(secretary, "q=") == [
        "Đặng Văn Hưng", "Nguyễn Văn Hùng", "Phùng Thị Lan", "Điểm cầu huyện Tân Lập",
        "Trần Thị Mai", "Lê Quang Minh", "Quản trị hệ thống"]


async def test_locked_accounts_are_left_out_unless_an_admin_asks(
    admin: Api, org: Org
) -> None:
    await admin.patch(f"/api/v1/users/{org.users['chutoa']}", {"active": False})
    assert await names(admin, "q=hung") == ["Đặng Văn Hưng"]
    assert await names(admin, "q=hung&include_inactive=true") == [
        "Đặng Văn Hưng", "Nguyễn Văn Hùng"]


async def test_the_limit_keeps_the_best_and_the_total_counts_all(secretary: Api) -> None:
    status, body = await secretary.get("/api/v1/users?q=van&limit=1")
    assert (status, [u["full_name"] for u in body["users"]], body["total"]) == (
        200, ["Đặng Văn Hưng"], 3)


async def test_the_answer_has_what_the_participants_page_shows(secretary: Api, org: Org) -> None:
    _, body = await secretary.get("/api/v1/users?q=lan")
    [user] = body["users"]
    assert {k: user[k] for k in ("id", "username", "full_name", "title", "unit")} == {
        "id": org.users["daibieu01"], "username": "daibieu01", "full_name": "Phùng Thị Lan",
        "title": "Giám đốc Sở Tài chính", "unit": {"id": org.finance, "name": "Sở Tài chính"}}


async def test_bad_parameters_are_400(secretary: Api) -> None:
    statuses = [(await secretary.get(f"/api/v1/users?{query}"))[0]
                for query in ("unit_id=abc", "unit_id=0", "unit_id=999999", "limit=0",
                              "limit=201", "include_inactive=perhaps")]
    assert statuses == [400] * 6


async def test_markup_and_sql_in_a_query_are_only_text(secretary: Api) -> None:
    assert await names(secretary, "q=%27%20OR%201%3D1%20--%3Cscript%3E") == []


def test_folding_removes_every_vietnamese_mark() -> None:
    assert fold("  Ỷ Ạ Đ đ ƯỚC ờ  ỹ ") == "y a d d uoc o y"


def test_given_name_order_among_equal_matches() -> None:
    people = [Candidate(1, "a", "Trần Văn Bình", ""), Candidate(2, "b", "Lê Thị An", ""),
              Candidate(3, "c", "Nguyễn An", "")]
    assert [p.id for p in best_matches("", people)] == [2, 3, 1]


def test_a_large_province_is_searched_quickly() -> None:
    import time

    people = [Candidate(i, f"user{i}", f"Nguyễn Văn Người Thứ {i}", "Chuyên viên")
              for i in range(20_000)]
    start = time.perf_counter()
    best_matches("nguoi thu 1999", people)
    assert time.perf_counter() - start < 2.0

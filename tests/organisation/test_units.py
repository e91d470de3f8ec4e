"""The unit tree through the API: nesting, kinds that fit, cycles refused, deleting only
what nothing hangs on."""

from __future__ import annotations

from typing import Any

from .conftest import Api, Org


def find(nodes: list[dict[str, Any]], unit_id: int) -> dict[str, Any] | None:
    for node in nodes:
        if node["id"] == unit_id:
            return node
        if (found := find(node["children"], unit_id)) is not None:
            return found
    return None


async def tree(api: Api) -> list[dict[str, Any]]:
    status, body = await api.get("/api/v1/units")
    assert status == 200
    return list(body["units"])


async def test_the_tree_holds_departments_then_districts_under_the_province(
    admin: Api, org: Org
) -> None:
    [province] = await tree(admin)
    assert [c["name"] for c in province["children"]] == [
        "Sở Tài chính", "Văn phòng UBND tỉnh", "UBND huyện Hòa An", "UBND huyện Tân Lập"]


async def test_an_admin_adds_a_commune_under_a_district(admin: Api, org: Org) -> None:
    status, body = await admin.post("/api/v1/units", {
        "name": "UBND xã Tân Thành", "short_name": "Xã Tân Thành", "kind": "commune",
        "parent_id": org.tan_lap})
    assert status == 201
    district = find(await tree(admin), org.tan_lap)
    assert district is not None and district["children"][0] == {
        **body["unit"], "users": 0, "rooms": 0, "children": []}


async def test_a_commune_may_sit_directly_under_the_province(admin: Api, org: Org) -> None:
    # The two-level local government (from 1 July 2025) has no districts.
    status, _ = await admin.post("/api/v1/units", {
        "name": "UBND phường Bắc Sơn", "kind": "commune", "parent_id": org.province})
    assert status == 201


async def test_a_parent_of_the_wrong_kind_is_refused(admin: Api, org: Org) -> None:
    status, body = await admin.post("/api/v1/units", {
        "name": "UBND xã Hòa Bình", "kind": "commune", "parent_id": org.tan_lap})
    commune = body["unit"]["id"]
    cases = {
        "province under a district": {"kind": "province", "parent_id": org.tan_lap},
        "district under a district": {"kind": "district", "parent_id": org.hoa_an},
        "district under a department": {"kind": "district", "parent_id": org.finance},
        "department under a commune": {"kind": "department", "parent_id": commune},
        "department without a parent": {"kind": "department", "parent_id": None},
    }
    codes = {}
    for case, fields in cases.items():
        status, body = await admin.post("/api/v1/units", {"name": "Đơn vị thử", **fields})
        codes[case] = (status, body["error"]["code"])
    assert codes == {
        "province under a district": (400, "province_has_no_parent"),
        "district under a district": (400, "invalid_parent"),
        "district under a department": (400, "invalid_parent"),
        "department under a commune": (400, "invalid_parent"),
        "department without a parent": (400, "parent_required"),
    }


async def test_the_wrong_parent_message_names_both_kinds(admin: Api, org: Org) -> None:
    _, body = await admin.post("/api/v1/units", {
        "name": "Huyện thử", "kind": "district", "parent_id": org.hoa_an})
    assert body["error"]["message"] == (
        "Đơn vị loại “Cấp huyện” không thể trực thuộc “UBND huyện Hòa An” (loại “Cấp huyện”).")


async def test_moving_a_unit_under_itself_or_its_descendant_is_refused(
    admin: Api, org: Org
) -> None:
    _, body = await admin.post("/api/v1/units", {
        "name": "Phòng Kế hoạch", "kind": "department", "parent_id": org.finance})
    division = body["unit"]["id"]
    below, _ = await admin.patch(f"/api/v1/units/{org.finance}", {"parent_id": division})
    itself, answer = await admin.patch(f"/api/v1/units/{org.finance}", {"parent_id": org.finance})
    assert (below, itself, answer["error"]["code"]) == (400, 400, "unit_cycle")
    assert find(await tree(admin), org.finance)["parent_id"] == org.province  # type: ignore[index]


async def test_a_kind_that_would_strand_its_sub_units_is_refused(admin: Api, org: Org) -> None:
    await admin.post("/api/v1/units", {
        "name": "UBND xã Tân Thành", "kind": "commune", "parent_id": org.tan_lap})
    status, body = await admin.patch(f"/api/v1/units/{org.tan_lap}", {"kind": "department"})
    assert (status, body["error"]["code"]) == (409, "kind_does_not_fit_children")


async def test_a_patch_renames_and_moves_a_unit(admin: Api, org: Org) -> None:
    status, body = await admin.patch(f"/api/v1/units/{org.finance}", {
        "name": "  Sở   Tài chính  tỉnh ", "short_name": "STC", "parent_id": org.office})
    assert (status, body["unit"]) == (200, {
        "id": org.finance, "name": "Sở Tài chính tỉnh", "short_name": "STC",
        "kind": "department", "parent_id": org.office})


async def test_deleting_is_refused_while_anything_hangs_on_the_unit(
    admin: Api, org: Org, make_meeting: Any
) -> None:
    _, body = await admin.post("/api/v1/units", {
        "name": "Sở Y tế", "kind": "department", "parent_id": org.province})
    with_room = body["unit"]["id"]
    await admin.post("/api/v1/rooms", {"name": "Phòng họp Sở Y tế", "kind": "hall",
                                       "unit_id": with_room, "seats": 8})
    _, body = await admin.post("/api/v1/units", {
        "name": "Sở Xây dựng", "kind": "department", "parent_id": org.province})
    organiser = body["unit"]["id"]
    await make_meeting(organiser=organiser)
    answers = {}
    for name, unit_id in (("province", org.province), ("finance", org.finance),
                          ("health", with_room), ("construction", organiser)):
        status, body = await admin.delete(f"/api/v1/units/{unit_id}")
        answers[name] = (status, body["error"]["code"])
    assert answers == {"province": (409, "unit_has_children"),
                       "finance": (409, "unit_has_users"),
                       "health": (409, "unit_has_rooms"),
                       "construction": (409, "unit_has_meetings")}


async def test_the_refusal_says_what_and_how_many(admin: Api, org: Org) -> None:
    _, body = await admin.delete(f"/api/v1/units/{org.finance}")
    assert body["error"]["message"] == (
        "Không thể xóa “Sở Tài chính”: còn 2 người dùng thuộc đơn vị (kể cả tài khoản đã khóa). "
        "Hãy chuyển họ sang đơn vị khác trước.")


async def test_an_empty_unit_is_deleted(admin: Api, org: Org) -> None:
    status, _ = await admin.delete(f"/api/v1/units/{org.hoa_an}")
    assert status == 204
    assert find(await tree(admin), org.hoa_an) is None
    assert (await admin.delete(f"/api/v1/units/{org.hoa_an}"))[0] == 404


async def test_unknown_and_malformed_ids_are_404(admin: Api, org: Org) -> None:
    ids = ["999999", "abc", "0", "-1", "1.5", "99999999999999", "%D9%A3"]  # the last: Arabic 3
    statuses = {(await admin.patch(f"/api/v1/units/{i}", {"name": "X"}))[0] for i in ids}
    statuses |= {(await admin.delete(f"/api/v1/units/{i}"))[0] for i in ids}
    assert statuses == {404}


async def test_an_unknown_or_malformed_parent_is_a_clear_400(admin: Api, org: Org) -> None:
    codes = []
    for parent in (999999, "3", 2**40, True, -2):
        status, body = await admin.post("/api/v1/units", {
            "name": "Sở Y tế", "kind": "department", "parent_id": parent})
        codes.append((status, body["error"]["code"]))
    assert codes == [(400, "unknown_unit")] + [(400, "invalid_field")] * 4


async def test_a_name_with_markup_is_stored_exactly_as_given(admin: Api, org: Org) -> None:
    name = "Sở <b>Tư pháp</b> & \"Nội vụ\"; DROP TABLE units;--"
    status, body = await admin.post("/api/v1/units", {
        "name": name, "kind": "department", "parent_id": org.province})
    assert (status, body["unit"]["name"]) == (201, name)


async def test_control_characters_in_a_name_are_refused(admin: Api, org: Org) -> None:
    refused = []
    for name in ("Sở Tài\nchính", "Sở\tY tế", "Sở \u202eế t Y", "Sở\x00Y tế", "Sở\u200bY tế"):
        status, body = await admin.post("/api/v1/units", {
            "name": name, "kind": "department", "parent_id": org.province})
        refused.append((status, body["error"]["code"]))
    assert refused == [(400, "invalid_field")] * 5


async def test_a_very_long_vietnamese_name_is_refused_with_its_length(
    admin: Api, org: Org
) -> None:
    name = "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp " * 3
    status, body = await admin.post("/api/v1/units", {
        "name": name, "kind": "department", "parent_id": org.province})
    assert (status, body["error"]["message"]) == (
        400, f"Trường “name” không hợp lệ: dài {len(name.strip())} ký tự, tối đa 200 ký tự")


async def test_a_name_typed_in_decomposed_accents_is_stored_in_nfc(admin: Api, org: Org) -> None:
    import unicodedata

    status, body = await admin.post("/api/v1/units", {
        "name": unicodedata.normalize("NFD", "Sở Y tế"), "kind": "department",
        "parent_id": org.province})
    assert (status, body["unit"]["name"]) == (201, "Sở Y tế")


async def test_english_speakers_get_english_messages(admin: Api, org: Org) -> None:
    admin.client.session.cookie_jar.update_cookies({"lang": "en"})
    _, body = await admin.delete(f"/api/v1/units/{org.province}")
    assert body["error"]["message"] == (
        "Cannot delete “Ủy ban nhân dân tỉnh Lâm Sơn”: it still has 4 sub-units. "
        "Move or delete them first.")

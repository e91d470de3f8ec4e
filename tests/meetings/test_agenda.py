"""The agenda: a tree in order, reordered whole, with planned times and their totals."""

from __future__ import annotations

from typing import Any

from .conftest import Api


def _flat(agenda: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [x for item in agenda for x in [item, *_flat(item["children"])]]


async def _agenda(api: Api, meeting: int) -> dict[str, Any]:
    return (await api.get(f"/api/v1/meetings/{meeting}/agenda"))[1]


async def test_items_are_appended_and_totals_add_up(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    before = await _agenda(api, demo_meeting)
    status, body = await api.post(f"/api/v1/meetings/{demo_meeting}/agenda", {
        "title": "Bế mạc", "presenter": "Chủ tịch UBND tỉnh", "planned_minutes": 5})
    assert status == 201
    assert body["agenda"][-1]["title"] == "Bế mạc"
    assert body["agenda"][-1]["position"] == len(before["agenda"]) + 1
    assert body["total_minutes"] == before["total_minutes"] + 5


async def test_a_sub_item_counts_in_its_parent_total(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    parent = (await _agenda(api, demo_meeting))["agenda"][0]
    _, body = await api.post(f"/api/v1/meetings/{demo_meeting}/agenda", {
        "title": "Ý kiến Sở Tài chính", "parent_id": parent["id"], "planned_minutes": 7})
    assert body["agenda"][0]["total_minutes"] == parent["total_minutes"] + 7


async def test_reordering_swaps_two_items(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    flat = _flat((await _agenda(api, demo_meeting))["agenda"])
    order = [{"id": i["id"], "parent_id": i["parent_id"], "position": i["position"]}
             for i in flat]
    first, second = (o for o in order if o["parent_id"] is None and o["position"] in (1, 2))
    first["position"], second["position"] = 2, 1
    status, body = await api.put(f"/api/v1/meetings/{demo_meeting}/agenda/order",
                                 {"order": order})
    assert status == 200
    assert [i["id"] for i in body["agenda"][:2]] == [second["id"], first["id"]]


async def test_duplicate_positions_are_refused_and_nothing_changes(
    demo_meeting: int, api: Api
) -> None:
    await api.as_("thuky")
    before = await _agenda(api, demo_meeting)
    order = [{"id": i["id"], "parent_id": i["parent_id"], "position": 1}
             for i in _flat(before["agenda"])]
    status, body = await api.put(f"/api/v1/meetings/{demo_meeting}/agenda/order",
                                 {"order": order})
    assert (status, body["error"]["code"]) == (400, "invalid_agenda_order")
    assert "cùng một vị trí" in body["error"]["message"]
    assert await _agenda(api, demo_meeting) == before


async def test_an_item_cannot_be_put_inside_itself(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    items = _flat((await _agenda(api, demo_meeting))["agenda"])
    parent = next(i for i in items if i["children"])
    child = parent["children"][0]
    order = [{"id": i["id"], "parent_id": i["parent_id"], "position": i["position"]}
             for i in items]
    for o in order:
        if o["id"] == parent["id"]:
            o["parent_id"], o["position"] = child["id"], 1
    top = [o for o in order if o["parent_id"] is None]
    for position, o in enumerate(sorted(top, key=lambda o: o["position"]), start=1):
        o["position"] = position
    status, body = await api.put(f"/api/v1/meetings/{demo_meeting}/agenda/order",
                                 {"order": order})
    assert status == 400 and body["error"]["code"] == "invalid_agenda_order"


async def test_an_order_missing_an_item_is_refused(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    items = _flat((await _agenda(api, demo_meeting))["agenda"])
    order = [{"id": i["id"], "parent_id": i["parent_id"], "position": i["position"]}
             for i in items[:-1]]
    status, _ = await api.put(f"/api/v1/meetings/{demo_meeting}/agenda/order", {"order": order})
    assert status == 400


async def test_deleting_an_item_closes_the_gap(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    first = (await _agenda(api, demo_meeting))["agenda"][0]
    status, body = await api.delete(f"/api/v1/meetings/{demo_meeting}/agenda/{first['id']}")
    assert status == 200
    assert [i["position"] for i in body["agenda"]] == list(range(1, len(body["agenda"]) + 1))


async def test_an_item_of_another_meeting_is_unknown(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    _, other = await api.post("/api/v1/meetings", {
        "title": "Khác", "organiser_unit_id": 1, "starts_at": "2026-12-01T14:00:00+07:00"})
    item = (await _agenda(api, demo_meeting))["agenda"][0]["id"]
    status, body = await api.patch(
        f"/api/v1/meetings/{other['meeting']['id']}/agenda/{item}", {"title": "Chiếm"})
    assert (status, body["error"]["code"]) == (400, "unknown_reference")


async def test_a_very_long_title_is_refused_with_its_limit(demo_meeting: int, api: Api) -> None:
    await api.as_("thuky")
    status, body = await api.post(f"/api/v1/meetings/{demo_meeting}/agenda",
                                  {"title": "Báo cáo " * 100})
    assert status == 400 and "500" in body["error"]["message"]

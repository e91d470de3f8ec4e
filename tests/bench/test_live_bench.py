"""The live bench still runs: a few tablets, a few page turns, every delivery arrives.

``python -m bench live`` is not part of ``make test`` (it takes a minute and needs the
machine to itself); this keeps it from rotting as the wire contract moves.
"""

from __future__ import annotations

from bench import live


def test_every_page_turn_reaches_every_tablet_of_both_servers() -> None:
    rows = live.run(live.Plan(tablets=20, turns=5, spacing=0.05, workers=2))

    assert [(row.name, row.joined, row.turns, len(row.each), row.lost) for row in rows] == [
        ("Phòng Họp (SQLite)", 20, 5, 100, 0), ("bare python-socketio", 20, 5, 100, 0)]

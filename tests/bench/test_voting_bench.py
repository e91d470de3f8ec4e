"""The voting bench still runs: a few voters on SQLite, each answered and counted once.

``python -m bench voting`` is not part of ``make test`` (it takes minutes and needs
the machine to itself); this keeps it from rotting as the wire contract moves.
"""

from __future__ import annotations

from bench import voting


def test_every_voter_is_acknowledged_and_counted_exactly_once() -> None:
    rows, _ = voting.run(voting.Plan(voters=20, polls=1, spread=0.2, workers=2),
                         engines=("sqlite",))

    assert [(row.joined, row.acked, row.sent, row.counted) for row in rows] == [
        (20, 20, 20, True)]

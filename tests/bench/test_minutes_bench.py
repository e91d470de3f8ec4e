"""The minutes bench runs end to end (one round): render, fields, three signatures, verify."""

from __future__ import annotations

from bench import minutes


def test_the_minutes_bench_signs_to_b_lta_and_verifies() -> None:
    lines = minutes.run(rounds=1)
    assert not minutes.failed(lines), "\n".join(lines)
    assert sum(line.startswith("| sign: ") for line in lines) == 3

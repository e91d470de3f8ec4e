"""Fixtures of the room agent's tests: the realtime tests' tablets on the demo meeting."""

from __future__ import annotations

from tests.realtime.conftest import meeting_id, tablets  # noqa: F401  (fixtures)

"""Fixtures of the minutes tests: the votes tests' live meeting with its members checked in
(``chair``), polls in one line (``make_poll``) and tablets, to hold a meeting to minute."""

from __future__ import annotations

from tests.voting.conftest import chair, make_poll, meeting_id, tablets  # noqa: F401  (fixtures)

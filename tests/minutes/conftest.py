"""Fixtures of the minutes tests: the votes tests' live meeting with its members checked in
(``chair``), polls in one line (``make_poll``) and tablets, to hold a meeting to minute;
and the signing material (signing_fixtures.py): a dev PKI, a prepared two-page minutes
and its signed stages, made once per session."""

from __future__ import annotations

from tests.minutes.signing_fixtures import (  # noqa: F401  (fixtures)
    material,
    prepared,
    stages,
    timestamper,
    untrusted_key,
)
from tests.voting.conftest import chair, make_poll, meeting_id, tablets  # noqa: F401  (fixtures)

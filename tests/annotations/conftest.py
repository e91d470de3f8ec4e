"""Fixtures of the annotations tests: the documents tests' API client and PDFs, and the
realtime tests' tablets, so a note can be written over HTTP and watched over Socket.IO."""

from __future__ import annotations

from tests.documents.conftest import api, meeting_id  # noqa: F401  (fixtures)
from tests.realtime.conftest import tablets  # noqa: F401  (fixture)

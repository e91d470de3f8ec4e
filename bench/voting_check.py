"""What the voting bench checks and measures beside the tablets: the count in the
database after each poll, and how long an fsync takes on this disk.

The count is read with the server's own models from the bench's database, while
the server still runs (SQLite in WAL mode lets a reader in beside the writer).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections import Counter


async def counted_exactly(url: str, poll_id: int, sent: dict[int, int],
                           published: dict[int, int] | None, errors: list[str]) -> bool:
    """From the database: one voter roll per voter who sent a ballot and none for anyone
    else, named choices equal to what was sent, option by option, and so is the result."""
    from sqlalchemy import func, select

    from server.db import create_engine
    from server.voting.models import NamedChoice, VoterRoll

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rolls = dict((await conn.execute(
                select(VoterRoll.participant_id, func.count()).where(VoterRoll.poll_id == poll_id)
                .group_by(VoterRoll.participant_id))).all())
            chosen = dict((await conn.execute(
                select(NamedChoice.option_id, func.count()).where(NamedChoice.poll_id == poll_id)
                .group_by(NamedChoice.option_id))).all())
    finally:
        await engine.dispose()
    expected = Counter(sent.values())
    checks = {"voter rolls": rolls == dict.fromkeys(sent, 1),
              "named choices": Counter(chosen) == expected,
              "published counts": Counter({k: v for k, v in (published or {}).items() if v})
              == expected}
    for what, ok in checks.items():
        if not ok:
            errors.append(f"poll {poll_id}: the {what} differ from the {len(sent)} ballots sent")
    return all(checks.values())


def fsync_ms(directory: str, times: int = 20) -> float:
    """How long one fsync of a small append takes on the disk under ``directory``."""
    took = []
    with tempfile.NamedTemporaryFile(dir=directory) as f:
        for _ in range(times):
            f.write(b"x" * 4096)
            f.flush()
            started = time.perf_counter()
            os.fsync(f.fileno())
            took.append(time.perf_counter() - started)
    return statistics.median(took) * 1000

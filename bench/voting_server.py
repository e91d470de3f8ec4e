"""``python -m bench.voting_server GROUPS serve --port N``: the real server, with the
ballot writer's groups written down for the voting bench.

The server is ``python -m server`` unchanged, except that every group the ballot
writer commits (:meth:`server.voting.writer.BallotWriter._commit`) appends one
line to the file ``GROUPS``: its size, and ``time.monotonic()`` when the
transaction began and when it was committed. That is the writer's
``groups_written`` counter with the sizes and times the bench needs to say what
bounds it (how many ballots each fsync carried, how long a group held the
writer); the counter itself lives in the server process, out of the bench's
reach. One short line per group costs microseconds against a commit's
milliseconds. The file stays open for the life of the process.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Any


def instrument(out: IO[str]) -> None:
    from server.voting import writer

    commit = writer.BallotWriter._commit

    async def counted(self: Any, ballots: list[Any]) -> Any:
        began = time.monotonic()
        receipts = await commit(self, ballots)
        out.write(f"{len(ballots)} {began:.6f} {time.monotonic():.6f}\n")
        return receipts

    writer.BallotWriter._commit = counted  # type: ignore[method-assign]


def read_groups(path: str) -> list[tuple[int, float, float]]:
    """The groups written so far: (size, began, committed); none if no file was written."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [(int(n), float(a), float(b))
                for n, a, b in (line.split() for line in f if line.count(" ") == 2)]


def main() -> int:
    from server.__main__ import main as server

    path, *argv = sys.argv[1:]
    with open(path, "a", buffering=1) as out:
        instrument(out)
        return server(argv)


if __name__ == "__main__":
    sys.exit(main())

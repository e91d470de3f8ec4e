"""Worker processes of the benches that hold many tablets, and the pipes that drive them.

Tablets are spread over several processes (``multiprocessing``, spawn: a clean
interpreter, no event loop inherited), each talking to the parent over its own
pipe. :func:`spawned` starts them and, whatever happens, ends the ones still
running; :func:`receive` waits for one message and says which process failed
when none comes. Used by the live bench (:mod:`bench.live`) and the voting bench
(:mod:`bench.voting`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

Worker = tuple[Any, Connection]  # a process and the parent's end of its pipe


def chunks(items: Sequence[Any], processes: int) -> list[list[Any]]:
    """``items`` dealt round-robin over at most ``processes`` non-empty lists."""
    return [c for c in (list(items[i::processes]) for i in range(processes)) if c]


@contextmanager
def spawned(run: Callable[..., None], parts: list[Any], *args: Any) -> Iterator[list[Worker]]:
    """One process per part, each running ``run(*args, part, conn)``."""
    context = multiprocessing.get_context("spawn")
    workers: list[Worker] = []
    try:
        for part in parts:
            ours, theirs = context.Pipe()
            process = context.Process(target=run, daemon=True, args=(*args, part, theirs))
            process.start()
            theirs.close()
            workers.append((process, ours))
        yield workers
    finally:
        for process, conn in workers:
            if process.is_alive():
                process.terminate()
                process.join(5)
            conn.close()


def receive(conn: Connection, process: Any, timeout: float) -> Any:
    try:
        if conn.poll(timeout):
            return conn.recv()
    except EOFError:
        process.join(5)
        raise RuntimeError(f"tablet process {process.pid} ended ({process.exitcode})") from None
    raise RuntimeError(f"tablet process {process.pid} did not answer in {timeout:.0f} s")

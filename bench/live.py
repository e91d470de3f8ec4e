"""Live bench: how long a page turn takes to reach the last of 500 tablets.

The real server runs in its own process on a fresh SQLite database (``migrate``,
``demo``, then as many delegates as tablets, each a participant with a session
cookie, added with the server's own services: :mod:`bench.live_servers`).
Tablets are python-socketio clients on the websocket transport, spread over
several processes (:mod:`bench.live_tablets`); each joins the demo meeting. The chair (``chutoa``,
in this process) starts the meeting, presents a document and turns pages at
least ``spacing`` apart (a turn waits for the answer to the one before, so a slow
server stretches the run); every tablet notes when each ``presentation``
meeting_event arrives. Send and arrival times are ``time.monotonic()``, one
system-wide clock on Linux, so they compare across processes.

Beside it, in the same run and with the same tablets and chair, a bare
python-socketio server (:mod:`bench.live_baseline`: no database, no auth) shows
what the transport alone costs on this machine.

Per target the table gives: the time from the chair's ``turn_page`` to the LAST
tablet receiving it (p50 and p99 over the turns), the same over every single
delivery, deliveries lost, and CPU time per delivered message of the server
process and of the tablet processes (``/proc/<pid>/stat``, Linux only), counted
from just before the first turn to the last arrival.

Everything shares one machine: on 2 cores the server's single event loop and the
tablet processes take turns on the same CPUs, so the figures are a ceiling on
what real tablets (each its own device) would see. The notes under the table say
how busy each side was while the turns ran.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.realtime.events import (
    JOIN,
    MEETINGS_NAMESPACE,
    PRESENT,
    START_MEETING,
    TURN_PAGE,
)

from . import live_tablets, workers
from .live_servers import Target, baseline, phonghop

# After the last turn, how long a tablet may take before its missing events count as lost.
GRACE = 10.0
SETTLE_PER_TABLET = 0.002
# Share of a core that other work (the chair included) may take before the run is called noisy.
BUSY = 0.25

HEADER = (
    "| live: chair turns a page       | tablets | turns | deliv. | lost | last p50 ms"
    " | last p99 ms | each p50 ms | each p99 ms | server µs/msg | tablets µs/msg |\n"
    "|--------------------------------|---------|-------|--------|------|------------"
    "-|-------------|-------------|-------------|---------------|----------------|"
)


@dataclass(frozen=True)
class Plan:
    """What to run; ``python -m bench live --tablets 50 --turns 10`` for a quick look."""

    tablets: int = 500
    turns: int = 100
    spacing: float = 0.1  # seconds between the chair's page turns
    workers: int = 10  # processes the tablets are spread over
    deflate: bool = True  # tablets ask for permessage-deflate, as browsers do

    @property
    def processes(self) -> int:
        return max(1, min(self.workers, self.tablets))

    def title(self) -> str:
        return (f"Live meeting: {self.tablets} tablets in {self.processes} processes, "
                f"{self.turns} page turns {self.spacing * 1000:.0f} ms apart, websocket "
                f"{'with' if self.deflate else 'without'} permessage-deflate; server and "
                f"tablets share {os.cpu_count()} cores")


@dataclass
class LiveRow:
    name: str
    tablets: int
    joined: int
    turns: int
    refused: int = 0
    lost: int = 0
    first: list[float] = field(default_factory=list)  # per turn: send → first tablet
    last: list[float] = field(default_factory=list)  # per turn: send → last tablet
    each: list[float] = field(default_factory=list)  # per delivery: send → that tablet
    server_cpu: float = 0.0
    tablets_cpu: float = 0.0
    others_cpu: float = 0.0  # the chair, the kernel and whatever else ran meanwhile
    seconds: float = 0.0  # from the first turn to the last arrival
    joining: float = 0.0  # from the first tablet's connect to the last one's join answer
    acks: list[float] = field(default_factory=list)  # the chair's wait for each answer
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        delivered = len(self.each)

        def per_message(cpu: float) -> str:
            return f"{cpu / delivered * 1e6:.0f}" if delivered else "-"

        return (f"| {self.name:<30} | {self.joined:>3}/{self.tablets:<3} | {self.turns:>5} | "
                f"{delivered:>6} | {self.lost:>4} | {_pct(self.last, 0.5):>11} | "
                f"{_pct(self.last, 0.99):>11} | {_pct(self.each, 0.5):>11} | "
                f"{_pct(self.each, 0.99):>11} | {per_message(self.server_cpu):>13} | "
                f"{per_message(self.tablets_cpu):>14} |")

    def note(self) -> str:
        if not self.seconds:
            return f"{self.name}: nothing measured"
        per_turn = self.server_cpu / self.turns * 1000 if self.turns else 0
        return (f"{self.name}: {self.joined} tablets connected and joined in "
                f"{self.joining:.1f} s; first tablet p50 {_pct(self.first, 0.5)} ms, the "
                f"chair's answer p50 {_pct(self.acks, 0.5)} ms; "
                f"{per_turn:.0f} ms of server CPU per turn; over {self.seconds:.1f} s of turns "
                f"the server process used {self.server_cpu / self.seconds:.0%} of one core, "
                f"the tablet processes {self.tablets_cpu / self.seconds:.0%}, the chair and "
                f"everything else {self.others_cpu / self.seconds:.0%} "
                f"(of {os.cpu_count() or 1}00%)")

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.refused == 0 and self.joined == self.tablets


def _pct(values: list[float], p: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000:.1f}"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (fields 14 and 15 of its stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time every core spent busy since boot: user to steal, less idle and iowait."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _cpu(pids: list[int]) -> list[float]:
    """The machine's busy time, then each process's, read together."""
    return [machine_cpu_seconds(), *(cpu_seconds(pid) for pid in pids)]


# --- measuring ----------------------------------------------------------------------------


def measure(target: Target, plan: Plan) -> LiveRow:
    """Start the tablet processes, let the chair turn the pages, gather the arrivals."""
    row = LiveRow(target.name, len(target.tablets), 0, 0)
    with workers.spawned(live_tablets.run, workers.chunks(target.tablets, plan.processes),
                         target.url, target.meeting_id, plan.deflate) as processes:
        spans = []
        for process, conn in processes:
            _, joined, errors, opened, done = workers.receive(conn, process, 900)
            row.joined += joined
            row.errors += errors
            spans.append((opened, done))
        row.joining = max(d for _, d in spans) - min(o for o, _ in spans)
        pids = [target.pid] + [p.pid for p, _ in processes]
        before: list[float] = []
        started = [0.0]

        def at_first_turn() -> None:
            before[:] = _cpu(pids)
            started[0] = time.monotonic()

        chair = asyncio.run(_chair(target, plan, at_first_turn))
        row.turns, row.refused, row.acks = len(chair.sends), len(chair.refusals), chair.acks
        row.errors += chair.refusals[:5]
        for _, conn in processes:
            conn.send(("finish", list(chair.sends), GRACE))
        arrivals = [got for process, conn in processes
                    for got in workers.receive(conn, process, GRACE + 60)[1]]
        after = _cpu(pids)
        row.seconds = time.monotonic() - started[0]
        used = [a - b for a, b in zip(after, before, strict=True)]
        row.server_cpu, row.tablets_cpu = used[1], sum(used[2:])
        row.others_cpu = max(0.0, used[0] - sum(used[1:]))
        _tally(row, chair.sends, arrivals)
        for _, conn in processes:
            conn.send(("close",))
        for process, _ in processes:
            process.join(30)
    return row


def _tally(row: LiveRow, sends: dict[int, float], arrivals: list[list[tuple[int, float]]]
           ) -> None:
    first, last = dict.fromkeys(sends, float("inf")), dict.fromkeys(sends, 0.0)
    for got in arrivals:
        seen = set()
        for rev, at in got:
            if rev in sends and rev not in seen:
                seen.add(rev)
                latency = at - sends[rev]
                row.each.append(latency)
                first[rev] = min(first[rev], latency)
                last[rev] = max(last[rev], latency)
        row.lost += len(sends) - len(seen)
    row.first = [t for t in first.values() if t != float("inf")]
    row.last = list(last.values())


@dataclass
class ChairLog:
    sends: dict[int, float] = field(default_factory=dict)  # revision → time the turn left
    acks: list[float] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)


async def _chair(target: Target, plan: Plan, at_first_turn: Callable[[], None]) -> ChairLog:
    """Start the meeting, present, then turn pages at least ``plan.spacing`` apart.

    Each turn's send time is kept under the revision its acknowledgement names. It
    is taken just before the event leaves, so the latency includes everything the
    server does for a turn (its transaction too).
    """
    sio = live_tablets.client(target.chair, plan.deflate)
    await sio.connect(target.url, transports=["websocket"], namespaces=[MEETINGS_NAMESPACE],
                      wait_timeout=30)

    async def act(event: str, data: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = await sio.call(event, data, namespace=MEETINGS_NAMESPACE,
                                                timeout=30)
        return answer

    try:
        joined = await act(JOIN, {"meeting_id": target.meeting_id, "device": "bench chair"})
        if not joined.get("ok"):
            raise RuntimeError(f"the chair could not join: {joined}")
        if joined["snapshot"].get("meeting", {}).get("status") != "live":
            _check(await act(START_MEETING, {}), START_MEETING)
        _check(await act(PRESENT, {"document_id": target.document_id, "page": 1}), PRESENT)
        # Before counting, the start and present broadcasts are over.
        await asyncio.sleep(max(0.1, SETTLE_PER_TABLET * len(target.tablets)))
        log = ChairLog()
        at_first_turn()
        due = time.monotonic()
        for turn in range(plan.turns):
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            page = (turn + 1) % target.pages + 1  # 2, 3, …, pages, 1, 2, …: always a change
            sent = time.monotonic()
            # Never closer than ``spacing``: catching up after a slow answer with a burst
            # would run into the server's page-turn rate limit, as a script, not a chair.
            due = sent + plan.spacing
            answer = await act(TURN_PAGE, {"page": page})
            log.acks.append(time.monotonic() - sent)
            if answer.get("ok"):
                log.sends[answer["rev"]] = sent
            else:
                log.refusals.append(f"turn_page refused: {answer}")
        return log
    finally:
        await sio.disconnect()


def _check(answer: dict[str, Any], event: str) -> None:
    if not answer.get("ok"):
        raise RuntimeError(f"{event} refused: {answer}")


# --- the table ----------------------------------------------------------------------------


def run(plan: Plan) -> list[LiveRow]:
    """Both targets, one after the other, with the same tablets and chair."""
    rows = []
    for target in (phonghop, baseline):
        with target(plan.tablets) as t:
            rows.append(measure(t, plan))
    return rows


def table(plan: Plan, rows: list[LiveRow]) -> list[str]:
    """The table's lines, then a note per row and any refusal or error."""
    lines = [plan.title(), "", HEADER, *(row.line() for row in rows), ""]
    lines += [row.note() for row in rows]
    lines += [f"{row.name}: {error}" for row in rows for error in row.errors]
    if any(row.seconds and row.others_cpu / row.seconds > BUSY for row in rows):
        lines.append(f"WARNING: other work used over {BUSY:.0%} of a core during the turns; "
                     "these figures are not clean, run again on a quiet machine")
    lines.append("last = until the last tablet has the turn; each = every single delivery; "
                 "µs/msg = CPU time per delivered message")
    return lines

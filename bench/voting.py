"""Voting bench: 500 tablets cast one ballot each within a second; how fast are they
answered, is every one counted once, and how soon do the tablets see the result?

Issue 5 states the aim: all 500 acknowledged within one second, the result
published within 100 ms of closing, on SQLite with full durability and on
PostgreSQL. Per engine, the real server runs in its own process
(:func:`bench.live_servers.phonghop`) on a fresh database (SQLite: a file of its
own; PostgreSQL: a throwaway database, :func:`bench.databases.postgres`) with the
demo and one delegate per voter, every member checked in with a voting right.
The tablets are python-socketio clients on the websocket transport, spread over
several processes (:mod:`bench.voting_tablets`), as in the live bench.

For each of a few polls the chair (``chutoa``, in this process: login over HTTP,
the poll created with ``POST /api/v1/meetings/{id}/polls`` and the CSRF token
the login gave, then Socket.IO) opens a yes/no named poll; once every tablet has
the ballot, each tablet sends its one ballot at a time drawn from an even spread
over ``spread`` seconds (1 s by default, ``--spread 0`` sends all at once) and
notes when the acknowledgement (which leaves after the commit) arrives. The chair
then closes and publishes, in turns the two ways the console offers: the odd polls
in two steps (``close_poll``, then ``publish_poll`` once the close is answered) and
the even ones in one (``close_poll`` with ``publish: true``); the result time runs
from the chair sending ``close_poll`` to the LAST tablet receiving the ``polls``
meeting_event with the results. Alternating, rather than one way after the other,
lets whatever else loads the machine fall on both alike. After each poll the
database is read: exactly one voter roll per voter and named choices that equal,
option by option, what the tablets sent (and what the published result says).

The server is started through :mod:`bench.voting_server`, which writes down the
size and duration of every group the ballot writer commits. Times are
``time.monotonic()``, one clock for every process on Linux. Everything shares one
machine: the tablets' processes take CPU from the server, so the figures are a
ceiling on what real tablets would see.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from server.realtime.events import (
    CLOSE_POLL,
    JOIN,
    MEETINGS_NAMESPACE,
    OPEN_POLL,
    PUBLISH_POLL,
    START_MEETING,
)

from . import databases, live_tablets, voting_tablets, workers
from .live import BUSY, _cpu, _pct
from .live_servers import Target, phonghop
from .voting_check import counted_exactly, fsync_ms
from .voting_server import read_groups

# Time for the "vote" message to reach every tablet process before the first send.
LEAD = 0.3
QUIET = 0.5
SEEN_TIMEOUT = 30.0
NAMES = {"sqlite": "Phòng Họp, SQLite (sync FULL)", "postgresql": "Phòng Họp, PostgreSQL"}
AIM_ACK, AIM_RESULT = 1.0, 0.1  # seconds, from issue 5

HEADER = (
    "| voting: one ballot per voter     | voters  | acked    | not acked | ack p50 ms"
    " | ack p99 ms | last ack s | ballots/s | 2 steps p50 ms | 2 steps max ms"
    " | 1 step p50 ms | 1 step p99 ms | counted exactly |\n"
    "|----------------------------------|---------|----------|-----------|-----------"
    "-|------------|------------|-----------|----------------|---------------"
    "-|---------------|---------------|-----------------|"
)


@dataclass(frozen=True)
class Plan:
    """What to run; ``python -m bench voting --voters 50 --polls 1`` for a quick look."""

    voters: int = 500
    polls: int = 10  # odd ones closed and published in two steps, even ones in one
    spread: float = 1.0  # seconds over which the ballots' sends are spread; 0: all at once
    workers: int = 10  # processes the tablets are spread over
    deflate: bool = True

    @property
    def processes(self) -> int:
        return max(1, min(self.workers, self.voters))

    def title(self) -> str:
        sends = (f"sends spread evenly over {self.spread:g} s" if self.spread
                 else "all sent at once")
        return (f"Voting: {self.voters} voters as tablets in {self.processes} processes, "
                f"{self.polls} yes/no named poll{'s' if self.polls > 1 else ''} (closed and "
                f"published in two steps and in one, by turns), one ballot "
                f"each per poll, {sends}; websocket "
                f"{'with' if self.deflate else 'without'} permessage-deflate; server and "
                f"tablets share {os.cpu_count()} cores")


@dataclass
class Round:
    """One poll: what was sent and answered, and what the database holds."""

    sent: int = 0
    acked: int = 0
    span: float = 0.0  # first send → last acknowledgement
    opened: float = 0.0  # open_poll sent → last tablet with the ballot
    result: float = 0.0  # close_poll sent → last tablet with the result
    one_step: bool = False  # close_poll with publish: true, instead of close then publish
    close_ack: float = 0.0
    publish_ack: float = 0.0  # two steps only
    # CPU seconds from close_poll sent to every tablet with the result: the server, the
    # tablet processes, and everything else (the chair, PostgreSQL, other work)
    result_cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)
    event_bytes: int = 0  # the polls meeting_event that carried the result, as JSON
    counted: bool = False
    groups: list[tuple[int, float, float]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.acked / self.span if self.span else 0.0


@dataclass
class VotingRow:
    name: str
    voters: int
    joined: int = 0
    rounds: list[Round] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # every ballot: send → ack
    server_cpu: float = 0.0  # during the bursts
    tablets_cpu: float = 0.0
    others_cpu: float = 0.0  # the chair, the kernel, PostgreSQL and whatever else ran
    burst_seconds: float = 0.0
    background: list[float] = field(default_factory=list)  # cores busy before each burst
    errors: list[str] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(r.sent for r in self.rounds)

    @property
    def acked(self) -> int:
        return sum(r.acked for r in self.rounds)

    @property
    def counted(self) -> bool:
        return bool(self.rounds) and all(r.counted for r in self.rounds)

    @property
    def ok(self) -> bool:
        return (self.joined == self.voters and self.counted
                and self.acked == self.voters * len(self.rounds))

    def results(self, one_step: bool) -> list[float]:
        """Close → last tablet with the result, of the polls closed in one step or two."""
        return [r.result for r in self.rounds if r.one_step == one_step]

    def line(self) -> str:
        two, one = self.results(False), self.results(True)
        spans = max((r.span for r in self.rounds), default=0.0)
        rate = statistics.median(r.rate for r in self.rounds) if self.rounds else 0.0
        acked = f"{'yes' if self.acked == self.sent and self.sent else 'no'} {self.acked}"
        return (f"| {self.name:<32} | {self.joined:>3}/{self.voters:<3} | {acked:>8} | "
                f"{self.sent - self.acked:>9} | {_pct(self.latencies, 0.5):>10} | "
                f"{_pct(self.latencies, 0.99):>10} | {spans:>10.2f} | {rate:>9.0f} | "
                f"{_pct(two, 0.5):>14} | {_pct(two, 1.0):>14} | "
                f"{_pct(one, 0.5):>13} | {_pct(one, 0.99):>13} | "
                f"{'yes' if self.counted else 'NO':>15} |")

    def notes(self) -> list[str]:
        if not self.rounds:
            return [f"{self.name}: nothing measured"]
        groups = [g for r in self.rounds for g in r.groups]
        sizes = [n for n, _, _ in groups]
        held = [(b - a) for _, a, b in groups]
        two = [r for r in self.rounds if not r.one_step]
        one = [r for r in self.rounds if r.one_step]
        lines = [f"{self.name}: per poll, first send → last ack "
                 + ", ".join(f"{r.span:.2f} s ({r.acked}/{r.sent}, {r.rate:.0f}/s)"
                             for r in self.rounds)
                 + "; close → last tablet with the result "
                 + ", ".join(f"{r.result * 1000:.0f} ms ({'1' if r.one_step else '2'} "
                             f"step{'' if r.one_step else 's'}, {r.event_bytes / 1024:.0f} KiB "
                             f"event)" for r in self.rounds)
                 + f"; open → last tablet with the ballot p50 "
                 f"{_pct([r.opened for r in self.rounds], 0.5)} ms"]
        if two:
            lines.append(f"{self.name}: in two steps the chair's close was answered in p50 "
                         f"{_pct([r.close_ack for r in two], 0.5)} ms and the publish in "
                         f"{_pct([r.publish_ack for r in two], 0.5)} ms")
        if one:
            lines.append(f"{self.name}: in one step the chair's close_poll with publish was "
                         f"answered in p50 {_pct([r.close_ack for r in one], 0.5)} ms, max "
                         f"{_pct([r.close_ack for r in one], 1.0)} ms (the answer leaves after "
                         f"the commit, queued with the broadcast on the chair's socket)")
        for way, rounds in (("two steps", two), ("one step", one)):
            if rounds:
                lines.append(
                    f"{self.name}: close → result in {way}, CPU used (p50 of the polls): the "
                    f"server {_pct([r.result_cpu[0] for r in rounds], 0.5)} ms, the tablet "
                    f"processes {_pct([r.result_cpu[1] for r in rounds], 0.5)} ms, everything "
                    f"else {_pct([r.result_cpu[2] for r in rounds], 0.5)} ms (the chair, "
                    f"PostgreSQL, other work on the machine)")
        if groups and self.burst_seconds:
            lines.append(
                f"{self.name}: the ballot writer committed {len(groups)} groups for "
                f"{sum(sizes)} ballots (size p50 {statistics.median(sizes):.0f}, max "
                f"{max(sizes)}); a group held the writer p50 {_pct(held, 0.5)} ms, max "
                f"{_pct(held, 1.0)} ms, in all {sum(held) / self.burst_seconds:.0%} of the "
                f"burst time")
        if self.burst_seconds:
            lines.append(
                f"{self.name}: during the bursts ({self.burst_seconds:.1f} s in all) the "
                f"server process used {self.server_cpu / self.burst_seconds:.0%} of one core, "
                f"the tablet processes {self.tablets_cpu / self.burst_seconds:.0%}, "
                f"everything else (PostgreSQL included) "
                f"{self.others_cpu / self.burst_seconds:.0%} (of {os.cpu_count() or 1}00%); "
                f"other work before the bursts (0.5 s, idle bench): "
                + ", ".join(f"{b:.0%}" for b in self.background))
        return lines


# --- measuring ----------------------------------------------------------------------------


def measure(target: Target, plan: Plan, groups: str, name: str = "") -> VotingRow:
    """Start the tablet processes, let the chair run the polls, return the row."""
    row = VotingRow(name or target.name, len(target.tablets))
    with workers.spawned(voting_tablets.run, workers.chunks(target.tablets, plan.processes),
                         target.url, target.meeting_id, plan.deflate) as processes:
        voters: list[list[int]] = []
        for process, conn in processes:
            _, ids, errors, _, _ = workers.receive(conn, process, 300)
            voters.append(ids)
            row.errors += errors
        row.joined = sum(len(ids) for ids in voters)
        asyncio.run(_chair(target, plan, processes, voters, row, groups))
        for _, conn in processes:
            conn.send(("close",))
        for process, _ in processes:
            process.join(30)
    return row


async def _ask(processes: list[workers.Worker], messages: list[Any], timeout: float
               ) -> list[Any]:
    """Send each worker its message; every worker's answer, in order."""
    for (_, conn), message in zip(processes, messages, strict=True):
        conn.send(message)
    loop = asyncio.get_running_loop()
    return list(await asyncio.gather(*(
        loop.run_in_executor(None, workers.receive, conn, process, timeout)
        for process, conn in processes)))


async def _login(http: aiohttp.ClientSession, url: str) -> dict[str, str]:
    """The chair's headers: the session cookie and the CSRF token the login answers with."""
    async with http.post(f"{url}/api/v1/auth/login",
                         json={"username": "chutoa", "password": "demo"}) as response:
        body = await response.json()
        if response.status != 200:
            raise RuntimeError(f"the chair could not log in: {body}")
        cookie = response.cookies["phonghop_session"].value
    return {"Cookie": f"phonghop_session={cookie}", "X-CSRF-Token": body["csrf_token"]}


async def _chair(target: Target, plan: Plan, processes: list[workers.Worker],
                 voters: list[list[int]], row: VotingRow, groups: str) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        headers = await _login(http, target.url)
        sio = live_tablets.client({"Cookie": headers["Cookie"]}, plan.deflate)
        await sio.connect(target.url, transports=["websocket"],
                          namespaces=[MEETINGS_NAMESPACE], wait_timeout=30)

        async def act(event: str, data: dict[str, Any]) -> float:
            sent = time.monotonic()
            answer = await sio.call(event, data, namespace=MEETINGS_NAMESPACE, timeout=30)
            if not answer.get("ok"):
                raise RuntimeError(f"{event} refused: {answer}")
            return time.monotonic() - sent

        try:
            joined = await sio.call(JOIN, {"meeting_id": target.meeting_id,
                                           "device": "bench chair"},
                                    namespace=MEETINGS_NAMESPACE, timeout=30)
            if joined["snapshot"].get("meeting", {}).get("status") != "live":
                await act(START_MEETING, {})
            rng = random.Random(5)
            for n in range(1, plan.polls + 1):
                async with http.post(f"{target.url}/api/v1/meetings/{target.meeting_id}/polls",
                                     json={"title": f"Biểu quyết thử {n}", "kind": "yes_no"},
                                     headers=headers) as response:
                    body = await response.json()
                    if response.status != 201:
                        raise RuntimeError(f"the poll was not created: {body}")
                poll = body["poll"]
                row.rounds.append(await _round(target, plan, processes, voters, row, groups,
                                               poll, act, rng, one_step=n % 2 == 0))
        finally:
            await sio.disconnect()


async def _round(target: Target, plan: Plan, processes: list[workers.Worker],
                 voters: list[list[int]], row: VotingRow, groups: str,
                 poll: dict[str, Any], act: Any, rng: random.Random, *,
                 one_step: bool = False) -> Round:
    """One poll: open, every tablet votes, close and publish (in one step or two), count."""
    done = Round(one_step=one_step)
    poll_id, options = poll["id"], [o["id"] for o in poll["options"]]
    opening = time.monotonic()
    await act(OPEN_POLL, {"poll_id": poll_id})
    seen = await _ask(processes, [("seen", poll_id, "open", SEEN_TIMEOUT)] * len(processes),
                      SEEN_TIMEOUT + 30)
    done.opened = max((t for _, times, _, _ in seen for t in times if t),
                      default=opening) - opening
    # Every voter's send time, an even spread dealt in random order; every choice random.
    total = sum(len(ids) for ids in voters)
    slots = [i * plan.spread / total for i in range(total)] if total else []
    rng.shuffle(slots)
    picks = [[rng.choice(options) for _ in ids] for ids in voters]
    pids = [target.pid] + [p.pid for p, _ in processes]
    # Half a second of nothing from us: what else keeps the machine busy.
    quiet = _cpu(pids)
    await asyncio.sleep(QUIET)
    before = _cpu(pids)
    row.background.append(max(0.0, (before[0] - quiet[0]) - sum(
        b - q for b, q in zip(before[1:], quiet[1:], strict=True))) / QUIET)
    start = time.monotonic() + LEAD
    orders = [[(start + slots.pop(), option) for option in choices] for choices in picks]
    casts = await _ask(processes, [("vote", poll_id, o) for o in orders],
                       plan.spread + LEAD + voting_tablets.ACK_TIMEOUT + 30)
    after = _cpu(pids)
    sent_choice: dict[int, int] = {}
    sends, acks = [], []
    for ids, order, (_, records) in zip(voters, orders, casts, strict=True):
        for participant, (_, option), (sent, acked, error) in zip(ids, order, records,
                                                                   strict=True):
            sent_choice[participant] = option
            sends.append(sent)
            if acked is None:
                row.errors.append(f"poll {poll_id}, participant {participant}: {error}")
            else:
                acks.append(acked)
                row.latencies.append(acked - sent)
    done.sent, done.acked = len(sends), len(acks)
    first, last = min(sends, default=0.0), max(acks, default=0.0)
    done.span = max(0.0, last - first)
    used = [a - b for a, b in zip(after, before, strict=True)]
    row.server_cpu += used[1]
    row.tablets_cpu += sum(used[2:])
    row.others_cpu += max(0.0, used[0] - sum(used[1:]))
    row.burst_seconds += done.span
    done.groups = [g for g in read_groups(groups) if first - 0.01 <= g[1] <= last]

    cpu_before = _cpu(pids)
    closing = time.monotonic()
    if one_step:
        done.close_ack = await act(CLOSE_POLL, {"poll_id": poll_id, "publish": True})
    else:
        done.close_ack = await act(CLOSE_POLL, {"poll_id": poll_id})
        done.publish_ack = await act(PUBLISH_POLL, {"poll_id": poll_id})
    seen = await _ask(processes,
                      [("seen", poll_id, "published", SEEN_TIMEOUT)] * len(processes),
                      SEEN_TIMEOUT + 30)
    cpu_after = _cpu(pids)
    used = [a - b for a, b in zip(cpu_after, cpu_before, strict=True)]
    done.result_cpu = (used[1], sum(used[2:]), max(0.0, used[0] - sum(used[1:])))
    arrivals = [t for _, times, _, _ in seen for t in times]
    if None in arrivals:
        row.errors.append(f"poll {poll_id}: {arrivals.count(None)} tablets saw no result")
    done.result = max((t for t in arrivals if t), default=closing) - closing
    published = next((counts for _, _, counts, _ in seen if counts), None)
    done.event_bytes = max(size for _, _, _, size in seen)
    done.counted = await counted_exactly(target.database_url, poll_id, sent_choice,
                                          published, row.errors)
    return done


# --- the table ----------------------------------------------------------------------------


def run(plan: Plan, engines: tuple[str, ...] = ("sqlite", "postgresql")
        ) -> tuple[list[VotingRow], list[str]]:
    """A row per engine, and lines about engines left out."""
    rows: list[VotingRow] = []
    left_out: list[str] = []
    for engine in engines:
        with tempfile.TemporaryDirectory() as tmp, _database(engine) as url:
            if engine != "sqlite" and url is None:
                left_out.append(f"PostgreSQL does not answer on {databases.PG_HOST}:"
                                f"{databases.PG_PORT}: its rows are left out")
                continue
            groups = f"{tmp}/groups"
            serve = ("-m", "bench.voting_server", groups, "serve")
            with phonghop(plan.voters, url, checked_in=True, serve=serve) as target:
                rows.append(measure(target, plan, groups, NAMES[engine]))
    return rows, left_out


def _database(engine: str) -> AbstractContextManager[str | None]:
    return nullcontext(None) if engine == "sqlite" else databases.postgres()


def table(plan: Plan, rows: list[VotingRow], left_out: list[str]) -> list[str]:
    lines = [plan.title(), "", HEADER, *(row.line() for row in rows), "", *left_out]
    for row in rows:
        lines += row.notes()
    lines.append(f"fsync of a 4 KiB append on this disk ({tempfile.gettempdir()}): "
                 f"{fsync_ms(tempfile.gettempdir()):.1f} ms (p50 of 20); SQLite runs the "
                 "ballot groups with synchronous=FULL (one fsync of the WAL per commit), "
                 "PostgreSQL with its defaults (fsync on, synchronous_commit on)")
    for row in rows:
        lines += [f"{row.name}: {error}" for error in row.errors[:10]]
    if any(max(r.background, default=0.0) > BUSY for r in rows):
        lines.append(f"WARNING: other work used over {BUSY:.0%} of a core just before a burst "
                     f"(" + ", ".join(f"{b:.0%}" for r in rows for b in r.background)
                     + "); these figures are not clean, run again on a quiet machine")
    lines.append(f"aim (issue 5): every voter acknowledged within {AIM_ACK:g} s and the "
                 f"result on every tablet within {AIM_RESULT * 1000:.0f} ms of closing")
    for row in rows:
        one, two = row.results(True), row.results(False)
        met_ack = row.acked == row.sent and row.latencies and max(row.latencies) <= AIM_ACK
        met_result = one and statistics.median(one) <= AIM_RESULT
        lines.append(f"{row.name}: acknowledgements {'met' if met_ack else 'NOT met'} "
                     f"(slowest {_pct(row.latencies, 1.0)} ms), result in one step "
                     f"{'met' if met_result else 'NOT met'} "
                     f"(p50 {_pct(one, 0.5)} ms; in two steps p50 {_pct(two, 0.5)} ms)")
    lines.append("ack = send → acknowledgement (after the commit); last ack = first send → "
                 "last acknowledgement, slowest poll; ballots/s = acknowledged ballots over "
                 "that time, p50 of the polls; 2 steps = the chair's close_poll → the last "
                 "tablet with the published result, close then publish (each waiting for its "
                 "answer); 1 step = the same with close_poll {\"publish\": true}; p50, p99 and "
                 "max over the polls closed that way")
    return lines

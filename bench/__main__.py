"""``python -m bench``: start a real server on a throwaway database, measure, print a table.

The server runs in its own process (as in production), with the demo loaded and
production settings (Argon2 at its default cost), so the figures include
everything a tablet would wait for. Add a scenario by adding a function to
``SCENARIOS``.

``python -m bench live`` (or ``http``, ``documents``, ``voting``, ``minutes``, ``bridge``, several
at once)
prints only those tables; ``--tablets 50 --turns 10`` makes the live table quick,
``--voters 50 --polls 1`` the voting table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from . import bridge, documents, live, minutes, voting

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    name: str
    concurrency: int
    latencies: list[float]
    errors: int
    seconds: float

    def row(self) -> str:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0

        rate = len(ordered) / self.seconds if self.seconds else 0
        return (f"| {self.name:<28} | {self.concurrency:>4} | {len(ordered):>6} | {self.errors:>4}"
                f" | {pct(0.5):>7.1f} | {pct(0.95):>7.1f} | {pct(0.99):>7.1f} | {rate:>8.1f} |")


HEADER = (
    "| scenario                     | conc | reqs   | errs"
    " | p50 ms  | p95 ms  | p99 ms  | req/s    |\n"
    "|------------------------------|------|--------|------"
    "|---------|---------|---------|----------|"
)


async def load(
    name: str, concurrency: int, total: int, request: Callable[[aiohttp.ClientSession, int],
                                                               Awaitable[bool]]
) -> Result:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def worker() -> None:
        nonlocal errors
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            for i in counter:
                started = time.perf_counter()
                ok = await request(http, i)
                latencies.append(time.perf_counter() - started)
                errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, concurrency, latencies, errors, time.perf_counter() - started)


async def healthz(base: str, total: int) -> Result:
    async def one(http: aiohttp.ClientSession, _i: int) -> bool:
        async with http.get(f"{base}/healthz") as response:
            await response.read()
            return response.status == 200

    return await load("GET /healthz", 50, total, one)


async def login(base: str, total: int) -> Result:
    async def one(http: aiohttp.ClientSession, i: int) -> bool:
        body = {"username": f"daibieu{i % 20 + 1:02d}", "password": "demo"}
        async with http.post(f"{base}/api/v1/auth/login", json=body) as response:
            await response.read()
            return response.status == 200

    return await load("POST /api/v1/auth/login", 50, max(50, total // 10), one)


async def meetings(base: str, total: int) -> Result:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/api/v1/auth/login",
                             json={"username": "chutoa", "password": "demo"}) as response:
            cookie = response.cookies["phonghop_session"].value

    async def one(http: aiohttp.ClientSession, _i: int) -> bool:
        async with http.get(f"{base}/api/v1/meetings",
                            headers={"Cookie": f"phonghop_session={cookie}"}) as response:
            await response.read()
            return response.status == 200

    return await load("GET /api/v1/meetings (auth)", 50, total, one)


SCENARIOS = [healthz, login, meetings]
TABLES = ("http", "documents", "live", "voting", "minutes", "bridge")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait(base: str, process: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if process.poll() is not None:
                raise SystemExit("the server did not start")
            try:
                async with http.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    raise SystemExit("the server did not answer")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("tables", nargs="*", metavar="TABLE",
                        help=f"which tables to print: {', '.join(TABLES)} (default: all)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario")
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    plan = live.Plan()
    parser.add_argument("--tablets", type=int, default=plan.tablets,
                        help=f"live: Socket.IO clients in the meeting (default {plan.tablets})")
    parser.add_argument("--turns", type=int, default=plan.turns,
                        help=f"live: pages the chair turns (default {plan.turns})")
    parser.add_argument("--spacing", type=float, default=plan.spacing,
                        help=f"live: seconds between turns (default {plan.spacing})")
    parser.add_argument("--tablet-processes", type=int, default=plan.workers,
                        help=f"live, voting: processes the tablets are spread over (default "
                             f"{plan.workers})")
    parser.add_argument("--no-deflate", action="store_true",
                        help="live, voting: tablets do not ask for permessage-deflate "
                             "(browsers do)")
    vote = voting.Plan()
    parser.add_argument("--voters", type=int, default=vote.voters,
                        help=f"voting: tablets that vote (default {vote.voters})")
    parser.add_argument("--polls", type=int, default=vote.polls,
                        help=f"voting: polls run one after the other (default {vote.polls})")
    parser.add_argument("--spread", type=float, default=vote.spread,
                        help=f"voting: seconds the ballots' sends are spread over; 0 sends "
                             f"all at once (default {vote.spread:g})")
    args = parser.parse_args()
    if unknown := set(args.tables) - set(TABLES):
        parser.error(f"unknown table {', '.join(sorted(unknown))}; choose from "
                     f"{', '.join(TABLES)}")
    chosen = set(args.tables or TABLES)
    results: list[Result] = []
    document_lines: list[str] = []
    engine = "sqlite+aiosqlite"
    if chosen & {"http", "documents"}:
        results, document_lines, engine = _against_one_server(args, chosen)
    plan = live.Plan(args.tablets, args.turns, args.spacing, args.tablet_processes,
                     deflate=not args.no_deflate)
    live_rows = live.run(plan) if "live" in chosen else []
    vote = voting.Plan(args.voters, args.polls, args.spread, args.tablet_processes,
                       deflate=not args.no_deflate)
    voting_rows, left_out = voting.run(vote) if "voting" in chosen else ([], [])
    minutes_lines = minutes.run() if "minutes" in chosen else []
    bridge_lines = bridge.run() if "bridge" in chosen else []
    print(f"\nPhòng Họp bench — one server process, {engine}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}\n")
    if results:
        print(HEADER)
        for result in results:
            print(result.row())
        print()
    if document_lines:
        print("\n".join(document_lines))
        print()
    if live_rows:
        print("\n".join(live.table(plan, live_rows)))
        print()
    if voting_rows or left_out:
        print("\n".join(voting.table(vote, voting_rows, left_out)))
    if minutes_lines:
        print()
        print("\n".join(minutes_lines))
    if bridge_lines:
        print()
        print("\n".join(bridge_lines))
    ok = (all(r.errors == 0 for r in results) and not documents.failed(document_lines)
          and all(row.ok for row in live_rows) and all(row.ok for row in voting_rows)
          and not minutes.failed(minutes_lines) and not bridge.failed(bridge_lines))
    return 0 if ok else 1


def _against_one_server(args: argparse.Namespace, chosen: set[str]
                        ) -> tuple[list[Result], list[str], str]:
    """The HTTP scenarios and the documents table, against one server with the demo."""
    results: list[Result] = []
    document_lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ,
               "PHONGHOP_DATABASE_URL": args.database_url or f"sqlite+aiosqlite:///{tmp}/b.db",
               "PHONGHOP_DOCUMENTS_STORE": f"{tmp}/documents",
               "PHONGHOP_LOGGING_LEVEL": "WARNING",
               "PHONGHOP_AUTH_LOCKOUT_ATTEMPTS": "1000000"}
        for command in (["migrate"], ["demo"]):
            subprocess.run([sys.executable, "-m", "server", *command], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--port", str(port)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            asyncio.run(_wait(base, server))
            if "http" in chosen:
                results = [asyncio.run(scenario(base, args.requests)) for scenario in SCENARIOS]
            if "documents" in chosen:
                # A second table (other columns): downloads, nginx, stamping, board packs.
                document_lines = documents.run(base, env)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return results, document_lines, env["PHONGHOP_DATABASE_URL"].split(":")[0]


if __name__ == "__main__":
    sys.exit(main())

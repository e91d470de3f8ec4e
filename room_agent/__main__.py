"""``python -m room_agent``: the room's agent, or with ``--check`` a one-off test of its token.

    python -m room_agent --config /etc/phonghop/room-agent.toml
    python -m room_agent --server URL --token TOKEN --meeting ID [--source S] [--sink S]

Settings come from the TOML file (config/room-agent.example.toml documents every
key), then from the options given. With ``--check`` it connects once, prints the
account it acts as and exits. Exit status: 0 stopped (SIGTERM, Ctrl-C) or checked;
2 a bad argument or setting, or a refusal no retry cures (wrong token, a meeting
this room is not in), said in one line; 1 a camera, microphone or file that
cannot be opened (systemd tries again later: a camera may be plugged back in).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

import socketio

from server.realtime.events import MEETINGS_NAMESPACE, WELCOME

from .agent import EXIT_FAILED, EXIT_REFUSED, Agent
from .config import AgentConfig, ConfigError, load

PROG = "python -m room_agent"


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (no usage block): it lands in journalctl."""

    def error(self, message: str) -> NoReturn:
        print(f"{PROG}: tham số sai / bad argument: {message}", file=sys.stderr)
        sys.exit(EXIT_REFUSED)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Phòng Họp room agent")
    parser.add_argument("--config", type=Path, help="TOML file (config/room-agent.example.toml)")
    parser.add_argument("--server", help="e.g. http://phonghop.local:8080")
    parser.add_argument("--token", help="the room's token (python -m server create-token)")
    parser.add_argument("--meeting", type=int, help="the meeting's id")
    parser.add_argument("--source", help="pattern | file:PATH | v4l2:/dev/video0")
    parser.add_argument("--audio", help="tone | silence | file | alsa:default")
    parser.add_argument("--sink", help="none | window | file:PATH")
    parser.add_argument("--record", metavar="PATH", help="the same as --sink file:PATH")
    parser.add_argument("--timeout", type=float, help="seconds to wait for an answer")
    parser.add_argument("--check", action="store_true", help="connect once, report, exit")
    parser.add_argument("--verbose", "-v", action="store_true", help="log aiortc's steps too")
    return parser


async def check(server: str, token: str, timeout: float) -> int:
    client = socketio.AsyncClient(reconnection=False)
    welcomed: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    client.on(WELCOME, lambda data: welcomed.done() or welcomed.set_result(data),
              namespace=MEETINGS_NAMESPACE)
    try:
        await client.connect(server, auth={"token": token}, namespaces=[MEETINGS_NAMESPACE],
                             transports=["websocket"], wait_timeout=timeout)
        data = await asyncio.wait_for(welcomed, timeout)
    except (socketio.exceptions.ConnectionError, TimeoutError) as e:
        print(f"Máy chủ từ chối hoặc không trả lời / The server refused or did not answer: {e}",
              file=sys.stderr)
        return EXIT_REFUSED
    finally:
        await client.disconnect()
    user = data["user"]
    print(f"{user['username']}: {user['full_name']}")
    return 0


async def serve(config: AgentConfig) -> int:
    agent = Agent(config)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, agent.stop)
    code = await agent.run()
    if code in (EXIT_REFUSED, EXIT_FAILED) and agent.refusal:
        print(f"{PROG}: {agent.refusal}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sink = f"file:{args.record}" if args.record else args.sink
    overrides = {"server": args.server, "token": args.token, "meeting": args.meeting,
                 "source": args.source, "audio": args.audio, "sink": sink,
                 "timeout_seconds": args.timeout}
    try:
        if args.check:
            # A check needs only where and who; the media settings may be for another machine.
            if args.config is None and not (args.server and args.token):
                raise ConfigError("--check cần --server và --token (hoặc --config) / "
                                  "--check needs --server and --token (or --config)")
            config = load(args.config, {**overrides, "meeting": args.meeting or 1})
        else:
            config = load(args.config, overrides)
    except ConfigError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return EXIT_REFUSED
    if args.check:
        return asyncio.run(check(config.server, config.token, config.timeout_seconds))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        for noisy in ("aioice", "aiortc", "socketio", "engineio"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    return asyncio.run(serve(config))


if __name__ == "__main__":
    sys.exit(main())

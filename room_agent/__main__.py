"""``python -m room_agent --server URL --token TOKEN``: connect to the server as the room.

With ``--check`` it connects once, prints the account it acts as and exits:
0 when the server accepted the token, 2 when it refused it or could not be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import socketio

from server.realtime.events import MEETINGS_NAMESPACE, WELCOME

EXIT_REFUSED = 2


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m room_agent")
    parser.add_argument("--server", required=True, help="e.g. http://phonghop.local:8080")
    parser.add_argument("--token", required=True, help="the room's token (create-token)")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--check", action="store_true", help="connect once, report, exit")
    args = parser.parse_args(argv)
    if not args.server.startswith(("http://", "https://")):
        parser.error("--server phải bắt đầu bằng http:// hoặc https:// / must start with http(s)://")
    if not args.check:
        parser.error("chưa hỗ trợ chạy thường trực / only --check is supported so far")
    return asyncio.run(check(args.server, args.token, args.timeout))


if __name__ == "__main__":
    sys.exit(main())

"""The agent's settings: a TOML file, then command-line overrides, checked in one place.

Every key is documented beside its default in ``config/room-agent.example.toml``.
A value that cannot work (a server that is not a URL, a size that is not WxH, a
file source that does not exist) is refused before anything connects, with one
line in Vietnamese and English: the agent runs unattended under systemd, and an
operator reading ``journalctl`` should see what to fix, not a traceback.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SIZE = re.compile(r"^(\d{2,4})x(\d{2,4})$")
SINKS = ("none", "window", "file:PATH")
SOURCES = ("pattern", "file:PATH", "v4l2:DEVICE")
AUDIO = ("tone", "silence", "file", "alsa:DEVICE")


class ConfigError(ValueError):
    """A bad argument or setting; ``str()`` is the one line shown to the operator."""


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off between attempts, with jitter so rooms do not return in step."""

    initial_seconds: float = 1.0
    max_seconds: float = 30.0
    factor: float = 2.0


@dataclass(frozen=True)
class IceServer:
    urls: list[str]
    username: str | None = None
    credential: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class AgentConfig:
    server: str = ""
    token: str = field(default="", repr=False)
    meeting: int = 0
    name: str = ""                   # drawn on the test pattern; the account's name if empty
    source: str = "pattern"
    audio: str = ""                  # "" picks what suits the source (see audio_source)
    sink: str = "none"
    size: tuple[int, int] = (640, 480)
    fps: int = 15
    host_addresses: list[str] | None = None
    ice_servers: list[IceServer] | None = None  # None: those the server's answer names
    heartbeat_seconds: float = 5.0
    timeout_seconds: float = 10.0
    backoff: Backoff = Backoff()

    @property
    def audio_source(self) -> str:
        if self.audio:
            return self.audio
        if self.source.startswith("file:"):
            return "file"
        if self.source.startswith("v4l2:"):
            return "alsa:default"
        return "tone"


def _error(vi: str, en: str) -> ConfigError:
    return ConfigError(f"{vi} / {en}")


def _number(key: str, value: Any, low: float, high: float, kind: type = float) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            kind is int and not isinstance(value, int)):
        raise _error(f"{key} phải là một số", f"{key} must be a number")
    if not low <= value <= high:
        raise _error(f"{key} phải trong khoảng {low}–{high}",
                     f"{key} must be between {low} and {high}")
    return kind(value)


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _error(f"{key} phải là một chuỗi", f"{key} must be a string")
    return value


def _size(value: Any) -> tuple[int, int]:
    if isinstance(value, str) and (match := SIZE.match(value)):
        width, height = int(match[1]), int(match[2])
        if 16 <= width <= 1920 and 16 <= height <= 1080 and width % 2 == 0 == height % 2:
            return width, height
    raise _error("size phải có dạng RỘNGxCAO, số chẵn, ví dụ 640x480",
                 "size must be WIDTHxHEIGHT in even numbers, e.g. 640x480")


def _addresses(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _error("host_addresses phải là danh sách địa chỉ IP",
                     "host_addresses must be a list of IP addresses")
    for item in value:
        try:
            ipaddress.ip_address(item)
        except (ValueError, TypeError):
            raise _error(f"host_addresses: {item!r} không phải địa chỉ IP",
                         f"host_addresses: {item!r} is not an IP address") from None
    return list(value)


def _ice_servers(value: Any) -> list[IceServer]:
    if not isinstance(value, list):
        raise _error("ice_servers phải là danh sách", "ice_servers must be a list")
    servers = []
    for item in value:
        urls = item.get("urls") if isinstance(item, dict) else None
        urls = [urls] if isinstance(urls, str) else urls
        if not urls or not all(isinstance(u, str) and u.startswith(("stun:", "turn:", "turns:"))
                               for u in urls):
            raise _error("mỗi ice_servers cần urls dạng stun: hoặc turn:",
                         "every ice_servers entry needs urls starting stun: or turn:")
        servers.append(IceServer(urls=list(urls), username=item.get("username"),
                                 credential=item.get("credential")))
    return servers


def _backoff(value: Any) -> Backoff:
    if not isinstance(value, dict):
        raise _error("backoff phải là một bảng", "backoff must be a table")
    unknown = set(value) - {"initial_seconds", "max_seconds", "factor"}
    if unknown:
        raise _error(f"backoff: khoá lạ {sorted(unknown)}",
                     f"backoff: unknown keys {sorted(unknown)}")
    backoff = Backoff(
        initial_seconds=_number("backoff.initial_seconds",
                                value.get("initial_seconds", Backoff.initial_seconds), 0.01, 600),
        max_seconds=_number("backoff.max_seconds", value.get("max_seconds", Backoff.max_seconds),
                            0.01, 3600),
        factor=_number("backoff.factor", value.get("factor", Backoff.factor), 1, 10))
    if backoff.max_seconds < backoff.initial_seconds:
        raise _error("backoff.max_seconds phải ≥ initial_seconds",
                     "backoff.max_seconds must be at least initial_seconds")
    return backoff


PARSERS: dict[str, Any] = {
    "server": lambda v: _text("server", v),
    "token": lambda v: _text("token", v),
    "meeting": lambda v: _number("meeting", v, 1, 2**31, int),
    "name": lambda v: _text("name", v),
    "source": lambda v: _text("source", v),
    "audio": lambda v: _text("audio", v),
    "sink": lambda v: _text("sink", v),
    "size": _size,
    "fps": lambda v: _number("fps", v, 1, 60, int),
    "host_addresses": _addresses,
    "ice_servers": _ice_servers,
    "heartbeat_seconds": lambda v: _number("heartbeat_seconds", v, 0.1, 3600),
    "timeout_seconds": lambda v: _number("timeout_seconds", v, 0.5, 600),
    "backoff": _backoff,
}


def read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as e:
        raise _error(f"không đọc được tệp cấu hình {path}: {e.strerror}",
                     f"cannot read the config file {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise _error(f"tệp cấu hình {path} sai cú pháp TOML ({e})",
                     f"the config file {path} is not valid TOML ({e})") from None


def build(values: dict[str, Any]) -> AgentConfig:
    """Parse and check every value, then the combinations, into one config."""
    unknown = set(values) - set(PARSERS)
    if unknown:
        raise _error(f"khoá cấu hình lạ: {', '.join(sorted(unknown))}",
                     f"unknown config keys: {', '.join(sorted(unknown))}")
    config = AgentConfig(**{key: PARSERS[key](value) for key, value in values.items()})
    return check(config)


def check(config: AgentConfig) -> AgentConfig:
    if not config.server.startswith(("http://", "https://")):
        raise _error("server phải bắt đầu bằng http:// hoặc https://",
                     "server must start with http:// or https://")
    if not config.token:
        raise _error("thiếu token của phòng (python -m server create-token)",
                     "the room's token is missing (python -m server create-token)")
    if not config.meeting:
        raise _error("thiếu mã cuộc họp (--meeting hoặc meeting =)",
                     "the meeting id is missing (--meeting or meeting =)")
    _check_source(config.source)
    _check_audio(config.audio_source)
    _check_sink(config.sink)
    return config


def _check_source(source: str) -> None:
    kind, _, rest = source.partition(":")
    if source == "pattern" or (kind == "v4l2" and rest):
        return
    if kind == "file" and rest:
        if not Path(rest).is_file():
            raise _error(f"không có tệp nguồn {rest}", f"the source file {rest} does not exist")
        return
    raise _error(f"source không hợp lệ: {source!r} (dùng {' | '.join(SOURCES)})",
                 f"invalid source {source!r} (use {' | '.join(SOURCES)})")


def _check_audio(audio: str) -> None:
    kind, _, rest = audio.partition(":")
    if audio in ("tone", "silence", "file") or (kind == "alsa" and rest):
        return
    raise _error(f"audio không hợp lệ: {audio!r} (dùng {' | '.join(AUDIO)})",
                 f"invalid audio {audio!r} (use {' | '.join(AUDIO)})")


def _check_sink(sink: str) -> None:
    kind, _, rest = sink.partition(":")
    if sink in ("none", "window"):
        return
    if kind == "file" and rest:
        if not Path(rest).parent.is_dir():
            raise _error(f"không có thư mục để ghi {rest}",
                         f"no folder to record {rest} into")
        return
    raise _error(f"sink không hợp lệ: {sink!r} (dùng {' | '.join(SINKS)})",
                 f"invalid sink {sink!r} (use {' | '.join(SINKS)})")


def load(path: Path | None, overrides: dict[str, Any]) -> AgentConfig:
    """The file's values, then each override that was given (None: not given)."""
    values = read_file(path) if path is not None else {}
    values.update({key: value for key, value in overrides.items() if value is not None})
    return build(values)

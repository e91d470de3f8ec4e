"""Typed settings: ``config/default.toml``, then an optional ``--config`` file,
then ``PHONGHOP_<SECTION>_<KEY>`` environment variables on top.

Every key has a default in ``config/default.toml`` beside its documentation, so
the dataclasses below carry no defaults of their own: a key missing from the
default file is a bug that the tests catch. Validation happens once, at start,
and a wrong value raises :class:`SettingsError` naming the key, in Vietnamese
with English, which the command line prints as one line before exiting with
status 2 (never a traceback).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config" / "default.toml"
ENV_PREFIX = "PHONGHOP_"


class SettingsError(ValueError):
    """A setting has a wrong value; ``str()`` is the line shown to the operator."""

    def __init__(self, key: str, vi: str, en: str) -> None:
        self.key = key
        super().__init__(f"Cấu hình sai: {key}: {vi} / Invalid setting {key}: {en}")


class Secret(str):
    """A string that never shows itself in a repr or a log line."""

    def __repr__(self) -> str:
        return "Secret('**********')"


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    public_url: str
    max_body_mb: int
    trusted_proxies: list[str]
    websocket_compression: bool


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    echo: bool


@dataclass(frozen=True)
class RedisSettings:
    url: str
    channel: str


@dataclass(frozen=True)
class DocumentSettings:
    store: str
    max_upload_mb: int
    soffice: str
    convert_timeout_seconds: int
    accel_redirect: str


@dataclass(frozen=True)
class AuthSettings:
    session_hours: int
    cookie_secure: str
    lockout_attempts: int
    lockout_window_minutes: int
    lockout_minutes: int
    argon2_time_cost: int
    argon2_memory_kib: int
    argon2_parallelism: int


@dataclass(frozen=True)
class LoggingSettings:
    level: str
    format: str


@dataclass(frozen=True)
class I18nSettings:
    default_locale: str


@dataclass(frozen=True)
class DemoSettings:
    password: Secret


@dataclass(frozen=True)
class SigningSettings:
    tsa_url: str
    tsa_timeout_seconds: int
    trust_roots: list[str]
    crls: list[str]
    allow_fetching: bool
    dev_pki: str


@dataclass(frozen=True)
class IceServer:
    """One STUN or TURN server handed to every peer connection (RTCIceServer)."""

    urls: list[str]
    username: str
    credential: Secret


@dataclass(frozen=True)
class BridgeSettings:
    workers: list[str]
    secret: Secret
    codec: str
    ice_servers: list[IceServer]
    host_addresses: list[str]
    thumbnails: int
    recordings: str

    @property
    def recordings_path(self) -> Path:
        """The recordings folder; a relative one is taken from the project folder."""
        path = Path(self.recordings)
        return path if path.is_absolute() else ROOT / path


@dataclass(frozen=True)
class Settings:
    server: ServerSettings
    database: DatabaseSettings
    redis: RedisSettings
    documents: DocumentSettings
    auth: AuthSettings
    logging: LoggingSettings
    i18n: I18nSettings
    demo: DemoSettings
    signing: SigningSettings
    bridge: BridgeSettings

    @property
    def var_dir(self) -> Path:
        return ROOT / "var"


LOCALES = ("vi", "en")
_CHOICES: dict[str, tuple[str, ...]] = {
    "auth.cookie_secure": ("auto", "always", "never"),
    "logging.level": ("DEBUG", "INFO", "WARNING", "ERROR"),
    "logging.format": ("json", "text"),
    "i18n.default_locale": LOCALES,
    "bridge.codec": ("VP8", "H264"),
}
_POSITIVE = {
    "server.max_body_mb",
    "documents.max_upload_mb",
    "documents.convert_timeout_seconds",
    "auth.session_hours",
    "auth.lockout_attempts",
    "auth.lockout_window_minutes",
    "auth.lockout_minutes",
    "auth.argon2_time_cost",
    "auth.argon2_memory_kib",
    "auth.argon2_parallelism",
    "signing.tsa_timeout_seconds",
}


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Read, merge and validate every layer; raise :class:`SettingsError` on the first fault."""
    raw = _read_toml(DEFAULT_CONFIG)
    if config_file is not None:
        _merge(raw, _read_toml(Path(config_file)), strict=True)
    _merge(raw, _from_environ(raw, os.environ if environ is None else environ), strict=True)
    if overrides:
        _merge(raw, {k: dict(v) for k, v in overrides.items()}, strict=True)
    return _build(raw)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise SettingsError(
            "--config", f"không tìm thấy tệp {path}", f"file {path} not found"
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(
            "--config", f"tệp {path} không đúng TOML ({e})", f"{path} is not valid TOML ({e})"
        ) from None


def _merge(base: dict[str, Any], layer: Mapping[str, Any], *, strict: bool) -> None:
    for section, values in layer.items():
        if section not in base:
            raise SettingsError(section, "mục không tồn tại", "unknown section")
        if not isinstance(values, Mapping):
            raise SettingsError(section, "phải là một bảng [mục]", "must be a [section] table")
        for key, value in values.items():
            if strict and key not in base[section]:
                raise SettingsError(f"{section}.{key}", "khóa không tồn tại", "unknown key")
            base[section][key] = value


def _from_environ(raw: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    names = {
        f"{ENV_PREFIX}{section}_{key}".upper(): (section, key)
        for section, values in raw.items()
        for key in values
    }
    layer: dict[str, dict[str, Any]] = {}
    for name, text in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        if name not in names:
            raise SettingsError(
                name, "biến môi trường không tồn tại", "unknown environment variable")
        section, key = names[name]
        layer.setdefault(section, {})[key] = _EnvText(text)
    return layer


class _EnvText(str):
    """A value that came from the environment, so it may be converted from text."""


def _build(raw: Mapping[str, Any]) -> Settings:
    sections: dict[str, Any] = {}
    hints = typing.get_type_hints(Settings)
    for section_field in dataclasses.fields(Settings):
        cls = hints[section_field.name]
        values = raw.get(section_field.name, {})
        field_hints = typing.get_type_hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):
            key = f"{section_field.name}.{f.name}"
            if f.name not in values:
                raise SettingsError(key, "thiếu giá trị", "missing value")
            kwargs[f.name] = _convert(key, values[f.name], field_hints[f.name])
        sections[section_field.name] = cls(**kwargs)
    settings = Settings(**sections)
    _validate(settings)
    return settings


def _convert(key: str, value: Any, hint: Any) -> Any:
    from_env = isinstance(value, _EnvText)
    if hint is bool:
        if from_env and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
        if isinstance(value, bool):
            return value
        raise SettingsError(key, "phải là true hoặc false", "must be true or false")
    if hint is int:
        if from_env:
            try:
                return int(value)
            except ValueError:
                pass
        elif isinstance(value, int) and not isinstance(value, bool):
            return value
        raise SettingsError(key, f"phải là số nguyên, không phải {value!r}",
                            f"must be an integer, not {value!r}")
    if hint in (str, Secret):
        if isinstance(value, str):
            return hint(str(value))
        raise SettingsError(key, "phải là chuỗi ký tự", "must be a string")
    if hint == list[IceServer]:
        return _ice_servers(key, value)
    if typing.get_origin(hint) in (list, types.GenericAlias) or hint == list[str]:
        if from_env:
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        raise SettingsError(key, "phải là danh sách chuỗi", "must be a list of strings")
    raise TypeError(f"no converter for {key}: {hint!r}")  # pragma: no cover - programming error


def _ice_servers(key: str, value: Any) -> list[IceServer]:
    """A list of ``{urls, username?, credential?}`` tables; from the environment, JSON or a
    comma-separated list of URLs (servers without credentials)."""
    if isinstance(value, _EnvText):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise SettingsError(key, "JSON không hợp lệ", "invalid JSON") from None
        else:
            value = [{"urls": url.strip()} for url in text.split(",") if url.strip()]
    wrong = SettingsError(key, "phải là danh sách bảng {urls, username, credential}",
                          "must be a list of tables {urls, username, credential}")
    if not isinstance(value, list):
        raise wrong
    servers = []
    for entry in value:
        if not isinstance(entry, Mapping) or set(entry) - {"urls", "username", "credential"}:
            raise wrong
        urls = entry.get("urls")
        urls = [urls] if isinstance(urls, str) else urls
        if (not isinstance(urls, list) or not urls
                or not all(isinstance(u, str) and u.startswith(("stun:", "turn:", "turns:"))
                           for u in urls)):
            raise SettingsError(key, "urls phải bắt đầu bằng stun:, turn: hoặc turns:",
                                "urls must start with stun:, turn: or turns:")
        username, credential = entry.get("username", ""), entry.get("credential", "")
        if not isinstance(username, str) or not isinstance(credential, str):
            raise wrong
        servers.append(IceServer(list(urls), username, Secret(credential)))
    return servers


def _validate(settings: Settings) -> None:
    for key, allowed in _CHOICES.items():
        value = _get(settings, key)
        if value not in allowed:
            choices = ", ".join(allowed)
            raise SettingsError(key, f"phải là một trong: {choices}", f"must be one of: {choices}")
    for key in _POSITIVE:
        if _get(settings, key) <= 0:
            raise SettingsError(key, "phải lớn hơn 0", "must be greater than 0")
    if not 0 < settings.server.port < 65536:
        raise SettingsError("server.port", "phải trong khoảng 1–65535", "must be within 1–65535")
    accel = settings.documents.accel_redirect
    if accel and not (accel.startswith("/") and accel.endswith("/")):
        raise SettingsError(
            "documents.accel_redirect", "phải bắt đầu và kết thúc bằng / (ví dụ /_protected/)",
            "must start and end with / (e.g. /_protected/)")
    url = settings.database.url
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise SettingsError(
            "database.url",
            "phải bắt đầu bằng sqlite+aiosqlite:// hoặc postgresql+asyncpg://",
            "must start with sqlite+aiosqlite:// or postgresql+asyncpg://",
        )
    if settings.redis.url and not settings.redis.url.startswith(("redis://", "rediss://")):
        raise SettingsError("redis.url", "phải bắt đầu bằng redis://", "must start with redis://")
    if settings.signing.tsa_url and not settings.signing.tsa_url.startswith(
        ("http://", "https://")
    ):
        raise SettingsError(
            "signing.tsa_url", "phải bắt đầu bằng http:// hoặc https://",
            "must start with http:// or https://",
        )
    if settings.server.public_url and not settings.server.public_url.startswith(
        ("http://", "https://")
    ):
        raise SettingsError(
            "server.public_url", "phải bắt đầu bằng http:// hoặc https://",
            "must start with http:// or https://",
        )


    if not 0 <= settings.bridge.thumbnails <= 4:
        raise SettingsError("bridge.thumbnails", "phải trong khoảng 0–4", "must be within 0–4")
    for url in settings.bridge.workers:
        if not url.startswith(("http://", "https://")):
            raise SettingsError("bridge.workers", "mỗi địa chỉ phải bắt đầu bằng http://",
                                "every address must start with http://")


def _get(settings: Settings, dotted: str) -> Any:
    section, key = dotted.split(".")
    return getattr(getattr(settings, section), key)

"""Settings: defaults, a config file, PHONGHOP_* on top, one clear line for a wrong value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from server.settings import DEFAULT_CONFIG, ROOT, Secret, SettingsError, load_settings


def test_defaults_serve_on_one_machine() -> None:
    settings = load_settings(environ={})
    assert (settings.server.host, settings.server.port) == ("127.0.0.1", 8080)
    assert settings.database.url.startswith("sqlite+aiosqlite:///")


def test_config_file_then_environment_override_defaults(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('[server]\nport = 9000\nhost = "0.0.0.0"\n', encoding="utf-8")
    settings = load_settings(config, environ={"PHONGHOP_SERVER_PORT": "9100"})
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 9100)


def test_environment_lists_are_comma_separated() -> None:
    settings = load_settings(environ={"PHONGHOP_SERVER_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2"})
    assert settings.server.trusted_proxies == ["10.0.0.1", "10.0.0.2"]


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        ({"PHONGHOP_SERVER_PORT": "tám nghìn"}, "server.port"),
        ({"PHONGHOP_SERVER_PORT": "70000"}, "server.port"),
        ({"PHONGHOP_DATABASE_URL": "mysql://x"}, "database.url"),
        ({"PHONGHOP_AUTH_COOKIE_SECURE": "sometimes"}, "auth.cookie_secure"),
        ({"PHONGHOP_DATABASE_ECHO": "perhaps"}, "database.echo"),
        ({"PHONGHOP_AUTH_LOCKOUT_ATTEMPTS": "0"}, "auth.lockout_attempts"),
        ({"PHONGHOP_SERVR_PORT": "80"}, "PHONGHOP_SERVR_PORT"),
    ],
)
def test_a_wrong_value_names_its_key(environ: dict[str, str], key: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ=environ)
    assert caught.value.key == key
    assert str(caught.value).startswith(f"Cấu hình sai: {key}")
    assert f"Invalid setting {key}" in str(caught.value)


def test_an_unknown_key_in_a_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text("[server]\nprot = 80\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(config, environ={})
    assert caught.value.key == "server.prot"


def test_a_wrong_type_in_a_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('[server]\nport = "8080"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(config, environ={})
    assert caught.value.key == "server.port"


def test_secrets_do_not_show_in_repr() -> None:
    settings = load_settings(environ={"PHONGHOP_DEMO_PASSWORD": "bí-mật-123"})
    assert isinstance(settings.demo.password, Secret)
    assert "bí-mật-123" not in repr(settings)


def test_every_default_key_is_documented_by_a_comment() -> None:
    lines = DEFAULT_CONFIG.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            previous = lines[number - 1]
            assert previous.startswith("#") or "=" in previous, f"undocumented: {line}"


def _start(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args], cwd=ROOT, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", **(env or {})}, timeout=60)


def test_the_server_refuses_to_start_with_a_wrong_value_in_one_line() -> None:
    result = _start("serve", env={"PHONGHOP_SERVER_PORT": "abc"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Cấu hình sai: server.port: phải là số nguyên, không phải 'abc' / "
        "Invalid setting server.port: must be an integer, not 'abc'"
    ]


def test_a_missing_config_file_is_one_line_too(tmp_path: Path) -> None:
    result = _start("--config", str(tmp_path / "none.toml"), "serve")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--config" in result.stderr and len(result.stderr.strip().splitlines()) == 1

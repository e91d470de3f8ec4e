"""Registering signers' keys from the command line: where the key is, never the key."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from server.minutes.pki import write_dev_pki
from tests.test_cli import env, run  # noqa: F401  (the CLI fixture)


def test_a_key_is_registered_by_its_place_and_replaced_on_a_second_call(
    env: dict[str, str], tmp_path: Path  # noqa: F811
) -> None:
    write_dev_pki(tmp_path / "pki")
    assert run(env, "migrate").returncode == 0
    assert run(env, "demo").returncode == 0
    first = run(env, "signing-key", "chutoa", "--pkcs12", str(tmp_path / "pki" / "chair.p12"))
    again = run(env, "signing-key", "chutoa", "--pkcs11-module", "/usr/lib/softhsm/libsofthsm2.so",
                "--token-label", "Chu toa", "--key-label", "ky-so")
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    rows = sqlite3.connect(tmp_path / "cli.db").execute(
        "SELECT kind, pkcs12_path, token_label FROM signing_keys").fetchall()
    assert rows == [("pkcs11", "", "Chu toa")]


def test_bad_registrations_are_one_line(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    assert run(env, "migrate").returncode == 0
    nobody = run(env, "signing-key", "khongco", "--pkcs12", str(tmp_path / "x.p12"))
    neither = run(env, "signing-key", "--pkcs12", str(tmp_path / "x.p12"))
    assert nobody.returncode == neither.returncode == 2
    assert "Không có tệp" in nobody.stderr and "Traceback" not in nobody.stderr
    assert "đúng một trong" in neither.stderr

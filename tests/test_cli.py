"""The command line: one line and exit status 2 for anything the operator can fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from server.settings import ROOT


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
            "PHONGHOP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
            "PHONGHOP_DOCUMENTS_STORE": str(tmp_path / "documents"),
            "PHONGHOP_AUTH_ARGON2_MEMORY_KIB": "1024", "PHONGHOP_AUTH_ARGON2_TIME_COST": "1"}


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_demo_loads_once_and_lists_the_accounts(env: dict[str, str]) -> None:
    assert run(env, "migrate").returncode == 0
    first = run(env, "demo")
    assert first.returncode == 0, first.stderr
    assert "chutoa" in first.stdout and "Password of every account: demo" in first.stdout
    second = run(env, "demo")
    assert "the demo was not loaded" in second.stdout


def test_demo_on_an_unmigrated_database_says_what_to_run(env: dict[str, str]) -> None:
    result = run(env, "demo")
    assert result.returncode == 2
    assert "python -m server migrate" in result.stderr and "Traceback" not in result.stderr


def test_a_token_is_printed_once_and_works_for_its_user(env: dict[str, str]) -> None:
    run(env, "migrate")
    run(env, "demo")
    result = run(env, "create-token", "huyen1", "--name", "room agent")
    assert result.returncode == 0
    assert result.stdout.strip().startswith("phk_")


def test_a_token_for_an_unknown_user_is_refused_in_one_line(env: dict[str, str]) -> None:
    run(env, "migrate")
    result = run(env, "create-token", "khongco", "--name", "x")
    assert result.returncode == 2
    assert result.stderr.strip() == "Không có người dùng / No such user: khongco"


def test_create_user_refuses_a_short_password_and_a_duplicate(env: dict[str, str]) -> None:
    run(env, "migrate")
    short = run(env, "create-user", "an", "--full-name", "Phạm An", stdin="ngan\nngan\n")
    assert short.returncode == 2 and "8" in short.stderr.splitlines()[-1]
    ok = run(env, "create-user", "an", "--full-name", "Phạm An",
             stdin="mật-khẩu-dài\nmật-khẩu-dài\n")
    assert ok.returncode == 0, ok.stderr
    again = run(env, "create-user", "an", "--full-name", "Phạm An",
                stdin="mật-khẩu-dài\nmật-khẩu-dài\n")
    assert again.returncode == 2
    assert again.stderr.strip().splitlines()[-1] == "Đã tồn tại / Already exists"


def test_an_unreachable_database_is_one_line_not_a_traceback(env: dict[str, str]) -> None:
    env["PHONGHOP_DATABASE_URL"] = "postgresql+asyncpg://phonghop@127.0.0.1:1/khongco"
    result = run(env, "serve")
    assert result.returncode == 2
    assert result.stderr.startswith("Không kết nối được cơ sở dữ liệu / Cannot reach the database")
    assert "Traceback" not in result.stderr

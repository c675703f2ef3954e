from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def litso(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "litso.cli", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_help_lists_the_commands() -> None:
    result = litso("--help")
    assert result.returncode == 0
    for word in ("run", "check", "migrate", "worker", "scheduler", "export", "import", "manage"):
        assert f"  {word}" in result.stdout


def test_check_reports_an_unreachable_database_in_plain_words(tmp_path: Path) -> None:
    env = {**os.environ, "LITSO_DATA_DIR": str(tmp_path),
           "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing"}
    result = litso("check", env=env)
    assert result.returncode != 0
    assert "problem: The database at 127.0.0.1 cannot be reached" in result.stdout
    assert "fix: Check DATABASE_URL" in result.stdout


def test_bad_variable_is_named(tmp_path: Path) -> None:
    env = {**os.environ, "LITSO_DATA_DIR": str(tmp_path), "LITSO_AUTO_CLOSE_DAYS": "four"}
    result = litso("check", env=env)
    assert result.returncode == 2
    assert "LITSO_AUTO_CLOSE_DAYS='four' is not a whole number" in result.stderr

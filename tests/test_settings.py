from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from litso.config import ConfigError, env_bool, env_secret, load_or_create_secret_key


def test_argon2_is_the_password_hasher() -> None:
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "litso.settings"},
        capture_output=True, text=True, check=True,
    ).stdout
    assert out.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_or_create_secret_key(tmp_path)
    assert len(first) > 40
    assert load_or_create_secret_key(tmp_path) == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_secret_from_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "key").write_text("s3cret\n")
    monkeypatch.delenv("LITSO_X", raising=False)
    monkeypatch.setenv("LITSO_X_FILE", str(tmp_path / "key"))
    assert env_secret("LITSO_X") == "s3cret"
    monkeypatch.setenv("LITSO_X_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="LITSO_X_FILE"):
        env_secret("LITSO_X")


def test_booleans_are_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITSO_FLAG", "Yes")
    assert env_bool("LITSO_FLAG", default=False) is True
    monkeypatch.setenv("LITSO_FLAG", "maybe")
    with pytest.raises(ConfigError, match="LITSO_FLAG='maybe' is not a yes/no value"):
        env_bool("LITSO_FLAG", default=False)


def test_sqlite_runs_in_wal_mode(db) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The in-memory test database cannot use WAL; a file database must.
    assert mode in ("wal", "memory")
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]


def _settings_of(env: dict[str, str], expression: str) -> str:
    code = f"from django.conf import settings; print({expression})"
    unset = (
        "DATABASE_URL", "LITSO_DB_CONN_MAX_AGE", "LITSO_DB_POOL_SIZE",
        "LITSO_DB_PREPARED_STATEMENTS",
    )  # fmt: skip
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "litso.settings", **env},
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def test_web_threads_keep_sqlite_connections_and_postgresql_uses_its_pool(tmp_path: Path) -> None:
    age = "settings.DATABASES['default']['CONN_MAX_AGE']"
    assert _settings_of({"LITSO_DATA_DIR": str(tmp_path)}, age) == "600"
    assert _settings_of({"LITSO_DATA_DIR": str(tmp_path), "LITSO_DB_CONN_MAX_AGE": "0"}, age) == "0"
    postgres = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "LITSO_DB_CONN_MAX_AGE": "60"}
    assert _settings_of(postgres, age) == "0"  # Django refuses kept connections with a pool
    assert _settings_of({**postgres, "LITSO_DB_POOL_SIZE": "0"}, age) == "60"
    assert _settings_of({"LITSO_WEB_THREADS": "3"}, "settings.LITSO_WEB_THREADS") == "3"


def test_postgresql_prepares_the_statements_it_runs_often(tmp_path: Path) -> None:
    options = "sorted(settings.DATABASES['default']['OPTIONS'].items())"
    postgres = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}
    on = _settings_of(postgres, options)
    assert "('prepare_threshold', 5)" in on
    assert "('server_side_binding', True)" in on
    assert "'pool'" in on  # alongside the pool
    off = _settings_of({**postgres, "LITSO_DB_PREPARED_STATEMENTS": "0"}, options)
    assert "prepare_threshold" not in off
    assert "server_side_binding" not in off
    sqlite = _settings_of({"LITSO_DATA_DIR": str(tmp_path)}, options)
    assert "prepare_threshold" not in sqlite


def test_a_statement_run_often_is_prepared_on_the_server(db) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    for pk in range(1, 8):  # psycopg prepares a statement on its fifth run
        list(User.objects.filter(pk=pk))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert [s for s in prepared if s.startswith('SELECT "auth_user"."id"') and "$1" in s]

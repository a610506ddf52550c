import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_off_without_a_secret_key_fails_with_a_clear_message():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_a_bad_boolean_is_refused_by_name():
    result = run_manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be" in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-0123456789-abcdefghijklmnop",
        DJANGO_ALLOWED_HOSTS="shop.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_login_throttle_and_session_idle_time_come_from_the_environment():
    code = (
        "from django.conf import settings; "
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds(), "
        "settings.SESSION_COOKIE_AGE, settings.SESSION_ENGINE)"
    )
    defaults = run_manage("shell", "-v", "0", "-c", code)
    changed = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        SERIALDESK_LOGIN_FAILURE_LIMIT="3",
        SERIALDESK_LOGIN_COOLOFF_MINUTES="30",
        SERIALDESK_SESSION_IDLE_HOURS="2",
    )
    assert defaults.stdout.split() == ["5", "900.0", "43200", "config.sessions"], defaults.stderr
    assert changed.stdout.split() == ["3", "1800.0", "7200", "config.sessions"], changed.stderr


def test_production_keeps_database_connections_open_and_checks_them():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    production = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-0123456789-abcdefghijklmnop",
        DJANGO_ALLOWED_HOSTS="shop.example.com",
    )
    development = run_manage("shell", "-v", "0", "-c", code, DJANGO_DEBUG="1")
    chosen = run_manage("shell", "-v", "0", "-c", code, DATABASE_CONN_MAX_AGE="30")
    assert production.returncode == 0, production.stderr
    assert production.stdout.split() == ["600", "True"]
    assert development.stdout.split() == ["0", "True"]
    assert chosen.stdout.split() == ["30", "True"]

"""Settings come from the environment, with safe production defaults."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='broadsheet.settings';"
    "from django.conf import settings as s;"
    "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
    " s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'],"
    " s.BROADSHEET_TASK_RUNNER)"
)


def _environment(env: dict[str, str], tmp_path) -> dict[str, str]:
    """This process's environment without any setting of ours, plus ENV."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("BROADSHEET_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY",
                                  "DEBUG", "DJANGO_SETTINGS"))}
    clean["BROADSHEET_DATA_DIR"] = str(tmp_path)
    clean.update(env)
    return clean


def settings_under(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE], env=_environment(env, tmp_path),
                          capture_output=True, text=True, timeout=60)


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    result = settings_under({}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_safe(tmp_path):
    result = settings_under({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "news.example"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False", "True", "True", "broadsheet.core.sqlite",
        "broadsheet.core.cache.LocalCacheSharingRateLimits", "thread",
    ]


def test_database_and_redis_urls_switch_the_backends(tmp_path):
    result = settings_under(
        {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@db:5432/news",
         "REDIS_URL": "redis://cache:6379/0"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    fields = result.stdout.split()
    assert fields[3] == "django.db.backends.postgresql"
    assert fields[4] == "broadsheet.core.cache.FailOpenRedisCache"
    assert fields[5] == "celery"


def test_a_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("y" * 50)
    assert settings_under({"SECRET_KEY_FILE": str(secret)}, tmp_path).returncode == 0


def console_command_under(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    script = "from broadsheet.cli import main; main(['broadsheet', 'check'])"
    return subprocess.run([sys.executable, "-c", script], env=_environment(env, tmp_path),
                          capture_output=True, text=True, timeout=60)


def test_the_console_command_reports_a_missing_secret_as_one_line(tmp_path):
    result = console_command_under({}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("broadsheet: configuration error:")
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_number_names_the_variable(tmp_path):
    result = console_command_under(
        {"SECRET_KEY": "x" * 50, "BROADSHEET_SWEEP_EVERY_SECONDS": "soon"}, tmp_path)
    assert result.returncode == 2
    assert "BROADSHEET_SWEEP_EVERY_SECONDS must be a whole number, not 'soon'" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreadable_secret_file_is_named(tmp_path):
    result = console_command_under({"SECRET_KEY_FILE": str(tmp_path / "missing")}, tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY_FILE points at" in result.stderr
    assert "Traceback" not in result.stderr


def _broadsheet(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from broadsheet.cli import main; main()", *args],
        env=_environment(env, tmp_path), capture_output=True, text=True, timeout=120,
    )


def test_debug_alone_does_not_start_without_a_secret_key(tmp_path):
    refused = _broadsheet(["check"], {"DEBUG": "1"}, tmp_path)
    allowed = _broadsheet(["check"], {"DEBUG": "1", "BROADSHEET_DEV": "1"}, tmp_path)

    assert refused.returncode == 2
    assert "SECRET_KEY is not set" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


PRODUCTION = {
    "SECRET_KEY": "k3y-" + "a7Qz9-Lm2Wx8_Rt5Yp1" * 4,
    "ALLOWED_HOSTS": "news.example",
}


def test_check_deploy_is_clean_for_a_site_behind_tls(tmp_path):
    behind_tls = {**PRODUCTION, "BROADSHEET_HSTS_SECONDS": "31536000",
                  "BROADSHEET_SSL_REDIRECT": "1"}

    result = _broadsheet(["check", "--deploy", "--fail-level", "WARNING"], behind_tls, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_asks_for_hsts_and_the_redirect_until_they_are_set(tmp_path):
    result = _broadsheet(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)

    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_sessions_are_read_through_the_cache_only_when_every_process_shares_it(tmp_path):
    probe = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='broadsheet.settings';"
        "from django.conf import settings as s; print(s.SESSION_ENGINE)"
    )
    engines = [
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
            env=_environment({"SECRET_KEY": "x" * 50, **extra}, tmp_path),
        ).stdout.strip()
        for extra in ({}, {"REDIS_URL": "redis://cache:6379/0"})
    ]

    assert engines == [
        "django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db",
    ]


EMAIL_PROBE = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE']='broadsheet.settings';"
    "from django.conf import settings as s;"
    "from broadsheet.core.emails import mail_destination;"
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD,"
    " s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL, s.SERVER_EMAIL, sep='|');"
    "print(s.EMAIL_FILE_PATH); print(mail_destination())"
)


def email_settings_under(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", EMAIL_PROBE],
        env=_environment({"BROADSHEET_DEV": "1", **env}, tmp_path),
        capture_output=True, text=True, timeout=60,
    )


def test_without_a_mail_server_emails_are_written_under_the_data_folder(tmp_path):
    result = email_settings_under({}, tmp_path)

    assert result.returncode == 0, result.stderr
    backend, *_ = result.stdout.splitlines()[0].split("|")
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert result.stdout.splitlines()[1] == str(tmp_path / "mail")
    assert f"written as a file under {tmp_path / 'mail'}/" in result.stdout.splitlines()[2]


def test_the_mail_server_comes_from_djangos_own_variables_and_a_password_file(tmp_path):
    password = tmp_path / "smtp-password"
    password.write_text("s3cret\n")
    result = email_settings_under(
        {"EMAIL_HOST": "smtp.news.example", "EMAIL_PORT": "587", "EMAIL_HOST_USER": "desk",
         "EMAIL_HOST_PASSWORD_FILE": str(password), "EMAIL_USE_TLS": "1",
         "DEFAULT_FROM_EMAIL": "Comments <comments@news.example>",
         "SERVER_EMAIL": "ops@news.example"},
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split("|") == [
        "django.core.mail.backends.smtp.EmailBackend", "smtp.news.example", "587", "desk",
        "s3cret", "True", "False", "Comments <comments@news.example>", "ops@news.example",
    ]
    assert "sent through smtp.news.example:587 (TLS)" in result.stdout


def test_tls_and_ssl_together_are_refused_with_a_message(tmp_path):
    result = email_settings_under(
        {"EMAIL_HOST": "smtp.news.example", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, tmp_path
    )

    assert result.returncode != 0
    assert "EMAIL_USE_TLS (STARTTLS" in result.stderr

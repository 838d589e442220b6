"""Django system checks: a mistyped setting is reported at startup, not at the first event."""

from __future__ import annotations

from django.core import checks


def check_settings(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    """The deployment's ``SALEOR_NOTIFY`` (no database: the shop's own settings are not checked here)."""
    from .conf import NotifySettings, deployment_values

    try:
        settings = NotifySettings(**deployment_values())
    except (TypeError, ValueError) as exc:
        return [checks.Error(str(exc), id="saleor_notify.E001", hint="See the README's settings table.")]
    errors = []
    if not 0 < settings.timeout_s <= 300:
        errors.append(
            checks.Error("SALEOR_NOTIFY['TIMEOUT_S'] must be between 0 and 300 seconds.", id="saleor_notify.E002")
        )
    try:
        from .secrets_at_rest import fernet

        fernet()
    except Exception as exc:  # noqa: BLE001 - any bad key is reported, not raised at startup
        errors.append(checks.Error(str(exc), id="saleor_notify.E003", hint="Generate keys with Fernet.generate_key()."))
    if settings.allow_private_targets:
        errors.append(
            checks.Warning(
                "SALEOR_NOTIFY['ALLOW_PRIVATE_TARGETS'] is on: postbacks may reach private and loopback addresses.",
                id="saleor_notify.W001",
            )
        )
    return errors


def check_health(app_configs, databases=None, **kwargs):  # type: ignore[no-untyped-def]
    """A stopped beat, worker or poller, or a growing backlog (run with ``check --database default``
    and by ``migrate``; it reads the plugin's tables)."""
    from django.db import DatabaseError

    from . import health

    if not databases:
        return []
    try:
        snapshot = health.snapshot()
    except DatabaseError:
        return []  # not migrated yet: migrate itself will create the tables
    return [
        checks.Warning(problem.message, id=f"saleor_notify.W1{index:02d}", hint="See docs/operations.md.")
        for index, problem in ((HEALTH_CHECK_IDS[p.code], p) for p in snapshot.problems)
    ]


#: One check id per health problem, so a deployment can silence one of them.
HEALTH_CHECK_IDS = {"BEAT_STOPPED": 1, "WORKER_STOPPED": 2, "POLLER_STOPPED": 3, "BACKLOG_GROWING": 4}


def register() -> None:
    checks.register(check_settings, "saleor_notify")
    checks.register(check_health, "saleor_notify", checks.Tags.database)

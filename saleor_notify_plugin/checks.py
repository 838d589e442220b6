"""Django system checks: a mistyped setting is reported at startup, not at the first event."""

from __future__ import annotations

from django.core import checks


def check_settings(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    from .conf import get_settings

    try:
        settings = get_settings()
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


def register() -> None:
    checks.register(check_settings, "saleor_notify")

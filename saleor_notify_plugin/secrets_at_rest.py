"""Secrets at rest: channel signing secrets and target URLs are stored encrypted (Fernet).

The keys come from the deployment: ``SALEOR_NOTIFY['ENCRYPTION_KEYS']``, a list of Fernet keys
(``Fernet.generate_key()``), the first of which encrypts while every one decrypts, so a key is
rotated by putting a new one first, running ``manage.py notify_reencrypt`` and then dropping
the old one. Without that setting one key is derived from Django's ``SECRET_KEY`` (HKDF-SHA256),
so changing ``SECRET_KEY`` then needs the old one kept as an explicit key until re-encrypted.
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured
from django.db import models

HKDF_INFO = b"saleor-notify: secrets at rest"


class SecretUnreadable(ImproperlyConfigured):
    """A stored secret that none of the configured keys decrypts (a key was dropped too early)."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key used when the deployment sets none: derived from Django's SECRET_KEY."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


def configured_keys() -> tuple[bytes, ...]:
    """The deployment's keys, read straight from ``SALEOR_NOTIFY`` (no other setting is needed here,
    and this runs for every encrypted value loaded)."""
    from django.conf import settings as django_settings

    from .conf import deployment_value

    keys: tuple[str, ...] = deployment_value("encryption_keys")
    if keys:
        return tuple(k.encode() for k in keys)
    return (derived_key(django_settings.SECRET_KEY),)


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "SALEOR_NOTIFY['ENCRYPTION_KEYS'] must be Fernet keys (32 url-safe base64-encoded bytes)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(configured_keys())


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _decrypted(configured_keys(), token)
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable(
            "A stored saleor-notify secret cannot be decrypted with SALEOR_NOTIFY['ENCRYPTION_KEYS'] (or the key "
            "derived from SECRET_KEY); put the key it was encrypted with back in the list."
        ) from None


@functools.lru_cache(maxsize=1024)
def _decrypted(keys: tuple[bytes, ...], token: str) -> str:
    """A token's plain text under ``keys``: a worker reads the same channel's secret with every
    delivery row it loads, and each decryption checks an HMAC (errors are not cached)."""
    return _fernet(keys).decrypt(token.encode("ascii")).decode()


def reencrypt(token: str) -> str:
    """The same secret encrypted with the first key (for key rotation)."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise SecretUnreadable("A stored saleor-notify secret cannot be decrypted with the configured keys.") from None


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the empty string stays empty (so ``= ''`` still finds it).

    Lookups other than on the empty string cannot match (every encryption differs).
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


ENCRYPTED_COLUMNS = ("secret", "previous_secret", "target_url")


def reencrypt_all(model: type[models.Model] | None = None, *, batch: int = 500) -> int:
    """Re-encrypt every channel's secrets with the first key; returns how many rows were rewritten.

    ``model``: a model with the channel's encrypted columns (the channel by default).
    """
    from django.db import connection, transaction

    if model is None:
        from .models import NotificationChannel

        model = NotificationChannel
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ENCRYPTED_COLUMNS)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    done = 0
    last = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {columns} FROM {table} WHERE id > %s ORDER BY id LIMIT %s{lock}", [last, batch]
            )
            rows = cursor.fetchall()
            for pk, *values in rows:
                new = [reencrypt(v) if v else v for v in values]
                sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in ENCRYPTED_COLUMNS)
                cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*new, pk])
                done += 1
        if len(rows) < batch:
            return done
        last = rows[-1][0]

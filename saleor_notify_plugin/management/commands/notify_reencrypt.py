"""``manage.py notify_reencrypt``: re-encrypt channel secrets with the first of the configured keys."""

from django.core.management.base import BaseCommand

from ...secrets_at_rest import reencrypt_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every channel's secrets with the first key of SALEOR_NOTIFY['ENCRYPTION_KEYS'] "
        "(after putting a new key first); the older keys can be dropped afterwards."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = reencrypt_all()
        self.stdout.write(f"Re-encrypted the secrets of {count} channel(s).")

"""Models and migrations agree (no forgotten makemigrations)."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    out = io.StringIO()
    call_command("makemigrations", "saleor_notify", "--check", "--dry-run", stdout=out)

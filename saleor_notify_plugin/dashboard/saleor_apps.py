"""Saleor's side of the app registration: is this token one of the app installed from our manifest?

The one module of ``dashboard/`` that imports Saleor (lazily called by the views).
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password

from .views import VerifiedApp


def verify_app_token(token: str) -> VerifiedApp | None:
    """The Saleor App this token belongs to, if that app was installed with our manifest id."""
    from saleor.app.models import AppToken

    from .manifest import APP_IDENTIFIER

    candidates = AppToken.objects.filter(
        token_last_4=token[-4:], app__identifier=APP_IDENTIFIER, app__removed_at__isnull=True
    ).select_related("app")
    for candidate in candidates:
        if check_password(token, candidate.auth_token):
            return VerifiedApp(pk=candidate.app.pk, identifier=candidate.app.identifier or APP_IDENTIFIER)
    return None

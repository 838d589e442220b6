"""Saleor's authentication for the plugin's GraphQL endpoint: a staff JWT or an app token.

The only module of the GraphQL side that imports Saleor. It asks Saleor who the caller is
(``get_context_value`` → app token first, then the user from the JWT backends) and which of
the API's permissions Saleor grants them (Saleor's own ``has_perm``: superusers, group
permissions, inactive apps), and returns a plain :class:`Requestor`.
"""

from __future__ import annotations

from typing import Any

import jwt
from django.contrib.auth.hashers import check_password
from django.http import HttpRequest
from saleor.app.models import AppToken
from saleor.core.auth import get_token_from_request
from saleor.graphql.app.dataloaders import get_app_promise
from saleor.graphql.context import get_context_value

from .graphql.requestor import ANONYMOUS, InvalidToken, Permission, Requestor, RequestorKind

#: Saleor reads a bearer token of this length as an app token (``promise_app``).
APP_TOKEN_LENGTH = 30


def _granted(subject: object) -> frozenset[str]:
    return frozenset(p.value for p in Permission if subject.has_perm(p.value))  # type: ignore[attr-defined]


def _inactive_app(token: str) -> Any:
    """The inactive (not removed) app owning ``token``, or None.

    Saleor's token loader returns active apps only; an inactive app's token is still its
    own (a known caller without permissions), not an unknown token.
    """
    if len(token) != APP_TOKEN_LENGTH:
        return None
    tokens = AppToken.objects.filter(
        token_last_4=token[-4:], app__is_active=False, app__removed_at__isnull=True
    ).select_related("app")
    return next((t.app for t in tokens if check_password(token, t.auth_token)), None)


def requestor_from_request(request: HttpRequest) -> Requestor:
    """The caller of ``request``; raises InvalidToken for a token Saleor does not accept."""
    if not get_token_from_request(request):
        return ANONYMOUS
    context = get_context_value(request)
    try:
        app = get_app_promise(context).get()
        user = None if app is not None else context.user
        # ``context.user`` is a lazy object: it is never None itself, it may wrap None.
        if not user or not user.is_authenticated:
            user = None
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error) or "Invalid token.") from None
    if app is None and user is None:
        app = _inactive_app(get_token_from_request(request) or "")
    if app is not None:
        return Requestor(RequestorKind.APP, is_active=app.is_active, permissions=_granted(app), label=f"app:{app.pk}")
    if user is not None:
        return Requestor(
            RequestorKind.USER,
            is_active=user.is_active,
            is_staff=bool(user.is_staff),
            permissions=_granted(user),
            label=f"user:{user.pk}",
        )
    raise InvalidToken("The token does not belong to a Saleor user or app.")

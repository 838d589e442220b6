"""Saleor's authentication for the plugin's GraphQL endpoint: a staff JWT or an app token.

The only module of the GraphQL side that imports Saleor. It asks Saleor who the caller is
(``get_context_value`` → app token first, then the user from the JWT backends) and which of
the API's permissions Saleor grants them (Saleor's own ``has_perm``: superusers, group
permissions, inactive apps), and returns a plain :class:`Requestor`.
"""

from __future__ import annotations

import jwt
from django.http import HttpRequest
from saleor.core.auth import get_token_from_request
from saleor.graphql.app.dataloaders import get_app_promise
from saleor.graphql.context import get_context_value

from .graphql.requestor import ANONYMOUS, InvalidToken, Permission, Requestor, RequestorKind


def _granted(subject: object) -> frozenset[str]:
    return frozenset(p.value for p in Permission if subject.has_perm(p.value))  # type: ignore[attr-defined]


def requestor_from_request(request: HttpRequest) -> Requestor:
    """The caller of ``request``; raises InvalidToken for a token Saleor does not accept."""
    if not get_token_from_request(request):
        return ANONYMOUS
    context = get_context_value(request)
    try:
        app = get_app_promise(context).get()
        user = None if app is not None else context.user
        if user is not None and not user.is_authenticated:
            user = None
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error) or "Invalid token.") from None
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

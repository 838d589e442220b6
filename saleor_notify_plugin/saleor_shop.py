"""Saleor's side of the port (:mod:`.shop`): the one module that answers the core's questions to Saleor.

It reads Saleor's checkouts and orders, asks Saleor who a caller is (``get_context_value``:
an app token first, then the user from the JWT backends) and which of the API's permissions
Saleor grants them (Saleor's own ``has_perm``: superusers, group permissions, inactive apps),
checks the dashboard app's token against Saleor's ``AppToken`` rows, completes funnel
orders through ``capture.funnel``, and lists Saleor's channels (the shop's stores).
:func:`install` is the one call the plugin module makes when Saleor loads it.
"""

from __future__ import annotations

import uuid
from typing import Any

import jwt
from django.contrib.auth.hashers import check_password
from django.http import HttpRequest
from saleor.app.models import App, AppToken
from saleor.channel.models import Channel
from saleor.checkout.models import Checkout
from saleor.core import telemetry as saleor_telemetry
from saleor.core.auth import get_token_from_request
from saleor.core.db.connection import allow_writer
from saleor.graphql.app.dataloaders import get_app_promise
from saleor.graphql.context import get_context_value
from saleor.order.models import Order

from . import activity, shop, telemetry
from . import tasks as core_tasks
from .capture import funnel
from .dashboard.manifest import APP_IDENTIFIER
from .graphql.requestor import ANONYMOUS, InvalidToken, Permission, Requestor, RequestorKind
from .payloads import SaleorChannel
from .shop import Reference, VerifiedApp

#: Saleor reads a bearer token of this length as an app token (``promise_app``).
APP_TOKEN_LENGTH = 30


def install() -> None:
    """Tell the core it runs inside Saleor; called once, when Saleor loads the plugin module.

    - the shop that answers the core's questions is Saleor's (:class:`SaleorShop`);
    - our tasks run on Saleor's Celery app, whose task class polices writes to the primary
      database: they run inside ``allow_writer``;
    - the plugin has an active flag: workers stay silent while it is off;
    - spans and metrics go through Saleor's telemetry (its tracer and meter, configured by the deployment).
    """
    shop.install(SaleorShop())
    core_tasks.use_task_context(allow_writer)
    activity.track_plugin_activation()
    telemetry.use_saleor(saleor_telemetry)


def _saleor_channel(channel: Channel) -> SaleorChannel:
    return SaleorChannel(slug=channel.slug, name=channel.name)


def _order_reference(order: Order) -> Reference:
    return Reference(
        checkout_token=str(order.checkout_token) if order.checkout_token else None,
        order_id=str(order.pk),
        email=order.get_customer_email() or "",
        saleor_channel=_saleor_channel(order.channel),
    )


def _app_owning(token: str, **app_filter: Any) -> App | None:
    """The app (not removed, matching ``app_filter``) that owns ``token``, or None.

    Saleor keeps a token's last four characters and its hash: the candidates are few.
    """
    candidates = AppToken.objects.filter(
        token_last_4=token[-4:], app__removed_at__isnull=True, **{f"app__{k}": v for k, v in app_filter.items()}
    ).select_related("app")
    return next((c.app for c in candidates if check_password(token, c.auth_token)), None)


def _granted(subject: object) -> frozenset[str]:
    return frozenset(p.value for p in Permission if subject.has_perm(p.value))  # type: ignore[attr-defined]


class SaleorShop:
    """Checkouts, orders, users and apps as Saleor stores them."""

    # --- the proof of a storefront call ----------------------------------------------------

    def checkout(self, token: str) -> Reference | None:
        """A completed checkout is gone from Saleor; its order keeps the checkout's token."""
        try:
            token = str(uuid.UUID(str(token)))
        except ValueError:
            return None
        checkout = Checkout.objects.select_related("user", "channel").filter(token=token).first()
        if checkout is not None:
            return Reference(
                checkout_token=token,
                order_id=None,
                email=checkout.get_customer_email() or "",
                saleor_channel=_saleor_channel(checkout.channel),
            )
        order = (
            Order.objects.select_related("user", "channel").filter(checkout_token=token).order_by("created_at").first()
        )
        return None if order is None else _order_reference(order)

    def order(self, order_id: str) -> Reference | None:
        try:
            pk = uuid.UUID(str(order_id))
        except ValueError:
            return None
        order = Order.objects.select_related("user", "channel").filter(pk=pk).first()
        return None if order is None else _order_reference(order)

    # --- callers of the plugin's API --------------------------------------------------------

    def requestor(self, request: HttpRequest) -> Requestor:
        """The caller of ``request``; raises InvalidToken for a token Saleor does not accept."""
        token = get_token_from_request(request)
        if not token:
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
        if app is None and user is None and len(token) == APP_TOKEN_LENGTH:
            # Saleor's token loader returns active apps only; an inactive app's token is still
            # its own (a known caller without permissions), not an unknown token.
            app = _app_owning(token, is_active=False)
        if app is not None:
            return Requestor(
                RequestorKind.APP, is_active=app.is_active, permissions=_granted(app), label=f"app:{app.pk}"
            )
        if user is not None:
            return Requestor(
                RequestorKind.USER,
                is_active=user.is_active,
                is_staff=bool(user.is_staff),
                permissions=_granted(user),
                label=f"user:{user.pk}",
            )
        raise InvalidToken("The token does not belong to a Saleor user or app.")

    def dashboard_app(self, token: str) -> VerifiedApp | None:
        app = _app_owning(token, identifier=APP_IDENTIFIER)
        return None if app is None else VerifiedApp(pk=app.pk, identifier=app.identifier or APP_IDENTIFIER)

    # --- the funnel's thank-you page ----------------------------------------------------------

    def complete_funnel_order(self, order_id: str) -> bool:
        return funnel.complete_funnel_order(order_id)

    # --- the stores an attachment may be limited to ---------------------------------------------

    def saleor_channels(self) -> list[SaleorChannel]:
        return [
            SaleorChannel(slug=slug, name=name)
            for slug, name in Channel.objects.order_by("slug").values_list("slug", "name")
        ]

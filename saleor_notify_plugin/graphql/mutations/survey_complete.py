"""notificationSurveyComplete: a storefront or funnel reports a finished survey."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

import graphene

from ... import inbound, references, shop
from ...conf import get_settings
from ...errors import NotifyError, NotifyErrorCode
from ...payloads import SaleorChannel
from .. import enums
from ..ids import saleor_uuid
from ..info import Info
from ..requestor import Permission, Requestor
from .base import NotificationMutation


class NotificationSurveyCompleteInput(graphene.InputObjectType):
    survey_id = graphene.String(required=True, description="The survey's id (at most 128 characters).")
    email = graphene.String(
        description="The respondent's e-mail address. For an anonymous caller the address is the checkout's or "
        "order's: if given, it must be that one. Staff or apps with MANAGE_ORDERS may give any."
    )
    answers = enums.JSONString(description="The answers: a JSON object or array, at most 64 KiB.")
    source = enums.NotificationSource(description="SHOP (default) or FUNNEL, or ADMIN.")
    checkout_id = graphene.ID(description="Saleor's global ID of the checkout the survey belongs to.")
    order_id = graphene.ID(description="Saleor's global ID of the order the survey belongs to.")


class SurveyInput(TypedDict):
    survey_id: str
    email: NotRequired[str | None]
    answers: NotRequired[Any]
    source: NotRequired[str | None]
    checkout_id: NotRequired[str | None]
    order_id: NotRequired[str | None]


class NotificationSurveyComplete(NotificationMutation):
    recorded = graphene.Boolean(
        description="True when Survey completed was recorded; false when this survey was reported before for "
        "this checkout or order (one event per survey and purchase), or the event is switched off."
    )

    class Arguments:
        input = NotificationSurveyCompleteInput(required=True)

    class Meta:
        description = (
            "Record a completed survey (postback channels only). Anyone may call it with checkoutId or orderId of "
            "an existing checkout or order: the respondent is that purchase's customer, one event per survey and "
            "purchase, at most SURVEYS_PER_REFERENCE surveys per purchase. Staff or apps with MANAGE_ORDERS may "
            "omit both and give the e-mail address."
        )

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, input: SurveyInput) -> dict[str, Any]:  # noqa: A002
        checkout_id, order_id = input.get("checkout_id"), input.get("order_id")
        checkout_token = saleor_uuid(checkout_id, "Checkout", "checkoutId") if checkout_id else None
        order_uuid = saleor_uuid(order_id, "Order", "orderId") if order_id else None
        trusted = requestor.has_perm(Permission.MANAGE_ORDERS)
        email = input.get("email")
        saleor_channel: SaleorChannel | None = None  # the purchase's store, when the shop names the purchase
        if checkout_token is None and order_uuid is None:
            if not trusted:
                raise NotifyError(
                    NotifyErrorCode.REQUIRED,
                    "Give checkoutId or orderId (only staff or apps with MANAGE_ORDERS may omit both).",
                    "checkoutId",
                )
        else:
            reference = _find(checkout_token, order_uuid, trusted)
            if reference is None and not trusted:
                field = "orderId" if order_id else "checkoutId"
                raise NotifyError(NotifyErrorCode.PERMISSION_DENIED, "No such checkout or order.", field)
            if reference is not None:
                email = _respondent(reference, email, trusted)
                checkout_token, order_uuid = reference.checkout_token, reference.order_id
                saleor_channel = reference.saleor_channel
        recorded = inbound.complete_survey(
            survey_id=input.get("survey_id"),
            email=email,
            answers=input.get("answers"),
            source=input.get("source") or "SHOP",
            checkout_token=checkout_token,
            order_id=order_uuid,
            max_per_reference=get_settings().surveys_per_reference,
            saleor_channel=saleor_channel,
        )
        return {"recorded": recorded}


def _find(checkout_token: str | None, order_uuid: str | None, trusted: bool) -> references.Reference | None:
    try:
        return references.find(checkout_token, order_uuid)
    except shop.ShopUnavailable:
        if trusted:  # staff need no proof: record what they say
            return None
        raise


def _respondent(reference: references.Reference, given: str | None, trusted: bool) -> str:
    """The purchase's customer; an anonymous caller cannot name anyone else."""
    if given and trusted:
        return given
    if not reference.email:
        raise NotifyError(
            NotifyErrorCode.INVALID, "The checkout has no e-mail address yet: set it before the survey.", "checkoutId"
        )
    if given and inbound.clean_email(given).lower() != reference.email.lower():
        raise NotifyError(
            NotifyErrorCode.PERMISSION_DENIED, "The e-mail address is not the checkout's or order's.", "email"
        )
    return reference.email

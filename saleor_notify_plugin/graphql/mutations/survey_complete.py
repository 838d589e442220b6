"""notificationSurveyComplete: a storefront or funnel reports a finished survey."""

from __future__ import annotations

import graphene

from ... import inbound
from ...errors import NotifyError, NotifyErrorCode
from .. import enums
from ..ids import saleor_uuid
from ..requestor import Permission
from .base import NotificationMutation


class NotificationSurveyCompleteInput(graphene.InputObjectType):
    survey_id = graphene.String(required=True, description="The survey's id (at most 128 characters).")
    email = graphene.String(required=True, description="The respondent's e-mail address.")
    answers = enums.JSONString(description="The answers: a JSON object or array, at most 64 KiB.")
    source = enums.NotificationSource(description="SHOP (default) or FUNNEL, or ADMIN.")
    checkout_id = graphene.ID(description="Saleor's global ID of the checkout the survey belongs to.")
    order_id = graphene.ID(description="Saleor's global ID of the order the survey belongs to.")


class NotificationSurveyComplete(NotificationMutation):
    recorded = graphene.Boolean(
        description="True when Survey completed was recorded; false when this survey was reported before "
        "(same survey, e-mail and checkout or order) or the event is switched off."
    )

    class Arguments:
        input = NotificationSurveyCompleteInput(required=True)

    class Meta:
        description = (
            "Record a completed survey (postback channels only). Anyone may call it with checkoutId or orderId; "
            "staff or apps with MANAGE_ORDERS may omit both."
        )

    @classmethod
    def perform(cls, info, requestor, input):  # noqa: A002 - the API's name
        checkout_id, order_id = input.get("checkout_id"), input.get("order_id")
        checkout_token = saleor_uuid(checkout_id, "Checkout", "checkoutId") if checkout_id else None
        order_uuid = saleor_uuid(order_id, "Order", "orderId") if order_id else None
        if checkout_token is None and order_uuid is None and not requestor.has_perm(Permission.MANAGE_ORDERS):
            raise NotifyError(
                NotifyErrorCode.REQUIRED,
                "Give checkoutId or orderId (only staff or apps with MANAGE_ORDERS may omit both).",
                "checkoutId",
            )
        if not requestor.has_perm(Permission.MANAGE_ORDERS) and not _reference_exists(checkout_token, order_uuid):
            raise NotifyError(
                NotifyErrorCode.PERMISSION_DENIED, "No such checkout or order.", "orderId" if order_id else "checkoutId"
            )
        recorded = inbound.complete_survey(
            survey_id=input.get("survey_id"),
            email=input.get("email"),
            answers=input.get("answers"),
            source=input.get("source") or "SHOP",
            checkout_token=checkout_token,
            order_id=order_uuid,
        )
        return {"recorded": recorded}


def _reference_exists(checkout_token: str | None, order_uuid: str | None) -> bool:
    """Saleor checks that the checkout or order exists; without Saleor only its form was checked."""
    try:
        from ...capture.api import storefront_reference_exists

        return storefront_reference_exists(checkout_token=checkout_token, order_id=order_uuid)
    except ImportError:  # the core without Saleor (its own tests): the ID's form is the proof
        return True

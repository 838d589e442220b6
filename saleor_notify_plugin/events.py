"""The ten notification events, the three sources, and the rules attached to each event."""

from __future__ import annotations

from django.db import models


class EventType(models.TextChoices):
    ORDER_COMPLETED = "ORDER_COMPLETED", "Order completed"
    CONTACT_CREATED = "CONTACT_CREATED", "Contact created"
    SHIPPING_TRACKING_UPDATED = "SHIPPING_TRACKING_UPDATED", "Shipping tracking info updated"
    PRODUCT_CONFLICT = "PRODUCT_CONFLICT", "Product conflicts"
    TRANSACTION_DECLINED = "TRANSACTION_DECLINED", "Transaction declined"
    REFUND_APPLIED = "REFUND_APPLIED", "Refund applied"
    SUBSCRIPTION_CANCELED = "SUBSCRIPTION_CANCELED", "Subscription canceled"
    CUSTOMER_CREATED = "CUSTOMER_CREATED", "Customer created"
    TRANSACTION_APPROVED = "TRANSACTION_APPROVED", "Approved transaction"
    SURVEY_COMPLETED = "SURVEY_COMPLETED", "Survey completed"

    @property
    def payload_name(self) -> str:
        """The value of the envelope's ``event`` field."""
        return self.value.lower()

    @property
    def postback_only(self) -> bool:
        return self in POSTBACK_ONLY_EVENTS

    @property
    def manual_retry(self) -> bool:
        return self in MANUALLY_RETRYABLE_EVENTS


class Source(models.TextChoices):
    ADMIN = "ADMIN", "Admin"
    SHOP = "SHOP", "Shop"
    FUNNEL = "FUNNEL", "Funnel"


class ChannelKind(models.TextChoices):
    POSTBACK = "POSTBACK", "Postback"
    EMAIL = "EMAIL", "E-mail"
    SLACK = "SLACK", "Slack"


#: Customer created and Survey completed work with postback channels only (the product's rule).
POSTBACK_ONLY_EVENTS = frozenset({EventType.CUSTOMER_CREATED, EventType.SURVEY_COMPLETED})

#: Manual retry, per delivery or per order, exists for these four events only (the product's rule).
MANUALLY_RETRYABLE_EVENTS = frozenset(
    {
        EventType.ORDER_COMPLETED,
        EventType.TRANSACTION_APPROVED,
        EventType.TRANSACTION_DECLINED,
        EventType.REFUND_APPLIED,
    }
)

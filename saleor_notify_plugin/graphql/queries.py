"""Read access: events and switches, channels, the shop's stores (MANAGE_PLUGINS); the delivery log (MANAGE_ORDERS)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict, Unpack

import graphene
from django.db.models import QuerySet, prefetch_related_objects

from .. import models, shop
from ..errors import NotifyError
from . import enums
from .errors import query_error
from .ids import from_global_id, saleor_uuid
from .info import Info, require
from .pagination import PageArgs, paginate
from .requestor import Permission
from .types import (
    EventInfo,
    NotificationChannel,
    NotificationChannelConnection,
    NotificationDelivery,
    NotificationDeliveryConnection,
    NotificationEvent,
    NotificationSaleorChannel,
)

CHANNEL_ORDER = ("pk",)
DELIVERY_ORDER = ("-created_at", "-pk")


class NotificationDeliveryFilterInput(graphene.InputObjectType):
    events = graphene.List(graphene.NonNull(enums.NotificationEventType))
    statuses = graphene.List(graphene.NonNull(enums.NotificationDeliveryStatus))
    channel = graphene.ID(description="A NotificationChannel ID.")
    order_id = graphene.ID(description="Saleor's global ID of an order.")
    created_after = graphene.DateTime()
    created_before = graphene.DateTime()


class DeliveryFilter(TypedDict, total=False):
    """``NotificationDeliveryFilterInput`` as the resolver receives it (graphene's names, snake_case)."""

    events: list[str] | None
    statuses: list[str] | None
    channel: str | None
    order_id: str | None
    created_after: datetime | None
    created_before: datetime | None


def _filtered_deliveries(filter_: DeliveryFilter | None) -> QuerySet[models.Delivery]:
    deliveries = models.Delivery.objects.all()
    filter_ = filter_ or {}
    try:
        if (channel := filter_.get("channel")) is not None:
            deliveries = deliveries.filter(channel_id=from_global_id(channel, "NotificationChannel", "channel"))
        if (order_id := filter_.get("order_id")) is not None:
            deliveries = deliveries.filter(event__order_id=saleor_uuid(order_id, "Order", "orderId"))
    except NotifyError as error:
        raise query_error(error) from None
    if events := filter_.get("events"):
        deliveries = deliveries.filter(event__event__in=list(events))
    if statuses := filter_.get("statuses"):
        deliveries = deliveries.filter(status__in=list(statuses))
    if (created_after := filter_.get("created_after")) is not None:
        deliveries = deliveries.filter(created_at__gte=created_after)
    if (created_before := filter_.get("created_before")) is not None:
        deliveries = deliveries.filter(created_at__lt=created_before)
    return deliveries


class Query(graphene.ObjectType):
    notification_events = graphene.List(
        graphene.NonNull(NotificationEvent),
        required=True,
        description="The ten events with their switches and attached channels. Requires MANAGE_PLUGINS.",
    )
    notification_channels = graphene.relay.ConnectionField(
        NotificationChannelConnection, description="Notification channels, oldest first. Requires MANAGE_PLUGINS."
    )
    notification_channel = graphene.Field(
        NotificationChannel,
        id=graphene.Argument(graphene.ID, required=True),
        description="One channel, or null. Requires MANAGE_PLUGINS.",
    )
    notification_delivery = graphene.Field(
        NotificationDelivery,
        id=graphene.Argument(graphene.ID, required=True),
        description="One delivery of the log, or null. Requires MANAGE_ORDERS.",
    )
    notification_deliveries = graphene.relay.ConnectionField(
        NotificationDeliveryConnection,
        filter=NotificationDeliveryFilterInput(),
        description="The delivery log, newest first. Requires MANAGE_ORDERS.",
    )
    notification_saleor_channels = graphene.List(
        graphene.NonNull(NotificationSaleorChannel),
        required=True,
        description="The shop's stores (Saleor channels) by slug, which attachments may be limited to. Requires "
        "MANAGE_PLUGINS. Outside Saleor: an UNAVAILABLE error.",
    )

    @staticmethod
    def resolve_notification_events(root: object, info: Info) -> list[EventInfo]:
        require(info, Permission.MANAGE_PLUGINS)
        return EventInfo.load()

    @staticmethod
    def resolve_notification_channels(
        root: object, info: Info, **page: Unpack[PageArgs]
    ) -> NotificationChannelConnection:
        require(info, Permission.MANAGE_PLUGINS)
        channels = models.NotificationChannel.objects.all()
        connection = paginate(channels, NotificationChannelConnection, CHANNEL_ORDER, **page)
        prefetch_related_objects([edge.node for edge in connection.edges], "attachments")
        return connection

    @staticmethod
    def resolve_notification_channel(root: object, info: Info, id: str) -> models.NotificationChannel | None:
        require(info, Permission.MANAGE_PLUGINS)
        try:
            pk = from_global_id(id, "NotificationChannel")
        except NotifyError as error:
            raise query_error(error) from None
        return models.NotificationChannel.objects.filter(pk=pk).first()

    @staticmethod
    def resolve_notification_delivery(root: object, info: Info, id: str) -> models.Delivery | None:
        require(info, Permission.MANAGE_ORDERS)
        try:
            pk = from_global_id(id, "NotificationDelivery")
        except NotifyError as error:
            raise query_error(error) from None
        delivery = models.Delivery.objects.select_related("event", "channel").filter(pk=pk).first()
        if delivery is not None:
            prefetch_related_objects([delivery], "attempts")
        return delivery
    def resolve_notification_saleor_channels(root: object, info: Info) -> list[NotificationSaleorChannel]:
        require(info, Permission.MANAGE_PLUGINS)
        try:
            stores = shop.installed().saleor_channels()
        except NotifyError as error:  # ShopUnavailable
            raise query_error(error) from None
        return [NotificationSaleorChannel(slug=s.slug, name=s.name) for s in stores]

    @staticmethod
    def resolve_notification_deliveries(
        root: object,
        info: Info,
        filter: DeliveryFilter | None = None,  # noqa: A002 - the API's name
        **page: Unpack[PageArgs],
    ) -> NotificationDeliveryConnection:
        require(info, Permission.MANAGE_ORDERS)
        deliveries = _filtered_deliveries(filter).select_related("event", "channel")
        connection = paginate(deliveries, NotificationDeliveryConnection, DELIVERY_ORDER, **page)
        prefetch_related_objects([edge.node for edge in connection.edges], "attempts")
        return connection

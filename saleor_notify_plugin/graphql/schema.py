"""The schema: the queries and one field per mutation module."""

from __future__ import annotations

import graphene

from .health import Query  # the queries, with notificationHealth
from .mutations.channel_create import NotificationChannelCreate
from .mutations.channel_delete import NotificationChannelDelete
from .mutations.channel_recover import NotificationChannelRecover
from .mutations.channel_resume import NotificationChannelResume
from .mutations.channel_rotate_secret import NotificationChannelRotateSecret
from .mutations.channel_test import NotificationChannelTest
from .mutations.channel_update import NotificationChannelUpdate
from .mutations.delivery_retry import NotificationDeliveryRetry
from .mutations.event_channel_attach import NotificationEventChannelAttach
from .mutations.event_channel_detach import NotificationEventChannelDetach
from .mutations.event_channel_update import NotificationEventChannelUpdate
from .mutations.event_update import NotificationEventUpdate
from .mutations.funnel_completed import NotificationFunnelCompleted
from .mutations.order_retry import NotificationOrderRetry
from .mutations.subscription_cancel import NotificationSubscriptionCancel
from .mutations.survey_complete import NotificationSurveyComplete


class Mutation(graphene.ObjectType):
    notification_channel_create = NotificationChannelCreate.Field()
    notification_channel_update = NotificationChannelUpdate.Field()
    notification_channel_delete = NotificationChannelDelete.Field()
    notification_channel_rotate_secret = NotificationChannelRotateSecret.Field()
    notification_channel_test = NotificationChannelTest.Field()
    notification_channel_resume = NotificationChannelResume.Field()
    notification_channel_recover = NotificationChannelRecover.Field()
    notification_event_update = NotificationEventUpdate.Field()
    notification_event_channel_attach = NotificationEventChannelAttach.Field()
    notification_event_channel_update = NotificationEventChannelUpdate.Field()
    notification_event_channel_detach = NotificationEventChannelDetach.Field()
    notification_delivery_retry = NotificationDeliveryRetry.Field()
    notification_order_retry = NotificationOrderRetry.Field()
    notification_funnel_completed = NotificationFunnelCompleted.Field()
    notification_survey_complete = NotificationSurveyComplete.Field()
    notification_subscription_cancel = NotificationSubscriptionCancel.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)


def sdl() -> str:
    """The schema in SDL, as committed to ``docs/schema.graphql``."""
    return str(schema).strip() + "\n"

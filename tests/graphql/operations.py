"""The operations of the API, as the tests (and the docs) send them."""

CHANNEL_FIELDS = "id name kind isActive url emails secretLastChars events { id event sources }"

CHANNEL_CREATE = (
    "mutation($input: NotificationChannelCreateInput!) { notificationChannelCreate(input: $input) {"
    f" channel {{ {CHANNEL_FIELDS} }} secret errors {{ field code message }} }} }}"
)
CHANNEL_UPDATE = (
    "mutation($id: ID!, $input: NotificationChannelUpdateInput!) { notificationChannelUpdate(id: $id, input: $input) {"
    f" channel {{ {CHANNEL_FIELDS} }} errors {{ field code message }} }} }}"
)
CHANNEL_DELETE = "mutation($id: ID!) { notificationChannelDelete(id: $id) { deletedId errors { field code message } } }"
CHANNEL_ROTATE = (
    "mutation($id: ID!) { notificationChannelRotateSecret(id: $id) { channel { id secretLastChars } secret"
    " errors { field code message } } }"
)
CHANNEL_RESUME = (
    "mutation($id: ID!) { notificationChannelResume(id: $id) { channel { id } released"
    " errors { field code message } } }"
)
CHANNEL_TEST = (
    "mutation($id: ID!) { notificationChannelTest(id: $id) { result { success statusCode errorKind errorMessage"
    " durationMs responseExcerpt } errors { field code message } } }"
)
CHANNELS = (
    "query($first: Int, $after: String, $last: Int, $before: String) {"
    " notificationChannels(first: $first, after: $after, last: $last, before: $before) {"
    f" edges {{ cursor node {{ {CHANNEL_FIELDS} }} }}"
    " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
)
CHANNEL = f"query($id: ID!) {{ notificationChannel(id: $id) {{ {CHANNEL_FIELDS} }} }}"
EVENTS = (
    "{ notificationEvents { type name isEnabled postbackOnly manualRetry"
    " channels { id event sources channel { id name } } } }"
)
EVENT_UPDATE = (
    "mutation($event: NotificationEventType!, $on: Boolean!) { notificationEventUpdate(event: $event, isEnabled: $on)"
    " { event { type isEnabled } errors { field code message } } }"
)
ATTACH = (
    "mutation($event: NotificationEventType!, $channelId: ID!, $sources: [NotificationSource!]!) {"
    " notificationEventChannelAttach(event: $event, channelId: $channelId, sources: $sources) {"
    " eventChannel { id event sources channel { id } } errors { field code message } } }"
)
ATTACHMENT_UPDATE = (
    "mutation($id: ID!, $sources: [NotificationSource!]!) { notificationEventChannelUpdate(id: $id, sources: $sources)"
    " { eventChannel { id sources } errors { field code message } } }"
)
SALEOR_CHANNELS = "{ notificationSaleorChannels { slug name } }"
DETACH = "mutation($id: ID!) { notificationEventChannelDetach(id: $id) { deletedId errors { field code message } } }"
DELIVERY_FIELDS = (
    "id status failureKind canRetry channelName channelKind payload channel { id }"
    " event { id type source orderId subject { type id } }"
    " attempts { number trigger startedAt durationMs statusCode errorKind errorMessage responseExcerpt verdict }"
)
DELIVERIES = (
    "query($filter: NotificationDeliveryFilterInput, $first: Int, $after: String, $last: Int, $before: String) {"
    " notificationDeliveries(filter: $filter, first: $first, after: $after, last: $last, before: $before) {"
    f" edges {{ cursor node {{ {DELIVERY_FIELDS} }} }} pageInfo {{ hasNextPage hasPreviousPage endCursor startCursor }}"
    " } }"
)
DELIVERY_RETRY = (
    "mutation($id: ID!) { notificationDeliveryRetry(id: $id) { delivery { id status canRetry }"
    " errors { field code message } } }"
)
ORDER_RETRY = (
    "mutation($orderId: ID!, $events: [NotificationEventType!]) {"
    " notificationOrderRetry(orderId: $orderId, events: $events) { deliveries { id status event { type } }"
    " errors { field code message } } }"
)
FUNNEL_COMPLETED = (
    "mutation($orderId: ID!, $token: String) { notificationFunnelCompleted(orderId: $orderId, token: $token)"
    " { fired errors { field code message } } }"
)
SURVEY_COMPLETE = (
    "mutation($input: NotificationSurveyCompleteInput!) { notificationSurveyComplete(input: $input)"
    " { recorded errors { field code message } } }"
)
SUBSCRIPTION_CANCEL = (
    "mutation($input: NotificationSubscriptionCancelInput!) { notificationSubscriptionCancel(input: $input)"
    " { recorded errors { field code message } } }"
)

DELIVERY = "query($id: ID!) { notificationDelivery(id: $id) { id attempts { number request { method } } } }"
CHANNEL_RECOVER = (
    "mutation($id: ID!, $since: DateTime!, $dryRun: Boolean) {"
    " notificationChannelRecover(id: $id, since: $since, dryRun: $dryRun) {"
    " recovery { dryRun since count ratePerS firstSendAt lastSendAt"
    " first { orderNumber failedAt sendAt delivery { id status failureKind event { id type occurredAt } } } }"
    " errors { field code message } } }"
)

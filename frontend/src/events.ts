/** The ten events as the seed describes them (names and ids come from the API). */
export type EventType =
  | "ORDER_COMPLETED"
  | "CONTACT_CREATED"
  | "SHIPPING_TRACKING_UPDATED"
  | "PRODUCT_CONFLICT"
  | "TRANSACTION_DECLINED"
  | "REFUND_APPLIED"
  | "SUBSCRIPTION_CANCELED"
  | "CUSTOMER_CREATED"
  | "TRANSACTION_APPROVED"
  | "SURVEY_COMPLETED";

export const EVENT_HELP: Record<EventType, string> = {
  ORDER_COMPLETED:
    "A successful order is closed: Admin and Shop orders when fully paid; Funnel orders at the thank-you page or 30 minutes after the first payment.",
  CONTACT_CREATED:
    "A lead is created through the admin, the shop or a funnel, or a contact comes back (reactivation) in the shop or a funnel.",
  SHIPPING_TRACKING_UPDATED: "An order's tracking information is set or changed.",
  PRODUCT_CONFLICT: "A customer buys a digital product they already own.",
  TRANSACTION_DECLINED:
    "A payment transaction is rejected. Transaction level: one funnel purchase with upsells can trigger it several times.",
  REFUND_APPLIED: "A refund or a void succeeds.",
  SUBSCRIPTION_CANCELED: "A subscription is canceled.",
  CUSTOMER_CREATED: "A lead makes their first successful purchase.",
  TRANSACTION_APPROVED:
    "A payment transaction succeeds. Transaction level: one funnel purchase with upsells can trigger it several times.",
  SURVEY_COMPLETED: "A survey is finished.",
};

export const RETRYABLE_EVENTS: EventType[] = [
  "ORDER_COMPLETED",
  "TRANSACTION_APPROVED",
  "TRANSACTION_DECLINED",
  "REFUND_APPLIED",
];

export const EVENT_LABEL: Record<EventType, string> = {
  ORDER_COMPLETED: "Order completed",
  CONTACT_CREATED: "Contact created",
  SHIPPING_TRACKING_UPDATED: "Shipping tracking info updated",
  PRODUCT_CONFLICT: "Product conflicts",
  TRANSACTION_DECLINED: "Transaction declined",
  REFUND_APPLIED: "Refund applied",
  SUBSCRIPTION_CANCELED: "Subscription canceled",
  CUSTOMER_CREATED: "Customer created",
  TRANSACTION_APPROVED: "Approved transaction",
  SURVEY_COMPLETED: "Survey completed",
};

export type Source = "ADMIN" | "SHOP" | "FUNNEL";
export const SOURCES: { value: Source; label: string }[] = [
  { value: "ADMIN", label: "Admin" },
  { value: "SHOP", label: "Shop" },
  { value: "FUNNEL", label: "Funnel" },
];
export const sourceLabel = (s: Source) => SOURCES.find((x) => x.value === s)?.label ?? s;

export type ChannelKind = "POSTBACK" | "EMAIL" | "SLACK";
export const KIND_LABEL: Record<ChannelKind, string> = { POSTBACK: "Postback", EMAIL: "E-mail", SLACK: "Slack" };

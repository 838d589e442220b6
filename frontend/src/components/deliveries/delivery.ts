import type { Delivery } from "../../api";
import { RETRYABLE_EVENTS } from "../../events";

/** Why a delivery cannot be retried by hand, or null when it can (or needs no retry). */
export function retryBlocker(d: Delivery): string | null {
  if (d.status === "SUCCESS") return null;
  if (d.status === "PENDING") return "Being delivered: wait for the result.";
  if (!RETRYABLE_EVENTS.includes(d.event.type))
    return "Manual retry is offered only for Order completed, Approved transaction, Transaction declined and Refund applied.";
  if (!d.channel) return "Its channel was deleted.";
  if (!d.channel.isActive) return "Its channel is deactivated: activate it to retry.";
  return d.canRetry ? null : "This delivery cannot be retried.";
}

/** The outcome of a delivery's last attempt, in a few words. */
export function lastAttempt(d: Delivery): string {
  const a = d.attempts[d.attempts.length - 1];
  if (!a) return "";
  if (a.statusCode) return `HTTP ${a.statusCode}`;
  return a.errorKind ? a.errorKind.replace(/_/g, " ").toLowerCase() : a.verdict;
}

/** What a page that offers manual retry does around one. */
export type RetryHandlers = {
  /** The retry was accepted (queued). */
  onQueued: (d: Delivery) => void;
  /** After each retry, accepted or not: fetch the deliveries again. */
  reload: () => void;
};

export type DeliveriesProps = {
  deliveries: Delivery[];
  /** Offer a Retry button on the failed deliveries that can be retried. */
  retry?: RetryHandlers;
  showChannel?: boolean;
  /** The label of each row's button that opens what its attempts sent and got back. */
  detailsLabel?: string;
};

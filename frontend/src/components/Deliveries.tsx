import { Box, Button, Text } from "@saleor/macaw-ui";
import { RefreshCw } from "lucide-react";

import type { Delivery } from "../api";
import { EVENT_LABEL, KIND_LABEL, RETRYABLE_EVENTS, sourceLabel } from "../events";
import { formatTime, Mark, TableHead } from "./ui";

export function StatusMark({ status }: { status: Delivery["status"] }) {
  const tone = status === "SUCCESS" ? "success" : status === "FAILED" ? "critical" : "info";
  const label = status === "SUCCESS" ? "Delivered" : status === "FAILED" ? "Failed" : "Pending";
  return (
    <span data-testid="delivery-status" data-status={status}>
      <Mark tone={tone}>{label}</Mark>
    </span>
  );
}

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

function lastAttempt(d: Delivery): string {
  const a = d.attempts[d.attempts.length - 1];
  if (!a) return "";
  if (a.statusCode) return `HTTP ${a.statusCode}`;
  return a.errorKind ? a.errorKind.replace(/_/g, " ").toLowerCase() : a.verdict;
}

export function DeliveryTable({
  deliveries,
  onRetry,
  busyId,
  showChannel = true,
  rowErrors = {},
}: {
  deliveries: Delivery[];
  onRetry?: (d: Delivery) => void;
  busyId?: string | null;
  showChannel?: boolean;
  rowErrors?: Record<string, string>;
}) {
  return (
    <Box as="table" width="100%" __borderCollapse="collapse" data-testid="deliveries">
      <TableHead columns={["Event", ...(showChannel ? ["Channel"] : []), "Status", "Attempts", "When", ""]} />
      <Box as="tbody">
        {deliveries.map((d) => {
          const blocker = retryBlocker(d);
          return (
            <Box as="tr" key={d.id} data-testid="delivery-row" data-event={d.event.type}>
              <Box as="td" paddingY={3} paddingRight={3} style={{ verticalAlign: "top" }}>
                <Text fontWeight="medium">{EVENT_LABEL[d.event.type] ?? d.event.type}</Text>
                <Text as="p" size={1} color="default2">
                  {sourceLabel(d.event.source)}
                </Text>
              </Box>
              {showChannel ? (
                <Box as="td" paddingY={3} paddingRight={3} style={{ verticalAlign: "top" }}>
                  <Text>{d.channelName}</Text>
                  <Text as="p" size={1} color="default2">
                    {KIND_LABEL[d.channelKind]}
                  </Text>
                </Box>
              ) : null}
              <Box as="td" paddingY={3} paddingRight={3} style={{ verticalAlign: "top" }}>
                <StatusMark status={d.status} />
              </Box>
              <Box as="td" paddingY={3} paddingRight={3} style={{ verticalAlign: "top" }}>
                <Text data-testid="attempt-count">{d.attempts.length}</Text>
                {d.attempts.length ? (
                  <Text as="p" size={1} color="default2">
                    last: {lastAttempt(d)}
                  </Text>
                ) : null}
              </Box>
              <Box as="td" paddingY={3} paddingRight={3} style={{ verticalAlign: "top" }}>
                <Text size={2}>{formatTime(d.updatedAt)}</Text>
              </Box>
              <Box as="td" paddingY={3} style={{ verticalAlign: "top" }} __maxWidth="260px">
                {onRetry && d.status === "FAILED" && !blocker ? (
                  <Button variant="secondary" size="small" icon={<RefreshCw size={14} />} onClick={() => onRetry(d)} disabled={busyId === d.id}>
                    Retry
                  </Button>
                ) : null}
                {blocker && d.status === "FAILED" ? (
                  <Text as="p" size={1} color="default2" data-testid="retry-blocked">
                    {blocker}
                  </Text>
                ) : null}
                {rowErrors[d.id] ? (
                  <Text as="p" size={1} color="critical1" role="alert">
                    {rowErrors[d.id]}
                  </Text>
                ) : null}
              </Box>
            </Box>
          );
        })}
      </Box>
    </Box>
  );
}

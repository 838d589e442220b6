import { Box, Button, Text } from "@saleor/macaw-ui";
import { RefreshCw } from "lucide-react";
import { useEffect, useState } from "react";

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

/** Narrower than this (the order page's widget column is about 344 px), deliveries are a list, not a table. */
const COMPACT_BELOW_PX = 640;

function useCompact(): boolean {
  const query = `(max-width: ${COMPACT_BELOW_PX - 1}px)`;
  const [compact, setCompact] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const onChange = () => setCompact(media.matches);
    media.addEventListener("change", onChange);
    onChange();
    return () => media.removeEventListener("change", onChange);
  }, [query]);
  return compact;
}

type DeliveriesProps = {
  deliveries: Delivery[];
  onRetry?: (d: Delivery) => void;
  busyId?: string | null;
  showChannel?: boolean;
  rowErrors?: Record<string, string>;
};

function RetryCell({ d, onRetry, busyId, rowErrors = {} }: { d: Delivery } & DeliveriesProps) {
  const blocker = retryBlocker(d);
  return (
    <>
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
    </>
  );
}

/** The deliveries as a table, or as a list of blocks where the frame is narrow (the order widget). */
export function DeliveryTable(props: DeliveriesProps) {
  const compact = useCompact();
  return compact ? <DeliveryList {...props} /> : <DeliveryGrid {...props} />;
}

function DeliveryList(props: DeliveriesProps) {
  const { deliveries, showChannel = true } = props;
  return (
    <Box as="ul" data-testid="deliveries" data-layout="list" padding={0} margin={0} style={{ listStyle: "none" }}>
      {deliveries.map((d, i) => (
        <Box
          as="li"
          key={d.id}
          data-testid="delivery-row"
          data-event={d.event.type}
          paddingY={3}
          borderTopWidth={i ? 1 : 0}
          borderTopStyle="solid"
          borderColor="default1"
          display="flex"
          flexDirection="column"
          gap={1}
          __minWidth="0"
        >
          <Box display="flex" justifyContent="space-between" alignItems="flex-start" gap={2}>
            <Box __minWidth="0">
              <Text fontWeight="medium">{EVENT_LABEL[d.event.type] ?? d.event.type}</Text>
              <Text as="p" size={1} color="default2">
                {sourceLabel(d.event.source)}
                {showChannel ? ` · ${d.channelName} (${KIND_LABEL[d.channelKind]})` : ""}
              </Text>
            </Box>
            <StatusMark status={d.status} />
          </Box>
          <Text as="p" size={1} color="default2">
            Attempts: <span data-testid="attempt-count">{d.attempts.length}</span>
            {d.attempts.length ? ` · last: ${lastAttempt(d)}` : ""} · {formatTime(d.updatedAt)}
          </Text>
          <Box>
            <RetryCell d={d} {...props} />
          </Box>
        </Box>
      ))}
    </Box>
  );
}

function DeliveryGrid(props: DeliveriesProps) {
  const { deliveries, showChannel = true } = props;
  return (
    <Box as="table" width="100%" __borderCollapse="collapse" data-testid="deliveries" data-layout="table">
      <TableHead columns={["Event", ...(showChannel ? ["Channel"] : []), "Status", "Attempts", "When", ""]} />
      <Box as="tbody">
        {deliveries.map((d) => (
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
              <RetryCell d={d} {...props} />
            </Box>
          </Box>
        ))}
      </Box>
    </Box>
  );
}

import { Box, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import { EVENT_LABEL, KIND_LABEL, sourceLabel } from "../../events";
import { formatTime } from "../../ui";
import { lastAttempt, type DeliveriesProps } from "./delivery";
import { DetailsToggle } from "./DetailsToggle";
import { ExchangePanel } from "./ExchangePanel";
import { RetryCell } from "./RetryCell";
import { StatusMark } from "./StatusMark";

/** The deliveries as a list of blocks, for a narrow frame. */
export function DeliveryList({ deliveries, retry, showChannel = true, detailsLabel = "View attempts" }: DeliveriesProps) {
  const [open, setOpen] = useState<string | null>(null);
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
          <Box display="flex" flexWrap="wrap" alignItems="flex-start" gap={2}>
            <RetryCell d={d} retry={retry} />
            <DetailsToggle label={detailsLabel} open={open === d.id} onToggle={() => setOpen(open === d.id ? null : d.id)} controls={`exchange-${d.id}`} />
          </Box>
          {open === d.id ? (
            <Box id={`exchange-${d.id}`} data-testid="delivery-details" __minWidth="0">
              <ExchangePanel deliveryId={d.id} />
            </Box>
          ) : null}
        </Box>
      ))}
    </Box>
  );
}

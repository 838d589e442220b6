import { Box, Text } from "@saleor/macaw-ui";

import { EVENT_LABEL, KIND_LABEL, sourceLabel } from "../../events";
import { formatTime } from "../../ui";
import { lastAttempt, type DeliveriesProps } from "./delivery";
import { RetryCell } from "./RetryCell";
import { StatusMark } from "./StatusMark";

/** The deliveries as a list of blocks, for a narrow frame. */
export function DeliveryList({ deliveries, retry, showChannel = true }: DeliveriesProps) {
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
            <RetryCell d={d} retry={retry} />
          </Box>
        </Box>
      ))}
    </Box>
  );
}

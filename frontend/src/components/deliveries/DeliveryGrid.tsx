import { Box, Text } from "@saleor/macaw-ui";
import { Fragment, useState } from "react";

import { EVENT_LABEL, KIND_LABEL, sourceLabel } from "../../events";
import { formatTime, TableHead } from "../../ui";
import { lastAttempt, type DeliveriesProps } from "./delivery";
import { DetailsToggle } from "./DetailsToggle";
import { ExchangePanel } from "./ExchangePanel";
import { RetryCell } from "./RetryCell";
import { StatusMark } from "./StatusMark";

/** The deliveries as a table. */
export function DeliveryGrid({ deliveries, retry, showChannel = true, detailsLabel = "View attempts" }: DeliveriesProps) {
  const [open, setOpen] = useState<string | null>(null);
  const columns = showChannel ? 6 : 5;
  return (
    <Box as="table" width="100%" __borderCollapse="collapse" data-testid="deliveries" data-layout="table">
      <TableHead columns={["Event", ...(showChannel ? ["Channel"] : []), "Status", "Attempts", "When", ""]} />
      <Box as="tbody">
        {deliveries.map((d) => (
          <Fragment key={d.id}>
          <Box as="tr" data-testid="delivery-row" data-event={d.event.type}>
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
              <Box display="flex" flexDirection="column" alignItems="flex-start" gap={2}>
                <RetryCell d={d} retry={retry} />
                <DetailsToggle label={detailsLabel} open={open === d.id} onToggle={() => setOpen(open === d.id ? null : d.id)} controls={`exchange-${d.id}`} />
              </Box>
            </Box>
          </Box>
          {open === d.id ? (
            <Box as="tr" data-testid="delivery-details">
              <Box as="td" id={`exchange-${d.id}`} colSpan={columns} paddingBottom={4}>
                <ExchangePanel deliveryId={d.id} />
              </Box>
            </Box>
          ) : null}
          </Fragment>
        ))}
      </Box>
    </Box>
  );
}

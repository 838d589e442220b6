import { Box, Text } from "@saleor/macaw-ui";

import type { Delivery } from "../../api";
import { Card, formatTime, Mark } from "../../ui";
import { health } from "./health";

/** How the channel's recent deliveries went; without them, why not. */
export function HealthCard({ deliveries, deliveryError }: { deliveries: Delivery[] | null; deliveryError: unknown }) {
  const h = deliveries ? health(deliveries) : null;
  return (
    <Card title="Health" testId="health">
      {!h || !deliveries ? (
        <Text color="default2">{deliveryError ? "Needs the Manage orders permission." : "…"}</Text>
      ) : (
        <Box display="flex" flexDirection="column" gap={2}>
          <Box>
            {h.state === "none" ? <Mark>No deliveries yet</Mark> : null}
            {h.state === "healthy" ? <Mark tone="success">Healthy</Mark> : null}
            {h.state === "recovered" ? <Mark tone="warning">Recovering</Mark> : null}
            {h.state === "failing" ? <Mark tone="critical">Failing</Mark> : null}
          </Box>
          <Text size={2}>
            Last {deliveries.length} deliveries: {h.ok} delivered, {h.failed} failed, {h.pending} pending.
          </Text>
          <Text size={2}>Last success: {formatTime(h.lastSuccess?.updatedAt)}</Text>
          <Text size={2}>Last failure: {formatTime(h.lastFailure?.updatedAt)}</Text>
        </Box>
      )}
    </Card>
  );
}

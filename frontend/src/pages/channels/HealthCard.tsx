import { Box, Button, Text } from "@saleor/macaw-ui";

import type { ChannelHealth } from "../../api";
import { Card, formatTime, Mark, type Tone } from "../../ui";

const STATUS: Record<ChannelHealth["status"], { label: string; tone: Tone }> = {
  UNKNOWN: { label: "No deliveries yet", tone: "default" },
  HEALTHY: { label: "Healthy", tone: "success" },
  RECOVERING: { label: "Recovering", tone: "warning" },
  FAILING: { label: "Failing", tone: "critical" },
  ALERTING: { label: "Failing: staff alerted", tone: "critical" },
};

const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

/** The channel's health as the API computes it from its attempts; a paused channel's Resume. */
export function HealthCard({
  health,
  paused,
  resuming,
  onResume,
}: {
  health: ChannelHealth;
  paused: boolean;
  resuming: boolean;
  onResume: () => void;
}) {
  const status = STATUS[health.status];
  return (
    <Card title="Health" testId="health">
      <Box display="flex" flexDirection="column" gap={2}>
        <Box display="flex" gap={2}>
          <Mark tone={status.tone}>{status.label}</Mark>
          {paused ? <Mark tone="warning">Paused</Mark> : null}
        </Box>
        {paused ? (
          <Box display="flex" flexDirection="column" gap={2} paddingY={2}>
            <Text size={2}>
              {health.heldDeliveries} {health.heldDeliveries === 1 ? "delivery is" : "deliveries are"} held: kept, not
              sent. Resume sends them one at a time, oldest first.
            </Text>
            <Box>
              <Button variant="primary" onClick={onResume} disabled={resuming}>
                {resuming ? "Resuming…" : "Resume"}
              </Button>
            </Box>
          </Box>
        ) : null}
        <Text size={2}>
          Last {health.windowHours} h:{" "}
          {health.attemptCount
            ? `${health.attemptCount} ${health.attemptCount === 1 ? "attempt" : "attempts"}, ${percent(health.successRate ?? 0)} succeeded`
            : "no attempts"}
          .
        </Text>
        <Text size={2}>Consecutive failures: {health.consecutiveFailures}</Text>
        {health.failingSince ? <Text size={2}>Failing since: {formatTime(health.failingSince)}</Text> : null}
        <Text size={2}>Last success: {formatTime(health.lastSuccessAt)}</Text>
        <Text size={2}>
          Median latency: {health.medianLatencyMs === null ? "—" : `${Math.round(health.medianLatencyMs)} ms`}
        </Text>
      </Box>
    </Card>
  );
}

import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { api, type AlertingChannel } from "../api";
import { useRouter } from "../router";
import { AlertBox, formatTime } from "../ui";

/** Names the channels failing for the alert period (and the paused ones), each a link to its page. */
export function AlertBanner() {
  const { navigate } = useRouter();
  const [channels, setChannels] = useState<AlertingChannel[]>([]);
  useEffect(() => {
    api.alertingChannels().then(setChannels, () => setChannels([])); // the page's own call reports access
  }, []);
  if (!channels.length) return null;
  const failing = channels.filter((c) => c.health.isAlerting);
  return (
    <AlertBox label="Failing channels" testId="alert-banner" padding={4}>
      <Text as="p" fontWeight="bold" color="critical1">
        {failing.length
          ? `${failing.length === 1 ? "A channel is" : `${failing.length} channels are`} failing without a success`
          : "Paused channels hold their deliveries"}
      </Text>
      <Box as="ul" margin={0} paddingLeft={0} paddingTop={2} display="flex" flexDirection="column" gap={1}>
        {channels.map((c) => (
          <Box as="li" key={c.id} display="flex" alignItems="center" gap={2}>
            <Button variant="tertiary" size="small" onClick={() => navigate(`channels/${encodeURIComponent(c.id)}`)}>
              {c.name}
            </Button>
            <Text size={2} color="default2">
              {c.health.isAlerting ? `failing since ${formatTime(c.health.failingSince)}` : "recovered"}
              {c.isPaused ? " · paused: deliveries held until you resume it" : ""}
            </Text>
          </Box>
        ))}
      </Box>
    </AlertBox>
  );
}

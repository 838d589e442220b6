import { Box, Text } from "@saleor/macaw-ui";

import { EVENT_LABEL, type EventType } from "../../events";
import { useRouter } from "../../router";
import { Card } from "../../ui";

/** The events a channel is attached to, each a link to its page. */
export function AttachedEventsCard({ events }: { events: { id: string; event: string }[] }) {
  const { navigate } = useRouter();
  return (
    <Card title="Attached to">
      {events.length === 0 ? (
        <Text color="default2">No event yet.</Text>
      ) : (
        events.map((e) => (
          <Box key={e.id} paddingY={1}>
            <Box as="button" type="button" onClick={() => navigate(`events/${e.event}`)} borderWidth={0} backgroundColor="default1" padding={0} cursor="pointer">
              <Text textDecoration="underline">{EVENT_LABEL[e.event as EventType] ?? e.event}</Text>
            </Box>
          </Box>
        ))
      )}
    </Card>
  );
}

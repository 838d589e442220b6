import { Box, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";

import { api, type NotificationEvent } from "../../api";
import { AlertBanner } from "../../components/AlertBanner";
import { ErrorNotice } from "../../components/ErrorNotice";
import { config } from "../../config";
import { Card, ExternalLink, Loading, PageHeader } from "../../ui";
import { EventRow } from "./EventRow";

/** The event catalog the plugin serves (public): every postback's payload, headers and signature. */
const CATALOG_URL = `${config.appBase}asyncapi.json`;

/** System notifications: the ten events, each with its switch. */
export function EventsPage() {
  const [events, setEvents] = useState<NotificationEvent[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(() => {
    api.events().then((d) => setEvents(d.notificationEvents), setError);
  }, []);
  useEffect(load, [load]);

  const switched = (type: NotificationEvent["type"], isEnabled: boolean) =>
    setEvents((list) => list?.map((e) => (e.type === type ? { ...e, isEnabled } : e)) ?? null);

  return (
    <Box>
      <PageHeader title="System notifications" />
      <AlertBanner />
      <Text as="p" color="default2" paddingBottom={2}>
        Switch an event on, then click its name to attach the channels that should be notified.
      </Text>
      <Text as="p" color="default2" paddingBottom={6}>
        For the developers of the receiving systems: each event's payload, headers and signature are in the{" "}
        <ExternalLink href={CATALOG_URL}>event catalog (AsyncAPI 3.0)</ExternalLink>.
      </Text>
      {error ? <ErrorNotice error={error} permission="Manage plugins (MANAGE_PLUGINS)" /> : null}
      {!events && !error ? <Loading /> : null}
      {events ? (
        <Card testId="events">
          <Box as="ul" margin={0} padding={0} display="flex" flexDirection="column">
            {events.map((event, index) => (
              <EventRow
                key={event.type}
                event={event}
                first={index === 0}
                onSwitched={(isEnabled) => switched(event.type, isEnabled)}
                reload={load}
              />
            ))}
          </Box>
        </Card>
      ) : null}
    </Box>
  );
}

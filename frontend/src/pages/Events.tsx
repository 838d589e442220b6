import { Box, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";

import { api, errorMessage, type NotificationEvent } from "../api";
import { useBridge } from "../bridge";
import { Card, ErrorNotice, Loading, Mark, PageHeader, SwitchControl } from "../components/ui";
import { EVENT_HELP } from "../events";
import { useRouter } from "../router";

export function EventMarks({ event }: { event: NotificationEvent }) {
  return (
    <>
      {event.postbackOnly ? <Mark tone="warning">Postback only</Mark> : null}
      {event.manualRetry ? <Mark tone="info">Manual retry</Mark> : null}
    </>
  );
}

export function EventsPage() {
  const { navigate } = useRouter();
  const { notify } = useBridge();
  const [events, setEvents] = useState<NotificationEvent[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});

  const load = useCallback(() => {
    api.events().then((d) => setEvents(d.notificationEvents), setError);
  }, []);
  useEffect(load, [load]);

  const toggle = async (event: NotificationEvent, isEnabled: boolean) => {
    setRowErrors((e) => ({ ...e, [event.type]: "" }));
    setEvents((list) => list?.map((e) => (e.type === event.type ? { ...e, isEnabled } : e)) ?? null);
    try {
      const result = await api.setEnabled(event.type, isEnabled);
      if (result.errors.length) {
        setRowErrors((e) => ({ ...e, [event.type]: result.errors.map((x) => x.message).join(" ") }));
        load();
        return;
      }
      notify("success", `${event.name} ${isEnabled ? "enabled" : "disabled"}`);
    } catch (err) {
      setRowErrors((e) => ({ ...e, [event.type]: errorMessage(err) }));
      load();
    }
  };

  return (
    <Box>
      <PageHeader title="System notifications" />
      <Text as="p" color="default2" paddingBottom={6}>
        Switch an event on, then click its name to attach the channels that should be notified.
      </Text>
      {error ? <ErrorNotice error={error} permission="Manage plugins (MANAGE_PLUGINS)" /> : null}
      {!events && !error ? <Loading /> : null}
      {events ? (
        <Card testId="events">
          <Box as="ul" margin={0} padding={0} display="flex" flexDirection="column">
            {events.map((event, index) => (
              <Box
                as="li"
                key={event.type}
                data-testid={`event-row-${event.type}`}
                display="flex"
                alignItems="center"
                justifyContent="space-between"
                gap={4}
                paddingY={4}
                borderTopWidth={index ? 1 : 0}
                borderTopStyle="solid"
                borderColor="default1"
                style={{ listStyle: "none" }}
              >
                <Box __flex="1">
                  <Box display="flex" alignItems="center" gap={2} flexWrap="wrap">
                    <Box
                      as="button"
                      type="button"
                      onClick={() => navigate(`events/${event.type}`)}
                      borderWidth={0}
                      backgroundColor="default1"
                      padding={0}
                      cursor="pointer"
                      textAlign="left"
                    >
                      <Text size={5} fontWeight="bold" textDecoration="underline">
                        {event.name}
                      </Text>
                    </Box>
                    <EventMarks event={event} />
                  </Box>
                  <Text as="p" size={2} color="default2" paddingTop={1}>
                    {EVENT_HELP[event.type]}
                  </Text>
                  {rowErrors[event.type] ? (
                    <Text as="p" size={2} color="critical1" role="alert">
                      {rowErrors[event.type]}
                    </Text>
                  ) : null}
                </Box>
                <Box display="flex" alignItems="center" gap={4}>
                  <Text size={2} color="default2" data-testid="channel-count" __whiteSpace="nowrap">
                    {event.channels.length === 1 ? "1 channel" : `${event.channels.length} channels`}
                  </Text>
                  <SwitchControl
                    checked={event.isEnabled}
                    label={`Enable ${event.name}`}
                    onChange={(value) => toggle(event, value)}
                  />
                </Box>
              </Box>
            ))}
          </Box>
        </Card>
      ) : null}
    </Box>
  );
}
